"""A sweep in the job engine's store: submitted, stopped, and read back as its live state and leaderboard."""

from __future__ import annotations

from typing import Any

from lstm_core.findings import ProblemError
from lstm_core.runs import STATUS_WORDS
from lstm_core.sweeps.grid import SweepPlan, size_findings
from lstm_core.sweeps.outcomes import ACTIVE, SCORED, SweepRun, SweepState
from lstm_core.sweeps.summary import summarize
from lstm_core.tasks.base import Task
from lstm_core.tasks.registry import task_for

STOP_REASON = "the sweep was stopped"


# Submitting and stopping.


def submit_sweep(engine, workspace: str, plan: SweepPlan, data: bytes, data_name: str, reader: str,
                 data_id: str = "", source: str = "page") -> str:
    """Queue every run of an accepted plan on the engine and keep the sweep in its store; returns the sweep id.
    A plan with findings trains nothing: ProblemError with its first finding."""
    if not plan.ok:
        raise ProblemError(plan.findings[0] if plan.findings else size_findings(len(plan.configs))[0])
    run_ids = [engine.submit(workspace, config, data, data_name, reader, data_id, source=source)
               for config in plan.configs]
    runs = [{"id": run_id, "values": values} for run_id, values in zip(run_ids, plan.values, strict=True)]
    return engine.store.create_sweep(workspace, [axis.to_dict() for axis in plan.axes], runs, plan.base)


def stop_sweep(engine, sweep_id: str) -> dict[str, str | None]:
    """Cancel the sweep's queued runs and stop its running ones (they keep their curves); returns each run's status
    after the request. The store cancels a queued run in the same write that checks it is still queued, so no run
    slips into a worker between the two."""
    sweep = engine.store.sweep(sweep_id)
    if sweep is None:
        raise KeyError(f"no sweep {sweep_id!r}")
    engine.store.mark_sweep_stopped(sweep_id)
    # The queued runs first, newest first, so none is handed to the worker a stopped run frees.
    ids = [run["id"] for run in reversed(sweep["runs"])]
    return {run_id: engine.stop(run_id, STOP_REASON) for run_id in ids if engine.status(run_id) in ACTIVE}


# Reading a sweep back.


def sweep_state(store, sweep_id: str) -> SweepState:
    """Every run of the sweep as it stands, the best so far and the summary line."""
    sweep = store.sweep(sweep_id)
    if sweep is None:
        raise KeyError(f"no sweep {sweep_id!r}")
    runs = [_sweep_run(store.get(run["id"]), run) for run in sweep["runs"]]
    state = SweepState(sweep_id, [axis["setting"] for axis in sweep["axes"]], runs, sweep["stopped"],
                       sweep["base"].seed)
    state.best = best_run(runs)
    state.summary = summarize(state)
    return state


def best_run(runs: list[SweepRun]) -> SweepRun | None:
    """The lowest best validation loss among runs that trained to an end or were stopped, and did not diverge."""
    scored = [run for run in runs if run.status in SCORED and run.outcome != "diverged"
              and run.best_val_loss is not None]
    return min(scored, key=lambda run: run.best_val_loss, default=None)


def _sweep_run(record, entry: dict) -> SweepRun:
    if record is None:
        return SweepRun(entry["id"], entry["values"], "deleted")
    metric, model_score, baseline, baseline_score = model_and_baseline(record.metrics, task_for(record.config))
    return SweepRun(
        run_id=record.key, values=entry["values"], status=record.status, number=record.id, reason=record.reason,
        curve=list(record.history.get("val_loss") or []), loss=list(record.history.get("loss") or []),
        marks=[{"epoch": f.epoch, "code": f.code} for f in record.findings if f.epoch is not None],
        best_val_loss=record.best_val_loss, metric=metric, model_score=model_score, baseline=baseline,
        baseline_score=baseline_score, codes=list(dict.fromkeys(f.code for f in record.findings
                                                                 if f.severity != "info")),
        findings=list(record.findings), metrics=record.metrics, verdict=record.verdict, epochs=record.epochs,
        planned_epochs=record.planned_epochs)


def model_and_baseline(metrics: dict | None, task: Task) -> tuple[str | None, float | None, str | None, float | None]:
    """(metric, the model's score, the best baseline's name, its score) in the task's headline metric: test MAE
    against the baseline with the lowest for a forecast, accuracy against the majority class for a classifier, bits
    per character against the unigram model for a language model; Nones for a run without scores."""
    key, label, higher_is_better = task.headline
    if not metrics or key not in (metrics.get("model") or {}):
        return None, None, None, None
    scores = {name: values.get(key) for name, values in (metrics.get("baselines") or {}).items()
              if values.get(key) is not None}
    name = (max if higher_is_better else min)(scores, key=scores.get) if scores else None
    return label, metrics["model"][key], name, scores.get(name)


def leaderboard_rows(state: SweepState) -> list[dict]:
    """A row a run, best validation loss first (runs without one last): the swept values, status, epochs, best
    validation loss, the model's metric against the best baseline's, and the findings' codes."""
    def order(run: SweepRun):
        return (run.best_val_loss is None, run.best_val_loss or 0.0)

    rows = []
    for run in sorted(state.runs, key=order):
        row: dict[str, Any] = {"run": f"#{run.number}" if run.number else run.run_id}
        row.update({setting: run.values.get(setting) for setting in state.settings})
        row.update({"status": STATUS_WORDS.get(run.status, run.status), "epochs": run.epochs,
                    "best val loss": run.best_val_loss, "metric": run.metric, "model": run.model_score,
                    "best baseline": run.baseline_score, "baseline": run.baseline,
                    "findings": ", ".join(run.codes), "best": state.best is run})
        rows.append(row)
    return rows

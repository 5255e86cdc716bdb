"""`python -m lstm_core sweep FILE --grid SETTING=VALUES …`: a grid of runs trained side by side by the job engine,
then one report with every run's values, status, metrics and findings, the best run and the summary line.

The runs train in a local pool of worker processes over a run store: the one at LSTM_PLAYGROUND_HOME with --store
(where the page lists them), else a temporary one removed at the end. `--ray ADDRESS` (or LSTM_PLAYGROUND_RAY_ADDRESS)
hands them to a Ray cluster instead, when this installation has the Ray engine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time

from lstm_core.cli.output import print_findings
from lstm_core.cli.running import EXIT_FINDING, EXIT_OK, EXIT_USAGE, finite
from lstm_core.cli.store import add_store_options, source_bytes
from lstm_core.export import json_plain
from lstm_core.findings import Finding, ProblemError, has_errors
from lstm_core.jobs import RAY_VARIABLE
from lstm_core.sweeps import (
    SWEEP_SETTINGS,
    SweepRun,
    SweepState,
    plan_grid,
    show_value,
    stop_sweep,
    submit_sweep,
    sweep_state,
)

SWEEP_COMMAND = "sweep"
EXIT_INTERRUPTED = 130
# Findings that mean the command itself was unusable (exit 2), not that a run failed.
USAGE_CODES = ("DATA001", "DATA002", "CONFIG001")
POLL_SECONDS = 0.5


def add_sweep_command(commands, add_config_options) -> None:
    """The `sweep` subcommand, with `train`'s data and setting options (`add_config_options`) as the base setup."""
    sweep = commands.add_parser(SWEEP_COMMAND, help="train a grid of settings side by side and compare the runs")
    sweep.add_argument("file", help="a CSV file, or sample:NAME for a built-in sample")
    add_config_options(sweep)
    sweep.add_argument("--grid", action="append", required=True, metavar="SETTING=VALUES",
                       help="a swept setting and its values: learning_rate=1e-4,1e-3,1e-2 or a log range "
                            "learning_rate=1e-5..10:5; give --grid once or twice (settings: "
                            f"{', '.join(SWEEP_SETTINGS)})")
    sweep.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    sweep.add_argument("--ray", metavar="ADDRESS",
                       help=f"train the runs on this Ray cluster (sets {RAY_VARIABLE}); needs the Ray extra")
    add_store_options(sweep, "the sweep and its runs", "join")


def run_sweep_command(args: argparse.Namespace) -> int:
    report: dict = {"command": SWEEP_COMMAND, "findings": []}
    try:
        code = _sweep(args, report)
    except ProblemError as problem:
        report["findings"].append(problem.finding.to_dict())
        code = EXIT_USAGE if problem.finding.code in USAGE_CODES or problem.finding.code.startswith("SWEEP") \
            else EXIT_FINDING
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as exc:  # the boundary: anything unexpected becomes a finding, not a traceback
        from lstm_core.errors import translate

        report["findings"].append(translate(exc, area="command").to_dict())
        code = EXIT_FINDING
    _print(report, args.json)
    return code


def _sweep(args: argparse.Namespace, report: dict) -> int:
    from lstm_core.cli.options import config_or_problem, given_settings
    from lstm_core.tasks.registry import claiming

    ray_address = args.ray or os.environ.get(RAY_VARIABLE, "").strip()
    if ray_address:
        _ray_missing()
    config = config_or_problem(args)
    task = claiming(args.file, config)
    if task.reader != "csv":
        raise ProblemError(Finding("CONFIG001", "error", "The command line sweeps CSV forecasts and classifiers",
                                   "Text tasks are swept on their pages; use `train` for one text run.",
                                   area="config"))
    prepared = task.cli_prepare(args.file, config, given_settings(args))
    report.update(config=prepared.config.to_dict(), data=prepared.data_summary(),
                  findings=[f.to_dict() for f in prepared.findings])
    if has_errors(prepared.findings):
        return EXIT_FINDING
    plan = plan_grid(prepared.config, args.grid)
    report.update(grid={axis.setting: list(axis.values) for axis in plan.axes}, runs_planned=plan.size,
                  seed_note=plan.seed_note)
    if not plan.ok:
        report["findings"] += [f.to_dict() for f in plan.findings]
        return EXIT_USAGE
    mine: set[str] = set()
    with _run_store(args) as store:
        engine = _engine(store, ray_address, mine)
        try:
            state = _train(engine, args, prepared, plan, report, mine)
        finally:
            engine.close()
    report.update(_state_report(state))
    every_failed = all(run.failed_a_check for run in state.runs)
    return EXIT_FINDING if every_failed else EXIT_OK


def _train(engine, args: argparse.Namespace, prepared, plan, report: dict, mine: set[str]) -> SweepState:
    """Submit the sweep and wait for it; `mine` learns its run ids, the only runs this command's pool takes."""
    from lstm_core.jobs import reader_for

    reader = reader_for(prepared.config)
    raw, name, data_id = source_bytes(args.file, reader)
    sweep_id = submit_sweep(engine, args.workspace, plan, raw, name, reader, data_id, source="cli")
    mine.update(run["id"] for run in engine.store.sweep(sweep_id)["runs"])
    report.update(sweep_id=sweep_id, store=str(engine.store.home) if args.store else None)
    try:
        return _wait(engine.store, sweep_id, args.json)
    except KeyboardInterrupt:
        stop_sweep(engine, sweep_id)
        raise


def _wait(store, sweep_id: str, as_json: bool) -> SweepState:
    """Poll the store until every run has ended, a line on stderr as each one does."""
    told: set[str] = set()
    while True:
        state = sweep_state(store, sweep_id)
        for run in state.runs:
            if not run.active and run.run_id not in told:
                told.add(run.run_id)
                _progress(run, f"{len(told)}/{len(state.runs)}", as_json)
        if not state.active:
            return state
        time.sleep(POLL_SECONDS)


def _progress(run: SweepRun, count: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"event": "run_end", "run_id": run.run_id, "values": run.values, "status": run.status,
                          "best_val_loss": run.best_val_loss}), file=sys.stderr, flush=True)
        return
    best = "n/a" if run.best_val_loss is None else f"{run.best_val_loss:.4g}"
    print(f"{count} {_values_text(run.values)}: {run.status}, best val loss {best}",
          file=sys.stderr, flush=True)


@contextlib.contextmanager
def _run_store(args: argparse.Namespace):
    """The store at LSTM_PLAYGROUND_HOME with --store, else a temporary one that goes when the command ends."""
    from lstm_core.store import RunStore

    if args.store:
        yield RunStore()
        return
    with tempfile.TemporaryDirectory(prefix="lstm-playground-sweep-") as home:
        yield RunStore(home)


def _engine(store, ray_address: str, mine: set[str]):
    # Only its own runs: a server on the same store (--store) keeps training its users' runs.
    if ray_address:
        from lstm_core.jobs import ray_engine

        engine = ray_engine(store, ray_address, claims=mine.__contains__)
        why = engine.reachable()
        if why:  # before anything is queued: an address that leads nowhere is a usage error
            engine.close()
            raise ProblemError(Finding("SWEEP010", "error", f"The Ray cluster at {ray_address} cannot be reached",
                                       f"{why}. Check the address (ray://HOST:10001 for a cluster started with "
                                       "`ray start --head --ray-client-server-port=10001`, HOST:6379 on one of its "
                                       "nodes) and that the cluster is up; nothing was queued.", area="sweep"))
        return engine
    from lstm_core.jobs import LocalEngine

    # No spare and no warm-up: every worker the command starts trains one of its runs at once.
    return LocalEngine(store, spare=False, warm_up=False, claims=mine.__contains__)


def _ray_missing() -> None:
    """SWEEP009 as a usage error, before any work, when --ray is asked of an installation without the extra."""
    from lstm_core.jobs import ray_available, ray_engine

    if not ray_available():
        ray_engine(None)  # raises the finding


def _state_report(state: SweepState) -> dict:
    best = state.best
    return {"runs": [run_report(run) for run in state.runs],
            "best": None if best is None else {"run_id": best.run_id, "values": best.values,
                                               "best_val_loss": best.best_val_loss},
            "summary": state.summary, "stopped": state.stopped}


def run_report(run: SweepRun) -> dict:
    """One run as the JSON report shows it: values, status, curve, monitor marks, scores and findings."""
    return {"run_id": run.run_id, "number": run.number, "values": run.values, "status": run.status,
            "reason": run.reason, "epochs": run.epochs, "best_val_loss": run.best_val_loss,
            "val_loss": [finite(v) for v in run.curve], "marks": run.marks, "metric": run.metric,
            "model": run.model_score, "baseline": run.baseline, "baseline_score": run.baseline_score,
            "metrics": run.metrics, "verdict": run.verdict,
            "findings": [{"code": f.code, "severity": f.severity, "title": f.title, "detail": f.detail,
                          "epoch": f.epoch} for f in run.findings]}


def _print(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2, default=json_plain))
        return
    print_findings(report["findings"], fixes=False)
    if "runs" not in report:
        return
    _print_table(report)
    print(report["seed_note"])
    print(report["summary"])


def _print_table(report: dict) -> None:
    settings = list(report["grid"])
    state_rows = [{**{s: run["values"].get(s) for s in settings}, "status": run["status"], "epochs": run["epochs"],
                   "best val loss": run["best_val_loss"], "score": _score(run),
                   "findings": ", ".join(dict.fromkeys(f["code"] for f in run["findings"] if f["severity"] != "info"))}
                  for run in report["runs"]]
    columns = [*settings, "status", "epochs", "best val loss", "score", "findings"]
    cells = [[_cell(row[c]) for c in columns] for row in state_rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    for line in [columns, *cells]:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


def _score(run: dict) -> str:
    if run["model"] is None:
        return ""
    baseline = "" if run["baseline_score"] is None else f" vs {run['baseline']} {run['baseline_score']:.4g}"
    return f"{run['metric']} {run['model']:.4g}{baseline}"


def _cell(value) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if isinstance(value, float) and abs(value) >= 0.01 else show_value(value)


def _values_text(values: dict) -> str:
    return ", ".join(f"{name} {show_value(value)}" for name, value in values.items())

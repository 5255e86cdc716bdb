"""Sweeps: one or two settings tried at several values, every combination a run trained side by side.

A grid is read (`parse_axis`), planned into configs or refused with findings (`plan_sweep`), submitted to the job
engine as ordinary runs grouped by a sweep row in the run store (`submit_sweep`), stopped as a whole (`stop_sweep`),
and read back (`sweep_state`) for the live chart, the leaderboard and the one-line summary. No Streamlit and no
TensorFlow here: the page, the CLI and the tests share it, and the workers do the training.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from lstm_core.config import CHOICES, ConfigError, RunConfig
from lstm_core.findings import Finding, ProblemError
from lstm_core.limits import how_to_change, limit
from lstm_core.runs import STATUS_WORDS, setting_kind

# The settings a sweep may vary: the model's and the training's numbers and choices. The seed is left out on
# purpose: every run of a sweep shares the base setup's seed, so only the swept settings differ.
SWEEP_SETTINGS = ("learning_rate", "units", "layers", "batch_size", "epochs", "timesteps", "dropout",
                  "recurrent_dropout", "activation", "recurrent_activation", "optimizer", "patience")
# The CLI's option names for the same settings.
ALIASES = {"lr": "learning_rate"}
MAX_SETTINGS = 2
LIMIT_NAME = "max_sweep_runs"
# Log-range values are rounded to this many significant digits, so a value reads as a user would type it.
SIGNIFICANT = 3
AREA = "sweep"
STOP_REASON = "the sweep was stopped"
# The runtime monitors' codes (lstm_core/monitors/curve_monitors.py) a summary names.
DIVERGED = ("TRAIN101", "TRAIN102")
STALLED = ("TRAIN103",)
OSCILLATED = ("TRAIN104",)
UNDERFIT = ("TRAIN106",)
# Runs that may be the best: they trained to an end, or were stopped with their curve kept.
SCORED = ("completed", "stopped_early")
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Axis:
    """One swept setting and its values, typed as the setting is (a value that cannot be typed stays a string, and
    plan_sweep names it)."""

    setting: str
    values: tuple

    def to_dict(self) -> dict:
        return {"setting": self.setting, "values": list(self.values)}


@dataclass
class SweepPlan:
    base: RunConfig
    axes: list[Axis]
    configs: list[RunConfig] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Runs the grid makes (the product of the axes' lengths), also when it is refused: the page shows it.
    size: int = 0
    seed_note: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings and len(self.configs) >= 2


@dataclass
class SweepRun:
    """One run of a sweep as the live view, the leaderboard and the summary read it."""

    run_id: str
    values: dict
    status: str
    number: int | None = None
    reason: str = ""
    curve: list[float] = field(default_factory=list)  # validation loss, one value an epoch
    loss: list[float] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)  # {"epoch", "code"} where a monitor fired
    best_val_loss: float | None = None
    metric: str | None = None  # "MAE" (forecast) or "accuracy" (classifier)
    model_score: float | None = None
    baseline: str | None = None  # the best baseline's name
    baseline_score: float | None = None
    codes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    metrics: dict | None = None
    verdict: str = ""
    epochs: int = 0
    planned_epochs: int = 0

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def outcome(self) -> str:
        """What the summary says of the run: diverged, stalled, oscillated, learnt little, failed, healthy, or its
        status while it is queued or running."""
        if self.active or self.status in ("cancelled", "deleted"):
            return self.status
        if self.status == "error":
            return "failed"
        if self.status == "diverged" or set(self.codes) & set(DIVERGED):
            return "diverged"
        if set(self.codes) & set(STALLED):
            return "stalled"
        if set(self.codes) & set(OSCILLATED):
            return "oscillated"
        if set(self.codes) & set(UNDERFIT):
            return "learnt little"
        return "healthy"

    @property
    def failed_a_check(self) -> bool:
        """Failed, or reported an error-level finding (a diverged run does): what the CLI's exit code 1 counts."""
        return self.status in ("error", "diverged") or any(f.severity == "error" for f in self.findings)


@dataclass
class SweepState:
    sweep_id: str
    settings: list[str]
    runs: list[SweepRun]
    stopped: bool = False
    seed: int = 0
    best: SweepRun | None = None
    summary: str = ""

    @property
    def finished(self) -> int:
        return sum(1 for run in self.runs if not run.active)

    @property
    def active(self) -> bool:
        return any(run.active for run in self.runs)

    @property
    def best_values(self) -> dict | None:
        return dict(self.best.values) if self.best else None


# Reading a grid.


def parse_axis(text: str) -> Axis:
    """"learning_rate=1e-4,1e-3,1e-2", "units=16,64" or a log range "learning_rate=1e-5..10:5" (5 values).
    Raises ProblemError (SWEEP008) for text that is not a grid at all; values are checked by plan_sweep."""
    name, sep, rest = text.partition("=")
    setting = ALIASES.get(name.strip().lower().replace("-", "_"), name.strip().lower().replace("-", "_"))
    if not sep or not setting or not rest.strip():
        raise _unreadable(text, "Write SETTING=VALUE,VALUE,… (learning_rate=1e-4,1e-3,1e-2) or a log range "
                                "SETTING=LOW..HIGH:COUNT (learning_rate=1e-5..10:5)")
    rest = rest.replace("…", "..")
    if ".." in rest:
        return Axis(setting, _log_range(text, setting, rest))
    words = [word.strip() for word in rest.split(",") if word.strip()]
    return Axis(setting, tuple(typed_value(setting, word) for word in words))


def typed_value(setting: str, word: str) -> Any:
    """The word as the setting's type (int, float or one of its choices); the word itself when it is not one."""
    if setting not in SWEEP_SETTINGS or setting in CHOICES:
        return word
    is_float = setting_kind(setting)[3]
    try:
        number = float(word)
    except ValueError:
        return word
    if is_float:
        return number
    return int(number) if math.isfinite(number) and number == int(number) else word


def _log_range(text: str, setting: str, rest: str) -> tuple:
    if setting in CHOICES:
        raise _unreadable(text, f"{setting} is a choice, not a number: list its values instead")
    span, _, count_text = rest.partition(":")
    low_text, _, high_text = span.partition("..")
    try:
        low, high, count = float(low_text), float(high_text), int(count_text)
    except ValueError:
        raise _unreadable(text, "A range reads LOW..HIGH:COUNT, e.g. learning_rate=1e-5..10:5 for 5 values") from None
    if not 0 < low < high or count < 2:
        raise _unreadable(text, "A log range needs 0 < LOW < HIGH and at least 2 values")
    values = [low * (high / low) ** (i / (count - 1)) for i in range(count)]
    if setting in SWEEP_SETTINGS and not setting_kind(setting)[3]:
        return tuple(round(value) for value in values)  # units=16..256:5 → 16, 32, 64, 128, 256
    return tuple(float(f"{value:.{SIGNIFICANT}g}") for value in values)


def show_value(value) -> str:
    """A swept value as a user writes it: 3e-3, 1e-5, 0.0316, 10, 64, adam."""
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-2 or abs(value) >= 1e4):
            mantissa, exponent = f"{value:.2e}".split("e")
            return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
        return f"{value:.3g}"
    return str(value)


def _unreadable(text: str, how: str) -> ProblemError:
    return ProblemError(_finding("SWEEP008", f"Cannot read the grid '{text}'", f"{how}."))


# Planning.


def plan_grid(base: RunConfig, texts: list[str]) -> SweepPlan:
    """parse_axis on every text, then plan_sweep; a text that cannot be read is one more finding of the plan."""
    axes, unreadable = [], []
    for text in texts:
        try:
            axes.append(parse_axis(text))
        except ProblemError as problem:
            unreadable.append(problem.finding)
    plan = plan_sweep(base, axes)
    if unreadable:
        # The size of the readable part says nothing about the grid the user meant.
        kept = [f for f in plan.findings if f.code not in ("SWEEP006", "SWEEP007")]
        plan.findings, plan.configs, plan.values = [*unreadable, *kept], [], []
    return plan


def plan_sweep(base: RunConfig, axes: list[Axis]) -> SweepPlan:
    """Every combination of the axes' values as a config, or findings saying why the grid cannot be trained."""
    plan = SweepPlan(base, list(axes), size=math.prod(len(axis.values) for axis in axes) if axes else 0,
                     seed_note=seed_note(base))
    plan.findings = _grid_findings(axes) + [f for axis in axes for f in _axis_findings(base, axis)]
    if not plan.findings:
        plan.findings = _size_findings(plan.size)
    if plan.findings:
        return plan
    for combination in itertools.product(*(axis.values for axis in axes)):
        values = {axis.setting: value for axis, value in zip(axes, combination, strict=True)}
        plan.values.append(values)
        plan.configs.append(base.replace(**values))
    return plan


def seed_note(base: RunConfig) -> str:
    return (f"Every run trains with seed {base.seed}, the base setup's, so the runs differ only in the swept "
            "settings.")


def _grid_findings(axes: list[Axis]) -> list[Finding]:
    settings = [axis.setting for axis in axes]
    out = []
    twice = sorted({s for s in settings if settings.count(s) > 1})
    if twice:
        out.append(_finding("SWEEP004", f"{', '.join(twice)} is swept twice",
                            "Give each setting once, with all its values in one list."))
    if len(set(settings)) > MAX_SETTINGS:
        out.append(_finding("SWEEP005", f"A sweep varies at most {MAX_SETTINGS} settings",
                            f"This grid varies {len(set(settings))} ({', '.join(dict.fromkeys(settings))}). With more, "
                            "the runs multiply and the chart can no longer show which setting made the difference: "
                            "sweep two, keep the best, then sweep the next."))
    return out


def _axis_findings(base: RunConfig, axis: Axis) -> list[Finding]:
    if axis.setting not in SWEEP_SETTINGS:
        return [_finding("SWEEP001", f"'{axis.setting}' is not a setting a sweep can vary",
                         f"Settings a sweep can vary: {', '.join(SWEEP_SETTINGS)}.")]
    out = [problem for value in axis.values if (problem := _value_problem(base, axis.setting, value))]
    repeated = [value for index, value in enumerate(axis.values) if value in axis.values[:index]]
    if repeated:
        out.append(_finding("SWEEP003", f"{axis.setting} lists {', '.join(map(show_value, dict.fromkeys(repeated)))} "
                                        "twice",
                            "Two runs with the same settings and the same seed learn the same thing: give each value "
                            "once."))
    return out


def _value_problem(base: RunConfig, setting: str, value: Any) -> Finding | None:
    if isinstance(value, str) and setting not in CHOICES:
        kind = "a number" if setting_kind(setting)[3] else "a whole number"
        return _finding("SWEEP002", f"{setting} = {value} cannot be used", f"{setting} takes {kind}; '{value}' is not.")
    try:
        base.replace(**{setting: value})
    except ConfigError as error:
        return _finding("SWEEP002", f"{setting} = {show_value(value)} cannot be used", f"{error}.")
    return None


def _size_findings(size: int) -> list[Finding]:
    if size < 2:
        return [_finding("SWEEP006", "Nothing to compare: the grid makes one run",
                         "A sweep compares runs side by side: give at least two values. For one run, press Train.")]
    if size > limit(LIMIT_NAME):
        return [_finding("SWEEP007", f"The grid makes {size} runs; this server trains at most {limit(LIMIT_NAME)} "
                                     "a sweep",
                         f"Use fewer values. {how_to_change(LIMIT_NAME)}")]
    return []


def _finding(code: str, title: str, detail: str) -> Finding:
    return Finding(code, "error", title, detail, area=AREA)


# Submitting and stopping.


def submit_sweep(engine, workspace: str, plan: SweepPlan, data: bytes, data_name: str, reader: str,
                 data_id: str = "", source: str = "page") -> str:
    """Queue every run of an accepted plan on the engine and keep the sweep in its store; returns the sweep id.
    A plan with findings trains nothing: ProblemError with its first finding."""
    if not plan.ok:
        raise ProblemError(plan.findings[0] if plan.findings else _size_findings(len(plan.configs))[0])
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
    from lstm_core.sweep_summary import summarize

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
    metric, model_score, baseline, baseline_score = model_and_baseline(record.metrics)
    return SweepRun(
        run_id=record.key, values=entry["values"], status=record.status, number=record.id, reason=record.reason,
        curve=list(record.history.get("val_loss") or []), loss=list(record.history.get("loss") or []),
        marks=[{"epoch": f.epoch, "code": f.code} for f in record.findings if f.epoch is not None],
        best_val_loss=record.best_val_loss, metric=metric, model_score=model_score, baseline=baseline,
        baseline_score=baseline_score, codes=list(dict.fromkeys(f.code for f in record.findings
                                                                 if f.severity != "info")),
        findings=list(record.findings), metrics=record.metrics, verdict=record.verdict, epochs=record.epochs,
        planned_epochs=record.planned_epochs)


def model_and_baseline(metrics: dict | None) -> tuple[str | None, float | None, str | None, float | None]:
    """(metric, the model's score, the best baseline's name, its score): test MAE against the baseline with the
    lowest MAE for a forecast, accuracy against the majority class for a classifier; Nones where neither applies."""
    if not metrics or "model" not in metrics:
        return None, None, None, None
    model, baselines = metrics["model"], metrics.get("baselines") or {}
    key = "accuracy" if "accuracy" in model else "mae" if "mae" in model else None
    if key is None:
        return None, None, None, None
    scores = {name: values.get(key) for name, values in baselines.items() if values.get(key) is not None}
    pick = max if key == "accuracy" else min
    name = pick(scores, key=scores.get) if scores else None
    return ("accuracy" if key == "accuracy" else "MAE"), model.get(key), name, scores.get(name)


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

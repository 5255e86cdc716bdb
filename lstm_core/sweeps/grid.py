"""A sweep's grid: the settings it may vary, read from text and planned into configs or refused with findings."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from lstm_core.config import CHOICES, ConfigError, RunConfig
from lstm_core.findings import Finding, ProblemError
from lstm_core.limits import how_to_change, limit
from lstm_core.runs import setting_kind

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
        plan.findings = size_findings(plan.size)
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


def size_findings(size: int) -> list[Finding]:
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


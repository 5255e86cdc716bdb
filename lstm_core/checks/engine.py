"""Registry and runner for preflight checks. No check imports TensorFlow or Streamlit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_core.config import RunConfig
from lstm_core.findings import Finding, sort_findings

CheckFunction = Callable[["CheckContext"], Iterable[Finding]]
_REGISTRY: dict[str, CheckFunction] = {}
# Ids or row numbers named in a finding's text; its evidence holds them all.
SHOWN = 5


@dataclass
class ClassFacts:
    """What the classification checks look at, beyond the values: classes, split counts, lengths and labels."""

    classes: tuple[str, ...]
    # part ("train", "val", "test") → class name → sequences (or windows) of that class in the part.
    split_counts: dict[str, dict[str, int]]
    # classify-sequences only: each kept sequence's real length and id, and the common length chosen.
    lengths: np.ndarray | None = None
    ids: list = field(default_factory=list)
    maxlen: int = 0
    # id → the distinct labels within it, for sequences whose label changes (before the user's choice applies).
    conflicts: dict = field(default_factory=dict)
    # Sequences left out: {"short": {id: length}, "unlabelled": [ids], "conflict": {id: labels}}.
    left_out: dict = field(default_factory=dict)
    stratified: bool = True

    def counts(self) -> dict[str, int]:
        """Class name → sequences (or windows) over all parts."""
        return {name: sum(part.get(name, 0) for part in self.split_counts.values()) for name in self.classes}

    def present(self) -> dict[str, int]:
        """counts() of the classes that occur at all."""
        return {name: n for name, n in self.counts().items() if n}


@dataclass
class CheckContext:
    """What a preflight check may look at: the config and the data as the model would receive it."""

    config: RunConfig
    values: np.ndarray | None = None
    columns: list[str] = field(default_factory=list)
    target_index: int = 0
    rows: int = 0
    window_counts: dict[str, int] = field(default_factory=dict)
    part_rows: dict[str, int] = field(default_factory=dict)
    missing_before: dict[str, int] = field(default_factory=dict)
    time_index: np.ndarray | None = None
    classes: ClassFacts | None = None
    # Language model only: the text as read and tokenised (lstm_core.checks.text_lm_checks.TextFacts).
    text: Any = None

    @property
    def unit(self) -> str:
        """What one training example is called in this task, for the messages."""
        return "sequences" if self.config.task == "classify-sequences" else "windows"

    @property
    def target(self) -> np.ndarray | None:
        return None if self.values is None else self.values[:, self.target_index]

    @property
    def train_values(self) -> np.ndarray | None:
        """The rows the scaler is fit on and the model learns from: the first, chronological part."""
        if self.values is None:
            return None
        return self.values[: self.part_rows.get("train", len(self.values))]

    @property
    def n_classes(self) -> int | None:
        return len(self.classes.classes) if self.classes is not None else None

    @property
    def feature_count(self) -> int:
        """Input columns per time step: the target's own history plus every feature."""
        if self.values is not None and self.values.ndim == 2:
            return self.values.shape[1]
        return len(self.columns) or 1 + len(self.config.features)


def listed(items) -> str:
    """The first SHOWN items, comma-separated, and how many more there are."""
    items = list(items)
    shown = ", ".join(map(str, items[:SHOWN]))
    return f"{shown} and {len(items) - SHOWN} more" if len(items) > SHOWN else shown


def register(code: str) -> Callable[[CheckFunction], CheckFunction]:
    def decorate(function: CheckFunction) -> CheckFunction:
        if code in _REGISTRY:
            raise ValueError(f"check code {code} registered twice")
        _REGISTRY[code] = function
        return function

    return decorate


def registered_checks() -> dict[str, CheckFunction]:
    return dict(_REGISTRY)


def run_checks(context: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for function in _REGISTRY.values():
        findings.extend(function(context) or [])
    return sort_findings(findings)

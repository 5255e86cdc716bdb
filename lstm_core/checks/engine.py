"""Registry and runner for preflight checks. No check imports TensorFlow or Streamlit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ..config import RunConfig
from ..findings import Finding, sort_findings

CheckFunction = Callable[["CheckContext"], Iterable[Finding]]
_REGISTRY: dict[str, CheckFunction] = {}


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
    def feature_count(self) -> int:
        """Input columns per time step: the target's own history plus every feature."""
        if self.values is not None and self.values.ndim == 2:
            return self.values.shape[1]
        return len(self.columns) or 1 + len(self.config.features)


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

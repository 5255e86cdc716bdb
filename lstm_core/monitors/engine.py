"""Registry of runtime monitors and what they read: the curve so far and facts about the data.

A runtime monitor is a pure function of the curve so far and of facts computed once before training; it returns a
Finding (area "training", epoch set) or None. The listener in hub.py runs them after every epoch and once at the end,
reports each code at most once per run, and stops the run when a monitor says continuing is pointless.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lstm_core.checks.data_checks import UNSCALED_LIMIT
from lstm_core.checks.training_checks import LR_DEFAULT, LR_HIGH, LR_VERY_HIGH
from lstm_core.config import RunConfig
from lstm_core.findings import Finding

# An untrained head outputs values within about ±1 of zero: the allowance added to "predicting 0" for the loss an
# untrained model may start at.
HEAD_ALLOWANCE = 1.0


@dataclass(frozen=True)
class Probe:
    """One look inside the model on a fixed training batch (gradient_monitors.GradientProbe)."""

    epoch: int
    loss: float
    gradient_norm: float
    first_layer_norm: float
    saturated_share: float | None
    seconds: float = 0.0


@dataclass
class Curve:
    """The run so far: losses per epoch (1-based epoch = position + 1) and the probes taken."""

    loss: list[float]
    val_loss: list[float] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    finished: bool = False

    @property
    def epoch(self) -> int:
        return len(self.loss)

    @property
    def last_probe(self) -> Probe | None:
        return self.probes[-1] if self.probes else None


@dataclass(frozen=True)
class Facts:
    """What a loss value means for this data, computed once from the training windows the model sees (scaled)."""

    config: RunConfig
    loss: str
    # The loss of always predicting the best constant (mean for MSE, median for MAE): the zero-skill level.
    zero_skill: float | None
    # The validation loss of always predicting that same training constant.
    val_zero_skill: float | None
    # The loss an untrained model starts near: predicting 0, plus HEAD_ALLOWANCE for its random head.
    start_level: float | None
    # Largest |value| in the training rows as the model receives them (after scaling).
    max_abs_input: float

    @property
    def unscaled_and_large(self) -> bool:
        return self.config.scaling == "none" and self.max_abs_input > UNSCALED_LIMIT

    def lower_rate(self) -> dict:
        # Far above the usual range a tenth is still too high (10 → 1 diverges again): go to the usual rate.
        if self.rate_is_high:
            return {"learning_rate": LR_DEFAULT[self.config.optimizer]}
        return {"learning_rate": _round(self.config.learning_rate / 10)}

    def higher_rate(self) -> dict:
        # Far below the usual range ×100 still crawls (1e-7 → 1e-5): go to the usual rate.
        lr = self.config.learning_rate
        if lr * 100 <= LR_DEFAULT[self.config.optimizer]:
            return {"learning_rate": LR_DEFAULT[self.config.optimizer]}
        return {"learning_rate": _round(lr * 10)}

    @property
    def rate_is_high(self) -> bool:
        return self.config.learning_rate > LR_HIGH[self.config.optimizer]

    @property
    def rate_is_very_high(self) -> bool:
        return self.config.learning_rate > LR_VERY_HIGH[self.config.optimizer]


def facts_for(config: RunConfig, windows) -> Facts:
    """Facts for forecast windows (windows.Windows) or a classifier's data (classify.ClassificationData)."""
    n_classes = getattr(windows, "model_options", {}).get("n_classes")
    _, _, loss = config.head(n_classes) if n_classes else config.head()
    zero_skill = val_zero_skill = start = None
    if loss in LOSS_OF and len(windows.y_train):
        y_train, y_val = _as_2d(windows.y_train), _as_2d(windows.y_val)
        constant = best_constant(y_train, loss)
        zero_skill = LOSS_OF[loss](y_train - constant)
        val_zero_skill = LOSS_OF[loss](y_val - constant) if len(y_val) else None
        start = LOSS_OF[loss](y_train) + HEAD_ALLOWANCE
    elif loss in ("binary_crossentropy", "sparse_categorical_crossentropy") and len(windows.y_train):
        zero_skill, val_zero_skill, start = _class_levels(windows.y_train, windows.y_val, n_classes or 2)
    return Facts(config, loss, zero_skill, val_zero_skill, start, _max_abs_input(windows))


def _max_abs_input(windows) -> float:
    """Largest |value| the model is fed in training: the scaled training rows, else the training windows."""
    split, scaled = getattr(windows, "split", None), getattr(windows, "scaled", None)
    rows = scaled[split.train[0]:split.train[1]] if split is not None and scaled is not None else windows.x_train
    rows = np.asarray(rows, dtype="float64")
    return float(np.nanmax(np.abs(rows))) if rows.size else 0.0


def _class_levels(y_train: np.ndarray, y_val: np.ndarray, n_classes: int) -> tuple[float, float | None, float]:
    """Cross-entropy of always predicting the training class shares, on train and validation labels."""
    codes = np.asarray(y_train).astype(int).ravel()
    n_classes = max(n_classes, int(codes.max()) + 1, int(np.max(y_val, initial=0)) + 1)
    share_of = np.clip(np.bincount(codes, minlength=n_classes) / len(codes), 1e-7, 1.0)

    def entropy(labels: np.ndarray) -> float:
        labels = np.asarray(labels).astype(int).ravel()
        return float(-np.mean(np.log(share_of[labels]))) if len(labels) else float("nan")

    val = entropy(y_val) if len(y_val) else None
    # An untrained head gives every class about the same chance: ln K, plus the allowance for its random start.
    return entropy(codes), val, float(np.log(max(n_classes, 2))) + HEAD_ALLOWANCE


def _mse(residual: np.ndarray) -> float:
    return float(np.mean(np.square(residual)))


def _mae(residual: np.ndarray) -> float:
    return float(np.mean(np.abs(residual)))


def _huber(residual: np.ndarray, delta: float = 1.0) -> float:
    # Keras' Huber loss with its default delta of 1.
    size = np.abs(residual)
    return float(np.mean(np.where(size <= delta, 0.5 * residual**2, delta * size - 0.5 * delta**2)))


LOSS_OF: dict[str, Callable[[np.ndarray], float]] = {"mse": _mse, "mae": _mae, "huber": _huber}


def best_constant(y: np.ndarray, loss: str) -> np.ndarray:
    """The constant forecast with the lowest loss per output column (for Huber, the better of mean and median)."""
    mean, median = y.mean(axis=0), np.median(y, axis=0)
    if loss == "mse":
        return mean
    if loss == "mae":
        return median
    return mean if LOSS_OF[loss](y - mean) <= LOSS_OF[loss](y - median) else median


def _as_2d(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype="float64")
    return y.reshape(len(y), -1)


def _round(value: float) -> float:
    return float(f"{value:.3g}")


MonitorCheck = Callable[[Curve, Facts], "Finding | None"]


@dataclass(frozen=True)
class RuntimeMonitor:
    code: str
    check: MonitorCheck
    # "epoch": after every epoch; "end": once when the run ends.
    when: str = "epoch"
    # None, or the status the run ends with when it fires: "diverged" or "stopped_early".
    stops: str | None = None
    # Reads the probe of this epoch, so it runs only after a probe was taken.
    uses_probe: bool = False


_REGISTRY: dict[str, RuntimeMonitor] = {}


def monitor(code: str, when: str = "epoch", stops: str | None = None, uses_probe: bool = False):
    def decorate(function: MonitorCheck) -> MonitorCheck:
        if code in _REGISTRY:
            raise ValueError(f"monitor code {code} registered twice")
        _REGISTRY[code] = RuntimeMonitor(code, function, when, stops, uses_probe)
        return function

    return decorate


def registered_monitors() -> dict[str, RuntimeMonitor]:
    return dict(_REGISTRY)


def as_evidence(value: float | None) -> float | str | None:
    """Evidence goes to JSON (CLI, export): NaN and infinity are written as text, not as invalid JSON numbers."""
    return value if value is None or math.isfinite(value) else str(value)


def finite(values: list[float]) -> bool:
    return all(math.isfinite(v) for v in values)

"""Built-in classification data sets, generated in code with fixed seeds, each with settings that train out of the box
to well above the majority-class baseline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.config import RunConfig
from lstm_core.named import by_name


@dataclass(frozen=True)
class ClassificationSample:
    name: str
    title: str
    description: str
    task: str
    layout: str
    label_column: str
    id_column: str | None
    order_column: str | None
    features: tuple[str, ...]
    make: Callable[[], pd.DataFrame]
    # RunConfig settings beyond the roles: the sample's sensible defaults.
    settings: dict = field(default_factory=dict)

    def config(self, **overrides) -> RunConfig:
        """The sample's default RunConfig (roles filled in), with any overrides."""
        roles = {"task": self.task, "layout": self.layout if self.task == "classify-sequences" else "auto",
                 "label_column": self.label_column, "id_column": self.id_column, "order_column": self.order_column,
                 "features": self.features}
        return RunConfig(**{**roles, **self.settings, **overrides})


def _wave(kind: str, t: np.ndarray, period: float, phase: float) -> np.ndarray:
    cycle = (t / period + phase) % 1.0
    if kind == "sine":
        return np.sin(2 * np.pi * cycle)
    if kind == "square":
        return np.where(cycle < 0.5, 1.0, -1.0)
    return 2.0 * cycle - 1.0  # sawtooth


def shapes() -> pd.DataFrame:
    """Wide: 300 rows of 48 steps, a sine, square or sawtooth wave with random period, phase, amplitude and noise."""
    rng = np.random.default_rng(21)
    kinds = np.repeat(["sine", "square", "sawtooth"], 100)
    rng.shuffle(kinds)
    t = np.arange(48)
    rows = []
    for kind in kinds:
        wave = rng.uniform(0.7, 1.3) * _wave(kind, t, rng.uniform(12, 20), rng.uniform())
        rows.append(np.round(wave + rng.normal(0, 0.15, len(t)), 3))
    frame = pd.DataFrame(np.array(rows), columns=[f"t{i}" for i in t])
    frame.insert(0, "shape", kinds)
    return frame


def machine_faults() -> pd.DataFrame:
    """Long, two classes, equal lengths: 200 machine runs of 40 steps; a faulty run's vibration carries a fast
    rattle that grows through the run, and it runs warmer."""
    rng = np.random.default_rng(8)
    status = np.array(["ok"] * 120 + ["fault"] * 80)
    rng.shuffle(status)
    t = np.arange(40)
    parts = []
    for run, state in enumerate(status, start=1):
        vibration = np.sin(2 * np.pi * t / 10 + rng.uniform(0, 2 * np.pi)) + rng.normal(0, 0.3, len(t))
        temperature = 60 + np.cumsum(rng.normal(0, 0.3, len(t)))
        if state == "fault":
            vibration += (t / len(t)) * 1.2 * np.sin(2 * np.pi * t / 2.5 + rng.uniform(0, 2 * np.pi))
            temperature += np.linspace(0, rng.uniform(1, 3), len(t))
        parts.append(pd.DataFrame({"run_id": f"run{run:03d}", "step": t, "vibration": np.round(vibration, 3),
                                   "temperature": np.round(temperature, 2), "status": state}))
    return pd.concat(parts, ignore_index=True)


def gestures() -> pd.DataFrame:
    """Long, ragged: 240 pen gestures of 15–60 steps (x, y), a circle, a swipe or a shake, with an id and a time step
    column; lengths differ, so they are padded and masked."""
    rng = np.random.default_rng(33)
    kinds = np.repeat(["circle", "swipe", "shake"], 80)
    rng.shuffle(kinds)
    parts = []
    for number, kind in enumerate(kinds, start=1):
        length = int(rng.integers(15, 61))
        s = np.linspace(0, 1, length)
        if kind == "circle":
            angle = 2 * np.pi * s * rng.uniform(0.8, 1.2) + rng.uniform(0, 2 * np.pi)
            x, y = np.cos(angle), np.sin(angle)
        elif kind == "swipe":
            direction = rng.choice([-1.0, 1.0])
            x, y = direction * (2 * s - 1), np.full(length, rng.uniform(-0.5, 0.5))
        else:
            x = 0.6 * np.sin(2 * np.pi * s * rng.uniform(4, 7))
            y = 0.1 * np.sin(2 * np.pi * s * rng.uniform(1, 3))
        x, y = x + rng.normal(0, 0.08, length), y + rng.normal(0, 0.08, length)
        parts.append(pd.DataFrame({"gesture_id": number, "t": np.arange(length), "x": np.round(x, 3),
                                   "y": np.round(y, 3), "gesture": kind}))
    return pd.concat(parts, ignore_index=True)


def market_regimes() -> pd.DataFrame:
    """One series of 1,500 daily returns whose volatility switches between calm and stormy regimes lasting weeks;
    the label says which regime each day is in."""
    rng = np.random.default_rng(4)
    regimes, state = [], "calm"
    while len(regimes) < 1500:
        regimes += [state] * int(rng.integers(30, 90))
        state = "stormy" if state == "calm" else "calm"
    regime = np.array(regimes[:1500])
    scale = np.where(regime == "calm", 0.5, 2.0)
    returns = rng.normal(0, 1, len(regime)) * scale
    days = pd.date_range("2019-01-01", periods=len(regime), freq="D")
    return pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "return": np.round(returns, 3), "regime": regime})


# Small, quick models: every sample trains in seconds to well above its majority baseline.
CLASSIFICATION_SAMPLES: dict[str, ClassificationSample] = by_name(
    ClassificationSample("shapes", "Wave shapes: sine, square or sawtooth (wide)",
                         "300 rows, one per sequence of 48 steps, like the time-series classification archives: "
                         "a noisy sine, square or sawtooth wave with random period, phase and amplitude.",
                         "classify-sequences", "wide", "shape", None, None,
                         tuple(f"t{i}" for i in range(48)), shapes,
                         {"units": 16, "epochs": 25, "patience": 5, "learning_rate": 0.005}),
    ClassificationSample("machine_faults", "Machine runs: ok or fault (long, two classes)",
                         "200 runs of 40 steps of vibration and temperature, one row per step; faulty runs "
                         "develop a fast rattle and warm up. 60 % of runs are ok.",
                         "classify-sequences", "long", "status", "run_id", "step", ("vibration", "temperature"),
                         machine_faults, {"units": 16, "epochs": 15, "patience": 5, "learning_rate": 0.01}),
    ClassificationSample("gestures", "Pen gestures of different lengths (long, ragged)",
                         "240 gestures of 15–60 (x, y) steps, one row per step with an id and a step column: "
                         "circles, swipes and shakes. The lengths differ, so sequences are padded and masked.",
                         "classify-sequences", "long", "gesture", "gesture_id", "t", ("x", "y"), gestures,
                         {"units": 16, "epochs": 12, "patience": 5, "learning_rate": 0.005}),
    ClassificationSample("market_regimes", "Calm or stormy market days (labels per window)",
                         "1,500 daily returns with a regime label per day; each 20-day window is labelled by the "
                         "regime of the next day.",
                         "classify-windows", "auto", "regime", None, "date", ("return",), market_regimes,
                         {"timesteps": 20, "units": 16, "epochs": 6, "batch_size": 64, "learning_rate": 0.005}),
)


def classification_sample_csv(name: str) -> bytes:
    return CLASSIFICATION_SAMPLES[name].make().to_csv(index=False).encode()

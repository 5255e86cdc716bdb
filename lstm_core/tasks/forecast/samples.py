"""Built-in series, generated in code with fixed seeds, so anyone can train with no file at hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.named import by_name

# The classification samples live with the classifier; re-exported so this module names every built-in data set.
from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, ClassificationSample, classification_sample_csv

__all__ = ["CLASSIFICATION_SAMPLES", "DEFAULT_SAMPLE", "SAMPLES", "ClassificationSample", "Sample",
           "classification_sample_csv", "sample_csv"]


@dataclass(frozen=True)
class Sample:
    name: str
    title: str
    description: str
    target: str
    features: tuple[str, ...]
    season: int
    make: Callable[[], pd.DataFrame]
    # RunConfig settings of the sample's default run, applied wherever that run is built (page, CLI, error lab).
    settings: dict = field(default_factory=dict)


def noisy_seasonal() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    t = np.arange(1200)
    signal = np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 8 + 1.0)
    return pd.DataFrame({"step": t, "value": np.round(signal + rng.normal(0, 0.25, len(t)), 4)})


def monthly_sales() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    months = pd.date_range("1995-01-01", periods=360, freq="MS")
    t = np.arange(len(months))
    season = 12 * np.sin(2 * np.pi * t / 12) + 5 * np.cos(2 * np.pi * t / 6)
    trend = 100 + 0.6 * t
    sales = trend + season + rng.normal(0, 3, len(t))
    return pd.DataFrame({"month": months.strftime("%Y-%m-%d"), "sales": np.round(sales, 2)})


def energy_load() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    hours = pd.date_range("2024-01-01", periods=2000, freq="h")
    t = np.arange(len(hours))
    # Temperature wanders (an AR(1) around a daily cycle); load follows it three hours later.
    wander = np.zeros(len(t))
    for i in range(1, len(t)):
        wander[i] = 0.97 * wander[i - 1] + rng.normal(0, 0.6)
    temperature = 15 + 6 * np.sin(2 * np.pi * (t - 9) / 24) + wander
    lagged = np.concatenate([np.full(3, temperature[0]), temperature[:-3]])
    load = 400 + 9 * lagged + 25 * np.sin(2 * np.pi * (t - 18) / 24) + rng.normal(0, 6, len(t))
    return pd.DataFrame({"timestamp": hours.strftime("%Y-%m-%d %H:%M"),
                         "temperature": np.round(temperature, 2), "load_mw": np.round(load, 1)})


def energy_load_leaky() -> pd.DataFrame:
    # The classic leak: a column exported from the same system that already holds the next hour's load.
    frame = energy_load()
    frame["load_next_hour"] = frame["load_mw"].shift(-1).ffill()
    return frame


SAMPLES: dict[str, Sample] = by_name(
    Sample("noisy_seasonal", "Noisy seasonal signal",
           "1,200 steps of two overlaid cycles (24 and 8 steps) with Gaussian noise.",
           "value", (), 24, noisy_seasonal),
    Sample("monthly_sales", "Monthly sales: trend + seasonality",
           "30 years of monthly sales with a rising trend, a yearly cycle and noise; has a date column.",
           "sales", (), 12, monthly_sales, {"difference": True}),
    Sample("energy_load", "Energy load driven by temperature",
           "2,000 hours of temperature and electrical load; load follows temperature three hours later.",
           "load_mw", ("temperature",), 24, energy_load),
    Sample("energy_load_leaky", "Energy load with a leaked column (error lab)",
           "The energy load series plus 'load_next_hour', a column that already holds the value to predict.",
           "load_mw", ("temperature",), 24, energy_load_leaky),
)
DEFAULT_SAMPLE = "noisy_seasonal"


def sample_csv(name: str) -> bytes:
    return SAMPLES[name].make().to_csv(index=False).encode()

"""A quick sanity profile of a data set: statistics, gaps, sampling, season, and recommended settings."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .config import RunConfig
from .data import Dataset
from .results import detect_season
from .windows import split_rows, window_count

# Enough training windows that a small LSTM has something to learn from.
MIN_TRAIN_WINDOWS = 50
DEFAULT_TIMESTEPS = 24


@dataclass
class Profile:
    statistics: pd.DataFrame
    sampling: dict
    season: int
    recommended: dict

    def to_dict(self) -> dict:
        return {"statistics": self.statistics.reset_index().to_dict(orient="records"), "sampling": self.sampling,
                "season": self.season, "recommended": self.recommended}


def profile(dataset: Dataset, target: str) -> Profile:
    frame = dataset.frame[dataset.numeric_columns]
    statistics = pd.DataFrame({
        "count": frame.count(), "missing": frame.isna().sum(), "mean": frame.mean(), "std": frame.std(),
        "min": frame.min(), "max": frame.max(), "distinct": frame.nunique(),
    })
    statistics.index.name = "column"
    values = dataset.frame[target].interpolate(limit_direction="both").to_numpy(dtype="float64")
    season = detect_season(values)
    return Profile(statistics, sampling(dataset), season, recommend(len(values), season))


def sampling(dataset: Dataset) -> dict:
    if dataset.time_column is None:
        return {"time_column": None, "note": "no time column: rows are taken as equally spaced, in file order"}
    times = pd.to_datetime(dataset.frame[dataset.time_column])
    steps = times.diff().dropna()
    if steps.empty:
        return {"time_column": dataset.time_column, "note": "a single row"}
    median = steps.median()
    off = (steps - median).abs() > 0.15 * median
    return {"time_column": dataset.time_column, "start": str(times.iloc[0]), "end": str(times.iloc[-1]),
            "median_step": str(median), "duplicates": int((steps == pd.Timedelta(0)).sum()),
            "irregular_steps": int(off.sum()), "irregular_share": round(float(off.mean()), 4),
            "largest_gap": str(steps.max())}


def recommend(rows: int, season: int) -> dict:
    """Timesteps covering two seasons (or 24 rows) when the training part still yields enough windows."""
    defaults = RunConfig()
    split = split_rows(rows, defaults.val_fraction, defaults.test_fraction)
    train_rows = split.train[1] - split.train[0]
    wanted = 2 * season if season else DEFAULT_TIMESTEPS
    timesteps = wanted
    while timesteps > 1 and window_count(train_rows, timesteps, 1) < MIN_TRAIN_WINDOWS:
        timesteps //= 2
    why = f"two seasons of {season} rows" if season else "no clear season; a day of hourly data as a start"
    if timesteps != wanted:
        why += f", shortened to leave {MIN_TRAIN_WINDOWS}+ training windows"
    return {"timesteps": max(timesteps, 1), "scaling": "standard", "season": season, "why": why}

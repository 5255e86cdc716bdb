"""A quick sanity profile of a data set: statistics, gaps, sampling, season, and recommended settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from lstm_core.data import Dataset
from lstm_core.tasks.forecast.recommend import recommend
from lstm_core.tasks.forecast.results import SEASON_MIN_CORRELATION, detect_season, season_strength

# A step counts as irregular when it differs from the median step by more than this share of it (as DATA016).
STEP_TOLERANCE = 0.15
DAY = 86400.0
# Median steps (in days, with a tolerance) that name a calendar frequency, and the season that calendar implies.
CALENDAR = (("daily", 1, 0.01, 7), ("weekly", 7, 0.01, 52), ("monthly", 30.44, 0.1, 12), ("quarterly", 91.3, 0.05, 4),
            ("yearly", 365.25, 0.01, 0))
# Calendar steps of unequal length are named, not measured ("1 month", not "31 days").
CALENDAR_STEPS = {"monthly": "1 month", "quarterly": "3 months", "yearly": "1 year"}


@dataclass(frozen=True)
class Sampling:
    """How a series is sampled and the season read from it: the one reading the Data check page, the Playground's
    defaults and its checks share."""

    time_column: str | None
    rows: int
    season: int
    frequency: str | None = None
    step: str | None = None
    start: str | None = None
    end: str | None = None
    repeated: int = 0
    irregular_steps: int = 0
    irregular_share: float = 0.0
    largest_gap: str | None = None

    def headline(self) -> str:
        """One line a user reads: "weekly data; season 52 detected"."""
        if self.time_column is None:
            kind = "no time column (rows are taken as equally spaced)"
        elif self.frequency:
            kind = f"{self.frequency} data"
        elif self.step:
            kind = f"a step of {self.step}"
        else:
            kind = "a single time"
        season = f"season {self.season} detected" if self.season else "no season detected"
        return f"{kind}; {season}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Profile:
    statistics: pd.DataFrame
    sampling: Sampling
    season: int
    recommended: dict

    def to_dict(self) -> dict:
        return {"statistics": self.statistics.reset_index().to_dict(orient="records"),
                "sampling": self.sampling.to_dict(), "season": self.season, "recommended": self.recommended}


def profile(dataset: Dataset, target: str) -> Profile:
    frame = dataset.frame[dataset.numeric_columns]
    statistics = pd.DataFrame({
        "count": frame.count(), "missing": frame.isna().sum(), "mean": frame.mean(), "std": frame.std(),
        "min": frame.min(), "max": frame.max(), "distinct": frame.nunique(),
    })
    statistics.index.name = "column"
    reading = read_sampling(dataset, target)
    return Profile(statistics, reading, reading.season, recommend(dataset.rows, reading.season))


def read_sampling(dataset: Dataset, target: str) -> Sampling:
    """The time column's step and calendar frequency, and the target's season: the calendar's (12 for monthly data)
    when the values repeat at that lag, else the autocorrelation's."""
    values = dataset.frame[target].interpolate(limit_direction="both").to_numpy(dtype="float64")
    spacing = _spacing(dataset)
    natural = spacing.pop("natural", 0)
    with np.errstate(all="ignore"):
        if natural and len(values) >= 2 * natural and season_strength(values, natural) > SEASON_MIN_CORRELATION:
            season = natural
        else:
            season = detect_season(values)
    return Sampling(time_column=dataset.time_column, rows=dataset.rows, season=season, **spacing)


def _spacing(dataset: Dataset) -> dict:
    if dataset.time_column is None:
        return {}
    times = pd.to_datetime(dataset.frame[dataset.time_column])
    steps = times.diff().dropna()
    steps = steps[steps.notna()]
    if steps.empty:
        return {}
    positive = steps[steps > pd.Timedelta(0)]
    median = positive.median() if not positive.empty else pd.Timedelta(0)
    off = (positive - median).abs() > STEP_TOLERANCE * median
    frequency, natural = frequency_of(median.total_seconds())
    step = CALENDAR_STEPS.get(frequency) or span(median.total_seconds())
    return {"frequency": frequency, "natural": natural, "step": step,
            "start": _stamp(times.min()), "end": _stamp(times.max()),
            "repeated": int((steps == pd.Timedelta(0)).sum()), "irregular_steps": int(off.sum()),
            "irregular_share": round(float(off.mean()), 4) if len(off) else 0.0,
            "largest_gap": span(steps.max().total_seconds())}


def frequency_of(seconds: float) -> tuple[str | None, int]:
    """("hourly", 24), ("weekly", 52), ("every 15 minutes", 96) …: the name of a step and the season its calendar
    implies (a day of sub-daily steps, a week of days, a year of weeks, months or quarters); (None, 0) otherwise."""
    if seconds <= 0:
        return None, 0
    if seconds < DAY and (DAY / seconds).is_integer():
        per_day = int(DAY / seconds)
        if seconds == 3600:
            return "hourly", 24
        minutes = seconds / 60
        unit = f"{minutes:g} minutes" if seconds % 3600 else f"{seconds / 3600:g} hours"
        return f"every {unit}", per_day
    days = seconds / DAY
    for name, size, tolerance, season in CALENDAR:
        if abs(days - size) <= tolerance * size + 1e-9:
            return name, season
    return None, 0


def span(seconds: float) -> str:
    """A duration in the largest unit that keeps it readable: "7 days", "1 hour", "30.4 days"."""
    for size, name in ((DAY, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size:
            amount = seconds / size
            return f"{amount:.3g} {name}{'' if amount == 1 else 's'}"
    return f"{seconds:.3g} seconds"


def _stamp(time) -> str:
    text = str(time)
    return text.removesuffix(" 00:00:00")


def starting_settings(dataset: Dataset, target: str) -> dict:
    """The season and window the Data check page recommends, as settings: the Playground's defaults for an upload."""
    season = read_sampling(dataset, target).season
    return {"season": season, "timesteps": recommend(dataset.rows, season)["timesteps"]}

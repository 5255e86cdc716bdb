"""recommend: the window (timesteps) and scaling to start with, for a series of so many rows and such a season."""

from __future__ import annotations

from lstm_core.config import RunConfig
from lstm_core.tasks.forecast.windows import split_rows, window_count

# Enough training windows that a small LSTM has something to learn from.
MIN_TRAIN_WINDOWS = 50
DEFAULT_TIMESTEPS = 24


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

"""handle_missing: the user's choice for missing values (interpolate, fill forward, drop rows) applied."""

from __future__ import annotations

import pandas as pd


def handle_missing(frame: pd.DataFrame, columns: list[str], method: str) -> tuple[pd.DataFrame, int]:
    """Apply the user's choice for missing values to the chosen columns; returns the frame and rows dropped."""
    part = frame[columns]
    if method == "interpolate":
        part = part.interpolate(method="linear", limit_direction="both")
    elif method == "ffill":
        part = part.ffill().bfill()
    elif method == "drop":
        kept = part.dropna()
        return frame.loc[kept.index].reset_index(drop=True), len(part) - len(kept)
    out = frame.copy()
    out[columns] = part
    return out, 0

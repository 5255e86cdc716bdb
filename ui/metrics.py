"""The forecast metrics table: a metric that cannot be computed shows "—" and its reason, never "None"."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from lstm_core.results import MAPE_UNDEFINED

MISSING = "—"
COLUMNS = {"mae": "MAE", "rmse": "RMSE", "mape": "MAPE %"}
REASONS = {"mape": MAPE_UNDEFINED}


def metrics_frame(metrics: dict) -> pd.DataFrame:
    """Rows LSTM and each baseline (index "model"), columns MAE, RMSE, MAPE %; a metric that cannot be computed is
    NaN (CSV and JSON keep it as empty / null)."""
    rows = {"LSTM": metrics["model"], **{k.replace("_", " "): v for k, v in metrics["baselines"].items()}}
    frame = pd.DataFrame(rows).T.reindex(columns=list(COLUMNS)).astype("float64").rename(columns=COLUMNS)
    frame.index.name = "model"
    return frame


def metrics_table(metrics: dict) -> tuple[Styler, str | None]:
    """The table to draw (missing metrics shown as "—", 4 significant digits) and the footnote giving the reason for
    each "—", or None when every metric was computed."""
    frame = metrics_frame(metrics)
    styled = frame.style.format("{:.4g}", na_rep=MISSING)
    reasons = [REASONS.get(key, f"{label} could not be computed.") for key, label in COLUMNS.items()
               if frame[label].isna().any()]
    return styled, (f"{MISSING}: " + " ".join(reasons)) if reasons else None

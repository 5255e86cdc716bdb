"""The forecast metrics table: a metric that cannot be computed shows "—" and its reason, never "None"."""

from __future__ import annotations

import pandas as pd

from lstm_core.tasks.forecast.results import BASELINE_LABELS, UNDEFINED

MISSING = "—"
COLUMNS = {"mae": "MAE", "rmse": "RMSE", "mase": "MASE", "smape": "sMAPE %", "mape": "MAPE %"}
REASONS = UNDEFINED
# What each column means, shown as the column's tooltip when every value is there.
MEANINGS = {"MASE": "Mean absolute error over the train part's seasonal-naive error: below 1 beats that naive "
                    "forecast in-sample; it reads the same on any series.",
            "sMAPE %": "Symmetric mean absolute percentage error, 0–200 %."}


def metrics_frame(metrics: dict) -> pd.DataFrame:
    """Rows LSTM and each baseline (index "model"), a column per metric; a metric that cannot be computed is NaN
    (CSV and JSON keep it as empty / null)."""
    rows = {"LSTM": metrics["model"],
            **{BASELINE_LABELS.get(k, k.replace("_", " ")): v for k, v in metrics["baselines"].items()}}
    present = [key for key in COLUMNS if any(key in row for row in rows.values())]
    frame = pd.DataFrame({name: {key: row.get(key) for key in present} for name, row in rows.items()}).T
    frame = frame.reindex(columns=present).astype("float64").rename(columns=COLUMNS)
    frame.index.name = "model"
    return frame


def metrics_table(metrics: dict) -> tuple[pd.DataFrame, str | None]:
    """The table to draw, as text (4 significant digits, "—" for a metric that cannot be computed: the grid would
    draw a missing number as "None", whatever a Styler says), and the footnote giving the reason for each "—", or
    None when every metric was computed."""
    frame = metrics_frame(metrics)
    shown = frame.map(lambda value: MISSING if pd.isna(value) else f"{value:.4g}")
    reasons = list(column_help(metrics, only_missing=True).values())
    return shown, (f"{MISSING}: " + " ".join(reasons)) if reasons else None


def column_help(metrics: dict, only_missing: bool = False) -> dict[str, str]:
    """A tooltip per column label: why a "—" in it could not be computed, else what the metric means."""
    frame = metrics_frame(metrics)
    out = {}
    for key, label in COLUMNS.items():
        if label not in frame.columns:
            continue
        if frame[label].isna().any():
            out[label] = _reason(metrics, key, label)
        elif not only_missing and label in MEANINGS:
            out[label] = MEANINGS[label]
    return out


def _reason(metrics: dict, key: str, label: str) -> str:
    rows = [metrics["model"], *metrics["baselines"].values()]
    given = next((row["undefined"][key] for row in rows if key in row.get("undefined", {})), None)
    return given or REASONS.get(key, f"{label} could not be computed.")

"""Plotly figures: each takes plain data and returns a figure, so pages and tests can use them alike."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TRAIN_COLOUR, VAL_COLOUR, MODEL_COLOUR, ACTUAL_COLOUR = "#1f77b4", "#ff7f0e", "#d62728", "#444444"
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.2}}


# Marker labels: about this many pixels a character, on a chart about this wide; labels closer than that are stacked.
LABEL_CHAR_PX, CHART_PX, LABEL_ROW = 7, 700, 0.09


def loss_chart(history: dict[str, list[float]], epochs: int | None = None, log_scale: bool = False,
               markers: list[dict] | None = None, best_epoch: int | None = None) -> go.Figure:
    figure = go.Figure()
    shown = 0
    for key, name, colour in (("loss", "train loss", TRAIN_COLOUR), ("val_loss", "validation loss", VAL_COLOUR)):
        values = history.get(key) or []
        shown = max(shown, len(values))
        if values:
            figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=_finite(values), name=name,
                                        mode="lines+markers", line={"color": colour}))
    labels = [(marker["epoch"], marker["code"], "crimson", "dot") for marker in markers or []]
    if best_epoch:
        labels.append((best_epoch, "best", "green", "dash"))
    last = max([epochs or 0, shown, *(epoch for epoch, *_ in labels), 1])
    for (epoch, label, colour, dash), row in zip(labels, label_rows(labels, last), strict=True):
        figure.add_vline(x=epoch, line={"dash": dash, "color": colour})
        figure.add_annotation(x=epoch, y=1 - row * LABEL_ROW, xref="x", yref="paper", text=label, showarrow=False,
                              xanchor="left", yanchor="top", font={"color": colour}, bgcolor="rgba(255,255,255,0.8)")
    figure.update_layout(title="Loss per epoch", xaxis_title="epoch", yaxis_title="loss", height=340, **_LAYOUT)
    # Whole epochs only: a tick every 1, 2, 5, 10 … epochs, never at 0.5.
    figure.update_xaxes(range=[0.5, last + 0.5], tick0=1, dtick=epoch_tick(last), tickformat="d")
    if log_scale:
        figure.update_yaxes(type="log")
    return figure


def epoch_tick(epochs: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … epochs that leaves at most ten ticks."""
    step = 1
    while epochs / step > 10:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def label_rows(labels: list[tuple], epochs: int) -> list[int]:
    """A row for each marker label (0 at the top), so labels near the same epoch are stacked, never drawn over each
    other: a label takes about its width in epochs to the right of its line."""
    per_epoch = CHART_PX / max(epochs, 1)
    order = sorted(range(len(labels)), key=lambda i: (labels[i][0], i))
    ends: list[float] = []  # the epoch where each row's last label ends
    rows = [0] * len(labels)
    for index in order:
        epoch, text = labels[index][0], labels[index][1]
        width = (len(str(text)) + 1) * LABEL_CHAR_PX / per_epoch
        row = next((r for r, end in enumerate(ends) if end <= epoch), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = epoch + width
        rows[index] = row
    return rows


def series_chart(frame: pd.DataFrame, columns: list[str], time_column: str | None) -> go.Figure:
    figure = go.Figure()
    x = frame[time_column] if time_column else frame.index
    for column in columns:
        # Plotly reads tags in names (<b>, <a href>): a column name from a file is shown as written instead.
        figure.add_trace(go.Scatter(x=x, y=frame[column], name=html.escape(str(column)), mode="lines"))
    figure.update_layout(title="Raw series", height=300, xaxis_title=html.escape(time_column or "row"), **_LAYOUT)
    return figure


BAND_COLOUR = "rgba(214, 39, 40, 0.18)"


def prediction_chart(x, actual, predicted, baselines: dict[str, np.ndarray], band: dict | None = None) -> go.Figure:
    """Predicted vs actual on the test part; `band` ({"lower", "upper", "name"}) is drawn as a shaded interval."""
    figure = go.Figure()
    if band is not None:
        add_band(figure, x, band)
    figure.add_trace(go.Scatter(x=x, y=actual, name="actual", mode="lines", line={"color": ACTUAL_COLOUR}))
    # Small markers: plotly selects a clicked point only on traces that draw them (a click picks a test window).
    figure.add_trace(go.Scatter(x=x, y=predicted, name="LSTM", mode="lines+markers", line={"color": MODEL_COLOUR},
                                marker={"size": 3}))
    for name, values in baselines.items():
        figure.add_trace(go.Scatter(x=x, y=values, name=name.replace("_", " "), mode="lines",
                                    line={"dash": "dot", "width": 1}, visible="legendonly"))
    figure.update_layout(title="Test part: predicted vs actual (original units)", height=340, **_LAYOUT)
    return figure


def forecast_chart(history_x, history_y, future_x, future_y, band: dict | None = None) -> go.Figure:
    """The series' end and the forecast past it; `band` is the interval as a fan, as long as it was calibrated."""
    figure = go.Figure()
    if band is not None and len(band["lower"]):
        add_band(figure, future_x[:len(band["lower"])], band)
    figure.add_trace(go.Scatter(x=history_x, y=history_y, name="history", mode="lines",
                                line={"color": ACTUAL_COLOUR}))
    figure.add_trace(go.Scatter(x=future_x, y=future_y, name="forecast", mode="lines+markers",
                                line={"color": MODEL_COLOUR, "dash": "dash"}))
    figure.update_layout(title="Forecast past the end of the data", height=320, **_LAYOUT)
    return figure


def add_band(figure: go.Figure, x, band: dict) -> None:
    """Two traces: the upper edge (no fill), then the lower edge filled up to it."""
    x = list(x)
    figure.add_trace(go.Scatter(x=x, y=list(band["upper"]), mode="lines", line={"width": 0}, showlegend=False,
                                hoverinfo="skip", name=f"{band['name']} upper"))
    figure.add_trace(go.Scatter(x=x, y=list(band["lower"]), mode="lines", line={"width": 0}, fill="tonexty",
                                fillcolor=BAND_COLOUR, name=band["name"]))


def backtest_chart(x, y, folds: list[dict]) -> go.Figure:
    """The series with each fold's test part shaded and labelled."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=x, y=y, name="series", mode="lines", line={"color": ACTUAL_COLOUR}))
    for fold in folds:
        start, stop = fold["test_start"], min(fold["test_stop"], len(x)) - 1
        figure.add_vrect(x0=x[start], x1=x[stop], fillcolor="rgba(31, 119, 180, 0.15)", line_width=0,
                         annotation_text=f"fold {fold['fold']}", annotation_position="top left")
    figure.update_layout(title="Backtest: each fold's test part", height=300, **_LAYOUT)
    return figure


def _finite(values: list[float]) -> list[float | None]:
    return [v if np.isfinite(v) else None for v in values]

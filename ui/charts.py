"""Plotly figures: each takes plain data and returns a figure, so pages and tests can use them alike."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TRAIN_COLOUR, VAL_COLOUR, MODEL_COLOUR, ACTUAL_COLOUR = "#1f77b4", "#ff7f0e", "#d62728", "#444444"
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.2}}


def loss_chart(history: dict[str, list[float]], epochs: int | None = None, log_scale: bool = False,
               markers: list[dict] | None = None, best_epoch: int | None = None) -> go.Figure:
    figure = go.Figure()
    for key, name, colour in (("loss", "train loss", TRAIN_COLOUR), ("val_loss", "validation loss", VAL_COLOUR)):
        values = history.get(key) or []
        if values:
            figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=_finite(values), name=name,
                                        mode="lines+markers", line={"color": colour}))
    for marker in markers or []:
        figure.add_vline(x=marker["epoch"], line={"dash": "dot", "color": "crimson"},
                         annotation_text=marker["code"], annotation_position="top left")
    if best_epoch:
        figure.add_vline(x=best_epoch, line={"dash": "dash", "color": "green"}, annotation_text="best",
                         annotation_position="top right")
    figure.update_layout(title="Loss per epoch", xaxis_title="epoch", yaxis_title="loss", height=340, **_LAYOUT)
    if epochs:
        figure.update_xaxes(range=[0.5, max(epochs, 1) + 0.5])
    if log_scale:
        figure.update_yaxes(type="log")
    return figure


def series_chart(frame: pd.DataFrame, columns: list[str], time_column: str | None) -> go.Figure:
    figure = go.Figure()
    x = frame[time_column] if time_column else frame.index
    for column in columns:
        # Plotly reads tags in names (<b>, <a href>): a column name from a file is shown as written instead.
        figure.add_trace(go.Scatter(x=x, y=frame[column], name=html.escape(str(column)), mode="lines"))
    figure.update_layout(title="Raw series", height=300, xaxis_title=html.escape(time_column or "row"), **_LAYOUT)
    return figure


def prediction_chart(x, actual, predicted, baselines: dict[str, np.ndarray]) -> go.Figure:
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=x, y=actual, name="actual", mode="lines", line={"color": ACTUAL_COLOUR}))
    figure.add_trace(go.Scatter(x=x, y=predicted, name="LSTM", mode="lines", line={"color": MODEL_COLOUR}))
    for name, values in baselines.items():
        figure.add_trace(go.Scatter(x=x, y=values, name=name.replace("_", " "), mode="lines",
                                    line={"dash": "dot", "width": 1}, visible="legendonly"))
    figure.update_layout(title="Test part: predicted vs actual (original units)", height=340, **_LAYOUT)
    return figure


def forecast_chart(history_x, history_y, future_x, future_y) -> go.Figure:
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=history_x, y=history_y, name="history", mode="lines",
                                line={"color": ACTUAL_COLOUR}))
    figure.add_trace(go.Scatter(x=future_x, y=future_y, name="forecast", mode="lines+markers",
                                line={"color": MODEL_COLOUR, "dash": "dash"}))
    figure.update_layout(title="Forecast past the end of the data", height=320, **_LAYOUT)
    return figure


def _finite(values: list[float]) -> list[float | None]:
    return [v if np.isfinite(v) else None for v in values]

"""Figures for Inside the LSTM: gates and states over time × units, the input above, the occlusion below; a text
coloured character by character by one unit. Each takes plain arrays and returns a figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .charts import ACTUAL_COLOUR, MODEL_COLOUR

# (part, title, colour axis) in the order drawn, top to bottom under the input.
HEATMAPS = (("input", "input gate i", "gates"), ("forget", "forget gate f", "gates"),
            ("output", "output gate o", "gates"), ("cell", "cell state c", "cell"),
            ("hidden", "hidden state h", "hidden"))
GATE_SCALE = "Viridis"
STATE_SCALE = "RdBu_r"
# Characters (or words, at word level) a row of the coloured text holds.
TEXT_COLUMNS, WORD_COLUMNS = 60, 12


def _steps(result: dict) -> list:
    """The shared time axis: step 1 … T, or for a passage the token's position and the token itself."""
    if result["kind"] == "passage":
        return [f"{k + 1}·{_shown(token)}" for k, token in enumerate(result["tokens"])]
    return list(range(1, result["steps"] + 1))


def _shown(token: str) -> str:
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(token, token)


def inside_figure(result: dict, layer: int, direction: int, order: np.ndarray) -> go.Figure:
    """Input (or tokens) on top, the five heatmaps (units in `order`, the first on top), then the occlusion."""
    arrays = result["layers"][layer]["directions"][direction]
    attribution = result.get("attribution")
    window = result["kind"] == "window"
    titles = (["the window's inputs"] if window else []) + [title for _, title, _ in HEATMAPS] + \
        (["occlusion: how far the output moves without this step"] if attribution else [])
    heights = ([1.2] if window else []) + [1.0] * len(HEATMAPS) + ([0.9] if attribution else [])
    figure = make_subplots(rows=len(titles), cols=1, shared_xaxes=True, vertical_spacing=0.035,
                           subplot_titles=titles, row_heights=heights)
    x = _steps(result)
    row = 1
    if window:
        inputs = np.asarray(result["inputs"], dtype="float64")
        for column, name in enumerate(result["input_names"]):
            figure.add_trace(go.Scatter(x=x, y=_nan(inputs[:, column]), name=name, mode="lines+markers",
                                        line={"color": ACTUAL_COLOUR if column == 0 else None}), row=1, col=1)
        row = 2
    labels = [f"unit {u}" for u in order]
    cell_limit = float(np.nanmax(np.abs(np.asarray(arrays["cell"], dtype="float64")))) or 1.0
    for part, title, axis in HEATMAPS:
        values = np.asarray(arrays[part], dtype="float64")[:, order].T
        figure.add_trace(go.Heatmap(z=_nan(values), x=x, y=labels, name=title,
                                    coloraxis={"gates": "coloraxis", "cell": "coloraxis2",
                                               "hidden": "coloraxis3"}[axis],
                                    hovertemplate="step %{x}<br>%{y}<br>" + title + " %{z:.3f}<extra></extra>"),
                         row=row, col=1)
        figure.update_yaxes(autorange="reversed", showticklabels=len(order) <= 16, row=row, col=1)
        row += 1
    if attribution:
        change = np.asarray(attribution["change"], dtype="float64")
        colours = [MODEL_COLOUR if v >= 0 else "#1f77b4" for v in np.nan_to_num(change)]
        figure.add_trace(go.Bar(x=x, y=_nan(change), name=f"change of {attribution['unit']}",
                                marker={"color": colours}),
                         row=row, col=1)
        figure.update_yaxes(title_text=str(attribution["unit"])[:20], row=row, col=1)
    figure.update_xaxes(title_text="token" if not window else "step in the window (the last is nearest the prediction)",
                        row=len(titles), col=1)
    bars = _colour_bars(len(titles), window)
    figure.update_layout(
        title="Inside the LSTM", height=170 * len(titles) + 60, showlegend=window and len(result["input_names"]) > 1,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        coloraxis={"colorscale": GATE_SCALE, "cmin": 0, "cmax": 1, "colorbar": {"title": "gate", **bars["gates"]}},
        coloraxis2={"colorscale": STATE_SCALE, "cmid": 0, "cmin": -cell_limit, "cmax": cell_limit,
                    "colorbar": {"title": "c", **bars["cell"]}},
        coloraxis3={"colorscale": STATE_SCALE, "cmin": -1, "cmax": 1, "colorbar": {"title": "h", **bars["hidden"]}})
    return figure


def _colour_bars(rows: int, window: bool) -> dict:
    """Each colour bar beside the rows it colours (paper coordinates, rows of about equal height)."""
    first = 1 if window else 0
    step = 1.0 / rows

    def beside(start: int, count: int) -> dict:
        top = 1 - start * step
        return {"y": top - count * step / 2, "len": count * step * 0.9, "x": 1.02, "thickness": 12}

    return {"gates": beside(first, 3), "cell": beside(first + 3, 1), "hidden": beside(first + 4, 1)}


def _nan(values: np.ndarray):
    """Plotly draws None as a gap; NaN (a padded step) must become one."""
    values = np.asarray(values, dtype="float64")
    return np.where(np.isfinite(values), values, None).tolist()


def passage_figure(tokens: list[str], hidden: np.ndarray, unit: int) -> go.Figure:
    """The passage in rows of TEXT_COLUMNS tokens, each cell coloured by the unit's hidden state (−1 blue, +1 red)."""
    hidden = np.asarray(hidden, dtype="float64")
    columns = TEXT_COLUMNS if all(len(token) <= 1 for token in tokens) else WORD_COLUMNS
    rows = -(-len(tokens) // columns)
    values = np.full((rows, columns), np.nan)
    text = np.full((rows, columns), "", dtype=object)
    for k, token in enumerate(tokens):
        values[k // columns, k % columns] = hidden[k, unit]
        text[k // columns, k % columns] = _shown(token).replace("<", "‹").replace(">", "›")
    figure = go.Figure(go.Heatmap(z=_nan(values), text=text.tolist(), texttemplate="%{text}", zmin=-1, zmax=1,
                                  colorscale=STATE_SCALE, xgap=1, ygap=1, colorbar={"title": "h", "thickness": 12},
                                  hovertemplate="%{text}: h = %{z:.3f}<extra></extra>"))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, autorange="reversed")
    figure.update_layout(title=f"The passage coloured by unit {unit}'s hidden state", height=60 + 28 * rows,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure

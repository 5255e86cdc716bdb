"""The Compare page's figure: the loss curves of several runs on one chart, one colour a run."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.colors import qualitative

from .charts import _LAYOUT, _finite

# A run keeps its colour however the ticked set changes: the colour follows its id.
PALETTE = qualitative.Plotly


def run_colour(run_id: int) -> str:
    return PALETTE[(run_id - 1) % len(PALETTE)]


def overlay_chart(curves: list[tuple[int, str, dict[str, list[float]]]], log_scale: bool = False) -> go.Figure:
    """curves: (run id, run name, history) each; train loss solid, validation loss dashed, in the run's colour."""
    figure = go.Figure()
    for run_id, name, history in curves:
        colour = run_colour(run_id)
        for key, part, dash in (("loss", "train", "solid"), ("val_loss", "validation", "dash")):
            values = history.get(key) or []
            if values:
                figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=_finite(values),
                                            name=f"{name} · {part}", legendgroup=str(run_id), mode="lines+markers",
                                            line={"color": colour, "dash": dash}))
    longest = max((len(history.get("loss") or []) for _, _, history in curves), default=1)
    # Whole epochs only: a short run would otherwise get ticks at 1.5, 2.5.
    figure.update_xaxes(tick0=1, dtick=max(1, math.ceil(longest / 12)))
    figure.update_layout(title="Loss per run (train solid, validation dashed)", xaxis_title="epoch",
                         yaxis_title="loss", height=420, **_LAYOUT)
    if log_scale:
        figure.update_yaxes(type="log")
    return figure

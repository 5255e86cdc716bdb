"""A sweep's curves chart, leaderboard and settings → score chart: plain data in, figures and rows out."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from lstm_core.runs import STATUS_WORDS
from lstm_core.sweeps.grid import show_value
from lstm_core.sweeps.outcomes import SweepRun, SweepState

from .findings import number_text, plain

# A setting whose values span decades is drawn, coloured and placed on a log scale.
LOG_SPAN = 10.0
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# The colour scale's bright yellow end is hard to see on white: stop short of it.
COLOURS, COLOUR_END = "Viridis", 0.85


def run_label(run: SweepRun, settings: list[str]) -> str:
    if len(settings) == 1:
        return show_value(run.values.get(settings[0]))
    return ", ".join(f"{s.replace('_', ' ')} {show_value(run.values.get(s))}" for s in settings)


def colour_positions(values: list) -> dict:
    """Each distinct value's place on the colour scale, 0…1, in the values' order and evenly spaced, so neighbouring
    values stay told apart however far apart they are (1 and 10 beside 1e-4)."""
    distinct = _ordered(set(values))
    if len(distinct) < 2:
        return dict.fromkeys(distinct, 0.0)
    return {v: index / (len(distinct) - 1) for index, v in enumerate(distinct)}


def _ordered(values) -> list:
    return sorted(values, key=lambda v: (not isinstance(v, (int, float)), v if isinstance(v, (int, float)) else str(v)))


def log_ticks(values: list[float]) -> tuple[list[float], list[str]] | None:
    """Tick values and labels for a log axis over these values: 1, 2, 5 a decade (every digit over a narrow range),
    labelled in full (plotly's own labels a decade's digits 9, 8, 7… with no decimal point, which misleads below 1)."""
    finite = [v for v in values if is_finite(v) and v > 0]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    wide = math.log10(high / low) > 4
    for digits in ((1,) if wide else (1, 2, 5), tuple(range(1, 10))):
        ticks = [d * 10.0 ** k for k in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
                 for d in digits]
        shown = [t for t in ticks if low / 1.05 <= t <= high * 1.05]
        if len(shown) >= 3:
            break
    below = max((t for t in ticks if t < low), default=low)
    above = min((t for t in ticks if t > high), default=high)
    shown = sorted({below, *shown, above}) if len(shown) < 3 else shown
    return shown, [number_text(float(f"{t:.3g}")) if 1e-3 <= t < 1e4 else show_value(float(f"{t:.3g}"))
                   for t in shown]


def run_colours(state: SweepState) -> dict[str, str]:
    """A colour a run, by its first setting's value (its second setting, if any, is the line's dash)."""
    first = state.settings[0]
    places = colour_positions([run.values.get(first) for run in state.runs])
    return {run.run_id: sample_colorscale(COLOURS, [places[run.values.get(first)] * COLOUR_END])[0]
            for run in state.runs}


def curves_chart(state: SweepState, log_scale: bool = True) -> go.Figure:
    """Every run's validation loss per epoch on one chart, coloured by its value, an ✕ where a monitor fired."""
    figure = go.Figure()
    colours = run_colours(state)
    second = state.settings[1] if len(state.settings) > 1 else None
    dashes = {v: DASHES[i % len(DASHES)] for i, v in
              enumerate(dict.fromkeys(run.values.get(second) for run in state.runs))} if second else {}
    longest = 1
    for run in state.runs:
        curve = [value if is_finite(value) and (value > 0 or not log_scale) else None for value in run.curve]
        longest = max(longest, len(curve), run.planned_epochs)
        label = f"{run_label(run, state.settings)} · {_status(run)}"
        colour = colours[run.run_id]
        figure.add_trace(go.Scatter(
            x=list(range(1, len(curve) + 1)), y=curve, name=label, legendgroup=run.run_id, mode="lines+markers",
            line={"color": colour, "dash": dashes.get(run.values.get(second), "solid"),
                  "width": 4 if run is state.best else 2},
            marker={"size": 5}, hovertemplate=f"{plain(label)}<br>epoch %{{x}}: validation loss %{{y:.4g}}"
                                               "<extra></extra>"))
        marks = [(mark["epoch"], mark["code"]) for mark in run.marks if 1 <= mark["epoch"] <= len(curve)
                 and curve[mark["epoch"] - 1] is not None]
        if marks:
            figure.add_trace(go.Scatter(
                x=[epoch for epoch, _ in marks], y=[curve[epoch - 1] for epoch, _ in marks], mode="markers+text",
                text=[code for _, code in marks], textposition="top center", textfont={"color": colour},
                marker={"symbol": "x", "size": 13, "color": colour, "line": {"width": 1, "color": "black"}},
                name=f"{label}: monitor", legendgroup=run.run_id, showlegend=False,
                hovertemplate="%{text} at epoch %{x}<extra></extra>"))
    figure.update_layout(title="Validation loss per epoch, one line a run (✕: a monitor fired)", height=420,
                         xaxis_title="epoch", yaxis_title="validation loss",
                         margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         legend={"title": {"text": " × ".join(s.replace("_", " ") for s in state.settings)}})
    figure.update_xaxes(range=[0.5, longest + 0.5], tick0=1, dtick=_epoch_tick(longest), tickformat="d")
    if log_scale:
        figure.update_yaxes(type="log")
        ticks = log_ticks([value for run in state.runs for value in run.curve])
        if ticks:
            figure.update_yaxes(tickvals=ticks[0], ticktext=ticks[1])
    return figure


def _epoch_tick(epochs: int) -> int:
    from .charts import epoch_tick

    return epoch_tick(epochs)


def leaderboard(state: SweepState) -> list[dict]:
    """A row a run, best first: the swept values, status, epochs, best validation loss, the model against its best
    baseline, and the findings' codes; numbers as text, so the table reads the same in every browser."""
    from lstm_core.sweeps.state import leaderboard_rows

    by_id = {f"#{run.number}" if run.number else run.run_id: run for run in state.runs}
    rows = []
    # The best first, then the runs that went somewhere by their loss, then the diverged and failed ones.
    for row in sorted(leaderboard_rows(state), key=lambda row: by_id[row["run"]].outcome in ("diverged", "failed")):
        run = by_id[row["run"]]
        shown = {"": "★" if row["best"] else "", "run": row["run"]}
        shown.update({setting.replace("_", " "): show_value(row[setting]) for setting in state.settings})
        shown.update({"status": _status(run),
                      "epochs": f"{run.epochs}/{run.planned_epochs}" if run.planned_epochs else str(run.epochs),
                      "best val loss": number_text(run.best_val_loss) if run.best_val_loss is not None else "—",
                      _against_header(state): _against(run), "findings": row["findings"] or "—"})
        rows.append(shown)
    return rows


def _status(run: SweepRun) -> str:
    """What went wrong in a word (stalled, diverged, …), else the status (training, stopped early, completed)."""
    if run.active or (run.outcome == "healthy" and run.status != "completed"):
        return STATUS_WORDS.get(run.status, run.status)
    return run.outcome


def _against_header(state: SweepState) -> str:
    """The model's test metric against its best baseline's, named once for the whole table."""
    run = next((run for run in state.runs if run.metric), None)
    if run is None:
        return "test score vs baseline"
    return f"test {run.metric} vs {run.baseline.replace('_', ' ')}" if run.baseline else f"test {run.metric}"


def _against(run: SweepRun) -> str:
    if run.model_score is None:
        return "—"
    text = number_text(run.model_score)
    if run.baseline_score is None:
        return text
    better = run.model_score > run.baseline_score if run.metric == "accuracy" else run.model_score < run.baseline_score
    return f"{text} vs {number_text(run.baseline_score)} {'✓' if better else '✗'}"


def parallel_chart(state: SweepState, runs: list[SweepRun]) -> go.Figure:
    """Settings → score for the finished runs: one axis a setting (log10 for values spanning decades), then the best
    validation loss; each line a run, in its colour from the curves chart."""
    dimensions = [_dimension(setting, [run.values.get(setting) for run in runs]) for setting in state.settings]
    score = _dimension("best validation loss", [run.best_val_loss for run in runs])
    dimensions.append(score)
    # Each run keeps its colour from the curves chart.
    places = colour_positions([run.values.get(state.settings[0]) for run in state.runs])
    figure = go.Figure(go.Parcoords(
        line={"color": [places[run.values.get(state.settings[0])] * COLOUR_END for run in runs],
              "colorscale": COLOURS, "cmin": 0.0, "cmax": 1.0},
        dimensions=dimensions))
    # The axes' names sit above the axes: the title goes higher, out of their way.
    figure.update_layout(title={"text": "Settings → score (finished runs, coloured as above)", "y": 0.97},
                         height=360, margin={"l": 60, "r": 60, "t": 110, "b": 20})
    return figure


def _dimension(setting: str, values: list) -> dict:
    label = setting.replace("_", " ")
    distinct = _ordered(set(values))
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in distinct)
    if not numbers:
        index = {v: i for i, v in enumerate(distinct)}
        return {"label": label, "values": [index[v] for v in values], "tickvals": list(index.values()),
                "ticktext": [str(v) for v in distinct]}
    if distinct[0] > 0 and distinct[-1] / distinct[0] >= LOG_SPAN:
        return {"label": f"{label} (log)", "values": [math.log10(v) for v in values],
                "tickvals": [math.log10(v) for v in distinct], "ticktext": [_tick(v) for v in distinct]}
    return {"label": label, "values": values, "tickvals": distinct, "ticktext": [_tick(v) for v in distinct]}


def _tick(value) -> str:
    return show_value(float(f"{value:.3g}")) if isinstance(value, float) else show_value(value)


def is_finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)

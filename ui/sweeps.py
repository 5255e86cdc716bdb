"""The "Try several values" section: pick one or two settings and their values, see how many runs that makes, start
the sweep, and watch every run side by side (curves, leaderboard, settings → score), then take the best settings.

Every decision is in lstm_core.sweeps; this module only draws. The sweep's runs train in workers and the view reads
them back from the run store, so a reload or a page change finds the sweep again (the workspace's latest).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st
from plotly.colors import sample_colorscale

from lstm_core.jobs import engine, reader_for
from lstm_core.limits import limit
from lstm_core.runs import STATUS_WORDS
from lstm_core.sweeps.grid import LIMIT_NAME, SWEEP_SETTINGS, plan_grid, show_value
from lstm_core.sweeps.outcomes import SweepRun, SweepState
from lstm_core.sweeps.state import stop_sweep, submit_sweep, sweep_state

from .findings import number_text, plain, render_findings
from .workspace import run_store, workspace_id

SHOWN = "sweep_shown"        # {page: sweep id}: the sweep each page shows ("" = none until the next start)
USED = "sweep_used"          # {page: values} just taken from a sweep's best run, to say so once
SOURCE = "sweep"             # the runs' source in the store: the pages' single-run views leave them out
NONE = "none"
LIVE_SECONDS = 2.0           # faster polling slows training (Streamlit's gc after every fragment run)
# A setting whose values span decades is drawn, coloured and placed on a log scale.
LOG_SPAN = 10.0
# What the values box holds when a setting is picked: a sensible first grid for it.
STARTING_VALUES = {"learning_rate": "1e-4..1:5", "units": "8, 16, 32, 64", "layers": "1, 2, 3",
                   "batch_size": "16, 32, 64, 128", "epochs": "10, 20, 40", "timesteps": "12, 24, 48",
                   "dropout": "0, 0.2, 0.4", "recurrent_dropout": "0, 0.2, 0.4", "optimizer": "adam, rmsprop, sgd",
                   "activation": "tanh, relu", "recurrent_activation": "sigmoid, hard_sigmoid", "patience": "3, 5, 10"}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# The colour scale's bright yellow end is hard to see on white: stop short of it.
COLOURS, COLOUR_END = "Viridis", 0.85


@dataclass(frozen=True)
class SweepPage:
    """What a page tells the section: its name (widget keys), its tasks, the settings it offers, and how a run's
    values become its current setup (the page's own widget keys)."""

    where: str
    tasks: tuple[str, ...]
    settings: tuple[str, ...]
    apply: Callable[[dict], None]

    def key(self, name: str) -> str:
        return f"{self.where}.sweep.{name}"


def sweepable(fields) -> tuple[str, ...]:
    """The sweepable settings among a page's fields, in the sweeps' order."""
    return tuple(s for s in SWEEP_SETTINGS if s in fields)


def preset(where: str, setting: str, values: str) -> None:
    """Fill the section's boxes from elsewhere (the Error lab) before the page draws them; show no older sweep."""
    st.session_state[f"{where}.sweep.setting1"] = setting
    st.session_state[f"{where}.sweep.values1"] = values
    st.session_state[f"{where}.sweep.setting2"] = NONE
    st.session_state[f"{where}.sweep.values2"] = ""
    st.session_state[f"{where}.sweep.open"] = True
    st.session_state.setdefault(SHOWN, {})[where] = ""


# The form.


def sweep_section(page: SweepPage, prepared, source: tuple[bytes, str] | None, ready: bool, data_id: str) -> None:
    """The "Try several values" expander, then the page's latest sweep (live while it trains)."""
    shown = shown_sweep(page)
    opened = bool(shown) or st.session_state.get(page.key("open"), False)
    with st.expander("Try several values", expanded=opened, icon=":material/stacked_line_chart:"):
        plan = _grid_form(page, prepared.config if ready else None)
        if st.button(f"Start sweep ({plan.size} runs)" if plan and plan.ok else "Start sweep", type="primary",
                     key=page.key("start"), disabled=not (ready and plan is not None and plan.ok),
                     help="Every run goes to the training queue; they train side by side as far as the workers "
                          "allow. Close the page or reload: the sweep goes on and shows here again."):
            raw, name = source
            shown = submit_sweep(engine(), workspace_id(), plan, raw, name, reader_for(plan.base), data_id,
                                 source=SOURCE)
            st.session_state.setdefault(SHOWN, {})[page.where] = shown
    used = st.session_state.get(USED, {}).pop(page.where, None)
    if used:
        st.toast("Now the current setup: " + ", ".join(f"{k} = {show_value(v)}" for k, v in used.items()))
    if shown:
        sweep_view(page, shown)


def _grid_form(page: SweepPage, base):
    """The settings and values boxes; the plan they make (None while the values box is empty)."""
    st.caption("Train the current setup at several values of one or two settings, side by side, and see which "
               "works. A list (16, 32, 64) or, for numbers, a log range LOW..HIGH:COUNT (1e-5..10:5 is five values "
               "from 1e-5 to 10).")
    for number, setting in ((1, "learning_rate" if "learning_rate" in page.settings else page.settings[0]),
                            (2, NONE)):
        st.session_state.setdefault(page.key(f"setting{number}"), setting)
        st.session_state.setdefault(page.key(f"values{number}"), STARTING_VALUES.get(setting, ""))
    first, values1, second, values2 = st.columns([2, 3, 2, 3])
    setting1 = first.selectbox("Setting to vary", page.settings, key=page.key("setting1"), on_change=_starting_values,
                               args=(page, 1), format_func=_setting_name)
    text1 = values1.text_input("Values to try", key=page.key("values1"), placeholder="1e-4, 1e-3, 1e-2 or 1e-5..10:5")
    others = [NONE, *(s for s in page.settings if s != setting1)]
    if st.session_state.get(page.key("setting2")) not in others:
        st.session_state[page.key("setting2")] = NONE
    setting2 = second.selectbox("Second setting (optional)", others, key=page.key("setting2"),
                                on_change=_starting_values, args=(page, 2), format_func=_setting_name)
    text2 = values2.text_input("Its values", key=page.key("values2"), disabled=setting2 == NONE)
    texts = [f"{setting1}={text1}"] + ([f"{setting2}={text2}"] if setting2 != NONE else [])
    if not text1.strip() or (setting2 != NONE and not text2.strip()):
        st.caption("Type the values to try.")
        return None
    if base is None:
        st.caption("Resolve the errors above first: every run of a sweep starts from the current setup.")
        return None
    plan = plan_grid(base, texts)
    if plan.findings:
        render_findings(plan.findings, key=page.key("grid"), fixable=False)
        return plan
    grid = " × ".join(f"{axis.setting.replace('_', ' ')} {', '.join(map(show_value, axis.values))}"
                      for axis in plan.axes)
    st.markdown(f"**{plan.size} runs** · {plain(grid)} · at most {limit(LIMIT_NAME)} runs a sweep")
    st.caption(plan.seed_note)
    return plan


def _setting_name(setting: str) -> str:
    return "— (one setting)" if setting == NONE else setting.replace("_", " ")


def _starting_values(page: SweepPage, number: int) -> None:
    setting = st.session_state.get(page.key(f"setting{number}"))
    st.session_state[page.key(f"values{number}")] = STARTING_VALUES.get(setting, "")


def shown_sweep(page: SweepPage) -> str:
    """The sweep this page shows: the one it last started, else the workspace's newest for its tasks (a reload)."""
    store, workspace = run_store(), workspace_id()
    key = st.session_state.get(SHOWN, {}).get(page.where)
    if key == "":
        return ""
    sweep = store.sweep(key) if key else None
    if sweep is None or sweep["workspace"] != workspace or sweep["base"].task not in page.tasks:
        mine = [s for s in store.list_sweeps(workspace) if s["base"].task in page.tasks]
        return mine[-1]["id"] if mine else ""
    return key


# The view.


def sweep_view(page: SweepPage, sweep_id: str) -> None:
    state = sweep_state(run_store(), sweep_id)
    if state.active:
        _live(page, sweep_id)
    else:
        draw_sweep(page, state)


@st.fragment(run_every=LIVE_SECONDS)
def _live(page: SweepPage, sweep_id: str) -> None:
    state = sweep_state(run_store(), sweep_id)
    if not state.active:
        st.rerun(scope="app")  # ended since the page drew: redraw once, now finished
        return
    draw_sweep(page, state)


def draw_sweep(page: SweepPage, state: SweepState) -> None:
    with st.container(border=True, key=f"sweep_view_{page.where}"):
        names = " × ".join(s.replace("_", " ") for s in state.settings)
        first = run_store().get(state.runs[0].run_id) if state.runs else None
        data = f" on {plain(first.data_name)}" if first is not None else ""
        st.markdown(f"#### Sweep over {names}{data} · {state.finished} of {len(state.runs)} runs finished")
        (st.info if state.active else st.success if state.best else st.warning)(plain(state.summary),
                                                                                   icon=":material/insights:")
        _actions(page, state)
        log_scale = st.toggle("Log scale", value=True, key=page.key(f"log.{state.sweep_id}"),
                              help="Losses that differ by orders of magnitude stay readable on a log scale.")
        st.plotly_chart(curves_chart(state, log_scale), width="stretch")
        st.dataframe(leaderboard(state), hide_index=True, width="stretch")
        st.caption("★ the best run: the lowest validation loss among runs that did not diverge. Findings: the codes "
                   "the monitors raised (TRAIN102 diverging, TRAIN103 stalled, …; see docs/checks.md).")
        scored = [run for run in state.runs if not run.active and _finite(run.best_val_loss)]
        if len(scored) >= 2:
            st.plotly_chart(parallel_chart(state, scored), width="stretch")


def _actions(page: SweepPage, state: SweepState) -> None:
    best = state.best_values
    with st.container(horizontal=True):
        if state.active:
            st.button("Stop sweep", key=page.key(f"stop.{state.sweep_id}"), on_click=_stop, args=(state.sweep_id,),
                      disabled=state.stopped, icon=":material/stop_circle:",
                      help="Cancels the queued runs and stops the training ones after their current batch; their "
                           "curves so far are kept.")
        values = ", ".join(f"{k.replace('_', ' ')} {show_value(v)}" for k, v in (best or {}).items())
        # While runs still train, the best is only the best so far: the label says so.
        label = "Use the best so far" if state.active else "Use the best settings"
        st.button(f"{label} ({values})" if best else label,
                  key=page.key(f"best.{state.sweep_id}"), type="primary", disabled=best is None,
                  on_click=_use_best, args=(page, best or {}),
                  help=("Makes them the current setup in the settings; press Train to train it." if best else
                        "No run has finished yet."))


def _stop(sweep_id: str) -> None:
    stop_sweep(engine(), sweep_id)


def _use_best(page: SweepPage, values: dict) -> None:
    """Button callback: widget keys can only be written before their widgets draw, so in a callback."""
    page.apply(values)
    st.session_state.setdefault(USED, {})[page.where] = values


# Charts and the table: plain data in, figures and rows out.


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
    finite = [v for v in values if _finite(v) and v > 0]
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
        curve = [value if _finite(value) and (value > 0 or not log_scale) else None for value in run.curve]
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


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)

"""A sweep drawn on its page, live while its runs train: the summary, the stop and use-the-best buttons, the charts."""

from __future__ import annotations

import streamlit as st

from lstm_core.jobs import engine
from lstm_core.sweeps.grid import show_value
from lstm_core.sweeps.outcomes import SweepState
from lstm_core.sweeps.state import stop_sweep, sweep_state

from .findings import plain
from .sweep_charts import curves_chart, is_finite, leaderboard, parallel_chart
from .sweep_form import USED, SweepPage
from .workspace import run_store

LIVE_SECONDS = 2.0           # faster polling slows training (Streamlit's gc after every fragment run)


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
        scored = [run for run in state.runs if not run.active and is_finite(run.best_val_loss)]
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

"""The "Try several values" section: pick one or two settings and their values, see how many runs that makes, start
the sweep, and watch every run side by side (curves, leaderboard, settings → score), then take the best settings.

Every decision is in lstm_core.sweeps; this module and its helpers (sweep_form.py the form, sweep_view.py the view,
sweep_charts.py its charts and table) only draw. The sweep's runs train in workers and the view reads them back from
the run store, so a reload or a page change finds the sweep again (the workspace's latest).
"""

from __future__ import annotations

import streamlit as st

from lstm_core.jobs import engine, reader_for
from lstm_core.sweeps.grid import show_value
from lstm_core.sweeps.state import submit_sweep

from .sweep_form import SHOWN, USED, SweepPage, grid_form
from .sweep_view import sweep_view
from .workspace import run_store, workspace_id

SOURCE = "sweep"             # the runs' source in the store: the pages' single-run views leave them out


def sweep_section(page: SweepPage, prepared, source: tuple[bytes, str] | None, ready: bool, data_id: str) -> None:
    """The "Try several values" expander, then the page's latest sweep (live while it trains)."""
    shown = shown_sweep(page)
    opened = bool(shown) or st.session_state.get(page.key("open"), False)
    with st.expander("Try several values", expanded=opened, icon=":material/stacked_line_chart:"):
        plan = grid_form(page, prepared.config if ready else None)
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

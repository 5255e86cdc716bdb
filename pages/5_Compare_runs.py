"""Compare runs: every run of this session in one table, their loss curves overlaid, and "change one thing"."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Compare runs · LSTM Playground", page_icon="📊", layout="wide")
st.title("Compare runs")
st.caption("Every run of this workspace — from the Playground, the text pages or the command line — with its "
           "settings, curves and scores side by side. Tick runs to overlay their loss curves; the table lists the "
           "settings in which the ticked runs differ. Runs are kept on the server: a reload or a restart keeps them.")

import pandas as pd  # noqa: E402

from lstm_core.runs import differing_settings, table_rows  # noqa: E402
from ui.compare_charts import overlay_chart  # noqa: E402
from ui.findings import plain  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.runs import TRAIN_NEXT, change_one_thing, delete_runs, workspace_runs  # noqa: E402
from ui.state import freeze_imported, keep_settings  # noqa: E402
from ui.workspace import workspace_id  # noqa: E402

freeze_imported()
keep_settings()
PICKED = "compare.picked"   # ids of the ticked runs
SEEN = "compare.seen"       # ids the page has offered before: a run new since then arrives ticked
# Ticked at first: the newest few, so the chart stays readable.
FIRST_TICKED = 6


def ticked_runs(runs) -> list:
    ids = [r.id for r in runs]
    seen = st.session_state.get(SEEN)
    if PICKED not in st.session_state or seen is None:
        picked = ids[-FIRST_TICKED:]
    else:
        picked = [i for i in st.session_state[PICKED] if i in ids] + [i for i in ids if i not in seen]
    st.session_state[PICKED], st.session_state[SEEN] = picked, ids
    names = {r.id: r.name for r in runs}
    chosen = st.multiselect("Ticked runs", ids, key=PICKED, format_func=names.get,
                            help="The chart overlays these runs; the table lists the settings in which they differ; "
                                 "delete removes them.")
    return [r for r in runs if r.id in chosen]


def runs_table(runs, ticked) -> None:
    settings = differing_settings(ticked if len(ticked) >= 2 else runs)
    frame = pd.DataFrame(table_rows(runs, settings))
    frame.insert(0, "ticked", [r in ticked for r in runs])
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"best val loss": st.column_config.NumberColumn(format="%.4g"),
                                "test MAE": st.column_config.NumberColumn(format="%.4g"),
                                "test RMSE": st.column_config.NumberColumn(format="%.4g"),
                                "accuracy": st.column_config.NumberColumn(format="percent"),
                                "vs baseline %": st.column_config.NumberColumn(
                                    format="%+.1f", help="Forecast: MAE saved against the best baseline "
                                    "(persistence, seasonal naive or ETS), in %. Classifier: accuracy points above "
                                    "the majority class. Positive: the LSTM won.")})
    if settings:
        st.caption("Settings that differ: " + ", ".join(settings) + ". Click a column's header to sort by it.")
    else:
        st.caption("The ticked runs share every setting. Click a column's header to sort by it.")


def empty_state() -> None:
    st.info("No runs yet in this workspace. Train on the Playground: every run — completed, stopped by you or stopped "
            "by a monitor — lands here with its settings, loss curves and scores, until you delete it. Then use "
            "**Change one thing** to train the same setup with one setting changed and compare the two.")
    st.page_link("app.py", label="Go to the Playground", icon="📈")


def main() -> None:
    workspace_id()
    page_links()
    if st.session_state.get(TRAIN_NEXT):
        st.switch_page("app.py")
    runs = workspace_runs()
    if not runs:
        empty_state()
        return
    ticked = ticked_runs(runs)
    runs_table(runs, ticked)
    left, right = st.columns([1, 1])
    log_scale = left.checkbox("Log scale", key="compare.log")
    right.button("Delete the ticked runs", key="compare.delete", disabled=not ticked, on_click=delete_runs,
                 args=([r.key for r in ticked],),
                 help="Deletes these runs from the server with their models and files (a training one is stopped).")
    if ticked:
        st.plotly_chart(overlay_chart([(r.id, r.name, r.history) for r in ticked], log_scale), width="stretch")
    training = [r.name for r in runs if r.active]
    if training:
        st.caption("Still queued or training (their rows fill in when they end; reload to update): "
                   + ", ".join(plain(name) for name in training) + ".")
    st.subheader("Change one thing")
    st.caption("Pick a run, one setting and a new value: the Playground trains the same setup with only that changed.")
    names = {r.id: r.name for r in runs}
    default = ticked[-1].id if ticked else runs[-1].id
    if st.session_state.get("compare.base") not in names:
        st.session_state.pop("compare.base", None)
    run_id = st.selectbox("Run", list(names), index=list(names).index(default), format_func=names.get,
                          key="compare.base")
    change_one_thing(next(r for r in runs if r.id == run_id), where="compare")


main()

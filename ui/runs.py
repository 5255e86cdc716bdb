"""The session's run history on the page: recording finished runs, deleting them, and "change one thing"."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lstm_core.config import ConfigError
from lstm_core.runs import (
    RunHistory,
    RunRecord,
    change_one,
    changeable_settings,
    config_value,
    setting_kind,
    show_value,
)

from .state import DATA_ID, REPORT, RUN, RUN_PREPARED, set_widgets

HISTORY = "run_history"        # RunHistory of this browser session
RECORDED = "run_recorded"      # the RunState last recorded, so a run is kept once however often it is finished
RUN_START = "run_start"        # {data_id, parent} noted when a run starts: the data may change before it is recorded
TRAIN_NEXT = "train_next"      # {parent, setting, value}: "change one thing" asked the Playground to train at once
CHANGE_PROBLEM = "change_problem"  # why the last "change one thing" did not start, keyed by where it was asked


def run_history() -> RunHistory:
    if HISTORY not in st.session_state:
        st.session_state[HISTORY] = RunHistory()
    return st.session_state[HISTORY]


def should_train(clicked: bool, ready: bool) -> bool:
    """Train now? On a click of Train, or once after "change one thing" asked for it. Notes what the run starts from."""
    request = st.session_state.pop(TRAIN_NEXT, None)
    if request and not clicked:
        if not ready:
            st.warning(f"The run with {request['setting']} → {show_value(request['value'])} did not start: resolve "
                       "the errors above, then press Train.")
            return False
        st.info(f"Training with one change from run #{request['parent']}: {request['setting']} → "
                f"{show_value(request['value'])}.")
    if not ((clicked or request) and ready):
        return False
    st.session_state[RUN_START] = {"data_id": st.session_state.get(DATA_ID, ""),
                                   "parent": request["parent"] if request and not clicked else None}
    return True


def record_run() -> RunRecord | None:
    """Keep the run just finished (completed, stopped, diverged or failed) in the history, once."""
    state = st.session_state.get(RUN)
    if state is None or st.session_state.get(RECORDED) is state or state.status == "running":
        return None
    prepared = st.session_state[RUN_PREPARED]
    report = st.session_state.get(REPORT)
    start = st.session_state.get(RUN_START) or {}
    record = run_history().add(state, start.get("data_id") or st.session_state.get(DATA_ID, ""),
                               prepared.dataset.name, metrics=report.metrics if report is not None else None,
                               verdict=report.verdict if report is not None else "", parent=start.get("parent"))
    st.session_state[RECORDED] = state
    return record


def latest_record() -> RunRecord | None:
    """The history's record of the run the Playground shows, if it is still kept."""
    state = st.session_state.get(RUN)
    if state is None or st.session_state.get(RECORDED) is not state:
        return None
    runs = run_history().runs
    return runs[-1] if runs else None


def delete_runs(run_ids) -> None:
    shown = latest_record()
    gone = run_history().delete(run_ids)
    # The Playground's results belong to a deleted run: they go with it, and so does its model.
    if shown is not None and shown in gone:
        for key in (RUN, RUN_PREPARED, REPORT, RECORDED):
            st.session_state.pop(key, None)


def change_one_thing(record: RunRecord, where: str) -> None:
    """Pick one setting and a new value, and train a run with only that changed (on the Playground)."""
    names = changeable_settings(record.config)
    columns = st.columns([2, 2, 2])
    setting = columns[0].selectbox("Setting", names, key=f"change.{where}.setting",
                                   index=names.index("units") if "units" in names else 0)
    current = config_value(record.config, setting)
    value_key = f"change.{where}.value.{record.id}.{setting}"
    with columns[1]:
        _value_input(setting, current, value_key)
    # The callback reads the value from the session, so a number typed just before the click counts.
    columns[2].button("Train with this change", key=f"change.{where}.go", type="primary",
                      on_click=_start_changed_run, args=(record.id, setting, value_key, where),
                      help=f"Now {setting} = {show_value(current)}. Trains the same setup with only this setting "
                           "changed; both runs then show on the Compare runs page.")
    problem = st.session_state.get(CHANGE_PROBLEM, {}).get(where)
    if problem:
        st.warning(problem)


def _value_input(setting: str, current: Any, key: str) -> Any:
    kind = setting_kind(setting)
    if kind[0] == "choice":
        options = list(kind[1])
        return st.selectbox("New value", options, index=options.index(current) if current in options else 0,
                            key=key, format_func=lambda v: str(show_value(v)))
    if kind[0] == "bool":
        return st.selectbox("New value", [True, False], index=0 if not current else 1, key=key,
                            format_func=lambda v: str(show_value(v)))
    _, low, high, is_float = kind
    number = float if is_float else int
    start = current if current is not None else low
    return st.number_input("New value", min_value=number(low), max_value=number(high), value=number(start),
                           step=number(0.0001 if setting == "learning_rate" else 0.05) if is_float else 1,
                           format="%.6g" if is_float else None, key=key)


def _start_changed_run(run_id: int, setting: str, value_key: str, where: str) -> None:
    """Button callback: set the Playground's settings to the run's with the one change, and ask it to train."""
    value = st.session_state.get(value_key)
    problems = st.session_state.setdefault(CHANGE_PROBLEM, {})
    problems.pop(where, None)
    record = run_history().get(run_id)
    if record is None:
        problems[where] = f"Run #{run_id} was deleted."
        return
    loaded = st.session_state.get(DATA_ID)
    if record.data_id != loaded:
        problems[where] = (f"{record.name} trained on {record.data_name}, which is not the data loaded in the "
                           "Playground now. Load that data again to change one thing from this run.")
        return
    try:
        config = change_one(record.config, setting, value)
    except ConfigError as problem:
        problems[where] = f"Not started: {problem}."
        return
    set_widgets(config.to_dict())
    st.session_state[TRAIN_NEXT] = {"parent": record.id, "setting": setting, "value": config_value(config, setting)}

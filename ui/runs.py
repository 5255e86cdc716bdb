"""Runs on the page: submitting one, which run a page shows, deleting runs, and "change one thing"."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lstm_core.config import ConfigError
from lstm_core.jobs import engine, reader_for
from lstm_core.runs import (
    RunRecord,
    change_one,
    changeable_settings,
    config_value,
    setting_kind,
    show_value,
)

from .live import live_run
from .state import DATA_ID, set_widgets
from .workspace import run_store, workspace_id

TRAIN_NEXT = "train_next"      # {parent, setting, value}: "change one thing" asked the Playground to train at once
CHANGE_PROBLEM = "change_problem"  # why the last "change one thing" did not start, keyed by where it was asked
SHOWN = "shown_run"            # the store id of the run the Playground shows; the run itself lives in the store
PLAYGROUND_TASKS = ("forecast", "classify-sequences", "classify-windows")


def should_train(clicked: bool, ready: bool) -> tuple[bool, int | None]:
    """Train now, and from which parent run? On a click of Train, or once after "change one thing" asked for it."""
    request = st.session_state.pop(TRAIN_NEXT, None)
    if request and not clicked:
        if not ready:
            st.warning(f"The run with {request['setting']} → {show_value(request['value'])} did not start: resolve "
                       "the errors above, then press Train.")
            return False, None
        st.info(f"Training with one change from run #{request['parent']}: {request['setting']} → "
                f"{show_value(request['value'])}.")
    if not ((clicked or request) and ready):
        return False, None
    return True, request["parent"] if request and not clicked else None


def submit_run(prepared, raw: bytes, data_name: str, parent: int | None = None, shown_key: str = SHOWN,
               data_id: str | None = None) -> str:
    """Hand the checked run to the job engine; it trains in a worker. The page then shows this run.
    `data_id` names the data for run names (default: the Playground's); the text pages pass their own."""
    data_id = st.session_state.get(DATA_ID, "") if data_id is None else data_id
    run_id = engine().submit(workspace_id(), prepared.config, raw, data_name, reader_for(prepared.config),
                             data_id, parent)
    st.session_state[shown_key] = run_id
    return run_id


def shown_run(tasks: tuple[str, ...] = PLAYGROUND_TASKS, shown_key: str = SHOWN) -> RunRecord | None:
    """The run this page shows: the one it last started, else the workspace's newest for these tasks (a reload)."""
    store, workspace = run_store(), workspace_id()
    key = st.session_state.get(shown_key)
    if key == "":  # the page asked to show no run until the next Train
        return None
    record = store.get(key) if key else None
    if record is None or record.workspace != workspace or record.config.task not in tasks:
        # A backtest's folds are runs of their own, but the page shows the run they test.
        # A sweep's runs show in its own view.
        runs = [run for run in store.list_runs(workspace, tasks) if run.source not in ("backtest", "sweep")]
        record = runs[-1] if runs else None
    return record


def train_part(ready: bool, key: str, where: str, tasks: tuple[str, ...] = PLAYGROUND_TASKS,
               shown_key: str = SHOWN, clicked_means_train=None, extra=None) -> tuple[bool, RunRecord | None]:
    """The Train button and, while the shown run is queued or training, its live view.

    Returns (clicked, the shown run). `clicked_means_train(clicked)` decides whether to submit, and submits (it
    gets the click and returns True once it has); the view then follows the new run.
    """
    shown = shown_run(tasks, shown_key)
    busy = shown is not None and shown.active
    clicked = st.button("Train", type="primary", disabled=not ready, key=key,
                        help=("Resolve the errors above first." if not ready else
                              "Starts another run with the sidebar's settings; the one training goes on and stays "
                              "on the Compare runs page." if busy else None))
    if clicked_means_train is not None and clicked_means_train(clicked):
        shown = shown_run(tasks, shown_key)
    others_note(shown, tasks)
    if shown is not None and shown.active:
        live_run(shown.key, where, extra=extra)
    return clicked, shown


def others_note(shown: RunRecord | None, tasks: tuple[str, ...]) -> None:
    """Runs of this page still training or queued besides the one shown (a second Train never drops the first)."""
    others = [r for r in run_store().list_runs(workspace_id(), tasks)
              if r.active and r.source != "sweep" and (shown is None or r.key != shown.key)]
    if others:
        names = ", ".join(r.name for r in others)
        verb, who = ("is", "it") if len(others) == 1 else ("are", "each")
        st.info(f"{names} {verb} still training or queued: {who} goes on by itself and shows on the Compare runs "
                "page when it ends.", icon=":material/sync:")


def workspace_runs() -> list[RunRecord]:
    return run_store().list_runs(workspace_id())


def delete_runs(run_ids) -> None:
    run_store().delete(workspace_id(), run_ids)


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
    record = run_store().run_by_number(workspace_id(), run_id)
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

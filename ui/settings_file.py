"""Loading settings from a config.json into the sidebar: validated first, applied whole or not at all."""

from __future__ import annotations

import dataclasses
import json

import streamlit as st

from lstm_core.config import ConfigError, RunConfig

from .state import set_widgets

UPLOAD = "settings_file"
PENDING = "settings_file_pending"   # the validated settings, waiting for the data's columns
MESSAGE = "settings_file_message"   # (kind, text) said under the uploader
# Settings that name columns: only taken when the data has those columns.
COLUMN_ROLES = ("target", "id_column", "order_column", "label_column", "text_column")
KNOWN = {f.name for f in dataclasses.fields(RunConfig)} - {"extra"}


def settings_file_uploader() -> None:
    """The uploader in the sidebar and what became of the last file dropped on it."""
    st.sidebar.file_uploader("Load settings from config.json", type=["json"], key=UPLOAD, on_change=_read,
                             help="A config.json exported from a run (or written by hand): its settings replace "
                                  "the sidebar's.")
    message = st.session_state.get(MESSAGE)
    if message:
        kind, text = message
        (st.sidebar.success if kind == "success" else st.sidebar.error)(text)


def _read() -> None:
    """on_change: runs before the script, so a good file's settings reach the widgets before they are drawn."""
    upload = st.session_state.get(UPLOAD)
    st.session_state.pop(PENDING, None)
    if upload is None:
        st.session_state.pop(MESSAGE, None)
        return
    try:
        values = parse_settings(upload.getvalue())
    except ConfigError as problem:
        st.session_state[MESSAGE] = ("error", f"{upload.name} was not loaded, nothing changed: {problem}")
        return
    st.session_state[PENDING] = (upload.name, values)


def parse_settings(raw: bytes) -> dict:
    """The settings a file holds, checked by RunConfig; ConfigError names what is wrong."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("the file is not text (UTF-8 JSON expected)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict) and not set(data) & KNOWN:
        keys = ", ".join(sorted(map(str, data))[:6]) or "none"
        raise ConfigError(f"it holds no playground settings (its keys: {keys}); it looks like another tool's file")
    config = RunConfig.from_json(text)  # names the unknown settings and the out-of-range values
    return {key: value for key, value in config.to_dict().items() if key in data}


def apply_pending_settings(columns: list[str] | None) -> None:
    """Sets the widgets from a file read by `_read`; column roles the data lacks are left as they are."""
    pending = st.session_state.pop(PENDING, None)
    if pending is None:
        return
    name, values = pending
    skipped = []
    if columns is not None:
        for role in COLUMN_ROLES:
            if values.get(role) is not None and values[role] not in columns:
                skipped.append(f"{role} '{values.pop(role)}'")
        if values.get("features"):
            absent = [c for c in values["features"] if c not in columns]
            if absent:
                skipped.append("features " + ", ".join(f"'{c}'" for c in absent))
                values["features"] = [c for c in values["features"] if c in columns]
    set_widgets(values)
    text = f"Loaded {len(values)} settings from {name}."
    if skipped:
        text += " Not columns of this data, so left as they were: " + "; ".join(skipped) + "."
    st.session_state[MESSAGE] = ("success", text)

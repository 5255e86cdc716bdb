"""The few session keys the pages share, and the one way a fix reaches the widgets."""

from __future__ import annotations

import gc
from typing import Any

import streamlit as st

DATA_ID = "data_id"          # which data the settings belong to (sample name or upload digest)
LAST_FIX = "last_fix"        # the patch just applied, to say so on the page
AUTO = "auto"


def widget_key(field: str) -> str:
    return f"cfg.{field}"


def to_widget(field: str, value: Any) -> Any:
    if field in ("output_activation", "loss"):
        return value or AUTO
    if field in ("output_units", "maxlen"):
        return value or 0
    if field == "features":
        return list(value)
    return value


def from_widget(field: str, value: Any) -> Any:
    if field in ("output_activation", "loss"):
        return None if value == AUTO else value
    if field in ("output_units", "maxlen"):
        return int(value) or None
    if field == "features":
        return tuple(value)
    return value


def apply_fix(patch: dict[str, Any]) -> None:
    """An "Apply fix" click: write the patch into the settings widgets; the rerun re-checks everything."""
    for field, value in patch.items():
        st.session_state[widget_key(field)] = to_widget(field, value)
    st.session_state[LAST_FIX] = patch


def set_widgets(values: dict[str, Any]) -> None:
    for field, value in values.items():
        st.session_state[widget_key(field)] = to_widget(field, value)


def keep_settings() -> None:
    """Re-assert the settings so switching pages does not clear them (Streamlit drops unrendered widgets' state)."""
    for key in list(st.session_state):
        # A sweep's boxes (PAGE.sweep.setting1, …) too: its values stay typed when the user looks at another page.
        if key.startswith(("cfg.", "text.")) or _sweep_box(key) or key in ("source", "sample"):
            st.session_state[key] = st.session_state[key]


def _sweep_box(key: str) -> bool:
    return any(f".sweep.{box}" in key for box in ("setting1", "values1", "setting2", "values2"))


_frozen = False


def freeze_imported() -> None:
    """Called by every page after its imports: the first time in the server process, leave every object loaded so
    far out of garbage collection (gc.freeze). Streamlit collects garbage after every script run, a live view's
    timed fragment runs included (runner.postScriptGC), and each collection went through the ~120,000 objects of
    the imported libraries again: 0.12 s of the server's CPU a rerun before, 0.05 s after (bench/rerun_gc.py)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()

"""This browser's workspace: an unguessable id in the page's URL (?ws=…) that brings its runs back on a reload,
a bookmark or a move between pages; and the server's one job engine and run store."""

from __future__ import annotations

import streamlit as st

from lstm_core.jobs import engine
from lstm_core.store import RunStore, new_workspace_id, valid_workspace_id

PARAM = "ws"
WORKSPACE = "workspace_id"   # the session's copy: Streamlit drops query parameters when the page changes


def workspace_id() -> str:
    """The URL's workspace when it holds a valid one, else the session's, else a new one; the URL then shows it."""
    from_url = st.query_params.get(PARAM)
    if valid_workspace_id(from_url):
        workspace = from_url
    elif valid_workspace_id(st.session_state.get(WORKSPACE)):
        workspace = st.session_state[WORKSPACE]
    else:
        workspace = new_workspace_id()
    st.session_state[WORKSPACE] = workspace
    if from_url != workspace:
        st.query_params[PARAM] = workspace
    return workspace


def run_store() -> RunStore:
    """The store the engine writes to (one per server process; sqlite connections are per thread)."""
    return engine().store

"""The Playground's reading of its data: a calendar table's layout, and the sampling the Data check page shows."""

from __future__ import annotations

import streamlit as st

from lstm_core.config import RESHAPES
from lstm_core.data import Dataset, reshaped
from lstm_core.tasks.forecast.profile import read_sampling

from .findings import plain
from .state import DATA_ID, widget_key

RESHAPE_LABELS = {"none": "as in the file", "months": "melt the month columns into one monthly series",
                  "quarters": "melt the quarter columns into one quarterly series",
                  "weekdays": "melt the weekday columns into one daily series"}
__all__ = ["layout_control", "reshape_for", "reshaped", "sampling_caption"]


def reshape_for(data_id: str) -> str:
    """The layout chosen for this data (RunConfig.reshape); new data starts as in the file."""
    key = widget_key("reshape")
    return st.session_state.get(key, "none") if st.session_state.get(DATA_ID) == data_id else "none"


def layout_control(dataset: Dataset) -> None:
    """For a calendar table (a row per year, a column per month …): read it as in the file, or melted."""
    if dataset.reshaped == "none" and not any(note.code == "DATA110" for note in dataset.notes):
        return
    key = widget_key("reshape")
    st.session_state.setdefault(key, "none")
    st.selectbox("Layout", list(RESHAPES), key=key, format_func=RESHAPE_LABELS.get, on_change=_forget_target,
                 help="A table with one row per year and one column per month is one series laid out by year.")


def _forget_target() -> None:
    # The columns change with the layout: the target is chosen again (the last numeric column).
    st.session_state.pop(widget_key("target"), None)


def sampling_caption(dataset: Dataset) -> None:
    """The same reading of the sampling as the Data check page: "weekly data; season 52 detected"."""
    target = st.session_state.get(widget_key("target"))
    if target not in dataset.numeric_columns:
        return
    reading = read_sampling(dataset, target)
    season = st.session_state.get(widget_key("season"), 0)
    differs = f" · the sidebar's season is {season}" if season and season != reading.season else ""
    st.caption(f"Sampling: {plain(reading.headline())}{differs}")

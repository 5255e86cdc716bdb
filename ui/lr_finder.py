"""The learning-rate range test on the page: a button, the loss-vs-rate chart, and "Use this rate"."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from lstm_core.errors import translate
from lstm_core.jobs import reader_for
from lstm_core.jobs.calls import model_calls, range_test

from .findings import render_finding, render_findings
from .state import DATA_ID, apply_fix

LR_TEST = "lr_test"  # {"data_id", "settings", "test"}: the latest range test and what it was run on
# Settings that change the loss curve of the test; the learning rate and the epochs do not.
_IGNORED = ("learning_rate", "epochs", "early_stopping", "patience")


def lr_finder_part(prepared, source: tuple[bytes, str] | None = None) -> None:
    """`prepared` is None while the checks block training: the button is then disabled. `source` is the data's
    bytes and file name: the test trains in a helper process, which reads them again."""
    with st.expander("Learning-rate range test", expanded=LR_TEST in st.session_state):
        st.caption("Trains a fresh copy of the model for a few hundred batches while the learning rate grows from "
                   "1e-7 to 1, and suggests the rate where the loss falls fastest. Your trained model is not touched.")
        clicked = st.button("Find a learning rate", key="lr_find", disabled=prepared is None,
                            help=None if prepared is not None else "Resolve the errors above first.")
        if clicked and prepared is not None and source is not None:
            _run(prepared, source)
        stored = st.session_state.get(LR_TEST)
        if stored is None:
            return
        if prepared is None or stored["data_id"] != st.session_state.get(DATA_ID) or \
                stored["settings"] != _settings(prepared.config):
            st.caption("The data or the model settings changed since the last test: run it again.")
            return
        if "error" in stored:
            render_finding(stored["error"], key="lr-error", fixable=False)
            return
        _show(stored["test"], prepared.config.learning_rate)


def _run(prepared, source: tuple[bytes, str]) -> None:
    stored = {"data_id": st.session_state.get(DATA_ID), "settings": _settings(prepared.config)}
    raw, name = source
    with st.spinner("Running the range test on a fresh copy of the model…"):
        try:
            stored["test"] = model_calls().run(range_test, reader_for(prepared.config), raw, name,
                                               prepared.config.to_json())
        except Exception as exc:  # the page's boundary: a failing test is a finding, never a traceback
            stored["error"] = translate(exc, area="the learning-rate range test")
    st.session_state[LR_TEST] = stored


def _settings(config) -> dict:
    return {key: value for key, value in config.to_dict().items() if key not in _IGNORED}


def _show(test, current: float) -> None:
    st.plotly_chart(range_chart(test, current), width="stretch")
    render_findings(test.findings, key="lr", fixable=False)
    if test.suggested_lr is None:
        return
    left, right = st.columns([3, 2])
    left.markdown(f"Suggested learning rate: **{test.suggested_lr:g}** (now {current:g})")
    right.button(f"Use this rate: {test.suggested_lr:g}", key="lr_use", on_click=apply_fix,
                 args=({"learning_rate": test.suggested_lr},), disabled=current == test.suggested_lr,
                 help="Sets the learning rate in the sidebar's training settings.")


def range_chart(test, current: float | None = None) -> go.Figure:
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=test.lrs[: len(test.losses)], y=test.losses, name="loss per batch",
                                mode="lines", line={"color": "#bbbbbb", "width": 1}))
    figure.add_trace(go.Scatter(x=test.lrs[: len(test.smoothed)], y=test.smoothed, name="smoothed",
                                mode="lines", line={"color": "#1f77b4"}))
    if test.suggested_lr is not None:
        figure.add_vline(x=test.suggested_lr, line={"dash": "dash", "color": "green"},
                         annotation_text=f"suggested {test.suggested_lr:g}", annotation_position="top left")
    if current:
        figure.add_vline(x=current, line={"dash": "dot", "color": "#888888"}, annotation_text="current",
                         annotation_position="bottom right")
    finite = [v for v in test.smoothed if v is not None]
    figure.update_layout(title="Loss vs learning rate", xaxis_title="learning rate (log scale)", yaxis_title="loss",
                         height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         legend={"orientation": "h", "y": -0.25})
    figure.update_xaxes(type="log")
    if finite:
        # The raw losses of the last, exploding steps would squash the part of the curve that matters.
        figure.update_yaxes(range=[min(finite) * 0.9 if min(finite) > 0 else min(finite), max(finite) * 1.1])
    return figure

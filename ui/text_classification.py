"""Text classification on its page: its own settings (keys "text.<field>", apart from the Playground's), the
text-length histogram, live training with a stop button, and the results with the sentence box."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lstm_core.config import LIMITS, LOSSES, OUTPUT_ACTIVATIONS, ConfigError, RunConfig
from lstm_core.errors import translate
from lstm_core.pipeline import runner_for

from .findings import plain, render_finding
from .training import LiveView

PREFIX = "text."
RUN, PREPARED, REPORT, FIX = "text_run", "text_prepared", "text_report", "text_last_fix"
AUTO = "auto"
# Settings the page offers, in the sidebar's order; the rest stay at RunConfig's defaults.
FIELDS = ("text_column", "label_column", "vocab_size", "maxlen", "embedding_dim", "layers", "units", "bidirectional",
          "dropout", "output_units", "output_activation", "loss", "learning_rate", "batch_size", "epochs",
          "patience", "val_fraction", "test_fraction", "seed")


def key(field: str) -> str:
    return PREFIX + field


def to_widget(field: str, value: Any) -> Any:
    if field in ("output_activation", "loss"):
        return value or AUTO
    if field in ("output_units", "maxlen"):
        return value or 0
    return value


def from_widget(field: str, value: Any) -> Any:
    if field in ("output_activation", "loss"):
        return None if value == AUTO else value
    if field in ("output_units", "maxlen"):
        return int(value) or None
    return value


def set_settings(config: RunConfig) -> None:
    for field in FIELDS:
        st.session_state[key(field)] = to_widget(field, getattr(config, field))


def apply_fix(patch: dict) -> None:
    """An "Apply fix" click on this page: the patch goes into this page's widgets; the rerun re-checks."""
    for field, value in patch.items():
        st.session_state[key(field)] = to_widget(field, value)
    st.session_state[FIX] = patch


def read_config() -> tuple[RunConfig | None, str | None]:
    values = {f: from_widget(f, st.session_state[key(f)]) for f in FIELDS if key(f) in st.session_state}
    try:
        return RunConfig(task="text-classify", **values), None
    except ConfigError as problem:
        return None, str(problem)


def _number(container, label: str, field: str, step, fmt: str | None = None, help: str | None = None) -> None:
    low, high = LIMITS[field]
    low = 0 if field in ("output_units", "maxlen") else low
    kind = float if isinstance(step, float) else int
    container.number_input(label, min_value=kind(low), max_value=kind(high), step=step, format=fmt, key=key(field),
                           help=help)


def settings_sidebar() -> None:
    defaults = RunConfig(task="text-classify")
    for field in FIELDS:
        st.session_state.setdefault(key(field), to_widget(field, getattr(defaults, field)))
    side = st.sidebar
    side.header("Settings")
    with side.expander("Words", expanded=True):
        _number(st, "Vocabulary size", "vocab_size", 100,
                help="The most frequent words of the training texts are kept; the rest become [UNK].")
        _number(st, "Sequence length in words (0 = 95th percentile)", "maxlen", 1,
                help="Longer texts keep their first words; shorter ones are padded, and the padding is masked.")
        _number(st, "Embedding size", "embedding_dim", 1, help="Numbers learnt per word.")
    with side.expander("Model", expanded=True):
        _number(st, "LSTM layers", "layers", 1)
        _number(st, "Units per layer", "units", 1)
        st.checkbox("Bidirectional", key=key("bidirectional"))
        _number(st, "Dropout", "dropout", 0.05, "%.2f")
        st.caption("Head: leave on auto, or override it to see what goes wrong.")
        _number(st, "Output units (0 = auto)", "output_units", 1)
        st.selectbox("Output activation", [AUTO, *OUTPUT_ACTIVATIONS], key=key("output_activation"))
        st.selectbox("Loss", [AUTO, *LOSSES], key=key("loss"))
    with side.expander("Training", expanded=True):
        _number(st, "Learning rate", "learning_rate", 0.0001, "%.6g")
        _number(st, "Batch size", "batch_size", 1)
        _number(st, "Epochs", "epochs", 1)
        _number(st, "Patience (epochs)", "patience", 1)
        _number(st, "Validation fraction", "val_fraction", 0.05, "%.2f")
        _number(st, "Test fraction", "test_fraction", 0.05, "%.2f")
        _number(st, "Seed", "seed", 1)


def length_histogram(lengths: np.ndarray, maxlen: int, truncated_share: float) -> go.Figure:
    figure = go.Figure(go.Histogram(x=lengths, nbinsx=min(60, int(lengths.max() - lengths.min()) + 1),
                                    name="texts"))
    figure.add_vline(x=maxlen + 0.5, line={"dash": "dash", "color": "crimson"},
                     annotation_text=f"maxlen {maxlen}: {truncated_share:.0%} cut")
    figure.update_layout(title="Text lengths in words", xaxis_title="words", yaxis_title="texts", height=280,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def train_live(prepared) -> None:
    """Vectorise, then fit with the shared Runner: the live chart, the stop button and the monitors as elsewhere."""
    from lstm_core.text.classify_model import TEXT_JIT, vectorise

    progress = st.progress(0.0, text="Learning the vocabulary from the training texts…")
    try:
        vectorise(prepared)
    except Exception as exc:  # the page's boundary
        progress.empty()
        render_finding(translate(exc, area="vectorising the texts"), key="vectorise", fixable=False)
        return
    runner = runner_for(prepared, ticks=True, jit_compile=TEXT_JIT)
    # Kept before fit: a click that interrupts the run leaves its model and curve in the session.
    st.session_state[RUN], st.session_state[PREPARED] = runner.state, prepared
    st.session_state.pop(REPORT, None)
    stop_slot = st.empty()
    stop_slot.button("Stop training", key="text_stop",
                     help="Ends the run now; the model and the curve so far are kept.")
    chart_column, notes_column = st.columns([3, 1])
    chart, notes = chart_column.empty(), notes_column.empty()
    runner.listeners.append(LiveView(progress, chart, prepared.config.epochs, notes))
    try:
        runner.run()
    except Exception as exc:  # TensorFlow's errors become a finding
        runner.state.status, runner.state.reason = "error", "training failed"
        runner.state.findings.append(translate(exc))
    for slot in (stop_slot, progress, chart, notes):
        slot.empty()
    finish_run()


def finish_interrupted_run() -> None:
    state = st.session_state.get(RUN)
    if state is not None and state.status == "running":
        state.status, state.reason = "stopped_early", f"stopped by you after {state.epochs_done} epoch(s)"
        finish_run()


def finish_run() -> None:
    from lstm_core.text.classify_model import evaluate_text_classifier

    state, prepared = st.session_state[RUN], st.session_state[PREPARED]
    if state.model is None or state.status in ("diverged", "error") or state.epochs_done == 0:
        return
    try:
        st.session_state[REPORT] = evaluate_text_classifier(prepared, state.model)
    except Exception as exc:  # a model that cannot predict is reported, not raised
        state.findings.append(translate(exc, area="evaluation"))


def split_table(split_counts: dict) -> pd.DataFrame:
    table = pd.DataFrame(split_counts).fillna(0).astype(int)
    table.index.name = "class"
    return table


def scores_table(report) -> pd.DataFrame:
    scores = pd.DataFrame(report.per_class).T
    scores.index.name = "class"
    return scores


def probability_chart(row: pd.Series, classes: tuple[str, ...]) -> go.Figure:
    values = [float(row[f"p_{c}"]) for c in classes]
    figure = go.Figure(go.Bar(x=values, y=[str(c) for c in classes], orientation="h",
                              text=[f"{v:.1%}" for v in values], textposition="auto"))
    figure.update_layout(title="Class probabilities", xaxis={"range": [0, 1], "title": "probability"}, height=220,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def sentence_box(prepared, state) -> None:
    from lstm_core.text.classify import words
    from lstm_core.text.classify_model import predict_texts

    sentence = st.text_input("Type a sentence to classify", key="text_sentence",
                             placeholder="e.g. I was charged twice for my order")
    if not sentence.strip():
        return
    if not words(sentence):
        st.warning("That has no words once punctuation is stripped; type a few words.")
        return
    try:
        table = predict_texts(prepared.windows, state.model, [sentence])
    except Exception as exc:  # the page's boundary
        st.error(f"Could not classify it: {plain(str(translate(exc).title))}")
        return
    row = table.iloc[0]
    unknown = [w for w in words(sentence) if w not in set(prepared.windows.vocabulary)]
    note = f" · unknown to the model: {', '.join(unknown)}" if unknown else ""
    st.markdown(f"Predicted: **{plain(row['predicted'])}** ({float(row['p_' + row['predicted']]):.1%}){plain(note)}")
    st.plotly_chart(probability_chart(row, prepared.classes), width="stretch")
    st.dataframe(table.drop(columns=["text"]), hide_index=True, width="stretch")

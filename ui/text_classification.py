"""Text classification on its page: its own settings (keys "text.<field>", apart from the Playground's), the
text-length histogram, and a stored run's results with the sentence box (classified in the helper process)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lstm_core.config import LIMITS, LOSSES, OUTPUT_ACTIVATIONS, ConfigError, RunConfig
from lstm_core.errors import translate
from lstm_core.jobs.calls import classify_texts, model_calls
from lstm_core.tasks.text_classify.prepare import words

from . import charts
from .classification import confusion_chart
from .export import export_part
from .findings import plain, render_findings
from .results import model_part, settings_note, status_line
from .stored import report_of
from .workspace import run_store

PREFIX = "text."
FIX = "text_last_fix"
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


def set_fields(values: dict) -> None:
    """Some settings into this page's widgets (a sweep's best values), without calling them a fix."""
    for field, value in values.items():
        st.session_state[key(field)] = to_widget(field, value)


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


def render_text_results(record, current_config=None) -> None:
    """A stored run's results, drawn for the settings it was trained with (never the sidebar's)."""
    st.subheader("4 · Results")
    st.markdown(status_line(record, "compiling the masked LSTM costs more than it saves"))
    settings_note(record, current_config)
    render_findings(record.findings, key="text-run", on_fix=apply_fix)
    if record.epochs:
        markers = [{"epoch": f.epoch, "code": f.code} for f in record.findings if f.epoch]
        st.plotly_chart(charts.loss_chart(record.history, None, markers=markers, best_epoch=record.best_epoch),
                        width="stretch", key="text-loss")
    report = report_of(record)
    if report is None:
        return
    scores = report.report
    (st.success if scores.accuracy > scores.baseline_accuracy else st.warning)(scores.verdict)
    st.markdown(f"**Accuracy {scores.accuracy:.1%}** · majority baseline ({plain(scores.majority_class)}) "
                f"{scores.baseline_accuracy:.1%}")
    left, right = st.columns(2)
    left.dataframe(scores_table(scores), width="stretch")
    right.plotly_chart(confusion_chart(scores.confusion, scores.classes), width="stretch")
    st.markdown("**Misclassified test texts** (the most confident mistakes first)")
    if len(report.mistakes):
        st.dataframe(report.mistakes, hide_index=True, width="stretch")
    else:
        st.caption("None: every test text was classified correctly.")
    if record.has_artifacts:
        sentence_box(record, scores.classes)
        model_part(record)
        export_part(record)


@st.cache_data(max_entries=8, show_spinner=False)
def _vocabulary(run_id: str) -> frozenset[str] | None:
    """The words the run's model knows, from its stored preprocessing.json (no model needed)."""
    preprocessing = run_store().artifact(run_id, "preprocessing.json")
    if not preprocessing:
        return None
    words_known = json.loads(preprocessing).get("vocabulary")
    return frozenset(words_known) if words_known is not None else None


def sentence_box(record, classes) -> None:
    """Classify a typed sentence with the run's model, in the helper process."""
    sentence = st.text_input("Type a sentence to classify", key="text_sentence",
                             placeholder="e.g. I was charged twice for my order")
    if not sentence.strip():
        return
    if not words(sentence):
        st.warning("That has no words once punctuation is stripped; type a few words.")
        return
    try:
        with st.spinner("Classifying…"):
            table = model_calls().run(classify_texts, str(run_store().home), record.key, [sentence])
    except Exception as exc:  # the page's boundary
        st.error(f"Could not classify it: {plain(str(translate(exc).title))}")
        return
    row = table.iloc[0]
    vocabulary = _vocabulary(record.key)
    unknown = [w for w in words(sentence) if vocabulary is not None and w not in vocabulary]
    note = f" · unknown to the model: {', '.join(unknown)}" if unknown else ""
    st.markdown(f"Predicted: **{plain(row['predicted'])}** ({float(row['p_' + row['predicted']]):.1%}){plain(note)}")
    st.plotly_chart(probability_chart(row, tuple(classes)), width="stretch")
    st.dataframe(table.drop(columns=["text"]), hide_index=True, width="stretch")

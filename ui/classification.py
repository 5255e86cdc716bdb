"""Classification on the page: column roles, lengths and classes before training, scores after."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lstm_core.config import LABEL_CONFLICTS, MISSING
from lstm_core.data import Dataset
from lstm_core.errors import translate
from lstm_core.findings import ProblemError
from lstm_core.jobs.calls import model_calls, predict_file
from lstm_core.limits import limit
from lstm_core.safe_export import safe_csv
from lstm_core.tasks.sequences import ClassPrepared, guess_layout

from .controls import MISSING_LABELS
from .findings import plain, render_finding
from .state import apply_fix, widget_key
from .workspace import run_store

NONE = "—"
CONFLICT_LABELS = {"none": "not chosen yet", "last": "use the last label", "majority": "use the majority label",
                   "drop": "drop those sequences"}


def role_controls(dataset: Dataset, task: str) -> None:
    """Pickers for the layout and the columns' roles, with the page's guess and a button to take it."""
    guess = guess_layout(dataset)
    columns = list(dataset.frame.columns)
    st.caption(f"Guess: {plain(guess.reason)}")
    st.button("Use the guess", key="use_guess", on_click=apply_fix, args=(guess.patch(),),
              help="Sets the task, layout and column roles to what the page guessed.")
    left, right = st.columns(2)
    if task == "classify-sequences":
        left.selectbox("Layout", ["auto", "long", "wide"], key=_ensure("layout", "auto"),
                       help="long: one row per time step with a sequence id; wide: one row per sequence.")
        _column(right, "Sequence id column (long layout)", "id_column", columns)
        _column(left, "Order column (optional)", "order_column", columns)
    _column(right if task == "classify-sequences" else left, "Label column", "label_column", columns)
    taken = {st.session_state.get(widget_key(k)) for k in ("id_column", "order_column", "label_column")}
    options = [c for c in dataset.numeric_columns if c not in taken]
    key = _ensure("features", ())
    st.session_state[key] = [c for c in st.session_state[key] if c in options]
    st.multiselect("Feature columns (empty: every numeric column without a role)", options, key=key)
    left, right = st.columns(2)
    if task == "classify-sequences":
        left.selectbox("A label that changes within a sequence", list(LABEL_CONFLICTS), key=_ensure(
            "label_conflict", "none"), format_func=lambda v: CONFLICT_LABELS.get(v, v))
    right.selectbox("Missing values", list(MISSING), key=_ensure("missing", "none"),
                    format_func=lambda v: MISSING_LABELS.get(v, v))


def _column(container, label: str, field: str, columns: list) -> None:
    key = _ensure(field, None)
    if st.session_state[key] not in (None, *columns):
        st.session_state[key] = None
    container.selectbox(label, [None, *columns], key=key, format_func=lambda v: NONE if v is None else str(v))


def _ensure(field: str, value) -> str:
    key = widget_key(field)
    st.session_state.setdefault(key, value)
    return key


def summary_line(prepared: ClassPrepared) -> str:
    counts = prepared.counts()
    unit = "sequences" if prepared.config.task == "classify-sequences" else "windows"
    features = prepared.windows.features if prepared.windows is not None else len(prepared.config.features)
    return (f"No problems found. {prepared.config.task.replace('-', ' ')}: {counts.get('train', 0)} train · "
            f"{counts.get('val', 0)} validation · {counts.get('test', 0)} test {unit}, {len(prepared.classes)} "
            f"classes, {prepared.maxlen} steps × {features} feature(s).")


def data_view(prepared: ClassPrepared) -> None:
    with st.expander("Classes, splits and sequence lengths", expanded=True):
        left, right = st.columns(2)
        with left:
            table = pd.DataFrame(prepared.split_counts).fillna(0).astype(int)
            table.index.name = "class"
            st.caption("Examples per class in each split (stratified)")
            st.dataframe(table, width="stretch")
            mapping = ", ".join(f"{plain(name)} → {code}" for name, code in prepared.encoder.mapping().items())
            st.caption(f"Label encoding: {mapping}")
        with right:
            lengths = prepared.lengths
            if len(lengths):
                st.plotly_chart(length_histogram(lengths, prepared.maxlen), width="stretch")
                summary = prepared.length_summary()
                if summary.get("ragged") and summary.get("pad_value") is not None:
                    masked = "is masked, so the model skips it" if prepared.config.masking else "is NOT masked"
                    st.caption(f"Lengths differ ({summary['min']}–{summary['max']}): {summary['padded']} padded and "
                               f"{summary['truncated']} truncated to {summary['maxlen']} steps; padding value "
                               f"{summary['pad_value']:.4g} {masked}.")


def length_histogram(lengths: np.ndarray, maxlen: int) -> go.Figure:
    figure = go.Figure(go.Histogram(x=lengths, nbinsx=min(40, int(lengths.max() - lengths.min()) + 1)))
    figure.add_vline(x=maxlen, line={"dash": "dash", "color": "crimson"}, annotation_text=f"maxlen {maxlen}")
    figure.update_layout(title="Sequence lengths", xaxis_title="steps", yaxis_title="sequences", height=260,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def confusion_chart(matrix: np.ndarray, classes: tuple[str, ...]) -> go.Figure:
    names = [html.escape(str(c)) for c in classes]  # class names come from the file: shown, never read as tags
    figure = go.Figure(go.Heatmap(z=matrix, x=names, y=names, colorscale="Blues", text=matrix,
                                  texttemplate="%{text}", showscale=False))
    # Category axes with one tick per class: labels 0 and 1 are names here, not positions on a number line.
    ticks = {"type": "category", "tickmode": "array", "tickvals": names, "ticktext": names,
             "categoryorder": "array", "categoryarray": names}
    figure.update_layout(title="Confusion matrix (test part)", xaxis_title="predicted", yaxis_title="actual",
                         xaxis=ticks, yaxis={**ticks, "autorange": "reversed"}, height=320,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def render_classification_results(prepared: ClassPrepared, record, report) -> None:
    beat = report.accuracy > report.baseline_accuracy
    (st.success if beat else st.warning)(report.verdict)
    auc = f" · ROC AUC {report.roc_auc:.3f}" if report.roc_auc is not None else ""
    st.markdown(f"**Accuracy {report.accuracy:.1%}** · majority baseline ({plain(report.majority_class)}) "
                f"{report.baseline_accuracy:.1%}{auc}")
    left, right = st.columns(2)
    scores = pd.DataFrame(report.per_class).T
    scores.index.name = "class"
    left.dataframe(scores, width="stretch")
    right.plotly_chart(confusion_chart(np.asarray(report.confusion), prepared.classes), width="stretch")
    predict_part(record)


def predict_part(record) -> None:
    st.markdown("**Classify new data** — a CSV in the same layout, with the same columns (the label may be absent).")
    upload = st.file_uploader("CSV of new sequences", type=["csv", "tsv", "txt"], key="predict_upload",
                              max_upload_size=limit("max_upload_mb"))
    if upload is None:
        return
    try:
        with st.spinner(f"Classifying {upload.name} with run #{record.id}'s model…"):
            table = model_calls().run(predict_file, str(run_store().home), record.key, upload.getvalue(), upload.name)
    except ProblemError as problem:
        render_finding(problem.finding, key="predict", fixable=False)
        return
    except Exception as exc:  # the page's boundary
        render_finding(translate(exc, area=f"classifying {upload.name}"), key="predict", fixable=False)
        return
    st.dataframe(table.head(200), width="stretch", hide_index=True)
    st.download_button("Download the predictions (CSV)", safe_csv(table), file_name="predictions.csv",
                       mime="text/csv", key="predict_download")

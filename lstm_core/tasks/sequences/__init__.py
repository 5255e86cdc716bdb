"""Sequence classification: whole sequences (long or wide CSV) or per-window labels on one series.

The flow, as for a forecast: guess_layout → prepare_classification (checks included) → train_classifier (the same
Runner) → evaluate_classifier → predict_csv for new data. No TensorFlow is imported until training.
"""

from __future__ import annotations

from lstm_core.config import RunConfig
from lstm_core.data import Dataset, reshaped
from lstm_core.tasks.sequences.labels import LabelEncoder
from lstm_core.tasks.sequences.layout import LayoutGuess, guess_layout, resolve_task
from lstm_core.tasks.sequences.prepare import ClassificationData, ClassPrepared, prepare_classification
from lstm_core.tasks.sequences.results import ClassificationReport, classification_report, confusion_matrix, roc_auc
from lstm_core.tasks.sequences.run import evaluate_classifier, predict_csv, predict_dataset, train_classifier
from lstm_core.tasks.sequences.shaping import MAXLEN_PERCENTILE, auto_maxlen, stratified_split


def prepare_any(dataset: Dataset, config: RunConfig):
    """One entry for every task: "auto" is resolved from the guessed layout, a forecast goes through
    pipeline.prepare (returns Prepared), a classification through prepare_classification (ClassPrepared). A table
    of month (quarter, weekday) columns is melted first when the config asks for it."""
    from lstm_core.tasks.forecast.pipeline import prepare

    dataset = reshaped(dataset, config.reshape)
    resolved, _ = resolve_task(dataset, config) if config.task in ("auto", "classify-sequences",
                                                                   "classify-windows") else (config, None)
    if resolved.task == "forecast":
        return prepare(dataset, resolved)
    return prepare_classification(dataset, resolved)


__all__ = ["MAXLEN_PERCENTILE", "ClassPrepared", "ClassificationData", "ClassificationReport", "LabelEncoder",
           "LayoutGuess", "auto_maxlen", "classification_report", "confusion_matrix", "evaluate_classifier",
           "guess_layout", "predict_csv", "predict_dataset", "prepare_any", "prepare_classification", "resolve_task",
           "roc_auc", "stratified_split", "train_classifier"]

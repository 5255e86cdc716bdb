"""Sequence classification: whole sequences (long or wide CSV) or per-window labels on one series.

The flow, as for a forecast: guess_layout → prepare_classification (checks included) → train_classifier (the same
Runner) → evaluate_classifier → predict_csv for new data. No TensorFlow is imported until training.
"""

from __future__ import annotations

from lstm_core.tasks.sequences.labels import LabelEncoder
from lstm_core.tasks.sequences.layout import LayoutGuess, guess_layout, resolve_task
from lstm_core.tasks.sequences.prepare import ClassificationData, ClassPrepared, prepare_classification
from lstm_core.tasks.sequences.results import ClassificationReport, classification_report, confusion_matrix, roc_auc
from lstm_core.tasks.sequences.run import evaluate_classifier, predict_csv, predict_dataset, train_classifier
from lstm_core.tasks.sequences.shaping import MAXLEN_PERCENTILE, auto_maxlen, stratified_split

__all__ = ["MAXLEN_PERCENTILE", "ClassPrepared", "ClassificationData", "ClassificationReport", "LabelEncoder",
           "LayoutGuess", "auto_maxlen", "classification_report", "confusion_matrix", "evaluate_classifier",
           "guess_layout", "predict_csv", "predict_dataset", "prepare_classification", "resolve_task",
           "roc_auc", "stratified_split", "train_classifier"]

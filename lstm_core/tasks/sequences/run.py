"""Training a classifier, scoring it on its test part, and classifying new sequences from a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from lstm_core.data import Dataset, handle_missing, load_csv
from lstm_core.findings import Finding, ProblemError
from lstm_core.tasks.sequences.prepare import ClassPrepared, row_ids
from lstm_core.tasks.sequences.results import ClassificationReport, classification_report, probabilities
from lstm_core.tasks.sequences.sequences import handle_missing_steps, leave_out, read_sequences
from lstm_core.tasks.sequences.shaping import pad_sequences

PREDICT_BATCH = 256


def train_classifier(prepared: ClassPrepared, listeners=(), jit_compile: bool | None = None, monitors: bool = True):
    """Fit with the same Runner and monitors as a forecast (events, stop flag, XLA fallback); returns its RunState."""
    from lstm_core.windowed import train

    return train(prepared, listeners, monitors=monitors, jit_compile=jit_compile)


def evaluate_classifier(prepared: ClassPrepared, model) -> ClassificationReport:
    """Accuracy, per-class scores, confusion matrix, ROC AUC (two classes) and the majority baseline on the test
    part; the baseline's class is the most common one in the training part."""
    data = prepared.windows
    probs = probabilities(_predict(model, data.x_test), len(data.encoder))
    return classification_report(data.y_test, probs, data.classes, data.y_train, data.ids.get("test"))


def predict_csv(source: bytes | str | Path, prepared: ClassPrepared, model, name: str | None = None) -> pd.DataFrame:
    """Classify every sequence (or window) of a CSV laid out like the training file; the label column may be
    absent. Returns one row per sequence: id, predicted class name, and p_<class> for every class."""
    return predict_dataset(load_csv(source, name), prepared, model)


def predict_dataset(dataset: Dataset, prepared: ClassPrepared, model) -> pd.DataFrame:
    data, config = prepared.windows, prepared.config
    if data is None:
        raise ValueError("the prepared data has blocking findings; train a model before predicting")
    frame = dataset.frame
    if config.task == "classify-windows":
        x, ids = _new_windows(dataset, prepared)
    else:
        x, ids = _new_sequences(frame, prepared, dataset.name)
    probs = probabilities(_predict(model, x), len(data.encoder))
    out = pd.DataFrame({"id": ids, "predicted": [data.classes[i] for i in np.argmax(probs, axis=1)]})
    for index, name in enumerate(data.classes):
        out[f"p_{name}"] = probs[:, index]
    return out


def _new_sequences(frame: pd.DataFrame, prepared: ClassPrepared, name: str) -> tuple[np.ndarray, list]:
    data, config = prepared.windows, prepared.config
    wide = config.layout == "wide"
    needed = [config.id_column] if not wide else []
    needed += [config.order_column] if config.order_column else []
    needed += [] if wide else list(config.features)
    _require_columns(frame, needed, name)
    if wide:
        present = [c for c in config.features if c in frame.columns]
        if not present:
            _require_columns(frame, list(config.features[:1]), name)
        # Step columns the new file lacks count as empty cells: trailing ones make a shorter sequence.
        frame = frame.reindex(columns=[*frame.columns, *[c for c in config.features if c not in frame.columns]])
    label = config.label_column if config.label_column in frame.columns else None
    sequences = read_sequences(frame, config.replace(label_column=label), need_labels=False)
    sequences = leave_out(handle_missing_steps(sequences, config.missing), 1, need_labels=False)
    if not len(sequences):
        raise ProblemError(Finding("DATA020", "error", f"No sequence with any step in {name}",
                                   "Every sequence is empty after the missing-value choice.", area="data"))
    _no_missing_left(sequences.values(), name, config.missing)
    scaled = [data.scaler.transform(steps) for steps in sequences.steps]
    pad = config.pad if config.pad != "none" else "pre"
    x = pad_sequences(scaled, data.maxlen, data.features, pad, config.truncate, data.pad_value)
    return x, list(sequences.ids)


def _new_windows(dataset: Dataset, prepared: ClassPrepared) -> tuple[np.ndarray, list]:
    """Every window of the new series (stride 1); its id is the time (or row number) of its last row: the class
    predicted is the one `horizon` rows after it."""
    data, config = prepared.windows, prepared.config
    features = list(config.features)
    _require_columns(dataset.frame, features, dataset.name)
    frame, _ = handle_missing(dataset.frame, features, config.missing)
    values = frame[features].to_numpy(dtype="float64")
    _no_missing_left(values, dataset.name, config.missing)
    if len(values) < config.timesteps:
        raise ProblemError(Finding("DATA007", "error", f"{dataset.name} is shorter than one window",
                                   f"It has {len(values)} rows; each window needs {config.timesteps}.", area="data"))
    scaled = data.scaler.transform(values)
    x = sliding_window_view(scaled, config.timesteps, axis=0).transpose(0, 2, 1)
    return x, row_ids(frame, dataset, np.arange(config.timesteps - 1, len(values)))


def _require_columns(frame: pd.DataFrame, columns: list, name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ProblemError(Finding(
            "DATA019", "error", f"{name} lacks column(s) {', '.join(map(repr, missing))}",
            "New data must have the training file's layout: the same id, order and feature columns (the label column "
            f"may be left out). Columns found: {', '.join(map(str, frame.columns))}.",
            evidence={"missing": missing, "columns": [str(c) for c in frame.columns]}, area="data"))


def _no_missing_left(values: np.ndarray, name: str, choice: str) -> None:
    holes = int((~np.isfinite(values)).sum())
    if holes:
        raise ProblemError(Finding(
            "DATA006", "error", f"{holes} missing value(s) in {name} would reach the model",
            f"They are left after the '{choice}' choice for missing values, and one would make a prediction NaN. "
            "Choose interpolate or forward-fill for missing values.", evidence={"missing": holes}, area="data"))


def _predict(model, x: np.ndarray) -> np.ndarray:
    if not len(x):
        return np.empty((0, model.output_shape[-1]), dtype="float32")
    return np.asarray(model.predict(np.ascontiguousarray(x, dtype="float32"), verbose=0, batch_size=PREDICT_BATCH))

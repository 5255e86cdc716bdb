"""Dataset + RunConfig → checked, split, scaled and padded classification data that train.Runner can fit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.checks import CheckContext, ClassFacts, run_checks
from lstm_core.checks.data_checks import count_windows
from lstm_core.config import RunConfig
from lstm_core.data import Dataset, handle_missing
from lstm_core.findings import Finding, ProblemError, has_errors
from lstm_core.tasks.forecast.windows import PartArrays, Scaler, make_windows, split_rows, window_count
from lstm_core.tasks.sequences.labels import UNKNOWN, LabelEncoder, label_values
from lstm_core.tasks.sequences.layout import LayoutGuess, resolve_task
from lstm_core.tasks.sequences.sequences import (
    Sequences,
    distinct_labels,
    handle_missing_steps,
    leave_out,
    read_sequences,
    settle_labels,
)
from lstm_core.tasks.sequences.shaping import (
    auto_maxlen,
    class_counts,
    length_percentile,
    pad_sequences,
    pad_value_below,
    stratified_split,
)

PARTS = ("train", "val", "test")


@dataclass
class ClassificationData(PartArrays):
    """What the classifier sees, with .features like windows.Windows so train.Runner fits it.

    x: (examples, maxlen, features) float32, scaled, padded with pad_value; y: class codes 0 … K−1.
    """

    encoder: LabelEncoder
    scaler: Scaler
    feature_names: list[str]
    maxlen: int
    pad_value: float | None = None  # None for per-window labels: windows are never padded
    masking: bool = True
    ids: dict[str, list] = field(default_factory=dict)  # part → the id of each example, in x's order

    @property
    def features(self) -> int:
        return self.x_train.shape[2]

    @property
    def classes(self) -> tuple[str, ...]:
        return self.encoder.names

    @property
    def model_options(self) -> dict:
        """What build_model needs beyond the config: K, the input length and the value the Masking layer skips."""
        mask = self.pad_value if self.masking and self.pad_value is not None else None
        return {"n_classes": len(self.encoder), "timesteps": self.maxlen, "mask_value": mask}

    def class_counts(self) -> dict[str, dict[str, int]]:
        return {part: class_counts(getattr(self, f"y_{part}"), self.classes) for part in PARTS}


@dataclass
class ClassPrepared:
    """A classification run before training: resolved config, guess, findings and, when they allow, the data."""

    dataset: Dataset
    config: RunConfig
    guess: LayoutGuess
    encoder: LabelEncoder
    findings: list[Finding] = field(default_factory=list)
    lengths: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))
    ids: list = field(default_factory=list)
    maxlen: int = 0
    split_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    left_out: dict = field(default_factory=dict)
    conflicts: dict = field(default_factory=dict)
    pad_value: float | None = None
    windows: ClassificationData | None = None

    @property
    def ready(self) -> bool:
        return self.windows is not None and not has_errors(self.findings)

    @property
    def classes(self) -> tuple[str, ...]:
        return self.encoder.names

    def counts(self) -> dict[str, int]:
        return {part: sum(self.split_counts.get(part, {}).values()) for part in PARTS}

    def length_summary(self) -> dict:
        """The numbers beside the length histogram (classify-sequences; empty for per-window labels)."""
        lengths = self.lengths
        if not len(lengths):
            return {}
        return {"sequences": len(lengths), "min": int(lengths.min()), "max": int(lengths.max()),
                "median": float(np.median(lengths)), "p95": length_percentile(lengths, 95), "maxlen": self.maxlen,
                "padded": int((lengths < self.maxlen).sum()), "truncated": int((lengths > self.maxlen).sum()),
                "ragged": bool(lengths.min() != lengths.max()), "pad_value": self.pad_value}

    def data_summary(self) -> dict:
        config = self.config
        unit = "sequences" if config.task == "classify-sequences" else "windows"
        return {"task": config.task, "layout": config.layout if unit == "sequences" else "series",
                "rows": self.dataset.rows, "columns": list(self.dataset.frame.columns),
                "label_column": config.label_column, "id_column": config.id_column,
                "order_column": config.order_column, "features": list(config.features),
                "time_column": self.dataset.time_column, unit: self.counts(), "classes": list(self.classes),
                "label_mapping": self.encoder.mapping(), "class_counts": self.split_counts,
                "lengths": self.length_summary(), "left_out": self.left_out,
                "label_conflicts": self.conflicts, "guess": self.guess.to_dict()}


def prepare_classification(dataset: Dataset, config: RunConfig) -> ClassPrepared:
    """Resolve the roles, read the sequences (or windows), run every check and, when none blocks, build the data."""
    config, guess = resolve_task(dataset, config)
    if config.task == "classify-windows":
        return _prepare_windows(dataset, config, guess)
    if config.task != "classify-sequences":
        raise ValueError(f"prepare_classification needs a classification task, got {config.task!r}")
    return _prepare_sequences(dataset, config, guess)


def _prepare_sequences(dataset: Dataset, config: RunConfig, guess: LayoutGuess) -> ClassPrepared:
    sequences = read_sequences(dataset.frame, config)
    _check_shape(sequences, config, guess)
    conflicts = distinct_labels(sequences.conflicts)
    missing_before = dict(zip(sequences.features, np.isnan(sequences.values()).sum(axis=0).tolist(), strict=True))
    sequences = leave_out(handle_missing_steps(settle_labels(sequences, config.label_conflict), config.missing),
                          config.min_length)
    if not len(sequences):
        raise ProblemError(_no_sequences_left(sequences, config))
    encoder = LabelEncoder.fit(sequences.labels)
    codes = encoder.encode(sequences.labels)
    parts = stratified_split(codes, config.val_fraction, config.test_fraction, config.seed)
    lengths = sequences.lengths
    maxlen = config.maxlen or auto_maxlen(lengths)
    split_counts = {part: class_counts(codes[index], encoder.names) for part, index in parts.items()}
    order = np.concatenate([parts[p] for p in PARTS])
    values = sequences.values(order)
    facts = ClassFacts(encoder.names, split_counts, lengths=lengths, ids=sequences.ids, maxlen=maxlen,
                       conflicts=conflicts, left_out=sequences.left_out, stratified=True)
    context = CheckContext(config=config, values=values, columns=sequences.features, target_index=-1,
                           rows=len(values), part_rows={p: int(lengths[parts[p]].sum()) for p in PARTS},
                           window_counts={p: len(parts[p]) for p in PARTS}, missing_before=missing_before,
                           classes=facts)
    findings = list(dataset.notes) + run_checks(context)
    prepared = ClassPrepared(dataset, config, guess, encoder, findings, lengths, sequences.ids, maxlen, split_counts,
                             sequences.left_out, conflicts)
    if not has_errors(findings):
        prepared.windows = _sequence_data(sequences, codes, parts, encoder, config, maxlen)
        prepared.pad_value = prepared.windows.pad_value
    return prepared


def _sequence_data(sequences: Sequences, codes: np.ndarray, parts: dict, encoder: LabelEncoder, config: RunConfig,
                   maxlen: int) -> ClassificationData:
    """Scaler fit on the training sequences' real steps only; padding chosen below every scaled value."""
    scaler = Scaler.fit(sequences.values(parts["train"]), config.scaling)
    scaled = [scaler.transform(steps) for steps in sequences.steps]
    pad_value = pad_value_below(np.concatenate(scaled)) if scaled else -1.0
    features = len(sequences.features)
    pad = config.pad if config.pad != "none" else "pre"
    arrays = {}
    for part in PARTS:
        index = parts[part]
        arrays[f"x_{part}"] = pad_sequences([scaled[i] for i in index], maxlen, features, pad, config.truncate,
                                            pad_value)
        arrays[f"y_{part}"] = codes[index]
    ids = {part: [sequences.ids[i] for i in parts[part]] for part in PARTS}
    return ClassificationData(**arrays, encoder=encoder, scaler=scaler, feature_names=list(sequences.features),
                              maxlen=maxlen, pad_value=pad_value, masking=config.masking, ids=ids)


def _check_shape(sequences: Sequences, config: RunConfig, guess: LayoutGuess) -> None:
    """DATA020 when the layout as chosen cannot give (sequences, timesteps, features)."""
    lengths = sequences.lengths
    if config.layout == "long" and len(lengths) > 1 and lengths.max() <= 1:
        fix = {"id_column": guess.id_column} if guess.id_column and guess.id_column != config.id_column else None
        raise ProblemError(Finding(
            "DATA020", "error", f"Every value of '{config.id_column}' appears on one row only",
            f"In long format an id names a sequence and each of its rows is one time step; here each of the "
            f"{len(lengths)} ids has a single row, so every sequence would be one step long. Pick the column whose "
            "values repeat, one block per sequence, or read the file as wide (one row per sequence).",
            evidence={"id_column": config.id_column, "sequences": len(lengths), "rows": int(lengths.sum()),
                      "layout": config.layout}, fix=fix or {"layout": "wide"}, area="data"))
    if config.layout == "wide" and len(config.features) < 2:
        raise ProblemError(Finding(
            "DATA020", "error", "A wide file needs two or more step columns",
            f"In wide format each row is a sequence and its numeric columns are its time steps; "
            f"{len(config.features)} column(s) give sequences of at most one step. Long format has one row per step "
            "and a sequence-id column.",
            evidence={"features": list(config.features), "layout": "wide"}, fix={"layout": "long"}, area="data"))


def _no_sequences_left(sequences: Sequences, config: RunConfig) -> Finding:
    left = sequences.left_out
    return Finding(
        "DATA020", "error", "No sequence left to learn from",
        f"Shorter than min_length = {config.min_length}: {len(left.get('short', {}))}; without a label: "
        f"{len(left.get('unlabelled', []))}; dropped for a changing label: {len(left.get('conflict', {}))}. "
        "Check the id, label and feature columns, or lower min_length.",
        evidence={"left_out": left, "min_length": config.min_length}, area="data")


def _prepare_windows(dataset: Dataset, config: RunConfig, guess: LayoutGuess) -> ClassPrepared:
    """Per-window labels on one series: windows as for a forecast, each labelled by the label column's value
    `horizon` rows after its last row; split chronologically, scaler fit on the training rows."""
    frame = dataset.frame
    if config.order_column and config.order_column != dataset.time_column:
        frame = frame.sort_values(config.order_column, kind="stable").reset_index(drop=True)
    features = list(config.features)
    frame, _ = handle_missing(frame, features, config.missing)
    values = frame[features].to_numpy(dtype="float64")
    raw = label_values(frame[config.label_column])
    encoder = LabelEncoder.fit(raw)
    codes = encoder.encode(raw)
    split = split_rows(len(values), config.val_fraction, config.test_fraction)
    part_rows = {part: stop - start for part, (start, stop) in split.parts().items()}
    label_rows = {part: _label_rows(start, stop - start, config) for part, (start, stop) in split.parts().items()}
    split_counts = {p: class_counts(codes[rows][codes[rows] != UNKNOWN], encoder.names) for p, rows in
                    label_rows.items()}
    unlabelled = [i for rows in label_rows.values() for i in row_ids(frame, dataset, rows[codes[rows] == UNKNOWN])]
    left_out = {"short": {}, "unlabelled": unlabelled, "conflict": {}}
    time_index = frame[dataset.time_column].to_numpy() if dataset.time_column else None
    facts = ClassFacts(encoder.names, split_counts, left_out=left_out, stratified=False)
    context = CheckContext(config=config, values=values, columns=features, target_index=-1, rows=len(values),
                           part_rows=part_rows, window_counts=count_windows(part_rows, config),
                           missing_before=dataset.missing_counts(features), time_index=time_index, classes=facts)
    findings = list(dataset.notes) + run_checks(context)
    prepared = ClassPrepared(dataset, config, guess, encoder, findings, maxlen=config.timesteps,
                             split_counts=split_counts, left_out=left_out)
    if not has_errors(findings):
        prepared.windows = _window_data(values, codes, split, label_rows, encoder, config, frame, dataset)
    return prepared


def _label_rows(start: int, rows: int, config: RunConfig) -> np.ndarray:
    """Row (in the whole series) of the label of each window of a part: `horizon` rows after the window's end."""
    count = window_count(rows, config.timesteps, config.horizon, config.stride)
    return start + np.arange(count) * config.stride + config.timesteps - 1 + config.horizon


def _window_data(values: np.ndarray, codes: np.ndarray, split, label_rows: dict, encoder: LabelEncoder,
                 config: RunConfig, frame: pd.DataFrame, dataset: Dataset) -> ClassificationData:
    train_start, train_stop = split.train
    scaler = Scaler.fit(values[train_start:train_stop], config.scaling)
    # The label codes ride along as a last column so make_windows cuts windows and their labels in one go.
    block = np.column_stack([scaler.transform(values), codes.astype("float32")])
    features = values.shape[1]
    arrays, ids = {}, {}
    for part, (start, stop) in split.parts().items():
        x, y = make_windows(block[start:stop], features, config.timesteps, config.horizon, config.stride)
        labelled = y != UNKNOWN
        arrays[f"x_{part}"] = x[labelled, :, :features]
        arrays[f"y_{part}"] = y[labelled].astype("int64")
        ids[part] = row_ids(frame, dataset, label_rows[part][labelled])
    return ClassificationData(**arrays, encoder=encoder, scaler=scaler, feature_names=list(config.features),
                              maxlen=config.timesteps, pad_value=None, masking=False, ids=ids)


def row_ids(frame: pd.DataFrame, dataset: Dataset, rows: np.ndarray) -> list:
    """Ids of rows: their time as text ("2024-01-01 10:00:00"), or their numbers counted from 1 below the header."""
    if dataset.time_column is not None:
        return frame[dataset.time_column].iloc[rows].astype(str).tolist()
    return (np.asarray(rows) + 1).tolist()

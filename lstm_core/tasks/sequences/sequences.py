"""A long or wide CSV → one (length, features) array per sequence, its id and its label, with every sequence that
had to be left out, and every label that changed within a sequence, on record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.config import RunConfig
from lstm_core.tasks.sequences.labels import label_values


@dataclass
class Sequences:
    ids: list
    steps: list[np.ndarray]  # each (length, features), float64, NaN where a cell is missing
    labels: np.ndarray  # one label per sequence (object: ints, floats or text; None when it has none)
    features: list[str]
    # id → every label seen within it, in row order, for the sequences whose label changes.
    conflicts: dict = field(default_factory=dict)
    # Sequences left out, by reason: id → length ("short"), or id → labels ("conflict"), or ids ("unlabelled").
    left_out: dict = field(default_factory=lambda: {"short": {}, "unlabelled": [], "conflict": {}})

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(s) for s in self.steps], dtype="int64")

    def subset(self, keep: np.ndarray) -> Sequences:
        keep = np.asarray(keep, dtype=bool)
        return Sequences([i for i, k in zip(self.ids, keep, strict=True) if k],
                         [s for s, k in zip(self.steps, keep, strict=True) if k], self.labels[keep], self.features,
                         self.conflicts, self.left_out)

    def values(self, order: np.ndarray | None = None) -> np.ndarray:
        """Every real (unpadded) step stacked into (steps, features), sequences taken in `order`."""
        order = np.arange(len(self)) if order is None else order
        parts = [self.steps[i] for i in order]
        return np.concatenate(parts) if parts else np.empty((0, len(self.features)))


def read_sequences(frame: pd.DataFrame, config: RunConfig, need_labels: bool = True) -> Sequences:
    """Sequences as the file holds them, before missing values, short sequences or label conflicts are handled."""
    if config.layout == "wide":
        return read_wide(frame, config.label_column if need_labels else None, config.id_column, list(config.features))
    return read_long(frame, config.id_column, config.order_column, config.label_column if need_labels else None,
                     list(config.features))


def read_long(frame: pd.DataFrame, id_column: str, order_column: str | None, label_column: str | None,
              features: list[str]) -> Sequences:
    """One row per time step. Sequences keep the order in which their ids first appear; rows within a sequence are
    sorted by the order column (stable), or kept in file order."""
    without_id = int(frame[id_column].isna().sum())
    frame = frame[frame[id_column].notna()]
    codes, uniques = pd.factorize(frame[id_column], sort=False)
    sort_by = pd.DataFrame({"sequence": codes})
    if order_column is not None:
        sort_by["order"] = frame[order_column].to_numpy()
    rows = np.asarray(sort_by.sort_values(list(sort_by.columns), kind="stable").index)
    codes = codes[rows]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    values = frame[features].to_numpy(dtype="float64")[rows]
    steps = np.split(values, starts[1:])
    ids = [_plain(uniques[code]) for code in codes[starts]]
    left_out = {"short": {}, "unlabelled": [], "conflict": {}, "rows_without_id": without_id}
    if label_column is None:
        return Sequences(ids, steps, np.full(len(ids), None, dtype=object), features, left_out=left_out)
    raw = label_values(frame[label_column].to_numpy()[rows])
    labels, conflicts = [], {}
    for sequence_id, seen in zip(ids, np.split(raw, starts[1:]), strict=True):
        present = [v for v in seen if v is not None]
        if len(set(present)) > 1:
            conflicts[sequence_id] = present
        labels.append(present[-1] if present else None)
    return Sequences(ids, steps, np.array(labels, dtype=object), features, conflicts, left_out)


def read_wide(frame: pd.DataFrame, label_column: str | None, id_column: str | None,
              features: list[str]) -> Sequences:
    """One row per sequence, one feature, the columns its steps in order; trailing empty cells end a shorter
    sequence, other empty cells are missing values."""
    values = frame[features].to_numpy(dtype="float64")
    filled = np.isfinite(values)
    lengths = np.where(filled.any(axis=1), values.shape[1] - np.argmax(filled[:, ::-1], axis=1), 0)
    steps = [row[:length, None] for row, length in zip(values, lengths, strict=True)]
    ids = [_plain(v) for v in frame[id_column]] if id_column else list(range(1, len(frame) + 1))
    labels = label_values(frame[label_column]) if label_column else np.full(len(frame), None, dtype=object)
    return Sequences(ids, steps, labels, ["value"] if len(features) > 1 else features)


def settle_labels(sequences: Sequences, choice: str) -> Sequences:
    """Apply the label-conflict choice: "last" keeps each sequence's last label, "majority" its most common one,
    "drop" leaves those sequences out. "none" (not chosen yet) keeps the last label so the checks can still count
    classes; the DATA021 error then blocks training until the user chooses."""
    if not sequences.conflicts or choice in ("none", "last"):
        return sequences
    if choice == "drop":
        out = sequences.subset(np.array([i not in sequences.conflicts for i in sequences.ids]))
        out.left_out = {**sequences.left_out, "conflict": distinct_labels(sequences.conflicts)}
        return out
    labels = np.array([majority(sequences.conflicts[i]) if i in sequences.conflicts else label
                       for i, label in zip(sequences.ids, sequences.labels, strict=True)], dtype=object)
    return Sequences(sequences.ids, sequences.steps, labels, sequences.features, sequences.conflicts,
                     sequences.left_out)


def distinct_labels(conflicts: dict) -> dict:
    """id → the distinct labels within it, in the order they first appear: what a finding reports."""
    return {i: list(dict.fromkeys(seen)) for i, seen in conflicts.items()}


def handle_missing_steps(sequences: Sequences, method: str) -> Sequences:
    """The missing-value choice, applied within each sequence so that no value leaks from one into the next."""
    if method == "none":
        return sequences
    steps = []
    for array in sequences.steps:
        if np.isfinite(array).all():
            steps.append(array)
        elif method == "drop":
            steps.append(array[np.isfinite(array).all(axis=1)])
        else:
            part = pd.DataFrame(array)
            part = part.interpolate(limit_direction="both") if method == "interpolate" else part.ffill().bfill()
            steps.append(part.to_numpy(dtype="float64"))
    return Sequences(sequences.ids, steps, sequences.labels, sequences.features, sequences.conflicts,
                     sequences.left_out)


def leave_out(sequences: Sequences, min_length: int, need_labels: bool = True) -> Sequences:
    """Leave out sequences shorter than min_length and, when training, sequences with no label; record both."""
    lengths = sequences.lengths
    short = lengths < min_length
    unlabelled = np.array([label is None for label in sequences.labels]) & need_labels
    out = sequences.subset(~short & ~unlabelled)
    out.left_out = {**sequences.left_out,
                    "short": {sequences.ids[i]: int(lengths[i]) for i in np.flatnonzero(short)},
                    "unlabelled": [sequences.ids[i] for i in np.flatnonzero(unlabelled & ~short)]}
    return out


def majority(values: list):
    """The most common value; among equally common ones, the one seen last."""
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in reversed(values) if counts[v] == best)


def _plain(value):
    """An id as a plain Python value (numpy ints and whole floats → int), so it prints and serialises cleanly."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value

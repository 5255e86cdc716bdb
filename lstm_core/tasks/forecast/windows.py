"""Chronological splits, scalers fit on train rows only, and (samples, timesteps, features) windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


@dataclass(frozen=True)
class Split:
    """Row ranges [start, stop) of each part, in time order: train, then validation, then test."""

    train: tuple[int, int]
    val: tuple[int, int]
    test: tuple[int, int]

    def parts(self) -> dict[str, tuple[int, int]]:
        return {"train": self.train, "val": self.val, "test": self.test}


def split_rows(rows: int, val_fraction: float, test_fraction: float) -> Split:
    test = round(rows * test_fraction)
    val = round(rows * val_fraction)
    train = rows - val - test
    return Split(train=(0, train), val=(train, train + val), test=(train + val, rows))


def window_count(rows: int, timesteps: int, horizon: int, stride: int = 1) -> int:
    """How many windows a part of `rows` rows yields: each needs timesteps inputs and horizon more rows."""
    span = rows - timesteps - horizon + 1
    return 0 if span <= 0 else (span - 1) // stride + 1


def rows_needed(timesteps: int, horizon: int) -> int:
    return timesteps + horizon


def make_windows(values: np.ndarray, target_index: int, timesteps: int, horizon: int, stride: int = 1,
                 multi_step: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a (rows, features) array.

    x[i] holds rows i*stride … i*stride+timesteps-1; y[i] is the target `horizon` rows after the window's
    last row, or with multi_step the targets 1 … horizon rows after it. x is a read-only view.
    """
    if values.ndim != 2:
        raise ValueError(f"values must be 2-D (rows, features), got shape {values.shape}")
    count = window_count(len(values), timesteps, horizon, stride)
    features = values.shape[1]
    if count == 0:
        empty_y = (0, horizon) if multi_step else (0,)
        return np.empty((0, timesteps, features), values.dtype), np.empty(empty_y, values.dtype)
    inputs = values[: len(values) - horizon]
    # sliding_window_view puts the window axis last: (windows, features, timesteps) → swap to timesteps first.
    x = sliding_window_view(inputs, timesteps, axis=0).transpose(0, 2, 1)[::stride][:count]
    first_target = np.arange(count) * stride + timesteps - 1
    target = values[:, target_index]
    y = target[first_target[:, None] + np.arange(1, horizon + 1)] if multi_step else target[first_target + horizon]
    return x, y


@dataclass
class Scaler:
    """Per-column affine scaling fit on training rows only: scaled = (value - offset) / scale."""

    method: str
    offset: np.ndarray
    scale: np.ndarray
    fitted_rows: int

    @classmethod
    def fit(cls, train: np.ndarray, method: str) -> Scaler:
        columns = train.shape[1]
        if method == "standard":
            offset = np.nanmean(train, axis=0)
            scale = np.nanstd(train, axis=0)
        elif method == "minmax":
            offset = np.nanmin(train, axis=0)
            scale = np.nanmax(train, axis=0) - offset
        elif method == "none":
            offset, scale = np.zeros(columns), np.ones(columns)
        else:
            raise ValueError(f"unknown scaling {method!r}")
        # A constant column keeps its values centred rather than dividing by zero.
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        offset = np.where(np.isfinite(offset), offset, 0.0)
        return cls(method, offset.astype("float64"), scale.astype("float64"), len(train))

    def transform(self, values: np.ndarray) -> np.ndarray:
        # In place on one float32 copy: scaling a big series costs one array, not three.
        scaled = np.array(values, dtype="float32")
        scaled -= self.offset.astype("float32")
        scaled /= self.scale.astype("float32")
        return scaled

    def inverse_column(self, values: np.ndarray, column: int) -> np.ndarray:
        return np.asarray(values, dtype="float64") * self.scale[column] + self.offset[column]


@dataclass
class PartArrays:
    """The x and y arrays of the training, validation and test parts: what train.Runner fits and scores, whatever
    the task (windows, sequences, texts)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def counts(self) -> dict[str, int]:
        return {"train": len(self.x_train), "val": len(self.x_val), "test": len(self.x_test)}


@dataclass
class Windows(PartArrays):
    """Everything the model sees, in scaled units, plus what is needed to report in original units."""

    scaler: Scaler
    split: Split
    columns: list[str]
    target_index: int
    scaled: np.ndarray

    @property
    def features(self) -> int:
        return self.x_train.shape[2]

    def test_target_rows(self, timesteps: int, horizon: int, stride: int) -> np.ndarray:
        """Row index in the whole series of each test window's (first) target."""
        return self.target_rows("test", timesteps, horizon, stride)

    def target_rows(self, part: str, timesteps: int, horizon: int, stride: int) -> np.ndarray:
        """Row index in the whole series of each window's (first) target in `part` ("train", "val" or "test")."""
        start = getattr(self.split, part)[0]
        return start + np.arange(self.counts()[part]) * stride + timesteps - 1 + horizon


def build_windows(values: np.ndarray, columns: list[str], target_index: int, config) -> Windows:
    """Split rows chronologically, fit the scaler on train rows, then window each part on its own."""
    split = split_rows(len(values), config.val_fraction, config.test_fraction)
    train_start, train_stop = split.train
    scaler = Scaler.fit(values[train_start:train_stop], config.scaling)
    scaled = scaler.transform(values)
    parts = {}
    for part, (start, stop) in split.parts().items():
        parts[part] = make_windows(scaled[start:stop], target_index, config.timesteps, config.horizon,
                                   config.stride, config.multi_step)
    return Windows(*parts["train"], *parts["val"], *parts["test"], scaler=scaler, split=split,
                   columns=columns, target_index=target_index, scaled=scaled)

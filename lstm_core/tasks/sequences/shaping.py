"""Sequences of different lengths → one (sequences, maxlen, features) block, and a split stratified by class."""

from __future__ import annotations

import numpy as np

# The auto common length covers this share of the sequences in full: the longest few do not set everyone's length.
MAXLEN_PERCENTILE = 95
# The pad value sits this far below the smallest scaled value, so no real step can equal it.
PAD_MARGIN = 1.0


def auto_maxlen(lengths: np.ndarray) -> int:
    lengths = np.asarray(lengths)
    if not len(lengths):
        return 1
    return max(1, int(length_percentile(lengths, MAXLEN_PERCENTILE)))


def length_percentile(lengths: np.ndarray, percentile: float) -> int:
    """The shortest length that at least `percentile` % of the sequences fit in: always a length that occurs."""
    return int(np.percentile(np.asarray(lengths), percentile, method="inverted_cdf"))


def pad_value_below(scaled: np.ndarray) -> float:
    """A round number below every finite scaled value: Masking treats a step equal to it in every feature as
    padding, so it must never occur in the data."""
    finite = scaled[np.isfinite(scaled)]
    low = float(finite.min()) if len(finite) else 0.0
    return float(np.floor(low) - PAD_MARGIN)


def pad_sequences(steps: list[np.ndarray], maxlen: int, features: int, pad: str, truncate: str,
                  value: float) -> np.ndarray:
    """(sequences, maxlen, features) float32. Longer sequences lose their start (truncate "pre") or end ("post");
    shorter ones get `value` before (pad "pre") or after ("post") their steps."""
    out = np.full((len(steps), maxlen, features), value, dtype="float32")
    for row, array in enumerate(steps):
        kept = array[-maxlen:] if truncate == "pre" else array[:maxlen]
        if not len(kept):
            continue
        if pad == "post":
            out[row, : len(kept)] = kept
        else:
            out[row, maxlen - len(kept):] = kept
    return out


def stratified_split(codes: np.ndarray, val_fraction: float, test_fraction: float,
                     seed: int) -> dict[str, np.ndarray]:
    """Indices of the train / val / test sequences (each sorted), cut class by class so that every part keeps the
    class proportions. A whole sequence goes to one part. A class with enough sequences puts at least one in each
    part whose fraction is above 0; training always gets at least one."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for code in np.unique(codes):
        members = rng.permutation(np.flatnonzero(codes == code))
        size = len(members)
        test = _share(size, test_fraction, size - 1)
        val = _share(size, val_fraction, size - test - 1)
        parts["test"].append(members[:test])
        parts["val"].append(members[test:test + val])
        parts["train"].append(members[test + val:])
    return {part: np.sort(np.concatenate(chunks)).astype("int64") if chunks else np.empty(0, dtype="int64")
            for part, chunks in parts.items()}


def _share(size: int, fraction: float, ceiling: int) -> int:
    if fraction <= 0 or ceiling <= 0:
        return 0
    return int(min(max(1, round(size * fraction)), ceiling))


def class_counts(codes: np.ndarray, names: tuple[str, ...]) -> dict[str, int]:
    counts = np.bincount(np.asarray(codes, dtype="int64"), minlength=len(names)) if len(codes) else np.zeros(
        len(names), dtype="int64")
    return {name: int(n) for name, n in zip(names, counts, strict=True)}

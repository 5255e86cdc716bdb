"""Checks for the target sneaking into the inputs: listed as a feature, copied, or shifted from the future."""

from __future__ import annotations

import numpy as np

from lstm_core.checks.engine import CheckContext, register
from lstm_core.findings import Finding

# |correlation| at or above this means a feature is a (rescaled) copy of the target, not a related series.
COPY_CORRELATION = 0.9999
# Correlations are measured on at most this many training rows: plenty to tell a copy from a relative.
LEAK_SAMPLE_ROWS = 5000
# A shift is only judged on at least this many overlapping rows.
MIN_OVERLAP = 10


@register("DATA017")
def target_as_feature(ctx: CheckContext):
    config = ctx.config
    if config.task != "forecast":
        return
    listed = config.target in config.features
    copies = {name: correlation for name, (shift, correlation) in _copies_of_target(ctx).items() if shift == 0}
    if not listed and not copies:
        return
    names = sorted({config.target, *copies} if listed else set(copies))
    yield Finding(
        "DATA017", "warning", f"The target is also fed as a feature ({', '.join(names)})",
        "The target's own history is always the first input column; "
        f"{'listing it as a feature too' if listed else 'a feature that copies it'} adds nothing but weights, "
        "and a copy often hints that a column was derived from the target (leakage). Drop it from the features.",
        evidence={"target": config.target, "listed": listed, "copies": copies},
        fix={"features": [f for f in config.features if f != config.target and f not in copies]}, area="data")


@register("DATA018")
def future_target_in_features(ctx: CheckContext):
    config = ctx.config
    if config.task != "forecast":
        return
    ahead = {name: found for name, found in _copies_of_target(ctx).items() if found[0] > 0}
    if not ahead:
        return
    described = ", ".join(f"{name} = target {shift} step(s) ahead" for name, (shift, _) in ahead.items())
    yield Finding(
        "DATA018", "warning", "A feature holds future values of the target (leakage)",
        f"{described}. At forecast time that value is not known yet, so the model reads the answer from its "
        "input: training and test scores look excellent and the forecasts past the end are useless. Drop it "
        "from the features, unless it is truly known in advance (a calendar, a schedule).",
        evidence={"shifted": {name: {"steps_ahead": shift, "correlation": correlation}
                              for name, (shift, correlation) in ahead.items()}, "horizon": config.horizon,
                  "threshold": COPY_CORRELATION},
        fix={"features": [f for f in config.features if f not in ahead]}, area="data")


def _copies_of_target(ctx: CheckContext) -> dict[str, tuple[int, float]]:
    """Each feature that equals a rescaled target 0 … horizon rows later: (rows ahead, correlation)."""
    if ctx.values is None or ctx.values.shape[1] < 2:
        return {}
    sample = ctx.train_values[:LEAK_SAMPLE_ROWS]
    if len(sample) < MIN_OVERLAP + 1:
        return {}
    target = _centred(sample[:, ctx.target_index])
    max_shift = min(ctx.config.horizon, len(sample) - MIN_OVERLAP)
    found = {}
    for column in range(sample.shape[1]):
        if column == ctx.target_index or _flat(sample[:, column]):
            continue
        correlations = _shifted_correlations(_centred(sample[:, column]), target, max_shift)
        shift = int(np.nanargmax(np.abs(correlations))) if np.isfinite(correlations).any() else 0
        if abs(correlations[shift]) >= COPY_CORRELATION:
            found[ctx.columns[column]] = (shift, round(float(correlations[shift]), 6))
    return found


def _flat(column: np.ndarray) -> bool:
    # A constant or empty column has no correlation to speak of; DATA010 and DATA006 report those.
    finite = column[np.isfinite(column)]
    return not len(finite) or finite.min() == finite.max()


def _centred(column: np.ndarray) -> np.ndarray:
    finite = np.isfinite(column)
    mean = column[finite].mean() if finite.any() else 0.0
    return np.where(finite, column - mean, 0.0)


def _shifted_correlations(feature: np.ndarray, target: np.ndarray, max_shift: int) -> np.ndarray:
    """Pearson correlation of feature[t] with target[t + k] for every k in 0 … max_shift, in one FFT."""
    rows = len(feature)
    shifts = np.arange(max_shift + 1)
    overlap = rows - shifts
    size = 1 << (2 * rows - 1).bit_length()
    products = np.fft.irfft(np.fft.rfft(target, size) * np.conj(np.fft.rfft(feature, size)), size)[: max_shift + 1]
    sums_f = np.concatenate([[0.0], np.cumsum(feature)])
    squares_f = np.concatenate([[0.0], np.cumsum(feature**2)])
    sums_t = np.concatenate([[0.0], np.cumsum(target)])
    squares_t = np.concatenate([[0.0], np.cumsum(target**2)])
    # feature rows 0 … rows-k-1 meet target rows k … rows-1.
    sum_f, square_f = sums_f[overlap], squares_f[overlap]
    sum_t, square_t = sums_t[rows] - sums_t[shifts], squares_t[rows] - squares_t[shifts]
    covariance = products - sum_f * sum_t / overlap
    variance_f = square_f - sum_f**2 / overlap
    variance_t = square_t - sum_t**2 / overlap
    # Rounding leaves a whisker of variance where there is none: treat it as none.
    flat = (variance_f <= 1e-12 * squares_f[rows]) | (variance_t <= 1e-12 * squares_t[rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(flat, np.nan, covariance / np.sqrt(variance_f * variance_t))

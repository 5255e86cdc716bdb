"""Checks that keep one run within what a shared server allows, and within what float32 arithmetic can hold."""

from __future__ import annotations

import numpy as np

from lstm_core.checks.engine import CheckContext, register
from lstm_core.findings import Finding
from lstm_core.limits import how_to_change, limit
from lstm_core.model import count_params

# Keras computes in float32 (largest value ~3.4e38). Scaling subtracts a mean and squares the spread in float64,
# which overflows past ~1e154; this bound leaves room for both.
FLOAT32_SAFE = 1e30


@register("DATA031")
def values_beyond_float32(ctx: CheckContext):
    if ctx.values is None or ctx.values.size == 0:
        return
    with np.errstate(invalid="ignore"):
        peaks = np.nanmax(np.where(np.isfinite(ctx.values), np.abs(ctx.values), 0.0), axis=0)
    huge = {ctx.columns[i]: float(peak) for i, peak in enumerate(peaks) if peak > FLOAT32_SAFE}
    if not huge:
        return
    column, peak = max(huge.items(), key=lambda item: item[1])
    yield Finding(
        "DATA031", "error", f"Values too large to compute with in {', '.join(map(repr, huge))}",
        f"'{column}' reaches {peak:.3g}. The model computes in 32-bit floats, which end near 3.4e38, and scaling "
        "squares the spread, so these numbers overflow to infinity before training starts. Divide the column by a "
        "power of ten (or take its logarithm) in the file and upload it again.",
        evidence={"peaks": huge, "limit": FLOAT32_SAFE}, area="data")


@register("LIMIT004")
def model_too_large(ctx: CheckContext):
    config = ctx.config
    params = count_params(config, ctx.feature_count, ctx.n_classes)
    allowed = limit("max_params")
    if params <= allowed:
        return
    # The largest unit count that fits, found by counting: the parameter count grows with units squared.
    units = config.units
    while units > 1 and count_params(config.replace(units=units), ctx.feature_count, ctx.n_classes) > allowed:
        units = max(1, units * 3 // 4)
    yield Finding(
        "LIMIT004", "error", f"The model would have {params:,} weights, more than this server trains",
        f"{config.layers} LSTM layer(s) of {config.units} units{' (bidirectional)' if config.bidirectional else ''} "
        f"on {ctx.feature_count} feature(s) make {params:,} weights; this server trains at most {allowed:,} per "
        f"model, to keep one run from taking the memory and cores of every other user. Use fewer units or layers. "
        f"{how_to_change('max_params')}",
        evidence={"params": params, "limit": allowed}, fix={"units": units}, area="model")

"""Checks on the data as the model will receive it."""

from __future__ import annotations

import numpy as np

from ..findings import Finding
from ..windows import window_count
from .engine import CheckContext, register

# With scaling off, inputs beyond this magnitude saturate tanh/sigmoid gates and slow learning.
UNSCALED_LIMIT = 10.0


@register("DATA006")
def missing_left(ctx: CheckContext):
    if ctx.values is None or ctx.config.missing != "none":
        return
    holes = np.isnan(ctx.values).sum(axis=0)
    if holes.any():
        where = {ctx.columns[i]: int(n) for i, n in enumerate(holes) if n}
        yield Finding(
            "DATA006", "error", "Missing values would reach the model",
            f"{sum(where.values())} empty cell(s) in {', '.join(where)}. One NaN in a batch turns the loss "
            "into NaN and training learns nothing.",
            evidence={"missing": where}, fix={"missing": "interpolate"}, area="data")


@register("DATA007")
def too_few_rows(ctx: CheckContext):
    config = ctx.config
    needed = config.timesteps + config.horizon
    short = {part: rows for part, rows in ctx.part_rows.items()
             if ctx.window_counts.get(part, 0) == 0 and (part == "train" or rows > 0
                                                        or _fraction(config, part) > 0)}
    if not short:
        return
    smallest = min(rows for rows in ctx.part_rows.values() if rows > 0) if any(ctx.part_rows.values()) else 0
    fix = None
    if smallest - config.horizon >= 2:
        fix = {"timesteps": max(1, min(config.timesteps, (smallest - config.horizon) // 2))}
    parts = ", ".join(f"{part} has {rows} rows" for part, rows in short.items())
    yield Finding(
        "DATA007", "error", "Too few rows for the window",
        f"Each window needs timesteps + horizon = {config.timesteps} + {config.horizon} = {needed} rows, "
        f"but after the chronological split the {parts}. Use a shorter window or horizon, or more data.",
        evidence={"rows_needed": needed, "part_rows": ctx.part_rows, "windows": ctx.window_counts},
        fix=fix, area="windows")


@register("DATA009")
def unscaled_inputs(ctx: CheckContext):
    if ctx.values is None or ctx.config.scaling != "none" or not len(ctx.values):
        return
    largest = np.nanmax(np.abs(ctx.values), axis=0)
    loud = {ctx.columns[i]: float(v) for i, v in enumerate(largest) if v > UNSCALED_LIMIT}
    if loud:
        yield Finding(
            "DATA009", "warning", "Features far outside [−1, 1] with scaling off",
            f"Largest absolute values: {', '.join(f'{c} {v:.3g}' for c, v in loud.items())}. LSTM gates "
            "saturate on large inputs and the gradients vanish, so the loss falls slowly or not at all.",
            evidence={"max_abs": loud, "limit": UNSCALED_LIMIT}, fix={"scaling": "standard"}, area="data")


def _fraction(config, part: str) -> float:
    return {"train": 1.0, "val": config.val_fraction, "test": config.test_fraction}[part]


def count_windows(part_rows: dict[str, int], config) -> dict[str, int]:
    return {part: window_count(rows, config.timesteps, config.horizon, config.stride)
            for part, rows in part_rows.items()}

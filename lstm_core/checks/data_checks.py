"""Checks on the data as the model will receive it."""

from __future__ import annotations

import numpy as np

from lstm_core.checks.engine import CheckContext, register
from lstm_core.findings import Finding
from lstm_core.tasks.forecast.windows import window_count

# With scaling off, inputs beyond this magnitude saturate tanh/sigmoid gates and slow learning.
UNSCALED_LIMIT = 10.0
# With scaling off, columns whose typical magnitudes differ by more than this factor get unequal say in the gates.
SCALE_RATIO_LIMIT = 100.0
# Fewer training windows than this and an LSTM memorises a few examples instead of learning a pattern.
MIN_TRAIN_WINDOWS = 50
# Fewer validation or test windows than this and early stopping and the metrics rest on a handful of points.
MIN_EVAL_WINDOWS = 20
# A validation or test part whose target mean is outside the training range, or further than this many training
# standard deviations from the training mean, has trended away: a model fit on levels cannot reach it. Parts of a
# stationary series stay within a fraction of one deviation; monthly_sales' parts sit 2.1 and 2.8 away.
TREND_SHIFT_LIMIT = 2.0
# Tasks whose examples are whole sequences or texts, not windows cut from rows.
WHOLE_EXAMPLES = ("classify-sequences", "text-classify")


@register("DATA006")
def missing_left(ctx: CheckContext):
    if ctx.values is None:
        return
    holes = (~np.isfinite(ctx.values)).sum(axis=0)
    if not holes.any():
        return
    where = {ctx.columns[i]: int(n) for i, n in enumerate(holes) if n}
    yield Finding(
        "DATA006", "error", "Missing values would reach the model",
        f"{sum(where.values())} empty or infinite cell(s) in {', '.join(where)} are left after the "
        f"'{ctx.config.missing}' choice for missing values. One NaN in a batch turns the loss into NaN and "
        "training learns nothing. Fill the gaps, or drop a column that is empty throughout.",
        evidence={"missing": where, "missing_choice": ctx.config.missing},
        fix=_missing_fix(ctx, where), area="data")


def _missing_fix(ctx: CheckContext, where: dict[str, int]) -> dict | None:
    # Filling cannot invent a column with no number at all: such a feature is dropped, such a target is hopeless.
    empty = {column for column, holes in where.items() if holes == len(ctx.values)}
    if ctx.config.target in empty:
        return None
    fix = {"features": [f for f in ctx.config.features if f not in empty]} if empty else {}
    if ctx.config.missing == "none" and set(where) - empty:
        fix["missing"] = "interpolate"
    return fix or None


@register("DATA007")
def too_few_rows(ctx: CheckContext):
    config = ctx.config
    # Whole sequences and texts are not windowed: DATA027 counts them instead.
    if config.task in WHOLE_EXAMPLES:
        return
    needed = config.timesteps + config.horizon
    # The training part always counts (its fraction is 1), the others when they are asked for or hold rows.
    short = {part: rows for part, rows in ctx.part_rows.items()
             if ctx.window_counts.get(part, 0) == 0 and (rows > 0 or _fraction(config, part) > 0)}
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


@register("DATA008")
def constant_target(ctx: CheckContext):
    if ctx.config.task != "forecast" or ctx.values is None:
        return
    value = _constant_columns(ctx.train_values).get(ctx.target_index)
    if value is not None:
        rows, name = len(ctx.train_values), ctx.columns[ctx.target_index]
        yield Finding(
            "DATA008", "warning", f"Target '{name}' never changes in the training rows",
            f"All {rows} training rows hold {value:g}. The model can only learn to repeat that value, "
            "and every metric will flatter it. Pick a target that moves, or use a longer stretch of data.",
            evidence={"column": name, "value": value, "rows": rows}, area="data")


@register("DATA010")
def constant_features(ctx: CheckContext):
    if ctx.values is None:
        return
    constant = {ctx.columns[i]: value for i, value in _constant_columns(ctx.train_values).items()
                if i != ctx.target_index}
    if constant:
        yield Finding(
            "DATA010", "warning", f"Feature(s) {', '.join(map(repr, constant))} never change",
            f"In all {len(ctx.train_values)} training rows they hold one value each. A constant input "
            "carries no information, only adds weights; if it moves later, the model never learnt what "
            "that means. Drop it.",
            evidence={"constant": constant, "rows": len(ctx.train_values)},
            fix={"features": [f for f in ctx.config.features if f not in constant]}, area="data")


@register("DATA009")
def unscaled_inputs(ctx: CheckContext):
    if ctx.values is None or ctx.config.scaling != "none" or not len(ctx.values):
        return
    low, high = _column_ranges(ctx.values)
    largest = np.fmax(np.abs(low), np.abs(high))
    loud = {ctx.columns[i]: float(v) for i, v in enumerate(largest) if v > UNSCALED_LIMIT}
    if loud:
        yield Finding(
            "DATA009", "warning", "Features far outside [−1, 1] with scaling off",
            f"Largest absolute values: {', '.join(f'{c} {v:.3g}' for c, v in loud.items())}. LSTM gates "
            "saturate on large inputs and the gradients vanish, so the loss falls slowly or not at all. "
            "Turn scaling on.",
            evidence={"max_abs": loud, "limit": UNSCALED_LIMIT}, fix={"scaling": "standard"}, area="data")


@register("DATA011")
def scales_differ(ctx: CheckContext):
    if ctx.values is None or ctx.config.scaling != "none" or ctx.feature_count < 2:
        return
    # Root mean square: how large a column's values typically are, whatever its sign or offset.
    typical = [float(np.sqrt(np.mean(np.square(c)))) if len(c) else 0.0 for c in _finite_columns(ctx.train_values)]
    sizes = {ctx.columns[i]: v for i, v in enumerate(typical) if v > 0}
    if len(sizes) < 2:
        return
    ratio = max(sizes.values()) / min(sizes.values())
    if ratio > SCALE_RATIO_LIMIT:
        yield Finding(
            "DATA011", "warning", f"Columns on very different scales ({ratio:.3g}× apart) with scaling off",
            f"Typical magnitudes: {', '.join(f'{c} {v:.3g}' for c, v in sizes.items())}. The small column "
            "barely moves the gates, so the model all but ignores it until its weights grow large. "
            "Turn scaling on so every column counts from the first step.",
            evidence={"typical_magnitude": sizes, "ratio": float(ratio), "limit": SCALE_RATIO_LIMIT},
            fix={"scaling": "standard"}, area="data")


@register("DATA012")
def few_train_windows(ctx: CheckContext):
    train = ctx.window_counts.get("train", 0)
    # A language model's windows are counted in tokens (TEXT004 speaks for them); no window at all is DATA007's.
    if ctx.config.task in (*WHOLE_EXAMPLES, "text-lm") or not 0 < train < MIN_TRAIN_WINDOWS:
        return
    config = ctx.config
    yield Finding(
        "DATA012", "warning", f"Only {train} training windows",
        f"The model learns from {train} windows (fewer than {MIN_TRAIN_WINDOWS}): it will memorise them "
        "rather than learn a pattern, and the validation loss will rise early. Use a shorter window, "
        "stride 1, or more data.",
        evidence={"train_windows": train, "minimum": MIN_TRAIN_WINDOWS, "train_rows": ctx.part_rows.get("train"),
                  "timesteps": config.timesteps, "stride": config.stride},
        fix=_shorter_window(config, ctx.part_rows.get("train", 0), MIN_TRAIN_WINDOWS), area="windows")


@register("DATA013")
def few_eval_windows(ctx: CheckContext):
    if ctx.config.task in (*WHOLE_EXAMPLES, "text-lm"):
        return
    short = {part: ctx.window_counts[part] for part in ("val", "test")
             if 0 < ctx.window_counts.get(part, 0) < MIN_EVAL_WINDOWS}
    if not short:
        return
    parts = " and ".join(f"{part} {count}" for part, count in short.items())
    yield Finding(
        "DATA013", "warning", f"Few windows to validate or test on ({parts})",
        f"With fewer than {MIN_EVAL_WINDOWS} windows, early stopping reacts to noise and the test metrics "
        "swing with a single point. Give that part a larger share of the rows, or use a shorter window.",
        evidence={"windows": short, "minimum": MIN_EVAL_WINDOWS, "part_rows": ctx.part_rows},
        fix=_larger_eval_parts(ctx, short) or _shorter_window(
            ctx.config, min(ctx.part_rows[part] for part in short), MIN_EVAL_WINDOWS), area="windows")


@register("DATA029")
def trend_leaves_training_range(ctx: CheckContext):
    config = ctx.config
    if config.task != "forecast" or config.difference or ctx.values is None:
        return
    bounds = _part_bounds(ctx.part_rows)
    train = ctx.target[slice(*bounds["train"])]
    train = train[np.isfinite(train)]
    if len(train) < 2:
        return
    low, high, mean, spread = float(train.min()), float(train.max()), float(train.mean()), float(train.std())
    shifted = {}
    for part in ("val", "test"):
        values = ctx.target[slice(*bounds[part])]
        values = values[np.isfinite(values)]
        if not len(values):
            continue
        part_mean = float(values.mean())
        distance = abs(part_mean - mean) / spread if spread > 0 else (np.inf if part_mean != mean else 0.0)
        if not low <= part_mean <= high or distance > TREND_SHIFT_LIMIT:
            shifted[part] = {"mean": part_mean, "train_sds_away": float(distance)}
    if not shifted:
        return
    parts = " and ".join(f"the {part} part's mean {facts['mean']:.4g}" for part, facts in shifted.items())
    fix = {"difference": True, **({"multi_step": True} if config.horizon > 1 and not config.multi_step else {})}
    yield Finding(
        "DATA029", "warning", f"Target '{ctx.columns[ctx.target_index]}' trends out of the training range",
        f"The training rows span {low:.4g} … {high:.4g} (mean {mean:.4g}), but {parts} lies outside that range "
        f"or more than {TREND_SHIFT_LIMIT:g} training standard deviations away. An LSTM's tanh state is bounded: "
        "fit on levels, it cannot forecast values it never saw, and lags far behind a trend on new data. "
        "Model the changes from row to row instead (differencing); they stay in the same range.",
        evidence={"train_min": low, "train_max": high, "train_mean": mean, "train_std": spread,
                  "shifted": shifted, "limit_sds": TREND_SHIFT_LIMIT},
        fix=fix, area="data")


@register("DATA030")
def difference_needs_every_step(ctx: CheckContext):
    config = ctx.config
    if config.task != "forecast" or not config.difference or config.horizon == 1 or config.multi_step:
        return
    yield Finding(
        "DATA030", "error", f"Differencing with horizon {config.horizon} needs every step 1…horizon",
        f"With differencing the model predicts changes from row to row. The level {config.horizon} rows ahead "
        f"is the last level plus all {config.horizon} changes in between, but a single-step model predicts only "
        "the last of them. Predict every step 1…horizon (multi-step), or set horizon 1.",
        evidence={"horizon": config.horizon, "multi_step": config.multi_step, "difference": config.difference},
        fix={"multi_step": True}, area="windows")


def _part_bounds(part_rows: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Row ranges [start, stop) of train, val and test from their row counts, in time order."""
    bounds, start = {}, 0
    for part in ("train", "val", "test"):
        bounds[part] = (start, start + part_rows.get(part, 0))
        start = bounds[part][1]
    return bounds


def _shorter_window(config, rows: int, minimum: int) -> dict | None:
    """Stride 1 and the longest window that still yields `minimum` windows from `rows` rows, if any."""
    timesteps = min(config.timesteps, rows - config.horizon - (minimum - 1))
    if timesteps < 2:
        return None
    fix = {"timesteps": timesteps} if timesteps != config.timesteps else {}
    if config.stride != 1:
        fix["stride"] = 1
    return fix or None


def _larger_eval_parts(ctx: CheckContext, short: dict[str, int]) -> dict | None:
    """Raise the validation/test fractions just enough, if the training part keeps enough windows."""
    config, total = ctx.config, ctx.rows or sum(ctx.part_rows.values())
    needed = config.timesteps + config.horizon + (MIN_EVAL_WINDOWS - 1) * config.stride
    if total < 1:
        return None
    fix = {}
    for part in short:
        fraction = np.ceil(needed / total * 100) / 100
        while round(total * fraction) < needed and fraction <= 0.5:
            fraction += 0.01
        fix[f"{part}_fraction"] = round(float(fraction), 2)
    fractions = {part: fix.get(f"{part}_fraction", _fraction(config, part)) for part in ("val", "test")}
    if max(fractions.values()) > 0.5 or sum(fractions.values()) >= 0.9:
        return None
    train_rows = total - round(total * fractions["val"]) - round(total * fractions["test"])
    if window_count(train_rows, config.timesteps, config.horizon, config.stride) < MIN_TRAIN_WINDOWS:
        return None
    return fix


def _column_ranges(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column smallest and largest finite value; NaN for a column with none (DATA006's business)."""
    columns = _finite_columns(values)
    low = np.array([c.min() if len(c) else np.nan for c in columns])
    high = np.array([c.max() if len(c) else np.nan for c in columns])
    return low, high


def _constant_columns(values: np.ndarray) -> dict[int, float]:
    """Column index → its one value, for the columns whose finite values never change."""
    low, high = _column_ranges(values)
    return {i: float(low[i]) for i in range(len(low)) if np.isfinite(low[i]) and low[i] == high[i]}


def _finite_columns(values: np.ndarray) -> list[np.ndarray]:
    # Column by column: numpy reduces a contiguous column many times faster than axis=0 of a wide array.
    if values is None or not len(values):
        return []
    columns = [values[:, i] for i in range(values.shape[1])]
    return [c if np.isfinite(c).all() else c[np.isfinite(c)] for c in columns]


def _fraction(config, part: str) -> float:
    return {"train": 1.0, "val": config.val_fraction, "test": config.test_fraction}[part]


def count_windows(part_rows: dict[str, int], config) -> dict[str, int]:
    return {part: window_count(rows, config.timesteps, config.horizon, config.stride)
            for part, rows in part_rows.items()}

"""Checks on the network's shape: the output head against the target, its size against the data."""

from __future__ import annotations

import numpy as np

from lstm_core.checks.engine import CheckContext, register
from lstm_core.config import RunConfig
from lstm_core.findings import Finding
from lstm_core.model import count_params
from lstm_core.tasks.forecast.windows import Scaler

# The values each bounded output activation can produce (None: unbounded on that side).
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}
# More than this share of scaled targets out of the head's reach, and its predictions are visibly clipped.
OUT_OF_REACH_SHARE = 0.01
CROSS_ENTROPY_LOSSES = ("binary_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy")
# Beyond this many weights per training window the LSTM can memorise the training set (overlapping windows
# share most of their rows, so the usual one-sample-per-weight rule of thumb is relaxed a hundredfold).
PARAMS_PER_WINDOW = 100
# Fewer units than this leave too little memory for even one seasonal pattern.
MIN_UNITS = 4
DEFAULT_UNITS = RunConfig.units
# Dropping more than half the inputs at every step leaves too little signal to learn from.
MAX_DROPOUT = 0.5
REGULAR_DROPOUT = 0.2
# The cuDNN kernel only runs the standard LSTM: tanh, sigmoid gates, no recurrent dropout.
CUDNN_SETTINGS = {"activation": "tanh", "recurrent_activation": "sigmoid", "recurrent_dropout": 0.0}


@register("ARCH001")
def output_units_mismatch(ctx: CheckContext):
    config = ctx.config
    if config.task != "forecast" or config.output_units is None:
        return
    needed = config.horizon if config.multi_step else 1
    if config.output_units != needed:
        target = f"{needed} value(s), steps 1 … {needed} ahead" if config.multi_step else "one value"
        yield Finding(
            "ARCH001", "error", f"Output layer has {config.output_units} units but each target is {needed} wide",
            f"Each window's target is {target}. Keras does not complain: MSE broadcasts a target of width "
            f"{needed} against {config.output_units} outputs, so the units all learn the same number, or the "
            "shapes clash mid-training. Leave the output units on auto.",
            evidence={"output_units": config.output_units, "needed": needed, "horizon": config.horizon,
                      "multi_step": config.multi_step}, fix={"output_units": None}, area="model")


@register("ARCH002")
def softmax_on_regression(ctx: CheckContext):
    config = ctx.config
    units, activation, _ = config.head()
    if config.task != "forecast" or activation != "softmax":
        return
    what = "always outputs 1.0, whatever the input" if units == 1 else f"makes the {units} outputs sum to 1"
    yield Finding(
        "ARCH002", "error", "Softmax output on a regression target",
        f"Softmax turns outputs into class probabilities; over {units} unit(s) it {what}, so the model cannot "
        "follow the series. A forecast needs a linear output.",
        evidence={"output_activation": activation, "output_units": units}, fix={"output_activation": None},
        area="model")


@register("ARCH003")
def target_out_of_reach(ctx: CheckContext):
    config = ctx.config
    _, activation, _ = config.head()
    if config.task != "forecast" or activation not in OUTPUT_RANGES or ctx.values is None:
        return
    scaled = _scaled_target(ctx)
    if not len(scaled):
        return
    low, high = OUTPUT_RANGES[activation]
    outside = (scaled < low) | (scaled > high) if high is not None else scaled < low
    share = float(outside.mean())
    if share > OUT_OF_REACH_SHARE:
        reach = f"[{low:g}, {high:g}]" if high is not None else f"[{low:g}, ∞)"
        yield Finding(
            "ARCH003", "warning", f"A {activation} output cannot reach {share:.0%} of the targets",
            f"After {config.scaling} scaling (fit on the training rows) the target runs from {scaled.min():.3g} "
            f"to {scaled.max():.3g}, but {activation} only produces values in {reach}. Predictions are clipped "
            "at the edge and the loss stalls there. Use a linear output.",
            evidence={"output_activation": activation, "output_range": [low, high], "scaling": config.scaling,
                      "scaled_min": float(scaled.min()), "scaled_max": float(scaled.max()),
                      "share_outside": round(share, 4), "limit": OUT_OF_REACH_SHARE},
            fix={"output_activation": None}, area="model")


def _scaled_target(ctx: CheckContext) -> np.ndarray:
    """Every target value as the model sees it: scaled with the scaler fit on the training rows."""
    train, target = (_finite(part[:, ctx.target_index]) for part in (ctx.train_values, ctx.values))
    if not len(train):
        return train
    scaler = Scaler.fit(train[:, None], ctx.config.scaling)
    return (target - scaler.offset[0]) / scaler.scale[0]


def _finite(column: np.ndarray) -> np.ndarray:
    return column[np.isfinite(column)]


@register("ARCH004")
def cross_entropy_on_regression(ctx: CheckContext):
    config = ctx.config
    _, _, loss = config.head()
    if config.task != "forecast" or loss not in CROSS_ENTROPY_LOSSES:
        return
    yield Finding(
        "ARCH004", "error", f"{loss} is a classification loss; the target is a number to forecast",
        "Cross-entropy compares predicted class probabilities with class labels. On a continuous target Keras "
        "either trains on nonsense without a word (binary cross-entropy) or fails mid-training on a "
        "'label value' outside the classes. Forecasting needs a regression loss such as MSE.",
        evidence={"loss": loss, "task": config.task}, fix={"loss": None}, area="model")


@register("ARCH005")
def too_many_parameters(ctx: CheckContext):
    config = ctx.config
    train = ctx.window_counts.get("train", 0)
    if not train:
        return
    params = count_params(config, ctx.feature_count, ctx.n_classes)
    limit = PARAMS_PER_WINDOW * train
    if params > limit:
        units = _largest_units(config, ctx.feature_count, limit, config.units - 1, ctx.n_classes)
        yield Finding(
            "ARCH005", "warning", f"{params:,} weights for {train:,} training {ctx.unit}",
            f"That is {params / train:.0f} weights per example (more than {PARAMS_PER_WINDOW}): the network can "
            f"memorise the training {ctx.unit}, so the validation loss rises early and predictions on new data are "
            "poor. Use fewer units or layers, or more data.",
            evidence={"params": params, "train_windows": train, "params_per_window": round(params / train, 1),
                      "limit": PARAMS_PER_WINDOW, "units": config.units, "layers": config.layers},
            fix={"units": units} if units else None, area="model")


@register("ARCH006")
def too_few_units(ctx: CheckContext):
    config = ctx.config
    if config.units >= MIN_UNITS:
        return
    train = ctx.window_counts.get("train", 0)
    units = DEFAULT_UNITS
    if train:
        units = _largest_units(config, ctx.feature_count, PARAMS_PER_WINDOW * train, DEFAULT_UNITS,
                               ctx.n_classes) or MIN_UNITS
    yield Finding(
        "ARCH006", "warning", f"Only {config.units} unit(s) per layer",
        f"An LSTM's units are its memory; with fewer than {MIN_UNITS} it cannot hold a level, a trend and a "
        "season at once, and the loss stops falling early (underfitting). Use more units.",
        evidence={"units": config.units, "minimum": MIN_UNITS}, fix={"units": units}, area="model")


def _largest_units(config: RunConfig, features: int, limit: int, ceiling: int,
                   n_classes: int | None = None) -> int | None:
    """The most units, between MIN_UNITS and ceiling, whose model stays within `limit` weights."""
    low, high, best = MIN_UNITS, ceiling, None
    while low <= high:
        middle = (low + high) // 2
        if count_params(config.replace(units=middle), features, n_classes) <= limit:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


@register("ARCH007")
def heavy_dropout(ctx: CheckContext):
    config = ctx.config
    heavy = {name: getattr(config, name) for name in ("dropout", "recurrent_dropout")
             if getattr(config, name) > MAX_DROPOUT}
    if heavy:
        yield Finding(
            "ARCH007", "warning", f"Dropout above {MAX_DROPOUT:g}",
            f"{', '.join(f'{name} {value:g}' for name, value in heavy.items())}: more than half of the signal is "
            "zeroed at every step, so the model learns slowly and underfits. 0.1 – 0.3 is the usual range.",
            evidence={**heavy, "limit": MAX_DROPOUT}, fix=dict.fromkeys(heavy, REGULAR_DROPOUT), area="model")


@register("ARCH008")
def slow_kernel(ctx: CheckContext):
    config = ctx.config
    off = {name: getattr(config, name) for name, fast in CUDNN_SETTINGS.items() if getattr(config, name) != fast}
    if off:
        yield Finding(
            "ARCH008", "info", "These LSTM settings cannot use the fast GPU (cuDNN) kernel",
            f"{', '.join(f'{name} = {value}' for name, value in off.items())}. On a GPU, Keras then falls back "
            "to a generic kernel, several times slower; on a CPU nothing changes. Keep the standard settings "
            "if you train on a GPU.",
            evidence=off, fix={name: CUDNN_SETTINGS[name] for name in off}, area="model")

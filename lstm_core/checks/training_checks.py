"""Checks on training parameters."""

from __future__ import annotations

from ..findings import Finding
from .engine import CheckContext, register

# The rates each optimiser is usually run with; far outside them training diverges or stalls.
LR_HIGH = {"adam": 0.01, "rmsprop": 0.01, "sgd": 0.5}
LR_VERY_HIGH = {"adam": 0.1, "rmsprop": 0.1, "sgd": 5.0}
LR_LOW = 1e-6
LR_DEFAULT = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}


@register("TRAIN001")
def learning_rate_high(ctx: CheckContext):
    config = ctx.config
    lr, name = config.learning_rate, config.optimizer
    default = LR_DEFAULT[name]
    if lr > LR_HIGH[name]:
        level = "very high" if lr > LR_VERY_HIGH[name] else "high"
        yield Finding(
            "TRAIN001", "warning", f"Learning rate {lr:g} is {level} for {name}",
            f"{name} usually works between 1e-4 and {LR_HIGH[name]:g}. Far above that the loss jumps around "
            "or diverges, often without ever becoming NaN.",
            evidence={"learning_rate": lr, "usual_max": LR_HIGH[name]},
            fix={"learning_rate": default}, area="training")


@register("TRAIN002")
def learning_rate_low(ctx: CheckContext):
    lr = ctx.config.learning_rate
    if lr < LR_LOW:
        yield Finding(
            "TRAIN002", "warning", f"Learning rate {lr:g} is very low",
            f"Below {LR_LOW:g} the weights barely move: the loss looks flat and training seems stuck.",
            evidence={"learning_rate": lr, "usual_min": LR_LOW},
            fix={"learning_rate": LR_DEFAULT[ctx.config.optimizer]}, area="training")


@register("TRAIN003")
def batch_size_vs_data(ctx: CheckContext):
    train = ctx.window_counts.get("train", 0)
    batch = ctx.config.batch_size
    if train and batch >= train:
        yield Finding(
            "TRAIN003", "warning", "Batch size covers the whole training set",
            f"batch_size {batch} ≥ {train} training windows, so each epoch is a single update step; "
            "training needs many more epochs to get anywhere.",
            evidence={"batch_size": batch, "train_windows": train},
            fix={"batch_size": max(1, min(32, train // 4))}, area="training")

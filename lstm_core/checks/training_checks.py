"""Checks on training parameters."""

from __future__ import annotations

import math

from lstm_core.checks.engine import CheckContext, register
from lstm_core.findings import Finding

# The rates each optimiser is usually run with; far outside them training diverges or stalls.
LR_HIGH = {"adam": 0.01, "rmsprop": 0.01, "sgd": 0.5}
LR_VERY_HIGH = {"adam": 0.1, "rmsprop": 0.1, "sgd": 5.0}
LR_LOW = 1e-6
LR_DEFAULT = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}
DEFAULT_BATCH = 32
# Fewer optimiser steps than this in a whole run and no LSTM gets past its random start.
MIN_UPDATES = 50


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
            f"or diverges, often without ever becoming NaN. Start from {default:g} and raise it only if the loss "
            "falls too slowly.",
            evidence={"learning_rate": lr, "usual_max": LR_HIGH[name], "very_high_above": LR_VERY_HIGH[name]},
            fix={"learning_rate": default}, area="training")


@register("TRAIN002")
def learning_rate_low(ctx: CheckContext):
    lr = ctx.config.learning_rate
    if lr < LR_LOW:
        yield Finding(
            "TRAIN002", "warning", f"Learning rate {lr:g} is very low",
            f"Below {LR_LOW:g} the weights barely move: the loss looks flat and training seems stuck. "
            f"Start from {LR_DEFAULT[ctx.config.optimizer]:g}.",
            evidence={"learning_rate": lr, "usual_min": LR_LOW},
            fix={"learning_rate": LR_DEFAULT[ctx.config.optimizer]}, area="training")


@register("TRAIN003")
def batch_size_vs_data(ctx: CheckContext):
    train = ctx.window_counts.get("train", 0)
    batch = ctx.config.batch_size
    if train and batch >= train:
        yield Finding(
            "TRAIN003", "warning", "Batch size covers the whole training set",
            f"batch_size {batch} ≥ {train} training {ctx.unit}, so each epoch is a single update step; "
            f"training needs many more epochs to get anywhere. Use a batch of a quarter of the {ctx.unit} or less.",
            evidence={"batch_size": batch, "train_windows": train},
            fix={"batch_size": max(1, min(DEFAULT_BATCH, train // 4))}, area="training")


@register("TRAIN004")
def batch_size_one(ctx: CheckContext):
    train = ctx.window_counts.get("train", 0)
    # With a few dozen windows batch 1 costs little; beyond a default batch it is needlessly slow.
    if ctx.config.batch_size != 1 or train <= DEFAULT_BATCH:
        return
    yield Finding(
        "TRAIN004", "warning", "Batch size 1",
        f"Every one of the {train} training {ctx.unit} is its own update step: an epoch takes {train} steps, "
        "each gradient comes from a single window, and the loss curve is noisy. Batches of 16 – 64 train "
        "faster and steadier.",
        evidence={"batch_size": 1, "train_windows": train, "steps_per_epoch": train},
        fix={"batch_size": DEFAULT_BATCH}, area="training")


@register("TRAIN005")
def few_updates(ctx: CheckContext):
    train = ctx.window_counts.get("train", 0)
    if not train:
        return
    config = ctx.config
    steps = math.ceil(train / config.batch_size)
    updates = steps * config.epochs
    if updates < MIN_UPDATES:
        epochs = math.ceil(MIN_UPDATES / steps)
        yield Finding(
            "TRAIN005", "warning", f"Only {updates} weight updates in the whole run",
            f"{config.epochs} epoch(s) × {steps} step(s) per epoch ({train} {ctx.unit} in batches of "
            f"{config.batch_size}) give the optimiser {updates} steps, fewer than {MIN_UPDATES}: the model will "
            f"stop long before it has learnt anything. Train for {epochs} epochs or more (early stopping ends "
            "the run when it stops improving).",
            evidence={"updates": updates, "epochs": config.epochs, "steps_per_epoch": steps,
                      "train_windows": train, "batch_size": config.batch_size, "minimum": MIN_UPDATES},
            fix={"epochs": epochs}, area="training")

"""Trainings shared within a test process: two tests (or two samples) whose runs would be the same training — the
same windows and the same settings, so the same losses to the bit — train once."""

from __future__ import annotations

import hashlib

import numpy as np


def training_key(prepared) -> tuple:
    """What decides a training's result: its settings and the exact arrays it trains and validates on."""
    digest = hashlib.sha256()
    windows = prepared.windows
    for name in ("x_train", "y_train", "x_val", "y_val"):
        digest.update(np.ascontiguousarray(getattr(windows, name)).tobytes())
    return prepared.config, digest.hexdigest()

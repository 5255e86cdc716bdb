"""Imported once by the fork server that training workers and the helper are forked from (spawning.py): TensorFlow,
Keras, statsmodels' Holt-Winters (a forecast's baseline: ~0.7 s to import in each child otherwise) and the modules a
run goes through. Importing runs no TensorFlow op, so no thread pool or device state exists yet when a child is
forked: each child starts TensorFlow's runtime itself, with its own environment."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: F401
import statsmodels.tsa.holtwinters  # noqa: F401

import lstm_core.jobs.calls
import lstm_core.jobs.execute
import lstm_core.model
import lstm_core.monitors
import lstm_core.tasks.forecast.ets
import lstm_core.train  # noqa: F401

"""Limits that protect a shared server, each overridable by an environment variable.

`limit("max_rows")` reads LSTM_PLAYGROUND_MAX_ROWS when set, else the default below. Every message that enforces a
limit names the variable (`how_to_change`), so an operator knows what to set.
"""

from __future__ import annotations

import os

PREFIX = "LSTM_PLAYGROUND_"

DEFAULTS: dict[str, int] = {
    "max_text_chars": 5_000_000,
    "max_classify_texts": 100_000,
    # Per uploader; Streamlit's own server.maxUploadSize (.streamlit/config.toml) caps every upload above it.
    "max_upload_mb": 50,
    "max_rows": 1_000_000,
    "max_columns": 1_000,
    "max_cells": 20_000_000,
    "max_params": 2_000_000,
    "max_epochs": 1_000,
    "max_train_seconds": 600,
    "max_concurrent_trainings": 2,
    "worker_runs": 20,
    "worker_memory_mb": 3_000,
    "compiled_per_worker": 4,
    "max_stored_runs": 500,
    "max_run_age_days": 90,
    "max_store_mb": 5_000,
    "max_sweep_runs": 16,
    "ray_cpus_per_run": 1,
}

# One line each, for the README, docs/security.md and error messages.
DESCRIPTIONS: dict[str, str] = {
    "max_text_chars": "characters of text a language model reads",
    "max_classify_texts": "rows of a CSV the text classifier reads",
    "max_upload_mb": "megabytes of one uploaded file",
    "max_rows": "rows of one CSV",
    "max_columns": "columns of one CSV",
    "max_cells": "cells (rows × columns) of one CSV",
    "max_params": "weights of one model, counted from the settings before it is built",
    "max_epochs": "epochs of one run",
    "max_train_seconds": "seconds one run may train before it is stopped (its model and curve are kept)",
    "max_concurrent_trainings": "runs training at the same time on this server (the worker pool's size); more are "
                                "queued",
    "worker_runs": "runs a training worker process trains before it is replaced by a fresh one",
    "worker_memory_mb": "megabytes of memory (RSS) above which a training worker is replaced after its run",
    "compiled_per_worker": "compiled models a training worker keeps, so that a run of the same shape skips the trace "
                           "and compile (~12 MB each, ~40 MB with XLA)",
    "max_stored_runs": "runs the run store keeps; the oldest finished runs beyond it are deleted",
    "max_run_age_days": "days a finished run is kept in the run store",
    "max_store_mb": "megabytes of run folders and data the run store keeps; the oldest finished runs beyond it are "
                    "deleted",
    "max_sweep_runs": "runs one sweep (a grid of settings trained side by side) may make",
    "ray_cpus_per_run": "CPUs a run asks of the Ray cluster, when LSTM_PLAYGROUND_RAY_ADDRESS sends runs there",
}


class LimitError(ValueError):
    """A limit's environment variable holds something that is not a positive whole number."""


def env_name(name: str) -> str:
    return PREFIX + name.upper()


def limit(name: str) -> int:
    """The limit `name` in force: the environment's value when set, else the default."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown limit {name!r}; known: {', '.join(sorted(DEFAULTS))}")
    raw = os.environ.get(env_name(name), "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        value = int(float(raw))
    except ValueError:
        raise LimitError(f"{env_name(name)} = {raw!r} is not a number; unset it or give a positive whole number") \
            from None
    if value < 1:
        raise LimitError(f"{env_name(name)} = {raw!r} must be at least 1")
    return value


def how_to_change(name: str) -> str:
    return (f"The limit is {limit(name):,}; set the environment variable {env_name(name)} before starting the app "
            "to change it.")

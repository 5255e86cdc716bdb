"""Memory stays flat over repeated runs: a replaced run's model and a closed session's model are released, and this
process's resident memory grows by less than the bound documented in docs/security.md (bench/memory.py measures the
real server over twenty runs and ten sessions)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from streamlit.testing.v1 import AppTest

# Resident memory one more short run may add once TensorFlow is loaded and the first model compiled. Not zero:
# TensorFlow's XLA cache keeps every compiled model's executable (no eviction, tensorflow issue 64170); measured
# here ~40-55 MB a run, docs/security.md "Memory". A model kept alive by the page would add far more than its share.
BOUND_MB_PER_RUN = 80
RUNS = 3


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def train_tiny(at: AppTest) -> weakref.ref:
    at.button(key="train").click().run()
    assert not at.exception, at.exception
    state = at.session_state["run"]
    assert state.status == "completed"
    return weakref.ref(state.model)


def tiny_settings(at: AppTest) -> AppTest:
    for field, value in (("epochs", 1), ("units", 4)):
        at.number_input(key=f"cfg.{field}").set_value(value)
    return at.run()


def test_replaced_runs_release_their_models_and_memory_stays_flat(new_app, monkeypatch):
    # The run history keeps the newest models (LSTM_PLAYGROUND_KEPT_MODELS); keeping one, each run must free the last.
    monkeypatch.setenv("LSTM_PLAYGROUND_KEPT_MODELS", "1")
    at = tiny_settings(new_app())
    previous = train_tiny(at)  # warm-up: TensorFlow imported, the first model compiled
    gc.collect()
    warm = rss_mb()
    for _ in range(RUNS):
        latest = train_tiny(at)
        gc.collect()
        assert previous() is None, "the replaced run's model is still referenced"
        previous = latest
    assert previous() is not None  # the latest run keeps its model for the results
    assert rss_mb() - warm < BOUND_MB_PER_RUN * RUNS


def test_a_closed_session_releases_its_model(new_app):
    at = tiny_settings(new_app())
    model = train_tiny(at)
    del at
    gc.collect()
    assert model() is None, "something outside the session keeps its model alive"

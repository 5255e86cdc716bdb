"""Shared fixtures: the repository's paths, the real CSV files in tests/data, and one tiny real training."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from recording import Recorder

# Before anything imports TensorFlow: keep its C++ start-up chatter out of the test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Imported twice (as `tests.conftest` beside pytest's `conftest`), this module would make a second store and point
# LSTM_PLAYGROUND_HOME at it, while the process's engine kept the first: every later page test found its run missing.
_OWNER_VARIABLE = "LSTM_PLAYGROUND_TESTS_STORE_PID"
if os.environ.get(_OWNER_VARIABLE) == str(os.getpid()):
    raise ImportError("tests/conftest.py imported a second time: import what tests share from tests/recording.py or "
                      "tests/trained.py, never from conftest")
os.environ[_OWNER_VARIABLE] = str(os.getpid())
# Every run the tests make lands in a store of their own (one per test process), never in the user's home; the
# process that made it removes it when it exits (a process forked from it inherits the handler, not the store).
STORE = tempfile.mkdtemp(prefix="lstm-playground-tests-")
os.environ["LSTM_PLAYGROUND_HOME"] = STORE
_STORE_OWNER = os.getpid()


@atexit.register
def _remove_store() -> None:
    if os.getpid() == _STORE_OWNER:
        shutil.rmtree(STORE, ignore_errors=True)


REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "tests" / "data"
# Small enough to train in a few seconds on two cores, large enough to be a real LSTM.
TINY = {"units": 8, "epochs": 2, "batch_size": 32, "missing": "interpolate"}


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def data_file():
    """data_file("hourly.csv") → the path of a committed test file (written by tests/data/make_files.py)."""

    def path(name: str) -> Path:
        found = DATA_DIR / name
        assert found.is_file(), f"{found} is missing: run tests/data/make_files.py and commit what it writes"
        return found

    return path


@pytest.fixture(scope="session")
def noisy_prepared():
    """The noisy_seasonal sample, checked and windowed with a tiny config (season 24, 24 timesteps)."""
    from lstm_core.config import RunConfig
    from lstm_core.data import load_csv
    from lstm_core.tasks.forecast.pipeline import prepare
    from lstm_core.tasks.forecast.samples import sample_csv

    dataset = load_csv(sample_csv("noisy_seasonal"), "noisy_seasonal.csv")
    prepared = prepare(dataset, RunConfig(target="value", season=24, **TINY))
    assert prepared.ready, [f.to_dict() for f in prepared.findings]
    return prepared


@pytest.fixture(scope="session")
def tiny_run(noisy_prepared):
    """One real 2-epoch training of an 8-unit LSTM, shared by the tests that only read its results."""
    from lstm_core.tasks.forecast.pipeline import train

    recorder = Recorder()
    state = train(noisy_prepared, [recorder])
    return state, recorder


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def cli(repo):
    """Runs `python -m lstm_core ARGS` as a user would and returns the finished process (returncode, stdout,
    stderr). The process is forked with TensorFlow imported (tests/commandline.py); fresh=True starts a new
    interpreter."""
    from commandline import run_command

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(repo)}

    def run(*args: str, timeout: float = 180, fresh: bool = False) -> subprocess.CompletedProcess:
        return run_command(list(map(str, args)), repo, env, timeout, fresh=fresh)

    return run


# The longest test files, longest first (every file of 12 s or more on one xdist worker, summed from a run's
# `--junitxml` report), started first: the workers take files in collection order, and a long file taken last leaves
# the other worker idle at the end.
LONGEST_FILES = ("unit/test_ray_engine.py", "unit/test_lab.py", "unit/test_jobs.py", "unit/test_compiled.py",
                 "app/test_inside_page.py", "unit/test_classification_train.py", "app/test_sweeps_page.py",
                 "app/test_memory.py", "unit/test_validation.py", "unit/test_export.py", "unit/test_sweeps.py",
                 "unit/test_monitors.py", "app/test_playground.py", "unit/test_inside.py", "unit/test_cli_store.py",
                 "app/test_intervals_page.py", "app/test_classification_page.py", "unit/test_cli.py",
                 "unit/test_pipeline.py", "unit/test_inside_cli.py", "unit/test_ets.py",
                 # The browser phase's (two workers taking one test at a time): its short tests last.
                 "browser/test_browser_jobs.py", "browser/test_browser_runs.py",
                 "browser/test_browser_text_generation.py", "browser/test_browser_reliability.py",
                 "browser/test_browser_sweeps.py", "browser/test_browser_fixes.py", "browser/test_browser_inside.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = item.path.as_posix()
        return next((i for i, name in enumerate(LONGEST_FILES) if path.endswith(f"tests/{name}")), len(LONGEST_FILES))

    items.sort(key=rank)  # stable: the order within a file, and among the other files, is kept


_frozen_for = None


def pytest_runtest_setup(item):
    """Once Keras is imported, each test file starts with the heap so far frozen."""
    global _frozen_for
    # Streamlit clears Keras's session, a full garbage collection, after every script run of a process that has
    # imported keras. The page's server never does, but a test process that also runs unit tests has: there every
    # AppTest run went through TensorFlow's ~360,000 objects again (0.2 s, more as the heap grew; two app test
    # files took 35 s of CPU instead of 14). Frozen objects are left out of collections (gc.freeze), so a
    # collection looks at what the current file made; what earlier files left behind was collected just before.
    if "keras" in sys.modules and _frozen_for != item.path:
        _frozen_for = item.path
        gc.collect()
        gc.freeze()

"""`python -m lstm_core inspect RUN_DIR`: a run trained with `train --store`, then looked inside, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest


@pytest.fixture(scope="module")
def stored(repo, tmp_path_factory):
    """A store holding one tiny forecast run trained from the command line; (run it, the run's folder)."""
    home = tmp_path_factory.mktemp("inside_home")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(home)}

    def run(*args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lstm_core", *map(str, args)], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=240)

    trained = run("train", "sample:noisy_seasonal", "--units", "6", "--epochs", "2", "--timesteps", "12",
                  "--store", "--json")
    assert trained.returncode == 0, trained.stderr
    run_id = json.loads(trained.stdout)["run_id"]
    return run, home / "runs" / run_id


def test_inspect_writes_the_arrays_of_a_window_as_json(stored):
    run, run_dir = stored
    done = run("inspect", run_dir, "--window", "3", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["command"] == "inspect" and report["window"] == 3 and report["run_id"] == run_dir.name
    assert report["agreement"] < 1e-5
    [layer] = report["layers"]
    [forward] = layer["directions"]
    for part in ("input", "forget", "output", "cell", "hidden"):
        assert np.asarray(forward[part]).shape == (12, 6), part
    assert len(report["attribution"]["change"]) == 12 and len(report["inputs"]) == 12
    shares = layer and report["saturation"][0]["directions"][0]
    assert set(shares["trained"]) == {"input", "forget", "output", "cell"} and "reference" in shares


def test_inspect_defaults_to_the_worst_window_and_says_so_in_words(stored):
    run, run_dir = stored
    done = run("inspect", run_dir)
    assert done.returncode == 0, done.stderr
    assert "largest error" in done.stdout and "saturated" in done.stdout and "occlusion" in done.stdout


def test_inspect_refuses_a_folder_that_is_not_a_run(stored, tmp_path):
    run, _ = stored
    done = run("inspect", tmp_path, "--json")
    assert done.returncode == 1 and "not a trained run" in json.loads(done.stdout)["error"]
    out_of_range = run("inspect", stored[1], "--window", "100000")
    assert out_of_range.returncode == 1 and "not a test window" in out_of_range.stderr

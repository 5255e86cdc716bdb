"""`python -m lstm_core inspect RUN_DIR`: a run trained with `train --store`, then looked inside, as a user would."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest
from commandline import run_command


@pytest.fixture(scope="module")
def stored(repo, tmp_path_factory):
    """A store holding one tiny forecast run trained from the command line; (run it, the run's folder)."""
    home = tmp_path_factory.mktemp("inside_home")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(home)}

    def run(*args) -> subprocess.CompletedProcess:
        return run_command(list(map(str, args)), repo, env, timeout=240)

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
    # The reference is a healthy run: this one (a usual rate and no warning) or the same setup trained at 0.001.
    reference = report["reference"]
    assert reference["kind"] in ("itself", "trained"), reference
    assert reference["text"].startswith("this run itself") or reference["text"].startswith(
        "the same setup trained at learning rate 0.001 for 2 epochs")


def test_inspect_defaults_to_the_worst_window_and_says_so_in_words(stored):
    run, run_dir = stored
    done = run("inspect", run_dir)
    assert done.returncode == 0, done.stderr
    assert "largest error" in done.stdout and "saturated" in done.stdout and "occlusion" in done.stdout
    assert "reference: " in done.stdout and "(reference " in done.stdout


def test_inspect_refuses_a_folder_that_is_not_a_run(stored, tmp_path):
    run, _ = stored
    done = run("inspect", tmp_path, "--json")
    assert done.returncode == 1 and "not a trained run" in json.loads(done.stdout)["error"]
    out_of_range = run("inspect", stored[1], "--window", "100000")
    assert out_of_range.returncode == 1 and "not a test window" in out_of_range.stderr


# Quotes, digits, spaces and line breaks: every class of characters the units are ranked by.
STORY = "".join(f'The {animal} said "I have {n} eggs" on day {n * 7 % 31}.\n'
                for n, animal in enumerate(["fox", "hen", "owl", "cat"] * 40))
PASSAGE = 'The owl said "I have 7 eggs" on day 3.\nThe cat said "I have 12 eggs".\nThe hen.\nThe fox'


@pytest.fixture(scope="module")
def stored_text(stored, tmp_path_factory):
    """A character language model trained from the command line into the same store, at a learning rate of 5."""
    run, _ = stored
    story = tmp_path_factory.mktemp("inside_text") / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    trained = run("train", story, "--task", "text-lm", "--level", "char", "--timesteps", "12", "--units", "6",
                  "--epochs", "1", "--lr", "5", "--sample-length", "10", "--store", "--json")
    assert trained.returncode in (0, 1), trained.stderr[-2000:]
    run_id = json.loads(trained.stdout)["run_id"]
    return run, stored[1].parent / run_id


def test_inspect_reads_a_passage_of_a_language_model_as_json(stored_text):
    run, run_dir = stored_text
    kept = run_dir.parent.parent / "inside_references"
    before = set(kept.glob("*.keras"))
    done = run("inspect", run_dir, "--passage", PASSAGE, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["kind"] == "passage" and report["task"] == "text-lm" and report["run_id"] == run_dir.name
    assert "".join(report["tokens"]) == PASSAGE and report["steps"] == len(PASSAGE) and report["unknown"] == []
    # The passage (longer than the 12-step windows) recomputed in numpy matches Keras' own layer.
    assert report["agreement"] < 1e-5
    [layer] = report["layers"]
    [forward] = layer["directions"]
    for part in ("input", "forget", "output", "cell", "hidden"):
        assert np.asarray(forward[part], dtype=float).shape == (len(PASSAGE), 6), part
    assert {"spaces", "quotes", "digits", "line breaks"} <= set(report["responses"][0][0])
    assert "attribution" not in report and "window" not in report
    # A rate of 5 is not healthy: the reference is the same setup trained at Adam's default rate, for its 1 epoch.
    assert report["reference"]["kind"] == "trained", report["reference"]
    assert report["reference"]["text"] == "the same setup trained at learning rate 0.001 for 1 epoch"
    shares = report["saturation"][0]["directions"][0]
    assert set(shares["reference"]) == {"input", "forget", "output", "cell"}
    # The reference was kept for the store: a second look trains nothing and reads the same numbers.
    after = set(kept.glob("*.keras"))
    assert len(after - before) == 1
    again = json.loads(run("inspect", run_dir, "--passage", PASSAGE, "--json").stdout)
    assert again["saturation"] == report["saturation"] and set(kept.glob("*.keras")) == after

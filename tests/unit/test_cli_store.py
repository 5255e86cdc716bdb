"""`train --store`, `runs` and `stop` as a user runs them: real CLI subprocesses, real trainings, one run store."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from commandline import Command, start_command

from lstm_core.config import RunConfig
from lstm_core.jobs import LocalEngine, prepare_from
from lstm_core.store import RunStore, new_workspace_id
from lstm_core.store.codec import loads_report

PAGE_FILES = {"model.keras", "config.json", "history.csv", "metrics.json", "train_script.py", "report.json",
              "summary.json"}
UNKNOWN_ID = "0123456789abcdef"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("playground_home")


@pytest.fixture(scope="module")
def lstm(repo, home):
    """`lstm(*args)` starts `python -m lstm_core ARGS` on the module's store and returns the running command
    (tests/commandline.py: forked with TensorFlow imported; fresh=True a new interpreter)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(home)}

    def start(*args: str, fresh: bool = False) -> Command:
        return start_command(list(args), repo, env, fresh)

    return start


def ran(lstm, *args: str) -> subprocess.CompletedProcess:
    return lstm(*args).finish(60)


@pytest.fixture(scope="module")
def trainings(lstm):
    """Three CLI trainings started together: a forecast, a text classifier and a 300-epoch forecast for `stop` to
    end, in a real `python -m lstm_core` (the server must take that process for a live trainer)."""
    started = {"forecast": lstm("train", "sample:noisy_seasonal", "--units", "8", "--epochs", "2", "--store",
                                "--json"),
               "text": lstm("train", "sample:customer_messages", "--units", "8", "--epochs", "2", "--store",
                            "--json"),
               # No early stopping: the run must still be training when `stop` reaches it.
               "long": lstm("train", "sample:noisy_seasonal", "--units", "8", "--epochs", "300", "--store",
                            "--no-early-stopping", "--json", fresh=True)}
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()


@pytest.fixture(scope="module")
def forecast(trainings):
    result = trainings["forecast"].finish(240)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_train_store_records_a_completed_run_with_the_printed_history_and_a_page_runs_files(forecast, home):
    store = RunStore(home)
    record = store.get(forecast["run_id"])
    assert forecast["store"] == str(home)
    assert record.status == "completed" and record.source == "cli" and record.workspace == "cli"
    assert record.history == forecast["history"]
    assert record.config == RunConfig.from_dict(forecast["config"])
    assert record.metrics["model"]["mae"] == pytest.approx(forecast["metrics"]["model"]["mae"])
    assert record.verdict == forecast["verdict"] and record.best_epoch in (1, 2) and record.steps > 0
    assert forecast["xla"] is False and record.jit_compile is False, "two epochs end sooner without XLA"
    assert PAGE_FILES | {"forecast.json"} <= set(store.artifact_names(record.key))
    assert type(loads_report(store.artifact(record.key, "report.json"))).__name__ == "ForecastReport"
    # The stored bytes and config prepare the very windows the CLI trained on: the run can be scored again.
    again = prepare_from(record.reader, store.data_bytes(record.data_ref), record.data_name, record.config)
    assert again.data_summary()["windows"] == forecast["data"]["windows"]
    assert record.data_id == "sample:noisy_seasonal"


def test_a_text_classifier_is_recorded_with_its_report(trainings, home):
    result = trainings["text"].finish(240)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = json.loads(result.stdout)
    store = RunStore(home)
    record = store.get(printed["run_id"])
    assert record.status == "completed" and record.reader == "text-csv" and not record.findings
    assert record.history == printed["history"]
    assert record.metrics["model"]["accuracy"] == pytest.approx(printed["metrics"]["model"]["accuracy"])
    names = set(store.artifact_names(record.key))
    assert {"model.keras", "config.json", "history.csv", "metrics.json", "report.json"} <= names
    # A text classifier's own preprocessing: its classes and vocabulary, no scaler or feature columns.
    preprocessing = json.loads(store.artifact(record.key, "preprocessing.json"))
    assert "vocabulary" in preprocessing and "scale" not in preprocessing


def test_runs_lists_the_workspace_and_only_it(forecast, lstm):
    listed = json.loads(ran(lstm, "runs", "--json").stdout)
    row = next(r for r in listed["runs"] if r["id"] == forecast["run_id"])
    assert row["status"] == "completed" and row["source"] == "cli" and row["epochs"] == 2
    assert row["best_val_loss"] == min(forecast["history"]["val_loss"]) and row["name"].startswith(f"#{row['number']}")
    assert forecast["run_id"] in ran(lstm, "runs").stdout
    assert json.loads(ran(lstm, "runs", "--workspace", new_workspace_id(), "--json").stdout)["runs"] == []


def test_stop_ends_a_run_training_in_another_cli_process_and_keeps_its_epochs(trainings, lstm, home):
    store = RunStore(home)
    deadline = time.monotonic() + 180
    while not (running := [r for r in store.list_runs("cli") if r.planned_epochs == 300 and r.epochs >= 1]):
        assert time.monotonic() < deadline and trainings["long"].poll() is None, "the long run never showed an epoch"
        time.sleep(0.2)
    run_id = running[0].key
    # A page server starting meanwhile takes the CLI's training process for a live one, not a lost run.
    LocalEngine(store, size=1, spare=False).close()
    assert store.status(run_id) == "running"

    asked = ran(lstm, "stop", run_id, "--json")
    assert asked.returncode == 0 and json.loads(asked.stdout) == {"command": "stop", "run_id": run_id,
                                                                  "status": "running", "stop_requested": True}
    result = trainings["long"].finish(60)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["stopped"] == "stopped_early" and printed["reason"] == "stopped from the command line"
    record = store.get(run_id)
    assert record.status == "stopped_early" and 1 <= record.epochs < 300
    # 300 epochs of 8 units: long and narrow enough for XLA, and the report and the store say so.
    assert printed["xla"] is True and record.jit_compile is True
    assert record.history == printed["history"]
    assert "model.keras" in store.artifact_names(run_id), "a stopped run keeps its model"
    assert "already ended: stopped_early" in ran(lstm, "stop", run_id).stdout


def test_stop_on_an_unknown_run_exits_1_with_one_plain_line(lstm):
    result = ran(lstm, "stop", UNKNOWN_ID)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and UNKNOWN_ID in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(ran(lstm, "stop", UNKNOWN_ID, "--json").stdout)["status"] is None


def test_a_made_up_workspace_is_refused_before_anything_trains(lstm):
    result = ran(lstm, "train", "sample:noisy_seasonal", "--store", "--workspace", "../elsewhere", "--json")
    assert result.returncode == 2 and "not a workspace id" in result.stderr and "Traceback" not in result.stderr

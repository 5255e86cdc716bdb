"""Sweeps: reading grids, refusing bad ones with a finding each (nothing trained), a real learning-rate sweep through
real worker processes, stopping a sweep, the summary's words, the CLI, and an older store file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from commandline import run_command
from waiting import until

from lstm_core.config import RunConfig
from lstm_core.findings import Finding, ProblemError
from lstm_core.jobs import LocalEngine
from lstm_core.monitors import registered_monitors
from lstm_core.store import RunStore, new_workspace_id
from lstm_core.sweeps.grid import Axis, parse_axis, plan_grid, plan_sweep
from lstm_core.sweeps.outcomes import DIVERGED, OSCILLATED, STALLED, UNDERFIT, SweepRun, SweepState
from lstm_core.sweeps.state import best_run, leaderboard_rows, stop_sweep, submit_sweep, sweep_state
from lstm_core.tasks.forecast.samples import sample_csv

WS = new_workspace_id()
DATA = sample_csv("noisy_seasonal")
# A few hundred rows and a handful of epochs: each run trains in seconds, long enough for the monitors to read a curve.
BASE = RunConfig(target="value", season=24, units=8, epochs=6, batch_size=32, timesteps=24, rows_used=500)
# Long enough to be stopped mid-way, short enough per epoch to stay under XLA's threshold (no compile to wait for).
LONG = BASE.replace(epochs=100, timesteps=12, early_stopping=False)


def submit(engine, plan) -> str:
    return submit_sweep(engine, WS, plan, DATA, "noisy_seasonal.csv", "csv", "sample:noisy_seasonal")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One pool of two workers for the trainings of this module."""
    pool = LocalEngine(RunStore(tmp_path_factory.mktemp("home")), size=2, warm_up=False)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def idle_engine(tmp_path_factory):
    """An engine that starts no worker until a run is queued: the refused grids must leave it with none."""
    pool = LocalEngine(RunStore(tmp_path_factory.mktemp("idle")), size=2, spare=False, warm_up=False)
    yield pool
    pool.close()


# Reading a grid.


def test_a_list_is_typed_like_its_setting():
    assert parse_axis("learning_rate=1e-4,1e-3,1e-2") == Axis("learning_rate", (1e-4, 1e-3, 1e-2))
    assert parse_axis("units=16,64") == Axis("units", (16, 64))
    assert all(type(v) is int for v in parse_axis("units=16,64.0").values)
    assert parse_axis("lr = 0.1, 1").values == (0.1, 1.0), "the CLI's name for the setting, spaces allowed"
    assert parse_axis("optimizer=adam,sgd") == Axis("optimizer", ("adam", "sgd"))


def test_a_log_range_gives_its_count_of_log_spaced_values_rounded_to_three_digits():
    assert parse_axis("learning_rate=1e-5..10:5").values == (1e-5, 3.16e-4, 1e-2, 0.316, 10.0)
    assert parse_axis("learning_rate=1e-5 … 10:5").values == (1e-5, 3.16e-4, 1e-2, 0.316, 10.0)
    assert parse_axis("learning_rate=1e-4..1e-2:3").values == (1e-4, 1e-3, 1e-2)
    assert parse_axis("units=16..256:5").values == (16, 32, 64, 128, 256)


@pytest.mark.parametrize("text", ["learning_rate", "learning_rate=", "=1,2", "lr=1e-5..10", "lr=1e-5..x:3",
                                  "lr=10..1e-5:3", "lr=1e-5..10:1", "optimizer=adam..sgd:3"])
def test_text_that_is_no_grid_is_refused_with_sweep008(text):
    with pytest.raises(ProblemError) as raised:
        parse_axis(text)
    assert raised.value.finding.code == "SWEEP008" and text in raised.value.finding.title


BAD_GRIDS = {
    "SWEEP001": (["momentum=0.1,0.9"], "learning_rate, units, layers"),
    "SWEEP002": (["learning_rate=1e-3,0,1e-2"], "learning_rate = 0 "),
    "SWEEP003": (["learning_rate=1e-3,0.001,1e-2"], "1e-3"),
    "SWEEP004": (["units=8,16", "units=32,64"], "units"),
    "SWEEP005": (["units=8,16", "layers=1,2", "dropout=0,0.1"], "units, layers, dropout"),
    "SWEEP006": (["units=8"], "one run"),
    "SWEEP007": (["learning_rate=1e-5..10:17"], "LSTM_PLAYGROUND_MAX_SWEEP_RUNS"),
    "SWEEP008": (["learning_rate:1e-3"], "learning_rate:1e-3"),
}


@pytest.mark.parametrize("code", sorted(BAD_GRIDS))
def test_each_bad_grid_is_one_clear_finding_and_trains_nothing(code, idle_engine):
    texts, named = BAD_GRIDS[code]
    plan = plan_grid(BASE, texts)
    assert not plan.ok and [f.code for f in plan.findings] == [code]
    finding = plan.findings[0]
    assert finding.severity == "error" and named in f"{finding.title} {finding.detail}"
    assert plan.configs == [] and plan.values == []
    with pytest.raises(ProblemError) as raised:
        submit(idle_engine, plan)
    assert raised.value.finding.code == code
    store = idle_engine.store
    assert store.list_runs(WS) == [] and store.list_sweeps(WS) == [] and store.queued() == []
    assert idle_engine.pool_state()["workers"] == 0


def test_bad_values_are_named_one_finding_each():
    plan = plan_sweep(BASE, [parse_axis("units=8,abc,0,16.5"), parse_axis("activation=tanh,swish")])
    titles = [f.title for f in plan.findings]
    assert [f.code for f in plan.findings] == ["SWEEP002"] * 4
    assert titles == ["units = abc cannot be used", "units = 0 cannot be used", "units = 16.5 cannot be used",
                      "activation = swish cannot be used"]
    assert "tanh, relu, sigmoid" in plan.findings[-1].detail


def test_the_limit_comes_from_its_environment_variable(monkeypatch):
    monkeypatch.setenv("LSTM_PLAYGROUND_MAX_SWEEP_RUNS", "3")
    over = plan_grid(BASE, ["units=8,16", "learning_rate=1e-3,1e-2"])
    assert [f.code for f in over.findings] == ["SWEEP007"] and over.size == 4
    assert "at most 3" in over.findings[0].title and "LSTM_PLAYGROUND_MAX_SWEEP_RUNS" in over.findings[0].detail
    assert plan_grid(BASE, ["units=8,16,32"]).ok
    monkeypatch.delenv("LSTM_PLAYGROUND_MAX_SWEEP_RUNS")
    assert plan_grid(BASE, ["units=8,16", "learning_rate=1e-3,1e-2"]).ok


def test_a_plan_varies_only_the_swept_settings_and_keeps_the_seed():
    plan = plan_grid(BASE.replace(seed=7), ["units=8,16", "learning_rate=1e-3,1e-2"])
    assert plan.ok and plan.size == 4
    assert plan.values == [{"units": 8, "learning_rate": 1e-3}, {"units": 8, "learning_rate": 1e-2},
                           {"units": 16, "learning_rate": 1e-3}, {"units": 16, "learning_rate": 1e-2}]
    assert [c.replace(units=8, learning_rate=1e-3) for c in plan.configs] == [BASE.replace(seed=7)] * 4
    assert "seed 7" in plan.seed_note


def test_the_summary_codes_are_the_monitors_codes():
    monitors = registered_monitors()
    assert set(DIVERGED + STALLED + OSCILLATED + UNDERFIT) <= set(monitors)
    assert {monitors[code].stops for code in DIVERGED} == {"diverged"} and monitors["TRAIN103"].stops


# The summary and the leaderboard, from runs as the store would give them.


def fake(values: dict, status: str, best: float | None, codes=()) -> SweepRun:
    findings = [Finding(code, "error" if code in DIVERGED else "warning", code, "", epoch=3) for code in codes]
    return SweepRun(f"r{len(str(values))}{status}", values, status, number=1, best_val_loss=best, codes=list(codes),
                    findings=findings)


def state_of(runs: list[SweepRun], settings=("learning_rate",), stopped=False) -> SweepState:
    from lstm_core.sweeps.summary import summarize

    state = SweepState("s", list(settings), runs, stopped)
    state.best = best_run(runs)
    state.summary = summarize(state)
    return state


def test_the_summary_names_what_went_wrong_by_value_and_the_best_in_the_users_words():
    runs = [fake({"learning_rate": 1e-5}, "stopped_early", 0.9, ["TRAIN103"]),
            fake({"learning_rate": 1e-3}, "completed", 0.05),
            fake({"learning_rate": 3e-3}, "completed", 0.041),
            fake({"learning_rate": 1.0}, "diverged", 0.02, ["TRAIN102"]),
            fake({"learning_rate": 10.0}, "diverged", None, ["TRAIN102"])]
    state = state_of(runs)
    assert state.summary == ("Learning rates ≥ 1 diverged (TRAIN102), 1e-5 stalled (TRAIN103); best: 3e-3, "
                             "validation loss 0.041")
    assert state.best_values == {"learning_rate": 3e-3}, "a diverged run is never the best, whatever its loss"
    other = [fake({"learning_rate": 1e-5}, "completed", 0.9, ["TRAIN106"]),
             fake({"learning_rate": 1e-3}, "completed", 0.05, ["TRAIN104"]), *runs[2:]]
    assert state_of(other).summary == ("Learning rates ≥ 1 diverged (TRAIN102), 1e-3 oscillated (TRAIN104), 1e-5 "
                                      "learnt little (TRAIN106); best: 3e-3, validation loss 0.041")
    rows = leaderboard_rows(state)
    assert [r["learning_rate"] for r in rows] == [1.0, 3e-3, 1e-3, 1e-5, 10.0]
    assert [r["best"] for r in rows] == [False, True, False, False, False]
    assert rows[0]["findings"] == "TRAIN102" and rows[0]["status"] == "diverged"


def test_with_two_settings_a_group_is_named_by_the_setting_it_shares():
    runs = [fake({"learning_rate": lr, "units": units}, "diverged" if lr == 10.0 else "completed",
                 None if lr == 10.0 else 0.1 / units, ["TRAIN102"] if lr == 10.0 else [])
            for lr in (1e-3, 10.0) for units in (8, 16)]
    assert state_of(runs, ("learning_rate", "units")).summary == (
        "Learning rate 10 diverged (TRAIN102); best: learning rate 1e-3, units 16, validation loss 0.00625")
    running = state_of([*runs[:2], fake({"learning_rate": 10.0, "units": 8}, "running", None)],
                       ("learning_rate", "units"))
    assert running.active and running.finished == 2
    assert running.summary.endswith("best so far: learning rate 1e-3, units 16, validation loss 0.00625 "
                                    "(2 of 3 runs finished)")


# Real sweeps.


def test_a_learning_rate_sweep_trains_side_by_side_and_names_the_divergent_run(engine):
    plan = plan_grid(BASE, ["learning_rate=1e-3,1e-2,10"])
    sweep_id = submit(engine, plan)
    stored = engine.store.sweep(sweep_id)
    assert stored["workspace"] == WS and stored["base"] == BASE and not stored["stopped"]
    assert [s["id"] for s in engine.store.list_sweeps(WS)] == [sweep_id]
    state = until(lambda: (s := sweep_state(engine.store, sweep_id)) and not s.active and s, 180, "the sweep's end")
    spans = [(r.started, r.finished) for r in map(engine.record, [r["id"] for r in stored["runs"]])]
    assert max(spans[0][0], spans[1][0]) < min(spans[0][1], spans[1][1]), "the first two runs trained side by side"
    assert state.finished == 3 and [run.values for run in state.runs] == plan.values
    healthy, fast, wild = state.runs
    for run in (healthy, fast):
        assert run.status == "completed" and len(run.curve) == run.epochs == 6 and run.best_val_loss == min(run.curve)
        assert run.metric == "MAE" and run.model_score > 0 and run.baseline and run.baseline_score > 0
    assert wild.outcome == "diverged" and set(wild.codes) & set(DIVERGED), wild.codes
    assert any(mark["code"] in DIVERGED and 1 <= mark["epoch"] <= 6 for mark in wild.marks)
    assert state.best in (healthy, fast) and state.best_values == state.best.values
    assert state.best.best_val_loss == min(healthy.best_val_loss, fast.best_val_loss)
    assert state.summary.startswith("Learning rate 10 diverged (TRAIN10")
    assert f"best: {'1e-3' if state.best is healthy else '0.01'}, validation loss" in state.summary


def test_stopping_a_sweep_cancels_its_queued_run_and_stops_its_running_ones(engine):
    sweep_id = submit(engine, plan_grid(LONG, ["units=8,12,16"]))
    ids = [run["id"] for run in engine.store.sweep(sweep_id)["runs"]]
    until(lambda: all(engine.record(i).epochs >= 1 for i in ids[:2]), 120, "two runs training")
    assert engine.status(ids[2]) == "queued", "the pool has two workers"
    assert stop_sweep(engine, sweep_id) == {ids[2]: "cancelled", ids[1]: "running", ids[0]: "running"}
    state = until(lambda: (s := sweep_state(engine.store, sweep_id)) and not s.active and s, 60, "the stop")
    assert [run.status for run in state.runs] == ["stopped_early", "stopped_early", "cancelled"]
    assert state.stopped and state.runs[0].reason.startswith("the sweep was stopped after")
    assert all(run.epochs >= 1 for run in state.runs[:2]) and state.runs[2].epochs == 0
    assert state.summary.endswith("(the sweep was stopped)") and "16 cancelled" in state.summary


def test_a_pool_that_claims_only_its_own_runs_leaves_the_others_queued(tmp_path):
    pool = LocalEngine(RunStore(tmp_path / "home"), size=1, spare=False, warm_up=False, claims=lambda run_id: False)
    try:
        run_id = pool.submit(WS, BASE, DATA, "noisy_seasonal.csv", "csv")
        time.sleep(1.0)  # four rounds of the dispatcher
        assert pool.status(run_id) == "queued" and pool.pool_state()["workers"] == 0
    finally:
        pool.close()
    assert pool.store.status(run_id) == "queued", "closing it does not touch a run it never took"


# The command line.


def cli(home, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LSTM_PLAYGROUND_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2"}
    return run_command(["sweep", *args], Path.cwd(), env, timeout=300)


def test_the_cli_sweeps_a_grid_into_the_store_and_prints_one_object(tmp_path):
    setup = tmp_path / "config.json"
    setup.write_text(json.dumps({"rows_used": 500}))  # a config file's settings, as `train` takes them
    done = cli(tmp_path, "sample:noisy_seasonal", "--grid", "lr=1e-3,1e-2", "--config", str(setup), "--units", "8",
               "--epochs", "3", "--store", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["grid"] == {"learning_rate": [1e-3, 1e-2]} and "seed 42" in report["seed_note"]
    assert [run["values"] for run in report["runs"]] == [{"learning_rate": 1e-3}, {"learning_rate": 1e-2}]
    for run in report["runs"]:
        assert run["status"] == "completed" and len(run["val_loss"]) == 3
        assert run["metrics"]["model"]["mae"] > 0 and all({"code", "title", "detail"} <= set(f)
                                                          for f in run["findings"])
    assert report["best"]["values"] in ([{"learning_rate": 1e-3}, {"learning_rate": 1e-2}])
    assert (report["config"]["rows_used"], report["config"]["units"], report["config"]["target"]) == (500, 8, "value")
    assert "best: " in report["summary"] and report["store"] == str(tmp_path)
    store = RunStore(tmp_path)
    (sweep,) = store.list_sweeps("cli")
    assert [r["id"] for r in sweep["runs"]] == [run["run_id"] for run in report["runs"]]
    assert all(r.source == "cli" for r in store.list_runs("cli"))


def test_the_cli_refuses_a_bad_grid_with_exit_2_and_trains_nothing(tmp_path):
    done = cli(tmp_path, "sample:noisy_seasonal", "--grid", "units=8,16", "--grid", "units=32", "--store", "--json")
    assert done.returncode == 2, done.stderr[-2000:]
    assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["SWEEP004"]
    assert RunStore(tmp_path).list_runs("cli") == []


# The store.


def test_a_store_made_before_sweeps_existed_opens_and_gains_the_table(tmp_path):
    old = RunStore(tmp_path)
    run = old.create_run(WS, BASE, old.put_data(DATA), "noisy_seasonal.csv")
    old.db.close()
    with sqlite3.connect(tmp_path / "runs.sqlite") as connection:
        connection.execute("DROP INDEX sweeps_by_workspace")
        connection.execute("DROP TABLE sweeps")
    tables = {r[0] for r in sqlite3.connect(tmp_path / "runs.sqlite").execute("SELECT name FROM sqlite_master")}
    assert "sweeps" not in tables and "runs" in tables
    store = RunStore(tmp_path)
    assert store.get(run.key).config == BASE and store.list_sweeps(WS) == []
    sweep_id = store.create_sweep(WS, [{"setting": "units", "values": [8, 16]}],
                                  [{"id": run.key, "values": {"units": 8}}], BASE)
    assert store.sweep(sweep_id)["runs"] == [{"id": run.key, "values": {"units": 8}}]
    assert store.mark_sweep_stopped(sweep_id) and store.sweep(sweep_id)["stopped"]
    store.delete(WS, [run.key])
    store.prune()
    assert store.sweep(sweep_id) is None, "a sweep goes with its last run"


def test_each_tasks_leaderboard_score_is_its_headline_metric_against_its_best_baseline():
    from lstm_core.sweeps.state import model_and_baseline
    from lstm_core.tasks.registry import task_for

    forecast = {"model": {"mae": 0.5, "accuracy": 0.1},
                "baselines": {"persistence": {"mae": 0.9}, "seasonal_naive": {"mae": 0.7}, "ets": {"mae": None}}}
    assert model_and_baseline(forecast, task_for("forecast")) == ("MAE", 0.5, "seasonal_naive", 0.7)
    classifier = {"model": {"accuracy": 0.8}, "baselines": {"majority": {"accuracy": 0.4}, "other": {"accuracy": 0.6}}}
    assert model_and_baseline(classifier, task_for("classify-sequences")) == ("accuracy", 0.8, "other", 0.6)
    language = {"model": {"bits_per_char": 2.1}, "baselines": {"unigram": {"bits_per_char": 4.2}}}
    assert model_and_baseline(language, task_for("text-lm")) == ("bits per character", 2.1, "unigram", 4.2)
    assert model_and_baseline(language, task_for("forecast")) == (None, None, None, None)
    assert model_and_baseline(None, task_for("text-classify")) == (None, None, None, None)

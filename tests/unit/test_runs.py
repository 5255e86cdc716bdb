"""Run history: keeping and deleting runs, the bound on kept models, names, differences, table rows, one change."""

from __future__ import annotations

import gc
import weakref

import pytest

from lstm_core.config import ConfigError, RunConfig
from lstm_core.findings import Finding
from lstm_core.limits import DEFAULTS, env_name
from lstm_core.model import build_model
from lstm_core.pipeline import evaluate
from lstm_core.runs import (
    KEPT_MODELS,
    RunHistory,
    change_one,
    changeable_settings,
    differing_settings,
    key_metrics,
    setting_kind,
    table_rows,
)
from lstm_core.train import RunState

DATA = "sample:noisy_seasonal"


def finished(config: RunConfig, losses=(0.9, 0.5), val_losses=(1.0, 0.6), status="completed", model=None) -> RunState:
    """A run as the runner leaves it, with a real (untrained) Keras model when asked for one."""
    return RunState(config=config, history={"loss": list(losses), "val_loss": list(val_losses)},
                    epoch_seconds=[0.5] * len(losses), status=status, model=model)


def tiny_model(config: RunConfig):
    return build_model(config, features=1)


def test_a_real_run_is_kept_with_its_curves_metrics_findings_and_model(tiny_run, noisy_prepared):
    state, _ = tiny_run
    report = evaluate(noisy_prepared, state.model)
    runs = RunHistory(max_models=3)

    record = runs.add(state, DATA, "noisy_seasonal.csv", metrics=report.metrics, verdict=report.verdict)

    assert (record.id, record.name) == (1, "#1 · noisy_seasonal.csv")
    assert record.config == noisy_prepared.config and record.status == "completed"
    assert record.history == state.history and record.history is not state.history
    assert record.epochs == 2 and record.best_val_loss == min(state.history["val_loss"])
    assert record.model is state.model and record.verdict == report.verdict
    numbers = key_metrics(record.metrics)
    assert numbers["mae"] == report.metrics["model"]["mae"] and numbers["accuracy"] is None
    best_baseline = min(b["mae"] for b in report.metrics["baselines"].values())
    assert numbers["vs_baseline"] == pytest.approx((best_baseline - numbers["mae"]) / best_baseline * 100)


def test_only_the_newest_models_are_kept_and_older_runs_say_so():
    runs = RunHistory(max_models=2)
    configs = [RunConfig(target="value", units=units) for units in (4, 8, 16)]
    models = [tiny_model(c) for c in configs]
    watchers = [weakref.ref(m) for m in models]

    records = [runs.add(finished(c, model=m), DATA, "noisy_seasonal.csv") for c, m in zip(configs, models, strict=True)]
    del models

    assert [r.model is not None for r in records] == [False, True, True]
    assert records[0].model_released and "released" in records[0].model_note
    assert records[0].history["loss"] == [0.9, 0.5] and records[0].config.units == 4
    # Nothing else holds the released model: the memory really comes back.
    gc.collect()
    assert watchers[0]() is None and watchers[2]() is not None


def test_the_bound_on_kept_models_comes_from_the_environment(monkeypatch):
    assert RunHistory().max_models == DEFAULTS[KEPT_MODELS] == 5
    monkeypatch.setenv(env_name(KEPT_MODELS), "1")
    assert RunHistory().max_models == 1


def test_deleting_runs_releases_their_models_and_keeps_the_others():
    runs = RunHistory(max_models=5)
    config = RunConfig(target="value")
    first = runs.add(finished(config, model=tiny_model(config)), DATA, "noisy_seasonal.csv")
    second = runs.add(finished(config.replace(units=16), model=tiny_model(config)), DATA, "noisy_seasonal.csv")

    gone = runs.delete([first.id])

    assert gone == [first] and first.model is None and first.model_released
    assert [r.id for r in runs.runs] == [second.id] and second.model is not None
    assert runs.get(first.id) is None and runs.delete([first.id]) == []
    # Ids are never reused, so a link to a run cannot point at another one.
    assert runs.add(finished(config), DATA, "noisy_seasonal.csv").id == 3


def test_names_say_what_changed_against_the_parent_or_the_last_run_on_the_same_data():
    runs = RunHistory(max_models=5)
    base = RunConfig(target="value")
    runs.add(finished(base), DATA, "noisy_seasonal.csv")
    other = runs.add(finished(RunConfig(target="sales")), "sample:monthly_sales", "monthly_sales.csv")
    third = runs.add(finished(base.replace(units=64)), DATA, "noisy_seasonal.csv")
    child = runs.add(finished(base.replace(learning_rate=0.01)), DATA, "noisy_seasonal.csv", parent=1)
    many = runs.add(finished(base.replace(units=8, layers=2, bidirectional=True)), DATA, "noisy_seasonal.csv")
    again = runs.add(finished(many.config), DATA, "noisy_seasonal.csv")

    assert other.name == "#2 · monthly_sales.csv"
    assert third.name == "#3 · units 64"
    assert child.name == "#4 · learning_rate 0.01" and child.parent == 1
    assert many.name == "#5 · layers 2, units 8 +2"  # learning_rate back to 0.001 and bidirectional on
    assert again.name == "#6 · same settings"


def test_differing_settings_and_table_rows():
    runs = RunHistory(max_models=5)
    base = RunConfig(target="value", features=("a",))
    one = runs.add(finished(base, val_losses=(1.0, float("nan"))), DATA, "noisy_seasonal.csv",
                   metrics={"model": {"mae": 2.0, "rmse": 3.0}, "baselines": {"persistence": {"mae": 4.0}}})
    two = runs.add(finished(base.replace(units=64, features=()), status="stopped_early"), DATA,
                   "noisy_seasonal.csv")
    overfitting = Finding("TRAIN104", "warning", "Overfitting", "…", epoch=2)
    one.findings = [overfitting, overfitting, Finding("DATA020", "info", "A note", "…")]

    settings = differing_settings([one, two])
    assert settings == ["features", "units"]
    assert differing_settings([one]) == []

    rows = table_rows([one, two], settings)
    assert rows[0] == {"run": "#1 · noisy_seasonal.csv", "data": "noisy_seasonal.csv", "status": "completed",
                       "epochs trained": 2, "features": "a", "units": 32, "best val loss": 1.0, "test MAE": 2.0,
                       "test RMSE": 3.0, "vs baseline %": 50.0, "findings": "TRAIN104",
                       "model": "none"}
    assert rows[1]["features"] == "none" and rows[1]["units"] == 64 and rows[1]["status"] == "stopped early"
    assert rows[1]["test MAE"] is None and rows[1]["best val loss"] == 0.6
    assert "accuracy" not in rows[0]
    # A run's epochs trained and its epochs setting are two columns.
    [row] = table_rows([two], ["epochs"])
    assert (row["epochs trained"], row["epochs"]) == (2, 30)


def test_classifier_metrics_give_accuracy_and_points_over_the_majority():
    metrics = {"model": {"accuracy": 0.9}, "baselines": {"majority": {"accuracy": 0.5, "class": "a"}}}
    assert key_metrics(metrics) == {"mae": None, "rmse": None, "accuracy": 0.9, "vs_baseline": pytest.approx(40.0)}
    assert key_metrics(None)["vs_baseline"] is None


def test_change_one_thing_changes_exactly_one_setting():
    config = RunConfig(target="value", units=32)

    changed = change_one(config, "units", 64)

    assert changed.units == 64 and changed.replace(units=32) == config
    assert change_one(config, "bidirectional", True).bidirectional is True
    assert change_one(config.replace(output_units=1), "output_units", 0).output_units is None
    with pytest.raises(ConfigError, match="already 32"):
        change_one(config, "units", 32)
    with pytest.raises(ConfigError, match="outside"):
        change_one(config, "units", 5000)
    with pytest.raises(ConfigError, match="cannot be changed here"):
        change_one(config, "target", "other")


def test_changeable_settings_follow_the_task_and_know_their_kind():
    forecast = changeable_settings(RunConfig())
    sequences = changeable_settings(RunConfig(task="classify-sequences"))
    assert "difference" in forecast and "maxlen" not in forecast
    assert "maxlen" in sequences and "difference" not in sequences and "timesteps" not in sequences
    assert setting_kind("optimizer") == ("choice", ("adam", "rmsprop", "sgd"))
    assert setting_kind("loss")[1][0] is None
    assert setting_kind("learning_rate") == ("number", 1e-12, 100.0, True)
    assert setting_kind("units") == ("number", 1, 1024, False)
    assert setting_kind("early_stopping") == ("bool",)

"""Runs as the pages show them: key metrics, names, differences, table rows, one change."""

from __future__ import annotations

import pytest

from lstm_core.config import ConfigError, RunConfig
from lstm_core.findings import Finding
from lstm_core.runs import (
    RunRecord,
    change_one,
    changeable_settings,
    differing_settings,
    key_metrics,
    run_name,
    setting_kind,
    table_rows,
)
from lstm_core.tasks.forecast.pipeline import evaluate

DATA = "sample:noisy_seasonal"


def finished(number: int, config: RunConfig, losses=(0.9, 0.5), val_losses=(1.0, 0.6), status="completed",
             metrics=None, data_name="noisy_seasonal.csv") -> RunRecord:
    """A finished run as the store gives it back (named as the store names a first run)."""
    return RunRecord(id=number, name=run_name(number, config, None, data_name), config=config, data_id=DATA,
                     data_name=data_name, status=status, history={"loss": list(losses), "val_loss": list(val_losses)},
                     seconds=0.5 * len(losses), metrics=metrics)


def test_a_real_runs_scores_become_its_key_metrics(tiny_run, noisy_prepared):
    state, _ = tiny_run
    report = evaluate(noisy_prepared, state.model)
    record = finished(1, noisy_prepared.config, state.history["loss"], state.history["val_loss"],
                      metrics=report.metrics)

    assert record.epochs == 2 and record.best_val_loss == min(state.history["val_loss"])
    numbers = key_metrics(record.metrics)
    assert numbers["mae"] == report.metrics["model"]["mae"] and numbers["accuracy"] is None
    best_baseline = min(b["mae"] for b in report.metrics["baselines"].values())
    assert numbers["vs_baseline"] == pytest.approx((best_baseline - numbers["mae"]) / best_baseline * 100)


def test_names_say_what_changed_against_the_reference_run():
    base = RunConfig(target="value")
    assert run_name(2, RunConfig(target="sales"), None, "monthly_sales.csv") == "#2 · monthly_sales.csv"
    assert run_name(3, base.replace(units=64), base, "x.csv") == "#3 · units 64"
    assert run_name(4, base.replace(learning_rate=0.01), base, "x.csv") == "#4 · learning_rate 0.01"
    many = base.replace(units=8, layers=2, bidirectional=True, learning_rate=0.01)
    assert run_name(5, many, base, "x.csv") == "#5 · layers 2, units 8 +2"
    assert run_name(6, many, many, "x.csv") == "#6 · same settings"


def test_differing_settings_and_table_rows():
    base = RunConfig(target="value", features=("a",))
    one = finished(1, base, val_losses=(1.0, float("nan")),
                   metrics={"model": {"mae": 2.0, "rmse": 3.0}, "baselines": {"persistence": {"mae": 4.0}}})
    two = finished(2, base.replace(units=64, features=()), status="stopped_early")
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

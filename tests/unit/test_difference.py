"""Differencing for a forecast: windows of row-to-row changes, predictions added back onto levels, the checks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli.main import main
from lstm_core.config import RunConfig
from lstm_core.data import describe, load_csv
from lstm_core.tasks.forecast.pipeline import evaluate, forecast, levels_from_changes, prepare, train
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv

# Levels 0, 1, 3, 6, 10, …: the change into row i is exactly i, easy to check by hand.
LEVELS = np.cumsum(np.arange(41)).astype("float64")
EXACT = RunConfig(target="v", timesteps=2, val_fraction=0.25, test_fraction=0.25, scaling="none", difference=True)


def triangular() -> pd.DataFrame:
    return pd.DataFrame({"v": LEVELS})


def prepared_triangular(config: RunConfig = EXACT):
    prepared = prepare(describe(triangular(), "tri.csv"), config)
    assert prepared.ready, [f.to_dict() for f in prepared.findings if f.severity == "error"]
    return prepared


def sample_dataset(name: str):
    return load_csv(sample_csv(name), f"{name}.csv")


def sample_config(name: str, **settings) -> RunConfig:
    sample = SAMPLES[name]
    return RunConfig(target=sample.target, features=sample.features, season=sample.season,
                     **{**sample.settings, **settings})


class Oracle:
    """A stand-in for a Keras model that returns the true (scaled) targets of the windows it is given: the test
    part's, or the validation part's (which the intervals are calibrated on)."""

    def __init__(self, windows):
        self.parts = [(windows.x_test, windows.y_test), (windows.x_val, windows.y_val)]

    def predict(self, x, verbose=0, batch_size=None):
        [y] = [y for known, y in self.parts if known.shape == x.shape and np.array_equal(x, known)]
        return y.reshape(len(y), -1)


class ConstantChange:
    """A stand-in for a Keras model whose every output is the same (scaled) change."""

    def __init__(self, value: float, units: int = 1):
        self.value, self.units = value, units

    def predict_on_batch(self, window):
        return np.full((len(window), self.units), self.value, dtype="float32")


def test_windows_hold_the_changes_and_values_stay_levels():
    prepared = prepared_triangular()
    windows = prepared.windows
    # 41 levels → 40 changes (1 … 40) → 20 / 10 / 10 rows; each part loses timesteps + horizon - 1 = 2 rows.
    assert np.array_equal(prepared.values[:, 0], LEVELS)
    assert windows.split.parts() == {"train": (0, 20), "val": (20, 30), "test": (30, 40)}
    assert np.array_equal(windows.scaled[:, 0], np.arange(1, 41))
    assert windows.counts() == {"train": 18, "val": 8, "test": 8}
    assert windows.x_train[0, :, 0].tolist() == [1, 2] and windows.y_train[0] == 3
    assert windows.x_test[0, :, 0].tolist() == [31, 32] and windows.y_test[-1] == 40


def test_multi_step_targets_are_the_next_horizon_changes():
    windows = prepared_triangular(EXACT.replace(horizon=3, multi_step=True)).windows
    assert windows.x_train[0, :, 0].tolist() == [1, 2]
    assert windows.y_train[0].tolist() == [3, 4, 5]
    assert windows.y_test[-1].tolist() == [38, 39, 40]


def test_the_scaler_is_fit_on_the_training_changes_only():
    windows = prepared_triangular(EXACT.replace(scaling="standard")).windows
    train_changes = np.arange(1, 21)
    assert windows.scaler.offset[0] == pytest.approx(train_changes.mean())
    assert windows.scaler.scale[0] == pytest.approx(train_changes.std())


def test_levels_from_changes_adds_each_change_onto_the_last_level():
    assert levels_from_changes(5.0, [1.0, 1.0, -3.0]).tolist() == [6.0, 7.0, 4.0]
    assert levels_from_changes([10.0, 20.0], [[1.0, 2.0], [3.0, -1.0]]).tolist() == [[11.0, 13.0], [23.0, 22.0]]


@pytest.mark.parametrize("settings", [{}, {"horizon": 3, "multi_step": True}])
def test_evaluate_maps_true_changes_back_to_the_exact_levels(settings):
    prepared = prepared_triangular(EXACT.replace(scaling="standard", **settings))
    windows = prepared.windows
    report = evaluate(prepared, Oracle(windows))
    horizon = prepared.config.horizon
    # Test change rows 30 … 39 → the last window's last target is change 39, i.e. level row 40.
    assert report.target_rows.tolist() == list(range(40 - len(windows.x_test) + 1, 41))
    assert np.array_equal(report.actual, LEVELS[report.target_rows])
    assert np.allclose(report.predicted, report.actual, atol=1e-4)
    assert report.metrics["model"]["mae"] < 1e-4
    # Baselines are on levels, for the same rows: persistence is the level known when the forecast is made.
    assert np.array_equal(report.baselines["persistence"], LEVELS[report.target_rows - horizon])


def test_forecast_adds_the_predicted_changes_onto_the_last_level():
    prepared = prepared_triangular()
    assert forecast(prepared, ConstantChange(2.0), 4).tolist() == [LEVELS[-1] + 2, LEVELS[-1] + 4,
                                                                    LEVELS[-1] + 6, LEVELS[-1] + 8]
    multi = prepared_triangular(EXACT.replace(horizon=3, multi_step=True))
    assert forecast(multi, ConstantChange(-1.0, units=3), 5).tolist() == [LEVELS[-1] - k for k in range(1, 6)]


def test_forecast_holds_features_at_their_last_level():
    frame = triangular().assign(f=np.arange(41.0) * 3)
    prepared = prepare(describe(frame, "tri.csv"), EXACT.replace(features=("f",), scaling="standard"))
    seen = []

    class Recording(ConstantChange):
        def predict_on_batch(self, window):
            seen.append(np.asarray(window)[0, -1, 1])
            return super().predict_on_batch(window)

    forecast(prepared, Recording(0.0), 3)
    zero_change = (0 - prepared.windows.scaler.offset[1]) / prepared.windows.scaler.scale[1]
    assert seen[-1] == pytest.approx(zero_change)


def test_trend_check_trips_on_monthly_sales_levels_and_not_on_the_seasonal_sample():
    dataset = sample_dataset("monthly_sales")
    levels = prepare(dataset, sample_config("monthly_sales", difference=False))
    trend = [f for f in levels.findings if f.code == "DATA029"]
    assert len(trend) == 1 and trend[0].severity == "warning"
    assert trend[0].fix == {"difference": True}
    assert set(trend[0].evidence["shifted"]) == {"val", "test"}
    fixed = prepare(dataset, levels.config.replace(**trend[0].fix))
    assert fixed.config == prepare(dataset, sample_config("monthly_sales")).config  # the sample's own default
    assert [f.code for f in fixed.findings if f.severity != "info"] == []
    for name in ("noisy_seasonal", "energy_load", "energy_load_leaky"):
        assert "DATA029" not in {f.code for f in prepare(sample_dataset(name), sample_config(name)).findings}


def test_the_trend_fix_with_a_longer_horizon_also_asks_for_every_step():
    dataset = sample_dataset("monthly_sales")
    prepared = prepare(dataset, sample_config("monthly_sales", difference=False, horizon=3))
    finding = next(f for f in prepared.findings if f.code == "DATA029")
    assert finding.fix == {"difference": True, "multi_step": True}
    fixed = prepare(dataset, prepared.config.replace(**finding.fix))
    assert fixed.ready and not {"DATA029", "DATA030"} & {f.code for f in fixed.findings}


def test_single_step_horizon_above_one_with_differencing_is_an_error_and_every_step_mends_it():
    dataset = sample_dataset("monthly_sales")
    prepared = prepare(dataset, sample_config("monthly_sales", horizon=3))
    finding = next(f for f in prepared.findings if f.code == "DATA030")
    assert finding.severity == "error" and not prepared.ready
    assert finding.fix == {"multi_step": True}
    assert prepare(dataset, prepared.config.replace(**finding.fix)).ready


def test_difference_round_trips_through_json_and_the_command_line(capsys):
    config = RunConfig(difference=True)
    assert RunConfig.from_json(config.to_json()).difference is True
    assert main(["check", "sample:monthly_sales", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["difference"] is True
    assert main(["check", "sample:monthly_sales", "--no-difference", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["config"]["difference"] is False
    assert [f["code"] for f in report["findings"]] == ["DATA029"]


def test_monthly_sales_trained_on_changes_beats_persistence():
    # Fit on levels the same run is about 835 % worse than persistence (test MAE ~50 vs 5.4): the test part lies
    # above anything seen in training. On changes it beats persistence (MAE ~2.9 with the default 30 epochs).
    prepared = prepare(sample_dataset("monthly_sales"), sample_config("monthly_sales", epochs=12))
    assert prepared.config.difference
    state = train(prepared, monitors=False)
    report = evaluate(prepared, state.model)
    model, persistence = report.metrics["model"]["mae"], report.metrics["baselines"]["persistence"]["mae"]
    assert model < 1.05 * persistence, report.verdict
    future = forecast(prepared, state.model, 12)
    # The forecast continues from the last level, not from the middle of the training range.
    assert abs(future[0] - prepared.values[-1, 0]) < 30 and future.mean() > prepared.values[-60:, 0].mean() - 20

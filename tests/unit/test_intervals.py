"""Split-conformal intervals: their width, their coverage, the per-step widths of the forecast and RESULT001."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.tasks.forecast.intervals import (
    MIN_CALIBRATION,
    conformal_width,
    coverage,
    coverage_findings,
    coverage_sentence,
    forecast_band,
    interval_summary,
)
from lstm_core.tasks.forecast.pipeline import evaluate, future_errors, part_predictions
from lstm_core.tasks.forecast.results import recursive_forecast, recursive_forecasts


@pytest.mark.parametrize("level", [80, 95])
def test_conformal_intervals_cover_gaussian_noise_at_their_level(level):
    # A forecast of a noisy signal that knows the signal: its errors are the noise. Calibrated on 1,000 windows and
    # tested on the next 1,000, over 100 such splits.
    rng = np.random.default_rng(7)
    signal = np.sin(np.arange(2000) / 5) * 3
    coverages = []
    for _ in range(100):
        actual = signal + rng.normal(0, 0.7, 2000)
        width = conformal_width(actual[:1000] - signal[:1000], level)
        coverages.append(coverage(actual[1000:], signal[1000:], width))
    coverages = np.asarray(coverages)
    assert np.mean(np.abs(coverages - level) <= 5) >= 0.95
    assert abs(np.mean(coverages) - level) <= 1  # split-conformal is calibrated on average


def test_the_width_is_the_conformal_rank_of_the_absolute_errors():
    errors = np.arange(1.0, 100.0) * np.where(np.arange(99) % 2, 1, -1)  # |errors| 1…99
    assert conformal_width(errors, 80) == 80.0  # ⌈100 × 0.8⌉ = 80th smallest
    assert conformal_width(errors, 95) == 95.0
    assert conformal_width(np.ones(MIN_CALIBRATION - 1), 80) is None


def test_the_sentence_and_the_finding_for_a_test_part_that_changed_regime():
    rng = np.random.default_rng(3)
    val_errors = rng.normal(0, 1, 300)
    actual = rng.normal(0, 3, 200)  # the test part is three times as noisy
    intervals = interval_summary(val_errors, actual, np.zeros(200), [])
    sentence = coverage_sentence(intervals, 80)
    assert sentence.startswith("80 % interval covered ") and "from 300 validation errors" in sentence
    [finding, *_] = coverage_findings(intervals)
    assert finding.code == "RESULT001" and finding.severity == "warning" and finding.area == "results"
    assert finding.evidence["level"] == 80 and finding.evidence["coverage"] < 50
    assert "behaves differently" in finding.detail and "too narrow" in finding.detail
    assert finding.evidence["error_ratio_test_to_validation"] == pytest.approx(3, rel=0.25)


def test_a_test_part_like_the_validation_part_raises_no_coverage_finding():
    rng = np.random.default_rng(4)
    intervals = interval_summary(rng.normal(0, 1, 300), rng.normal(0, 1, 300), np.zeros(300), [])
    assert coverage_findings(intervals) == []


def test_few_validation_errors_is_the_reason_given_when_coverage_is_off():
    rng = np.random.default_rng(5)
    intervals = interval_summary(rng.normal(0, 0.2, 25), rng.normal(0, 1, 100), np.zeros(100), [])
    [finding, *_] = coverage_findings(intervals)
    assert finding.code == "RESULT001" and "only 25 validation errors" in finding.detail


def test_batched_recursive_forecasts_equal_one_origin_at_a_time():
    # A fixed linear "model" over the window (a plain function, as the runner's predict is).
    weights = np.linspace(0.1, 0.5, 6)

    def predict(windows):
        return np.tensordot(np.asarray(windows)[:, :, 0], weights, axes=1)[:, None] * np.ones((1, 2))

    series = np.sin(np.arange(60) / 4)[:, None].astype("float32")
    for multi_step, horizon in ((False, 1), (False, 3), (True, 2)):
        context = 6 + horizon - 1
        origins = [20, 33, 59]
        batch = recursive_forecasts(predict, np.stack([series[o - context + 1:o + 1] for o in origins]), 0, 6,
                                    horizon, 7, multi_step)
        for row, origin in enumerate(origins):
            alone = recursive_forecast(predict, series[:origin + 1], 0, 6, horizon, 7, multi_step)
            np.testing.assert_allclose(batch[row], alone, rtol=1e-6)


def test_a_trained_run_gets_intervals_and_a_fan(noisy_prepared, tiny_run):
    state, _ = tiny_run
    report = evaluate(noisy_prepared, state.model, future_steps=30)
    levels = report.intervals["levels"]
    assert report.intervals["calibration_windows"] == 156 and report.intervals["test_points"] == 156
    assert levels[95]["width"] > levels[80]["width"] > 0
    assert levels[95]["coverage"] >= levels[80]["coverage"]
    assert levels[80]["coverage"] == pytest.approx(
        coverage(report.actual, report.predicted, levels[80]["width"]))
    assert len(levels[80]["future_widths"]) == 30
    band = forecast_band(report.intervals, 80, np.zeros(10))
    assert band["upper"] == levels[80]["future_widths"][:10] and band["lower"] == [-w for w in band["upper"]]


def test_step_one_of_the_recursive_calibration_is_the_direct_validation_error(noisy_prepared, tiny_run):
    # Horizon 1: a forecast one step ahead from a validation origin is the model's own validation prediction.
    state, _ = tiny_run
    rows, predicted = part_predictions(noisy_prepared, state.model, "val")
    first = future_errors(noisy_prepared, state.model, 1)[0]
    target = noisy_prepared.values[:, 0]
    np.testing.assert_allclose(first[-len(rows):], target[rows] - predicted, rtol=1e-4, atol=1e-5)
    # Earlier origins (windows reaching back into the train rows) add step-1 errors on the first validation rows.
    assert len(first) == len(rows) + noisy_prepared.config.timesteps


def test_the_forecasts_fan_widens_with_the_step_where_errors_grow_with_it():
    # A random walk forecast by persistence (a real Keras model that repeats the last value it sees): the error k
    # steps ahead is a sum of k steps, so its spread grows like √k. The widths of the fan, calibrated step by step on
    # the validation part, must grow the same way; one width for every step (the step-1 width reused) would not.
    import keras
    import pandas as pd

    from lstm_core.config import RunConfig
    from lstm_core.data import load_csv
    from lstm_core.tasks.forecast.pipeline import prepare

    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=1200, freq="D").strftime("%Y-%m-%d"),
                          "value": 100 + np.cumsum(rng.normal(0, 1, 1200))})
    dataset = load_csv(frame.to_csv(index=False).encode(), "walk.csv")
    prepared = prepare(dataset, RunConfig(target="value", timesteps=8, season=0, missing="interpolate"))
    persistence = keras.Sequential([keras.Input((8, 1)), keras.layers.Lambda(lambda x: x[:, -1, :])])
    errors = future_errors(prepared, persistence, 25)
    rows, predicted = part_predictions(prepared, persistence, "val")
    target = prepared.values[:, 0]
    np.testing.assert_allclose(errors[0][-len(rows):], target[rows] - predicted, atol=1e-3)
    origins = np.arange(20) + prepared.windows.split.val[0] - 1  # the first origins: the last train row on
    np.testing.assert_allclose(errors[3][:20], target[origins + 4] - target[origins], atol=1e-3)
    intervals = interval_summary(target[rows] - predicted, target[rows], predicted, errors)
    widths = intervals["levels"][80]["future_widths"]
    assert len(widths) == 25
    assert widths[0] == pytest.approx(intervals["levels"][80]["width"], rel=0.05)
    assert np.mean(widths[20:]) > 3 * np.mean(widths[:2]), widths  # √21…√25 ≈ 4.6–5 times step 1
    assert np.corrcoef(np.arange(25), widths)[0, 1] > 0.9, "wider, step after step"
    band = forecast_band(intervals, 80, np.zeros(25))
    assert band["upper"][-1] > 3 * band["upper"][0]

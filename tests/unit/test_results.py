"""Metrics, naive baselines, season detection, the verdict sentence and the recursive forecast."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.tasks.forecast.results import (
    MAPE_UNDEFINED,
    MASE_UNDEFINED,
    SMAPE_UNDEFINED,
    compare,
    detect_season,
    error_metrics,
    mase_scale,
    persistence,
    recursive_forecast,
    seasonal_naive,
    verdict_sentence,
)


def test_error_metrics_on_a_hand_computed_example():
    # errors: +1, 0, -2, +2 → MAE 5/4, RMSE √(9/4), MAPE (1/1 + 0 + 2/4 + 2/5) / 4
    metrics = error_metrics(np.array([1.0, 2.0, 4.0, 5.0]), np.array([2.0, 2.0, 2.0, 7.0]))
    assert metrics["mae"] == pytest.approx(1.25)
    assert metrics["rmse"] == pytest.approx(1.5)
    assert metrics["mape"] == pytest.approx(47.5)


def test_error_metrics_flatten_column_vectors():
    actual = np.array([[1.0], [2.0]])
    assert error_metrics(actual, np.array([2.0, 4.0]))["mae"] == pytest.approx(1.5)


def test_mape_skips_zero_actuals():
    metrics = error_metrics(np.array([0.0, 2.0, 4.0]), np.array([1.0, 3.0, 3.0]))
    assert metrics["mae"] == pytest.approx(1.0)
    assert metrics["mape"] == pytest.approx((1 / 2 + 1 / 4) / 2 * 100)


def test_mape_is_none_when_every_actual_is_zero():
    metrics = error_metrics(np.zeros(4), np.array([1.0, -1.0, 0.0, 2.0]))
    assert metrics["mape"] is None
    assert metrics["mae"] == pytest.approx(1.0)
    assert metrics["rmse"] == pytest.approx(np.sqrt(6 / 4))


def test_perfect_predictions_score_zero():
    actual = np.array([3.0, 1.0, 7.5])
    assert error_metrics(actual, actual.copy(), scale=2.0) == {"mae": 0.0, "rmse": 0.0, "mape": 0.0, "mase": 0.0,
                                                               "smape": 0.0}


def test_mape_is_none_for_a_series_that_crosses_zero():
    metrics = error_metrics(np.array([3.0, -1.0, 7.5]), np.array([3.0, -0.9, 7.0]))
    assert metrics["mape"] is None
    assert metrics["mae"] == pytest.approx(0.2)


def test_persistence_repeats_the_last_value_known_at_forecast_time():
    target = np.arange(50) * 10.0
    rows = np.array([10, 11, 30])
    np.testing.assert_array_equal(persistence(target, rows, horizon=1), [90.0, 100.0, 290.0])
    np.testing.assert_array_equal(persistence(target, rows, horizon=3), [70.0, 80.0, 270.0])


@pytest.mark.parametrize(("horizon", "back"), [(1, 24), (24, 24), (25, 48), (30, 48), (49, 72)])
def test_seasonal_naive_goes_back_whole_seasons_far_enough_to_be_known(horizon, back):
    target = np.arange(200) * 1.0
    rows = np.array([100, 150, 199])
    np.testing.assert_array_equal(seasonal_naive(target, rows, horizon, season=24), rows - back)


def test_compare_scores_the_model_and_both_baselines():
    target = np.sin(2 * np.pi * np.arange(120) / 12) * 10 + 50
    rows = np.arange(100, 120)
    actual = target[rows]
    report = compare(actual, actual + 1.0, target, rows, horizon=1, season=12)
    assert set(report.metrics["baselines"]) == {"persistence", "seasonal_naive"}
    assert report.metrics["model"]["mae"] == pytest.approx(1.0)
    # A pure 12-step cycle: one season back is exact, the last value is not.
    assert report.metrics["baselines"]["seasonal_naive"]["mae"] == pytest.approx(0.0, abs=1e-9)
    assert report.metrics["baselines"]["persistence"]["mae"] > 1.0
    np.testing.assert_array_equal(report.baselines["persistence"], target[rows - 1])
    assert "exact" in report.verdict
    assert report.to_dict()["season"] == 12


def test_compare_leaves_out_the_seasonal_baseline_without_a_season_or_enough_history():
    target = np.arange(40) * 1.0
    rows = np.arange(30, 40)
    assert set(compare(target[rows], target[rows], target, rows, 1, season=0).baselines) == {"persistence"}
    # A season of 35 would need rows before the start of the series.
    assert set(compare(target[rows], target[rows], target, rows, 1, season=35).baselines) == {"persistence"}
    assert set(compare(target[rows], target[rows], target, rows, 1, season=30).baselines) == {
        "persistence", "seasonal_naive"}


@pytest.mark.parametrize("noise", [0.05, 0.3, 0.5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_detect_season_finds_24_on_a_noisy_24_step_sine(noise, seed):
    steps = np.arange(1000)
    rng = np.random.default_rng(seed)
    assert detect_season(np.sin(2 * np.pi * steps / 24) + rng.normal(0, noise, len(steps))) == 24


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_detect_season_sees_through_a_trend(seed):
    steps = np.arange(600)
    rng = np.random.default_rng(seed)
    series = 100 + 0.05 * steps + np.sin(2 * np.pi * steps / 12) + rng.normal(0, 0.3, len(steps))
    assert detect_season(series) == 12


@pytest.mark.parametrize("seed", range(6))
def test_detect_season_finds_nothing_in_white_noise_or_a_random_walk(seed):
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, 1000)
    assert detect_season(noise) == 0
    assert detect_season(np.cumsum(noise)) == 0


def test_detect_season_on_degenerate_series():
    assert detect_season(np.full(100, 3.0)) == 0
    assert detect_season(np.arange(100.0)) == 0
    assert detect_season(np.array([1.0, 2.0, 1.0])) == 0
    # Only the shape counts, not the size.
    assert detect_season(1e-9 * np.sin(2 * np.pi * np.arange(480) / 24)) == 24
    with_gaps = np.sin(2 * np.pi * np.arange(480) / 24)
    with_gaps[[5, 100]] = np.nan
    assert detect_season(with_gaps) in (23, 24, 25)


def metrics(model: float, **baselines: float) -> dict:
    return {"model": {"mae": model}, "baselines": {name: {"mae": mae} for name, mae in baselines.items()}}


def test_verdict_says_beat_against_the_best_baseline():
    sentence = verdict_sentence(metrics(1.0, persistence=4.0, seasonal_naive=2.0))
    assert "beat the best naive baseline (seasonal naive)" in sentence
    assert "did not" not in sentence
    assert "50.0 %" in sentence


def test_verdict_says_did_not_beat_when_worse():
    sentence = verdict_sentence(metrics(3.0, persistence=2.0, seasonal_naive=2.5))
    assert "did not beat the best naive baseline (persistence)" in sentence
    assert "50.0 % worse" in sentence


def test_verdict_calls_a_tiny_difference_level():
    sentence = verdict_sentence(metrics(1.002, persistence=1.0))
    assert "level with" in sentence
    assert "beat" not in sentence


def test_verdict_names_an_exact_baseline_even_with_rounding_error():
    assert "exact" in verdict_sentence(metrics(0.5, persistence=0.0))
    sentence = verdict_sentence(metrics(0.5, persistence=3.0, seasonal_naive=2e-15))
    assert "seasonal naive baseline is exact" in sentence
    assert "%" not in sentence


def test_verdict_when_the_model_output_is_not_finite():
    assert "no finite predictions" in verdict_sentence(metrics(float("nan"), persistence=1.0))


def test_recursive_forecast_feeds_predictions_back_single_step():
    # A "model" that has learnt value(t + 2) = value(t) + 2, on a series that rises by 1 a row.
    scaled = np.arange(10, dtype="float32")[:, None]
    windows = []

    def predict(window):
        windows.append(window.copy())
        return window[:, -1, :1] + 2

    forecast = recursive_forecast(predict, scaled, 0, timesteps=3, horizon=2, steps=4, multi_step=False)
    np.testing.assert_allclose(forecast, [10, 11, 12, 13])
    # The first window ends horizon rows before the first forecast row: rows 6, 7, 8.
    np.testing.assert_array_equal(windows[0][0, :, 0], [6, 7, 8])
    assert all(w.shape == (1, 3, 1) for w in windows)


def test_recursive_forecast_multi_step_uses_every_output_and_holds_features():
    scaled = np.column_stack([np.arange(6.0), np.full(6, 9.0)]).astype("float32")
    windows = []

    def predict(window):
        windows.append(window.copy())
        return window[:, -1, 0:1] + np.arange(1, 4)[None]

    forecast = recursive_forecast(predict, scaled, 0, timesteps=2, horizon=3, steps=5, multi_step=True)
    np.testing.assert_allclose(forecast, [6, 7, 8, 9, 10])
    assert len(windows) == 2
    # The feature is unknown in the future and held at its last value.
    np.testing.assert_array_equal(windows[1][0, :, 1], [9.0, 9.0])


def test_mase_is_one_for_the_seasonal_naive_forecast_on_the_train_part_its_scale_comes_from():
    rng = np.random.default_rng(1)
    train = np.sin(2 * np.pi * np.arange(300) / 24) * 5 + rng.normal(0, 1, 300)
    scale = mase_scale(train, season=24)
    rows = np.arange(24, 300)
    metrics = error_metrics(train[rows], seasonal_naive(train, rows, horizon=1, season=24), scale)
    assert metrics["mase"] == pytest.approx(1.0, rel=1e-12)
    # Without a season the scale is the one-step naive error.
    assert mase_scale(train, season=0) == pytest.approx(np.mean(np.abs(np.diff(train))))


def test_smape_on_a_hand_computed_example():
    # 2|F − A| / (|A| + |F|): 2·1/3, 0, 2·2/6 → mean (2/3 + 0 + 2/3) / 3
    metrics = error_metrics(np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.0, 2.0]), scale=1.0)
    assert metrics["smape"] == pytest.approx(400 / 9)
    assert "undefined" not in metrics


def test_a_metric_that_cannot_be_computed_is_none_with_its_reason():
    metrics = error_metrics(np.zeros(4), np.zeros(4), scale=mase_scale(np.full(30, 2.0), season=0))
    assert metrics["mase"] is None and metrics["smape"] is None and metrics["mape"] is None
    assert metrics["undefined"] == {"mape": MAPE_UNDEFINED, "mase": MASE_UNDEFINED, "smape": SMAPE_UNDEFINED}


def test_the_verdict_names_ets_and_says_plainly_when_it_beat_the_lstm():
    scores = metrics(2.0, persistence=3.0, seasonal_naive=2.5, ets=1.0)
    for entry in [scores["model"], *scores["baselines"].values()]:
        entry["mase"] = entry["mae"] / 2
    sentence = verdict_sentence(scores)
    assert sentence.startswith("ETS, the classical baseline, beat the LSTM by 50.0 % in MASE")
    assert "(MASE: LSTM 1, ETS 0.5; MAE: LSTM 2, ETS 1)" in sentence, "each number says whose it is"
    won = verdict_sentence(metrics(0.5, persistence=3.0, ets=1.0))
    assert won.startswith("The LSTM beat the best baseline (ETS) by 50.0 % in MAE")

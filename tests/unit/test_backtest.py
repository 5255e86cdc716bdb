"""Rolling-origin backtest folds: where they cut the series, what they cost, and the verdict on their scores."""

from __future__ import annotations

import numpy as np

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.tasks.forecast.backtest import cost_sentence, plan_folds, summarise
from lstm_core.tasks.forecast.pipeline import prepare
from lstm_core.tasks.forecast.samples import sample_csv


def test_folds_step_back_one_test_part_at_a_time(noisy_prepared):
    folds, note = plan_folds(noisy_prepared, 3)
    assert note == "" and [fold.number for fold in folds] == [1, 2, 3]
    # 1,200 rows with a 180-row test part (rows 1020–1200, the run's own): the folds test on the three before it.
    assert [(fold.test_start, fold.test_stop) for fold in folds] == [(480, 660), (660, 840), (840, 1020)]
    for fold in folds:
        prepared = prepare(noisy_prepared.dataset, fold.config)
        assert prepared.ready and len(prepared.values) == fold.test_stop
        # The fold's test part is as long as the run's, and its model never sees a row from it.
        assert prepared.windows.split.test == (fold.test_start, fold.test_stop)
        assert prepared.windows.counts()["test"] == noisy_prepared.windows.counts()["test"]
    assert folds[-1].test_stop == noisy_prepared.windows.split.test[0]


def test_a_short_series_gets_fewer_folds_and_says_why():
    dataset = load_csv(sample_csv("monthly_sales"), "monthly_sales.csv")
    prepared = prepare(dataset, RunConfig(target="sales", timesteps=24, season=12, difference=True))
    folds, note = plan_folds(prepared, 6)
    assert 0 < len(folds) < 6
    assert note.startswith(f"Only {len(folds)} of the 6 folds fit")
    # With differencing a fold keeps one level row more than the changes its model sees.
    assert all(fold.config.rows_used == fold.test_stop for fold in folds)


def test_the_cost_is_stated_from_the_runs_own_time(noisy_prepared):
    folds, _ = plan_folds(noisy_prepared, 3)
    sentence = cost_sentence(folds, run_seconds=12.0, run_rows=1200)
    # 12 s × (660 + 840 + 1020) / 1200 rows + 5 s a fold
    assert sentence == "3 more trainings, about 40 s"


def test_the_verdict_is_built_on_the_folds_and_says_when_ets_won(noisy_prepared):
    folds, _ = plan_folds(noisy_prepared, 3)

    def scores(lstm, ets):
        entry = lambda mase: {"mae": mase * 2, "rmse": mase * 3, "mase": mase, "smape": 10.0}  # noqa: E731
        return {"model": entry(lstm), "baselines": {"persistence": entry(1.5), "ets": entry(ets)}}

    summary = summarise(folds, [scores(0.8, 1.0), scores(1.2, 0.6), None])
    assert summary["finished"] == 2 and len(summary["rows"]) == 6
    assert summary["mean"]["LSTM"]["mase"] == 1.0 and summary["mean"]["ETS"]["mase"] == 0.8
    assert summary["verdict"] == ("Over the folds ETS beat the LSTM by 20.0 % in mean MASE (0.8 vs 1); the LSTM "
                                  "beat every baseline in 1 of 2 folds.")
    won = summarise(folds, [scores(0.5, 1.0), scores(0.5, 0.9), scores(0.4, 0.9)])
    assert won["verdict"].startswith("Over the folds the LSTM beat the best baseline (ETS) by ")
    assert won["verdict"].endswith("in 3 of 3 folds.")
    assert np.isclose(won["mean"]["LSTM"]["mae"], 2 * (0.5 + 0.5 + 0.4) / 3)

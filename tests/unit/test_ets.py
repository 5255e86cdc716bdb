"""The ETS baseline: statsmodels' fit on the train rows only, run forward with its parameters frozen; fits kept in
the process and on disk beside the run store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from lstm_core.tasks.forecast.ets import USE_BRUTE, ets_baseline, ets_forecasts, fit_ets


def seasonal_series(rows: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(rows)
    return 10 + 0.05 * steps + 3 * np.sin(2 * np.pi * steps / 12) + rng.normal(0, 0.5, rows)


def test_the_forward_run_reproduces_statsmodels_fitted_values_and_forecasts():
    series = seasonal_series()
    fit = fit_ets(series[:200], season=12)
    assert fit.trend == "add" and fit.season == 12  # a trend and a 12-step season, found by AICc
    reference = ExponentialSmoothing(series[:200], trend=fit.trend, damped_trend=fit.damped, seasonal="add",
                                     seasonal_periods=12, initialization_method="estimated").fit(use_brute=USE_BRUTE)
    np.testing.assert_allclose(ets_forecasts(fit, series, np.arange(1, 200), 1), reference.fittedvalues[1:],
                               rtol=1e-9)
    ahead = reference.forecast(30)
    for horizon in (1, 5, 12, 13, 30):
        assert ets_forecasts(fit, series, np.array([199 + horizon]), horizon)[0] == pytest.approx(ahead[horizon - 1])


def test_ets_is_fit_on_train_rows_only():
    # Two series equal in their first 200 rows; the second jumps by 50 in its test part. A fit that saw the test
    # rows would choose other parameters; the forecasts made before the jump could not tell them apart.
    series = seasonal_series()
    shifted = series.copy()
    shifted[240:] += 50
    rows = np.arange(240, 300)
    plain, plain_fit = ets_baseline(series, 200, rows, horizon=5, season=12)
    jumped, jumped_fit = ets_baseline(shifted, 200, rows, horizon=5, season=12)
    assert plain_fit == jumped_fit
    # Forecasts made from origins before the jump (targets 240…244, horizon 5) are the same for both series.
    np.testing.assert_array_equal(plain[:5], jumped[:5])
    # What a leaking fit would give: parameters that know the jump, and other forecasts before it.
    leaky = fit_ets(shifted, season=12)
    assert leaky != jumped_fit
    assert np.abs(ets_forecasts(leaky, shifted, rows[:5], 5) - jumped[:5]).max() > 0.1


def test_no_fit_on_a_constant_or_tiny_train_part():
    assert fit_ets(np.full(50, 3.0), season=0) is None
    assert fit_ets(np.arange(5.0), season=0) is None
    assert ets_baseline(np.full(50, 3.0), 30, np.arange(40, 50), 1, 0) == (None, None)


def test_a_second_fit_on_the_same_rows_is_the_kept_one_and_other_rows_are_fit_afresh():
    from lstm_core.tasks.forecast import ets

    series = seasonal_series(rows=160, seed=3)
    first = fit_ets(series[:120], season=12)
    # Same values in a new array (a second run reads the data again): the kept fit, not a new optimisation.
    assert fit_ets(series[:120].copy(), season=12) is first
    assert first == ets._fit_forms(np.asarray(series[:120], dtype="float64"), 12)  # what a fresh fit chooses
    changed = series[:120].copy()
    changed[-1] += 5.0
    assert fit_ets(changed, season=12) is not first
    assert fit_ets(series[:120], season=0) is not first  # the season is part of what was fit
    for seed in range(ets.KEPT_FITS + 5):  # bounded: the oldest fits leave
        fit_ets(seasonal_series(rows=40, seed=100 + seed), season=0)
    assert ets.kept_fits() == ets.KEPT_FITS
    assert fit_ets(series[:120], season=12) is not first


def test_the_reports_ets_is_fit_on_the_train_rows_only_through_evaluate():
    # The forecast report's path (prepare → evaluate), with a real Keras model: the same series twice, the second
    # with its test part shifted by +40. A fit that saw the test rows would choose other parameters for the second;
    # the report's ETS must be the fit of the train rows alone, identical in both, run forward over each series.
    import keras
    import pandas as pd

    from lstm_core.config import RunConfig
    from lstm_core.data import load_csv
    from lstm_core.tasks.forecast.pipeline import evaluate, prepare, train_rows
    from lstm_core.tasks.forecast.samples import sample_csv

    frame = pd.read_csv(__import__("io").BytesIO(sample_csv("noisy_seasonal")))
    config = RunConfig(target="value", season=24, timesteps=24, missing="interpolate")
    persistence = keras.Sequential([keras.Input((24, 1)), keras.layers.Lambda(lambda x: x[:, -1, :])])
    reports = []
    for shift in (0.0, 40.0):
        shifted = frame.copy()
        test_start = len(shifted) - round(len(shifted) * config.test_fraction)
        shifted.loc[test_start:, "value"] += shift
        prepared = prepare(load_csv(shifted.to_csv(index=False).encode(), "shifted.csv"), config)
        reports.append((prepared, evaluate(prepared, persistence)))
    (plain, before), (moved, after) = reports
    assert train_rows(plain) == train_rows(moved) and moved.values[-1, 0] - plain.values[-1, 0] == pytest.approx(40)
    alone = fit_ets(plain.values[:train_rows(plain), 0], 24).to_dict()
    assert before.ets == alone and after.ets == alone
    fit = fit_ets(plain.values[:train_rows(plain), 0], 24)
    for prepared, report in reports:
        np.testing.assert_allclose(report.baselines["ets"],
                                   ets_forecasts(fit, prepared.values[:, 0], report.target_rows, 1), rtol=1e-12)


# A fresh interpreter fits one series: [aicc, alpha, initial seasons, whether statsmodels' Holt-Winters was imported].
FIT_IN_A_NEW_PROCESS = """
import json, sys
import numpy as np
from lstm_core.tasks.forecast.ets import fit_ets

rows = np.arange(120)
fit = fit_ets(np.sin(rows * 2 * np.pi / 12) + 0.01 * rows, 12)
print(json.dumps([fit.aicc, fit.alpha, list(fit.initial_seasons), "statsmodels.tsa.holtwinters" in sys.modules]))
"""


def fit_in_a_new_process(repo, home) -> list:
    done = subprocess.run([sys.executable, "-c", FIT_IN_A_NEW_PROCESS], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "LSTM_PLAYGROUND_HOME": str(home)}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fit_is_kept_beside_the_store_and_the_next_process_reads_it_without_fitting(repo, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first = fit_in_a_new_process(repo, home)
    [kept] = (home / "cache" / "ets").glob("*.json")
    os.utime(kept, (1_000_000, 1_000_000))
    second = fit_in_a_new_process(repo, home)
    assert first[-1] and not second[-1], "the second process fitted again instead of reading the first one's fit"
    assert second[:-1] == first[:-1], "the fit read back is the fit made, bit for bit"
    assert list((home / "cache" / "ets").glob("*.json")) == [kept]
    assert kept.stat().st_mtime > 1_000_000, "a fit read counts as recently used: pruning keeps it longest"


def test_without_a_store_nothing_is_written_and_an_unreadable_fit_is_made_again(repo, tmp_path):
    nowhere = tmp_path / "no store here"
    assert fit_in_a_new_process(repo, nowhere)[-1]
    assert not nowhere.exists(), "a fit made a store folder on a machine that has none (a Ray node)"

    home = tmp_path / "home"
    home.mkdir()
    made = fit_in_a_new_process(repo, home)
    [kept] = (home / "cache" / "ets").glob("*.json")
    kept.write_text('{"fit": {"alpha"')  # cut short, as by a full disk
    again = fit_in_a_new_process(repo, home)
    assert again == made, "an unreadable file is fitted anew, not an error"
    assert json.loads(kept.read_text())["fit"]["alpha"] == made[1], "and written again whole"


def test_the_disk_keeps_the_most_recently_used_fits(tmp_path):
    from lstm_core.store.files import prune_newest

    for age, name in enumerate("abcde"):
        (tmp_path / f"{name}.json").write_text("{}")
        os.utime(tmp_path / f"{name}.json", (1_000_000 + age, 1_000_000 + age))
    (tmp_path / ".partial-x.json").write_text("{")  # another process's file being written: never pruned
    gone = prune_newest(tmp_path, "*.json", 3)
    assert sorted(path.stem for path in tmp_path.glob("[!.]*.json")) == ["c", "d", "e"]
    assert sorted(path.stem for path in gone) == ["a", "b"] and (tmp_path / ".partial-x.json").exists()

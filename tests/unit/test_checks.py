"""Every preflight check: one input that trips it, one healthy input that does not, and its fix clearing it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.checks import CheckContext, registered_checks, run_checks
from lstm_core.checks.data_checks import count_windows
from lstm_core.config import RunConfig
from lstm_core.data import describe, load_csv
from lstm_core.findings import Finding
from lstm_core.tasks.forecast.pipeline import prepare
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
from lstm_core.tasks.forecast.windows import split_rows

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = RunConfig(target="load", features=("temperature",))


def hourly(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """A CSV-like frame: hourly timestamps as text, a temperature, and a load that follows it."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    temperature = 15 + 6 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, rows)
    load = 400 + 9 * temperature + rng.normal(0, 6, rows)
    stamps = pd.date_range("2024-01-01", periods=rows, freq="h").strftime("%Y-%m-%d %H:%M")
    return pd.DataFrame({"timestamp": stamps, "temperature": temperature.round(2), "load": load.round(1)})


def check(frame: pd.DataFrame, config: RunConfig = HEALTHY) -> list[Finding]:
    return prepare(describe(frame, "test.csv"), config).findings


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"expected one {code}, got {[f.code for f in findings]}"
    return matching[0]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def assert_fix_clears(frame: pd.DataFrame, config: RunConfig, code: str) -> RunConfig:
    prepared = prepare(describe(frame, "test.csv"), config)
    finding = only(prepared.findings, code)
    assert finding.fix, f"{code} offers no fix"
    fixed = prepared.config.replace(**finding.fix)
    assert code not in codes(check(frame, fixed))
    return fixed


def direct(values: np.ndarray, columns: list[str], config: RunConfig, time_index=None) -> CheckContext:
    """A context built the way pipeline.prepare builds it, for inputs the CSV reader would already mend."""
    split = split_rows(len(values), config.val_fraction, config.test_fraction)
    part_rows = {part: stop - start for part, (start, stop) in split.parts().items()}
    return CheckContext(config=config, values=values, columns=columns, rows=len(values), part_rows=part_rows,
                        window_counts=count_windows(part_rows, config), time_index=time_index)


def test_healthy_frame_raises_nothing():
    assert check(hourly()) == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_default_config_on_every_sample_raises_no_warning_or_error(name):
    sample = SAMPLES[name]
    dataset = load_csv(sample_csv(name), f"{name}.csv")
    config = RunConfig(target=sample.target, features=sample.features, **sample.settings)
    findings = prepare(dataset, config).findings
    assert [f.code for f in findings if f.severity != "info"] == []


def test_checks_and_the_task_registry_load_without_tensorflow_keras_statsmodels_or_streamlit():
    # The registry imports every task's modules: a page that asks it must still draw at once.
    code = ("import sys, lstm_core.checks, lstm_core.tasks.registry; print([m for m in sys.modules "
            "if m.split('.')[0] in ('tensorflow', 'keras', 'statsmodels', 'streamlit')])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# DATA006 missing values left


def test_missing_values_with_missing_none_block_training_and_interpolate_clears():
    frame = hourly()
    frame.loc[[10, 11, 300], "load"] = np.nan
    config = HEALTHY.replace(missing="none")
    finding = only(check(frame, config), "DATA006")
    assert finding.severity == "error"
    assert finding.evidence["missing"] == {"load": 3}
    assert assert_fix_clears(frame, config, "DATA006").missing == "interpolate"


@pytest.mark.parametrize("missing", ["interpolate", "ffill", "drop"])
def test_gaps_that_the_missing_choice_fills_raise_nothing(missing):
    frame = hourly()
    frame.loc[[10, 11, 300], "load"] = np.nan
    assert "DATA006" not in codes(check(frame, HEALTHY.replace(missing=missing)))


@pytest.mark.parametrize("missing", ["none", "interpolate"])
def test_an_empty_feature_column_cannot_be_filled_and_the_fix_drops_it(missing):
    frame = hourly().assign(humidity=np.nan)
    config = HEALTHY.replace(features=("temperature", "humidity"), missing=missing)
    finding = only(check(frame, config), "DATA006")
    assert finding.evidence["missing"] == {"humidity": 600}
    assert finding.fix == {"features": ["temperature"]}
    assert_fix_clears(frame, config, "DATA006")


def test_infinite_values_count_as_missing():
    values = hourly()[["load", "temperature"]].to_numpy(copy=True)
    values[5, 1] = np.inf
    finding = only(run_checks(direct(values, ["load", "temperature"], HEALTHY)), "DATA006")
    assert finding.evidence["missing"] == {"temperature": 1}


# DATA007 too few rows for the window


def test_too_few_rows_for_the_window():
    frame = hourly(rows=60)
    finding = only(check(frame), "DATA007")
    assert finding.severity == "error"
    assert finding.evidence["rows_needed"] == 25
    assert finding.evidence["windows"]["val"] == 0
    assert_fix_clears(frame, HEALTHY, "DATA007")


def test_enough_rows_for_the_window():
    assert "DATA007" not in codes(check(hourly(rows=200)))


# DATA008 constant target


def test_constant_target_warns():
    frame = hourly().assign(load=250.0)
    finding = only(check(frame), "DATA008")
    assert finding.severity == "warning"
    assert finding.evidence == {"column": "load", "value": 250.0, "rows": 420}
    assert finding.fix is None


def test_target_constant_only_after_the_training_rows_is_not_flagged():
    frame = hourly()
    frame.loc[500:, "load"] = 250.0
    assert "DATA008" not in codes(check(frame))


# DATA009 unscaled inputs


def test_unscaled_large_inputs_warn_and_scaling_clears():
    config = HEALTHY.replace(scaling="none")
    finding = only(check(hourly(), config), "DATA009")
    assert finding.severity == "warning"
    assert finding.evidence["max_abs"]["load"] > 400
    assert finding.evidence["max_abs"]["temperature"] > 10
    assert finding.evidence["limit"] == 10.0
    assert_fix_clears(hourly(), config, "DATA009")


def test_small_inputs_with_scaling_off_are_fine():
    frame = hourly().assign(load=lambda f: (f.load - 535) / 60, temperature=lambda f: (f.temperature - 15) / 6)
    assert not {"DATA009", "DATA011"} & codes(check(frame, HEALTHY.replace(scaling="none")))


# DATA010 constant feature


def test_constant_feature_warns_and_the_fix_drops_it():
    frame = hourly().assign(region=3.0)
    config = HEALTHY.replace(features=("temperature", "region"))
    finding = only(check(frame, config), "DATA010")
    assert finding.severity == "warning"
    assert finding.evidence["constant"] == {"region": 3.0}
    assert assert_fix_clears(frame, config, "DATA010").features == ("temperature",)


def test_a_moving_feature_is_not_constant():
    assert "DATA010" not in codes(check(hourly()))


# DATA011 columns on very different scales


def test_columns_on_very_different_scales_warn_with_scaling_off():
    frame = hourly().assign(load=lambda f: (f.load - 535) / 60, temperature=lambda f: (f.temperature - 15) / 6000)
    config = HEALTHY.replace(scaling="none")
    finding = only(check(frame, config), "DATA011")
    assert finding.severity == "warning"
    assert finding.evidence["ratio"] > 100
    assert finding.evidence["typical_magnitude"]["temperature"] < 0.01
    assert "DATA009" not in codes(check(frame, config))
    assert_fix_clears(frame, config, "DATA011")


def test_different_scales_are_fine_once_scaled():
    frame = hourly().assign(temperature=lambda f: f.temperature / 6000)
    assert "DATA011" not in codes(check(frame))


# DATA012 few training windows


def test_few_training_windows_warn_and_a_shorter_window_clears():
    config = HEALTHY.replace(val_fraction=0.28, test_fraction=0.28)
    frame = hourly(rows=160)
    finding = only(check(frame, config), "DATA012")
    assert finding.severity == "warning"
    assert finding.evidence["train_windows"] == 46
    assert finding.evidence["minimum"] == 50
    assert assert_fix_clears(frame, config, "DATA012").timesteps == 20


def test_strided_windows_fix_by_stride_one():
    config = HEALTHY.replace(stride=9)
    assert only(check(hourly(), config), "DATA012").evidence["train_windows"] == 44
    assert assert_fix_clears(hourly(), config, "DATA012").stride == 1


def test_enough_training_windows():
    assert "DATA012" not in codes(check(hourly(rows=200)))


# DATA013 few validation or test windows


def test_few_validation_and_test_windows_warn_and_larger_parts_clear():
    frame = hourly(rows=250)
    finding = only(check(frame), "DATA013")
    assert finding.severity == "warning"
    assert finding.evidence["windows"] == {"val": 14, "test": 14}
    fixed = assert_fix_clears(frame, HEALTHY, "DATA013")
    assert (fixed.val_fraction, fixed.test_fraction) == (0.18, 0.18)
    assert not {"DATA007", "DATA012"} & codes(check(frame, fixed))


def test_enough_validation_and_test_windows():
    assert "DATA013" not in codes(check(hourly(rows=300)))


# DATA014 rows out of time order


def test_rows_out_of_time_order_block_training():
    frame = hourly()
    times = pd.to_datetime(frame.timestamp).to_numpy(copy=True)
    times[[100, 200]] = times[[200, 100]]
    ctx = direct(frame[["load", "temperature"]].to_numpy(), ["load", "temperature"], HEALTHY, times)
    finding = only(run_checks(ctx), "DATA014")
    assert finding.severity == "error"
    # Data rows counted from 1: the 101st row holds hour 200, the 102nd steps back to hour 101.
    assert finding.evidence == {"steps_back": 2, "first_row": 102}


def test_the_reader_sorts_shuffled_rows_so_nothing_is_out_of_order():
    frame = hourly().sample(frac=1.0, random_state=3)
    findings = check(frame)
    assert "DATA104" in codes(findings)
    assert not {"DATA014", "DATA015", "DATA016"} & codes(findings)


# DATA015 repeated timestamps


def test_two_stacked_series_repeat_every_timestamp():
    store_a, store_b = hourly(seed=1), hourly(seed=2)
    finding = only(check(pd.concat([store_a, store_b])), "DATA015")
    assert finding.severity == "warning"
    assert finding.evidence == {"repeated": 600, "rows": 1200, "example": "2024-01-01"}


def test_unique_timestamps_are_not_repeated():
    assert "DATA015" not in codes(check(hourly()))


# DATA016 irregular sampling


def test_irregular_sampling_warns_with_the_share_of_odd_steps():
    frame = hourly(rows=700).drop(index=range(5, 700, 10)).reset_index(drop=True)
    finding = only(check(frame), "DATA016")
    assert finding.severity == "warning"
    assert finding.evidence["irregular_steps"] == 70
    assert finding.evidence["share"] == pytest.approx(70 / 629, abs=1e-4)
    assert finding.evidence["usual_step"] == "1 hour"
    assert finding.evidence["largest_step"] == "2 hours"


def test_calendar_months_count_as_regular():
    months = pd.date_range("2000-01-01", periods=240, freq="MS").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"month": months, "sales": 100 + np.sin(np.arange(240) / 1.9) * 10})
    assert "DATA016" not in codes(check(frame, RunConfig(target="sales")))


def test_a_few_gaps_stay_below_the_limit():
    frame = hourly().drop(index=[50, 51, 300]).reset_index(drop=True)
    assert "DATA016" not in codes(check(frame))


# DATA017 target fed as a feature


def test_target_listed_as_a_feature_warns_and_dropping_it_clears():
    frame = hourly()
    config = HEALTHY.replace(features=("temperature", "load"))
    columns = ["load", "temperature", "load"]
    finding = only(run_checks(direct(frame[columns].to_numpy(), columns, config)), "DATA017")
    assert finding.severity == "warning"
    assert finding.evidence["listed"] is True
    fixed = config.replace(**finding.fix)
    assert fixed.features == ("temperature",)
    columns = ["load", *fixed.features]
    assert "DATA017" not in codes(run_checks(direct(frame[columns].to_numpy(), columns, fixed)))


def test_a_rescaled_copy_of_the_target_warns():
    frame = hourly().assign(load_kw=lambda f: f.load * 1000 + 5)
    config = HEALTHY.replace(features=("temperature", "load_kw"))
    finding = only(check(frame, config), "DATA017")
    assert finding.evidence["copies"] == {"load_kw": pytest.approx(1.0)}
    assert assert_fix_clears(frame, config, "DATA017").features == ("temperature",)


def test_a_related_feature_is_not_a_copy():
    assert "DATA017" not in codes(check(hourly()))


# DATA018 future target values in a feature


@pytest.mark.parametrize("horizon", [1, 3])
def test_a_feature_holding_the_future_target_warns(horizon):
    frame = hourly().assign(next_load=lambda f: f.load.shift(-horizon))
    config = HEALTHY.replace(features=("temperature", "next_load"), horizon=horizon)
    finding = only(check(frame, config), "DATA018")
    assert finding.severity == "warning"
    assert finding.evidence["shifted"]["next_load"]["steps_ahead"] == horizon
    assert finding.evidence["shifted"]["next_load"]["correlation"] == pytest.approx(1.0)
    assert "DATA017" not in codes(check(frame, config))
    assert_fix_clears(frame, config, "DATA018")


def test_a_feature_holding_the_past_target_is_not_leakage():
    frame = hourly().assign(last_load=lambda f: f.load.shift(1))
    findings = check(frame, HEALTHY.replace(features=("temperature", "last_load")))
    assert not {"DATA017", "DATA018"} & codes(findings)


# ARCH001 output units


@pytest.mark.parametrize(("patch", "needed"), [({"output_units": 3}, 1),
                                               ({"output_units": 1, "horizon": 3, "multi_step": True}, 3)])
def test_output_units_that_mse_would_broadcast_block_training(patch, needed):
    config = HEALTHY.replace(**patch)
    finding = only(check(hourly(), config), "ARCH001")
    assert finding.severity == "error"
    assert finding.evidence["output_units"] == patch["output_units"]
    assert finding.evidence["needed"] == needed
    assert assert_fix_clears(hourly(), config, "ARCH001").output_units is None


def test_output_units_matching_the_horizon():
    config = HEALTHY.replace(output_units=3, horizon=3, multi_step=True)
    assert "ARCH001" not in codes(check(hourly(), config))


# ARCH002 softmax output


def test_softmax_output_on_a_forecast_blocks_training():
    config = HEALTHY.replace(output_activation="softmax")
    finding = only(check(hourly(), config), "ARCH002")
    assert finding.severity == "error"
    assert finding.evidence == {"output_activation": "softmax", "output_units": 1}
    assert "1.0" in finding.detail
    assert_fix_clears(hourly(), config, "ARCH002")


def test_linear_output_is_not_softmax():
    assert "ARCH002" not in codes(check(hourly(), HEALTHY.replace(output_activation="linear")))


# ARCH003 bounded output activation


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_bounded_output_cannot_reach_standard_scaled_targets(activation):
    config = HEALTHY.replace(output_activation=activation)
    finding = only(check(hourly(), config), "ARCH003")
    assert finding.severity == "warning"
    assert finding.evidence["scaled_min"] < -1
    assert finding.evidence["share_outside"] > 0.01
    assert assert_fix_clears(hourly(), config, "ARCH003").output_activation is None


def test_sigmoid_output_reaches_minmax_scaled_targets_of_a_steady_cycle():
    t = np.arange(600)
    frame = hourly().assign(load=400 + 50 * np.sin(2 * np.pi * t / 24))
    config = HEALTHY.replace(output_activation="sigmoid", scaling="minmax")
    assert "ARCH003" not in codes(check(frame, config))


def test_sigmoid_output_cannot_follow_a_trend_past_the_training_range():
    frame = hourly().assign(load=lambda f: f.load + np.arange(600))
    finding = only(check(frame, HEALTHY.replace(output_activation="sigmoid", scaling="minmax")), "ARCH003")
    assert finding.evidence["scaled_max"] > 1


# ARCH004 cross-entropy loss


@pytest.mark.parametrize("loss", ["binary_crossentropy", "sparse_categorical_crossentropy"])
def test_cross_entropy_loss_on_a_forecast_blocks_training(loss):
    config = HEALTHY.replace(loss=loss)
    finding = only(check(hourly(), config), "ARCH004")
    assert finding.severity == "error"
    assert finding.evidence["loss"] == loss
    assert_fix_clears(hourly(), config, "ARCH004")


def test_regression_losses_are_fine():
    for loss in ("mse", "mae", "huber"):
        assert "ARCH004" not in codes(check(hourly(), HEALTHY.replace(loss=loss)))


# ARCH005 too many weights for the data


def test_too_many_weights_for_the_training_windows():
    config = HEALTHY.replace(units=256)
    finding = only(check(hourly(), config), "ARCH005")
    assert finding.severity == "warning"
    assert finding.evidence["params"] == 4 * (256 * (2 + 256) + 256) + 257
    assert finding.evidence["train_windows"] == 396
    assert finding.evidence["params_per_window"] > 100
    assert assert_fix_clears(hourly(), config, "ARCH005").units < 256


def test_default_units_fit_the_training_windows():
    assert "ARCH005" not in codes(check(hourly()))


# ARCH006 too few units


def test_too_few_units_warn():
    config = HEALTHY.replace(units=2)
    finding = only(check(hourly(), config), "ARCH006")
    assert finding.severity == "warning"
    assert finding.evidence == {"units": 2, "minimum": 4}
    assert assert_fix_clears(hourly(), config, "ARCH006").units == 32


def test_four_units_are_enough_not_to_warn():
    assert "ARCH006" not in codes(check(hourly(), HEALTHY.replace(units=4)))


# ARCH007 heavy dropout


def test_dropout_above_half_warns():
    config = HEALTHY.replace(dropout=0.7, recurrent_dropout=0.6)
    finding = only(check(hourly(), config), "ARCH007")
    assert finding.severity == "warning"
    assert finding.evidence == {"dropout": 0.7, "recurrent_dropout": 0.6, "limit": 0.5}
    fixed = assert_fix_clears(hourly(), config, "ARCH007")
    assert (fixed.dropout, fixed.recurrent_dropout) == (0.2, 0.2)


def test_moderate_dropout_is_fine():
    assert "ARCH007" not in codes(check(hourly(), HEALTHY.replace(dropout=0.5)))


# ARCH008 settings that leave the cuDNN kernel


@pytest.mark.parametrize("patch", [{"recurrent_dropout": 0.1}, {"activation": "relu"},
                                   {"recurrent_activation": "tanh"}])
def test_non_cudnn_settings_are_an_info_note(patch):
    config = HEALTHY.replace(**patch)
    finding = only(check(hourly(), config), "ARCH008")
    assert finding.severity == "info"
    assert finding.evidence == patch
    assert_fix_clears(hourly(), config, "ARCH008")


def test_standard_lstm_settings_keep_the_cudnn_kernel():
    assert "ARCH008" not in codes(check(hourly(), HEALTHY.replace(dropout=0.3)))


# TRAIN001 / TRAIN002 learning rate


@pytest.mark.parametrize(("rate", "level"), [(0.05, "high"), (0.5, "very high")])
def test_high_learning_rate_warns_without_blocking(rate, level):
    config = HEALTHY.replace(learning_rate=rate)
    finding = only(check(hourly(), config), "TRAIN001")
    assert finding.severity == "warning"
    assert f"is {level} for adam" in finding.title
    assert finding.evidence["learning_rate"] == rate
    assert finding.evidence["usual_max"] == 0.01
    assert assert_fix_clears(hourly(), config, "TRAIN001").learning_rate == 0.001


def test_sgd_tolerates_a_higher_rate():
    assert "TRAIN001" not in codes(check(hourly(), HEALTHY.replace(optimizer="sgd", learning_rate=0.05)))


def test_very_low_learning_rate_warns():
    config = HEALTHY.replace(learning_rate=1e-8)
    finding = only(check(hourly(), config), "TRAIN002")
    assert finding.severity == "warning"
    assert finding.evidence == {"learning_rate": 1e-8, "usual_min": 1e-6}
    assert_fix_clears(hourly(), config, "TRAIN002")


def test_usual_learning_rates_raise_nothing():
    for rate in (1e-4, 1e-3, 1e-2):
        assert not {"TRAIN001", "TRAIN002"} & codes(check(hourly(), HEALTHY.replace(learning_rate=rate)))


# TRAIN003 / TRAIN004 batch size


def test_batch_covering_all_training_windows_warns():
    config = HEALTHY.replace(batch_size=512, epochs=100)
    finding = only(check(hourly(), config), "TRAIN003")
    assert finding.severity == "warning"
    assert finding.evidence == {"batch_size": 512, "train_windows": 396}
    assert_fix_clears(hourly(), config, "TRAIN003")


def test_batch_smaller_than_the_training_windows():
    assert "TRAIN003" not in codes(check(hourly(), HEALTHY.replace(batch_size=256)))


def test_batch_size_one_warns():
    config = HEALTHY.replace(batch_size=1)
    finding = only(check(hourly(), config), "TRAIN004")
    assert finding.severity == "warning"
    assert finding.evidence == {"batch_size": 1, "train_windows": 396, "steps_per_epoch": 396}
    assert assert_fix_clears(hourly(), config, "TRAIN004").batch_size == 32


def test_batch_size_one_on_a_handful_of_windows_is_fine():
    config = HEALTHY.replace(batch_size=1, timesteps=4)
    prepared = prepare(describe(hourly(rows=50), "test.csv"), config)
    assert prepared.window_counts["train"] == 30
    assert "TRAIN004" not in codes(prepared.findings)


# TRAIN005 too few updates


def test_too_few_weight_updates_warn():
    config = HEALTHY.replace(batch_size=128, epochs=3)
    finding = only(check(hourly(), config), "TRAIN005")
    assert finding.severity == "warning"
    assert finding.evidence["updates"] == 12
    assert finding.evidence["steps_per_epoch"] == 4
    assert assert_fix_clears(hourly(), config, "TRAIN005").epochs == 13


def test_enough_weight_updates():
    assert "TRAIN005" not in codes(check(hourly(), HEALTHY.replace(batch_size=128, epochs=13)))


# The engine as a whole


# DATA029 the target trends out of the training range, DATA030 differencing with a single step beyond the next


def trending(rows: int = 600) -> pd.DataFrame:
    frame = hourly(rows)
    return frame.assign(load=frame.load + np.arange(rows) * 0.5)


def test_a_trend_out_of_the_training_range_warns_and_differencing_clears():
    finding = only(check(trending()), "DATA029")
    assert finding.severity == "warning"
    assert finding.evidence["shifted"]["test"]["mean"] > finding.evidence["train_max"]
    assert finding.fix == {"difference": True}
    assert assert_fix_clears(trending(), HEALTHY, "DATA029").difference
    assert "DATA029" not in codes(check(hourly()))


def test_differencing_with_horizon_above_one_needs_every_step():
    config = HEALTHY.replace(difference=True, horizon=3)
    finding = only(check(hourly(), config), "DATA030")
    assert finding.severity == "error"
    assert assert_fix_clears(hourly(), config, "DATA030").multi_step
    assert "DATA030" not in codes(check(hourly(), config.replace(horizon=1)))


def test_every_registered_check_has_a_stable_code():
    assert all(re.fullmatch(r"(DATA|ARCH|TRAIN|TEXT|LIMIT)\d{3}", code) for code in registered_checks())


def test_every_registered_check_is_tripped_by_a_test_here():
    # The classification, text and limit checks have their own files, next to this one.
    here = Path(__file__).parent
    text = "".join((here / name).read_text()
                   for name in (Path(__file__).name, "test_classification_checks.py", "test_limits.py"))
    text += "".join(path.read_text() for path in here.glob("test_text*.py"))
    assert [code for code in registered_checks() if f'"{code}")' not in text] == []


def test_every_code_is_in_the_catalogue():
    catalogue = (ROOT / "docs" / "checks.md").read_text()
    others = ["DATA001", "DATA002", "DATA003", "DATA004", "DATA005", "DATA101", "DATA102", "DATA103", "DATA104",
              "DATA105", "DATA110", "DATA111", "DATA112", "TF000", "TF001", "TF002", "TF003", "TF004", "TF005"]
    missing = [code for code in [*registered_checks(), *others] if f"`{code}`" not in catalogue]
    assert missing == []


def test_a_config_with_everything_wrong_is_mended_by_applying_the_fixes_in_turn():
    frame = hourly().assign(region=3.0, next_load=lambda f: f.load.shift(-1))
    config = HEALTHY.replace(features=("temperature", "region", "next_load"), scaling="none", units=2,
                             output_units=4, output_activation="softmax", loss="binary_crossentropy",
                             dropout=0.8, learning_rate=0.5, batch_size=1, recurrent_dropout=0.1)
    for _ in range(20):
        prepared = prepare(describe(frame, "test.csv"), config)
        fixable = [f for f in prepared.findings if f.fix]
        if not fixable:
            break
        config = prepared.config.replace(**fixable[0].fix)
    assert check(frame, config) == []


def test_findings_are_plain_json():
    frame = hourly().assign(region=3.0)
    config = HEALTHY.replace(features=("temperature", "region"), scaling="none", output_activation="relu",
                             units=512, recurrent_dropout=0.1)
    findings = check(frame, config)
    assert len(findings) >= 5
    for finding in findings:
        json.dumps(finding.to_dict(), allow_nan=False)
        assert finding.title and "\n" not in finding.title
        assert finding.detail.endswith(".")

"""Runtime monitors: each on a curve that trips it and a healthy one that does not, then real Keras runs end to end."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from trained import training_key

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.monitors import Curve, Facts, Probe, attach_monitors, facts_for, registered_monitors
from lstm_core.monitors import curve_monitors as cm
from lstm_core.monitors import gradient_monitors as gm
from lstm_core.tasks.forecast.pipeline import prepare, train
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
from lstm_core.train import Runner

# The train / validation losses of the default noisy_seasonal run (30 epochs, seed 42), as Keras reported them.
HEALTHY_LOSS = [0.853, 0.414, 0.286, 0.262, 0.232, 0.19, 0.15, 0.132, 0.127, 0.123, 0.12, 0.117, 0.115, 0.112, 0.11,
                0.107, 0.105, 0.104, 0.102, 0.1, 0.0991, 0.0979, 0.0969, 0.096, 0.0953, 0.0946, 0.0941, 0.0936,
                0.0932, 0.0929]
HEALTHY_VAL = [0.591, 0.32, 0.288, 0.255, 0.217, 0.173, 0.142, 0.132, 0.129, 0.127, 0.124, 0.121, 0.119, 0.117,
               0.115, 0.112, 0.11, 0.108, 0.106, 0.105, 0.103, 0.102, 0.1, 0.0993, 0.0984, 0.0977, 0.0972, 0.0968,
               0.0964, 0.0962]
# monthly_sales, default run with seed 1: the validation loss rises three epochs early on, then falls again.
TREND_LOSS = [0.652, 0.379, 0.18, 0.0896, 0.0812, 0.0738, 0.0687, 0.0684, 0.0673]
TREND_VAL = [2.95, 1.69, 0.789, 0.396, 0.47, 0.611, 0.625, 0.552, 0.488]


def facts(zero_skill: float | None = 1.0, val_zero_skill: float | None = 1.0, start_level: float | None = 2.0,
          max_abs_input: float = 3.0, loss: str = "mse", **config) -> Facts:
    return Facts(RunConfig(**config), loss, zero_skill, val_zero_skill, start_level, max_abs_input)


def check(code: str, curve: Curve, facts_: Facts):
    return registered_monitors()[code].check(curve, facts_)


def every_prefix(code: str, loss: list[float], val: list[float], facts_: Facts) -> list:
    """Run a monitor as the hub does, after each epoch of a curve; return what it raised."""
    return [f for n in range(1, len(loss) + 1) if (f := check(code, Curve(loss[:n], val[:n]), facts_))]


def probe(epoch: int = 1, loss: float = 0.7, norm: float = 1.0, first: float = 0.9, saturated: float | None = 0.0):
    return Probe(epoch, loss, norm, first, saturated)


def test_every_runtime_code_is_registered_and_documented(repo):
    catalogue = (repo / "docs" / "checks.md").read_text()
    codes = sorted(registered_monitors())
    assert codes == [f"TRAIN1{n:02d}" for n in range(1, 10)]
    for code in codes:
        assert f"### `{code}`" in catalogue, code


@pytest.mark.parametrize("code", sorted(f"TRAIN1{n:02d}" for n in range(1, 6)))
def test_the_healthy_default_curve_trips_no_epoch_monitor(code):
    assert every_prefix(code, HEALTHY_LOSS, HEALTHY_VAL, facts(zero_skill=0.995, val_zero_skill=0.934)) == []


# TRAIN101 NaN / inf

def test_nan_loss_is_an_error_blaming_a_high_learning_rate():
    finding = check("TRAIN101", Curve([0.9, math.nan], [0.8, math.nan]), facts(learning_rate=10.0))
    assert (finding.code, finding.severity, finding.epoch, finding.area) == ("TRAIN101", "error", 2, "training")
    assert finding.title == "The loss became NaN" and finding.evidence["likely_cause"] == "learning rate"
    assert finding.fix == {"learning_rate": 0.001}
    json.dumps(finding.to_dict(), allow_nan=False)  # the CLI prints findings as strict JSON


def test_inf_loss_on_large_unscaled_data_blames_the_data():
    finding = check("TRAIN101", Curve([math.inf]), facts(max_abs_input=5000.0, scaling="none", learning_rate=10.0))
    assert finding.evidence["likely_cause"] == "data"
    assert finding.evidence["suspects"][:2] == ["data", "learning rate"]
    assert finding.fix == {"scaling": "standard"}


def test_nan_with_a_classification_loss_blames_the_head():
    finding = check("TRAIN101", Curve([math.nan]), facts(loss="binary_crossentropy", zero_skill=None))
    assert finding.evidence["likely_cause"] == "head"
    assert finding.fix == {"loss": None}


def test_finite_losses_trip_no_nan_monitor():
    assert check("TRAIN101", Curve([0.9, 0.5], [0.8, 0.6]), facts()) is None


# TRAIN102 divergence

@pytest.mark.parametrize(("loss", "rule"), [
    ([1506.0], "exploded"),                      # Adam lr 10 on noisy_seasonal: 750x its start in one epoch
    ([8650.0, 1827.0, 2029.0, 2510.0], "rising"),  # Adam lr 10 on unscaled monthly_sales, zero skill 1,629
    ([8.0, 69.0, 9.0, 60.0], "above_first"),     # the guide's binary task at lr 10, around ln 2 = 0.69
    ([10.0, 25.0, 9.0, 22.0], "swinging"),
    ([12300.0, 4320.0, 1720.0], "stuck_at_mean"),  # unscaled monthly_sales at lr 10, units 8: collapsed to the mean
])
def test_divergence_rules(loss, rule):
    level = {"rising": (1629.0, 34950.0), "above_first": (0.69, None), "swinging": (0.69, None),
             "stuck_at_mean": (1629.0, 34950.0)}.get(rule, (1.0, 2.0))
    finding = check("TRAIN102", Curve(loss), facts(zero_skill=level[0], start_level=level[1], learning_rate=10.0))
    assert (finding.severity, finding.evidence["rule"], finding.epoch) == ("error", rule, len(loss))
    assert finding.fix == {"learning_rate": 0.001}
    assert registered_monitors()["TRAIN102"].stops == "diverged"


def test_a_slow_descent_far_above_zero_skill_is_not_divergence():
    # Unscaled monthly_sales at lr 1e-3: 20x the zero-skill level but under its start, falling a little each epoch.
    loss = [35090.0, 34940.0, 34660.0, 34510.0, 34420.0, 34370.0]
    assert every_prefix("TRAIN102", loss, [], facts(zero_skill=1629.0, start_level=34950.0)) == []


def test_a_loss_that_falls_below_zero_skill_may_wiggle_without_diverging():
    loss = [1.0, 0.5, 0.3, 0.35, 0.45, 0.3, 0.2]
    assert every_prefix("TRAIN102", loss, [], facts()) == []


def test_no_better_than_the_mean_at_an_ordinary_learning_rate_is_not_divergence():
    loss = [1.03, 1.03, 1.03, 1.03]
    assert every_prefix("TRAIN102", loss, [], facts(learning_rate=0.001)) == []
    assert check("TRAIN102", Curve(loss[:3]), facts(learning_rate=0.5)).evidence["rule"] == "stuck_at_mean"


# TRAIN103 stagnation

def test_a_flat_loss_at_learning_rate_1e_7_stalls_and_suggests_100x():
    loss = [1.02833, 1.02832, 1.02831, 1.02830, 1.02828, 1.02826]
    finding = check("TRAIN103", Curve(loss), facts(learning_rate=1e-7))
    assert (finding.severity, finding.evidence["rule"], finding.epoch) == ("warning", "flat", 6)
    assert finding.fix == {"learning_rate": 0.001}
    assert registered_monitors()["TRAIN103"].stops == "stopped_early"
    assert check("TRAIN103", Curve(loss[:5]), facts(learning_rate=1e-7)) is None  # needs 5 epochs of history


def test_a_crawl_far_above_zero_skill_on_unscaled_data_suggests_scaling():
    loss = [35090.0, 34940.0, 34660.0, 34510.0, 34420.0, 34370.0]
    finding = check("TRAIN103", Curve(loss), facts(zero_skill=1629.0, start_level=34950.0, max_abs_input=316.0,
                                                  scaling="none"))
    assert finding.evidence["rule"] == "crawl"
    assert finding.evidence["epochs_to_zero_skill"] > cm.STALL_HORIZON
    assert finding.fix == {"scaling": "standard"}


def test_a_loss_bouncing_back_to_where_it_was_is_not_flat():
    # machine_faults (classification) near its end: epochs 25 and 30 match, the epochs between do not.
    loss = [0.448, 0.409, 0.417, 0.398, 0.412, 0.386, 0.405]
    assert check("TRAIN103", Curve(loss), facts(zero_skill=0.673, loss="binary_crossentropy")) is None


def test_a_converged_flat_loss_is_not_stagnation():
    assert check("TRAIN103", Curve([0.5, 0.2, 0.0931, 0.0930, 0.0930, 0.0929, 0.0929, 0.0929]), facts()) is None


# TRAIN104 oscillation

def test_a_zigzag_loss_oscillates():
    finding = check("TRAIN104", Curve([1.0, 0.7, 0.9, 0.6, 0.85, 0.55]), facts())
    assert finding.severity == "warning" and finding.evidence["direction_changes"] == 4
    assert finding.fix == {"learning_rate": 0.0001}
    assert registered_monitors()["TRAIN104"].stops is None


def test_small_wiggles_are_not_oscillation():
    assert check("TRAIN104", Curve([0.100, 0.099, 0.1, 0.098, 0.099, 0.097]), facts()) is None


def test_a_noisy_loss_that_still_falls_is_not_oscillation():
    # Six epochs of a small classification set at lr 0.01: three turns, large steps, yet it falls by two thirds.
    assert check("TRAIN104", Curve([0.693, 0.456, 0.315, 0.467, 0.190, 0.245]), facts()) is None


# TRAIN105 overfitting

def test_validation_rising_four_epochs_while_training_falls_is_overfitting():
    loss, val = [0.5, 0.3, 0.2, 0.15, 0.12, 0.1, 0.08], [0.6, 0.4, 0.35, 0.37, 0.4, 0.44, 0.5]
    finding = check("TRAIN105", Curve(loss, val), facts())
    assert finding.severity == "warning" and finding.epoch == 7
    assert finding.evidence["gap"][-1] > finding.evidence["gap"][0]
    assert finding.fix == {"dropout": 0.2}
    assert check("TRAIN105", Curve(loss, val), facts(early_stopping=False)).fix == {"early_stopping": True}


def test_an_early_three_epoch_rise_on_a_trending_series_is_not_overfitting():
    assert every_prefix("TRAIN105", TREND_LOSS, TREND_VAL, facts(zero_skill=0.83, val_zero_skill=4.5)) == []


def test_validation_rising_with_training_rising_too_is_not_overfitting():
    assert check("TRAIN105", Curve([0.1, 0.11, 0.12, 0.13, 0.14], [0.2, 0.25, 0.3, 0.35, 0.4]), facts()) is None


# TRAIN106 underfitting

def test_losses_near_zero_skill_at_the_end_are_underfitting():
    curve = Curve([1.0, 0.97, 0.95, 0.95, 0.95, 0.949], [1.0, 0.98, 0.97, 0.97, 0.97, 0.97], finished=True)
    finding = check("TRAIN106", curve, facts(units=32))
    assert finding.severity == "warning" and finding.fix == {"units": 64}
    assert registered_monitors()["TRAIN106"].when == "end"


def test_still_falling_when_the_epochs_ran_out_suggests_more_epochs():
    curve = Curve([1.0, 0.97, 0.95, 0.93, 0.9], [1.0, 0.98, 0.96, 0.93, 0.91], finished=True)
    assert check("TRAIN106", curve, facts(epochs=5)).fix == {"epochs": 10}


def test_a_model_that_learnt_or_ran_too_few_epochs_is_not_underfitting():
    assert check("TRAIN106", Curve(HEALTHY_LOSS, HEALTHY_VAL, finished=True), facts()) is None
    assert check("TRAIN106", Curve([1.0, 0.99], [1.0, 0.99], finished=True), facts()) is None


# TRAIN107–109 on probes

def test_a_huge_gradient_norm_explodes():
    finding = check("TRAIN107", Curve([2.0], probes=[probe(norm=4562.0)]), facts(learning_rate=0.05))
    assert finding.severity == "warning" and finding.fix == {"learning_rate": 0.001}
    unscaled = facts(scaling="none", max_abs_input=316.0)
    assert check("TRAIN107", Curve([2.0], probes=[probe(norm=4562.0)]), unscaled).fix == {"scaling": "standard"}


def test_healthy_or_stale_gradient_norms_do_not_explode():
    assert check("TRAIN107", Curve([0.8], probes=[probe(norm=2.3)]), facts()) is None
    # A probe from an earlier epoch was already judged then.
    assert check("TRAIN107", Curve([0.8, 0.6], probes=[probe(epoch=1, norm=4562.0)]), facts()) is None


def test_a_first_layer_cut_off_from_the_gradient_vanishes():
    vanished = probe(loss=2038.0, norm=120.0, first=4.9e-10)
    finding = check("TRAIN108", Curve([1830.0], probes=[vanished]), facts(zero_skill=1629.0))
    assert finding.severity == "warning" and finding.evidence["first_layer_share"] < gm.VANISHING_SHARE
    assert check("TRAIN108", Curve([0.5], probes=[probe(norm=1e-9, first=1e-9)]), facts(layers=2)).fix == \
        {"layers": 1}


def test_small_gradients_after_learning_or_a_healthy_share_do_not_vanish():
    assert check("TRAIN108", Curve([0.8], probes=[probe(norm=1.08, first=0.98)]), facts()) is None
    # The loss is already far below zero skill: small gradients there mean a minimum, not a problem.
    assert check("TRAIN108", Curve([0.01], probes=[probe(loss=0.01, norm=1e-9, first=1e-9)]), facts()) is None


def test_many_outputs_near_plus_or_minus_one_are_saturated():
    finding = check("TRAIN109", Curve([2.0], probes=[probe(saturated=0.28)]), facts(learning_rate=10.0))
    assert finding.severity == "warning" and finding.fix == {"learning_rate": 0.001}
    # It sends the user to the view that shows the pinned gates, on the pages that have it.
    assert 'open "Inside the LSTM" under the run\'s results' in finding.detail
    text = check("TRAIN109", Curve([2.0], probes=[probe(saturated=0.28)]), facts(task="text-classify"))
    assert text is not None and "Inside the LSTM" not in text.detail


def test_no_or_unmeasured_saturation_is_fine():
    assert check("TRAIN109", Curve([0.8], probes=[probe(saturated=0.0)]), facts()) is None
    assert check("TRAIN109", Curve([0.8], probes=[probe(saturated=None)]), facts(activation="relu")) is None


# Facts and the probe on real windows and real Keras models

def sample_prepared(name: str, **settings):
    sample = SAMPLES[name]
    dataset = load_csv(sample_csv(name), f"{name}.csv")
    config = RunConfig(target=sample.target, features=sample.features, season=sample.season).replace(**settings)
    prepared = prepare(dataset, config)
    assert prepared.ready, [f.to_dict() for f in prepared.findings if f.severity == "error"]
    return prepared


def test_facts_are_the_zero_skill_levels_in_the_units_the_model_sees(noisy_prepared):
    found = facts_for(noisy_prepared.config, noisy_prepared.windows)
    y, y_val = noisy_prepared.windows.y_train.astype("float64"), noisy_prepared.windows.y_val.astype("float64")
    assert found.zero_skill == pytest.approx(np.var(y))
    assert found.val_zero_skill == pytest.approx(np.mean((y_val - y.mean()) ** 2))
    assert found.start_level == pytest.approx(np.mean(y**2) + 1.0)
    assert 2 < found.max_abs_input < 5 and not found.unscaled_and_large
    mae = facts_for(noisy_prepared.config.replace(loss="mae"), noisy_prepared.windows)
    assert mae.zero_skill == pytest.approx(np.mean(np.abs(y - np.median(y))))
    unscaled = sample_prepared("monthly_sales", scaling="none")
    assert facts_for(unscaled.config, unscaled.windows).unscaled_and_large


def built_model(prepared):
    import keras

    from lstm_core.model import build_model

    keras.utils.set_random_seed(prepared.config.seed)
    return build_model(prepared.config, prepared.windows.features)


def test_the_probe_measures_a_healthy_model_below_every_threshold(noisy_prepared):
    model = built_model(noisy_prepared)
    before = [w.copy() for w in model.get_weights()]
    found = gm.GradientProbe(noisy_prepared.config, noisy_prepared.windows, "mse").measure(model, epoch=1)
    assert 0.05 < found.gradient_norm < 3 and 0 < found.first_layer_norm <= found.gradient_norm
    assert found.saturated_share == 0.0 and found.seconds > 0
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))  # looks, never moves


def test_the_probe_finds_exploding_and_saturated_units_on_unscaled_data():
    prepared = sample_prepared("monthly_sales", scaling="none")
    found = gm.GradientProbe(prepared.config, prepared.windows, "mse").measure(built_model(prepared), epoch=1)
    curve, known = Curve([35000.0], probes=[found]), facts_for(prepared.config, prepared.windows)
    assert found.gradient_norm > gm.EXPLODING_NORM and found.saturated_share >= gm.SATURATION_SHARE
    assert check("TRAIN107", curve, known).fix == {"scaling": "standard"}
    assert check("TRAIN109", curve, known).fix == {"scaling": "standard"}


def test_the_probe_finds_gradients_vanishing_behind_pinned_gates():
    prepared = sample_prepared("monthly_sales", scaling="none")
    model = built_model(prepared)
    lstm = model.get_layer("lstm_1")
    # Large weights on large inputs pin the gates at 0 / 1 (as lr 10 does): nothing flows back into the LSTM.
    lstm.set_weights([w * 100 for w in lstm.get_weights()])
    found = gm.GradientProbe(prepared.config, prepared.windows, "mse").measure(model, epoch=1)
    assert gm.vanishing(found) and found.gradient_norm > 0
    finding = check("TRAIN108", Curve([35000.0], probes=[found]), facts_for(prepared.config, prepared.windows))
    assert finding.epoch == 1 and finding.fix == {"scaling": "standard"}


# End to end: the runner with its monitors on real data

def codes(state) -> list[str]:
    return [f.code for f in state.findings]


def test_monitors_leave_training_untouched_and_probe_when_allowed(noisy_prepared, recorder):
    config = noisy_prepared.config.replace(epochs=3)
    plain = Runner(config, noisy_prepared.windows, jit_compile=False).run()
    runner = Runner(config, noisy_prepared.windows, [recorder], jit_compile=False)
    hub = attach_monitors(runner, probe_budget=1.0)
    watched = runner.run()
    assert watched.history == plain.history
    assert [p.epoch for p in hub.probes] == [1, 2, 3]
    assert runner.listeners[0] is hub
    assert "finding" not in recorder.kinds()


@pytest.mark.parametrize(("name", "settings"), [
    ("noisy_seasonal", {"learning_rate": 10.0}),
    ("monthly_sales", {"learning_rate": 10.0, "scaling": "none"}),
])
def test_adam_at_learning_rate_10_diverges_and_stops_early(name, settings, recorder):
    prepared = sample_prepared(name, units=8, epochs=15, **settings)
    state = train(prepared, [recorder])
    stop = next(f for f in state.findings if f.code in ("TRAIN101", "TRAIN102"))
    assert state.status == "diverged" and stop.code in state.reason
    assert state.epochs_done == stop.epoch < 15
    assert stop.fix in ({"learning_rate": 0.001}, {"scaling": "standard"})
    emitted = recorder.payloads("finding")
    assert stop.to_dict() in emitted and emitted[-1]["epoch"] == stop.epoch
    assert recorder.kinds()[-1] == "stopped"


def test_learning_rate_1e_7_stagnates_and_stops():
    prepared = sample_prepared("noisy_seasonal", units=8, epochs=12, learning_rate=1e-7)
    state = train(prepared)
    assert codes(state)[-1] == "TRAIN103"
    assert (state.status, state.epochs_done) == ("stopped_early", cm.STALL_EPOCHS + 1)
    assert state.findings[-1].fix == {"learning_rate": 0.001}


_DEFAULT_RUNS: dict = {}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_default_runs_of_the_samples_raise_no_runtime_finding(name):
    prepared = sample_prepared(name, epochs=12)
    # Two samples whose default runs train on the same windows (a leaky column left out) share one training.
    key = training_key(prepared)
    state = _DEFAULT_RUNS[key] = _DEFAULT_RUNS.get(key) or train(prepared)
    assert state.status in ("completed", "stopped_early")
    assert codes(state) == []

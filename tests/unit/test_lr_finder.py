"""The learning-rate range test on real models: where it points, what it leaves alone, and when it gives up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.lr_finder import MIN_STEPS, SKIP_START, find_learning_rate, read_curve, smooth
from lstm_core.tasks.forecast.pipeline import prepare


def codes(test) -> list[str]:
    return [f.code for f in test.findings]


def test_the_suggestion_lies_where_the_smoothed_loss_falls(noisy_prepared):
    test = find_learning_rate(noisy_prepared, steps=150)
    assert test.suggested_lr is not None, codes(test)
    assert test.lrs[0] == pytest.approx(1e-7) and len(test.losses) == len(test.smoothed) <= 150
    index = test.suggested_index
    smoothed = test.smoothed
    start = smoothed[SKIP_START]
    assert smoothed[index] < start
    # Falling at the suggestion: lower a few steps on than a few steps before.
    assert smoothed[min(index + 3, len(smoothed) - 1)] < smoothed[index - 3]
    # At most a tenth of the rate where the smoothed loss is lowest, well inside the range tried.
    lowest = int(np.nanargmin(np.array(smoothed, dtype=float)))
    assert test.suggested_lr <= test.lrs[lowest] / 10 * 1.05
    # A healthy sample gives a clear answer: none of the "no answer" findings.
    assert not {"TRAIN201", "TRAIN202", "TRAIN203"} & set(codes(test))


def test_the_users_trained_model_is_left_untouched(tiny_run, noisy_prepared):
    state, _ = tiny_run
    before = [w.copy() for w in state.model.get_weights()]
    iterations = int(state.model.optimizer.iterations.numpy())
    find_learning_rate(noisy_prepared, steps=40, jit_compile=False)
    after = state.model.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert int(state.model.optimizer.iterations.numpy()) == iterations


def test_a_range_too_low_to_move_the_weights_gives_no_suggestion(noisy_prepared):
    test = find_learning_rate(noisy_prepared, start_lr=1e-10, end_lr=1e-9, steps=40, jit_compile=False)
    assert test.suggested_lr is None
    assert "TRAIN202" in codes(test)
    finding = next(f for f in test.findings if f.code == "TRAIN202")
    assert finding.evidence["best_loss"] > (1 - finding.evidence["min_drop"]) * finding.evidence["start_loss"]


def test_a_loss_that_is_not_a_number_from_the_first_step(tmp_path):
    # Values near 1e25 left unscaled: their square overflows float32, so the very first loss is inf.
    rows = np.arange(300)
    path = tmp_path / "huge.csv"
    path.write_text("value\n" + "\n".join(f"{1e25 * (2 + math.sin(r / 5)):.6e}" for r in rows) + "\n")
    prepared = prepare(load_csv(path), RunConfig(target="value", scaling="none", timesteps=10, units=4))
    assert prepared.ready, [f.code for f in prepared.findings if f.severity == "error"]
    test = find_learning_rate(prepared, steps=30, jit_compile=False)
    assert test.suggested_lr is None
    assert codes(test) == ["TRAIN201"]
    assert test.losses[0] is None and test.stopped == "diverged"


def test_a_classifier_gets_a_suggestion_too():
    from lstm_core.tasks.forecast.samples import CLASSIFICATION_SAMPLES, classification_sample_csv
    from lstm_core.tasks.sequences import prepare_classification

    dataset = load_csv(classification_sample_csv("shapes"), "shapes.csv")
    config = CLASSIFICATION_SAMPLES["shapes"].config().replace(units=8)
    prepared = prepare_classification(dataset, config)
    assert prepared.ready
    # Without XLA, to skip a compilation: the suggestion's rule is what is tested here, the first test uses XLA.
    test = find_learning_rate(prepared, steps=150, jit_compile=False)
    assert not test.jit_compile
    assert test.suggested_lr is not None, codes(test)
    assert test.smoothed[test.suggested_index] < test.smoothed[SKIP_START]


def test_a_curve_that_blows_up_at_once_is_too_short_to_read():
    lrs = np.geomspace(1e-4, 1, 100).tolist()
    losses = [1.0, 0.9, 0.8, 5.0, 50.0, float("nan")]
    test = read_curve(lrs, losses)
    assert test.suggested_lr is None
    assert codes(test) == ["TRAIN203"]
    assert test.findings[0].evidence["steps"] == 5 < MIN_STEPS
    assert test.stopped == "diverged" and len(test.lrs) == len(test.losses) == 6


def test_a_curve_still_falling_at_the_top_of_the_range_says_so():
    lrs = np.geomspace(1e-6, 1e-2, 60).tolist()
    losses = [1.0 / (1 + 50 * lr ** 0.5) for lr in lrs]
    test = read_curve(lrs, losses)
    assert test.suggested_lr is not None
    assert codes(test) == ["TRAIN204"]
    assert test.stopped == "completed"


def test_smoothing_is_a_bias_corrected_moving_average():
    assert smooth([2.0, 2.0, 2.0]) == pytest.approx([2.0, 2.0, 2.0])
    assert smooth([1.0, 3.0])[1] == pytest.approx((0.9 * 0.1 * 1 + 0.1 * 3) / (1 - 0.81))
    assert smooth([1.0, float("nan"), 1.0]) == [1.0]


def test_every_range_test_code_is_in_the_catalogue(repo):
    import re

    source = (repo / "lstm_core" / "lr_finder.py").read_text()
    found = sorted(set(re.findall(r'"(TRAIN2\d\d)"', source)))
    assert found == ["TRAIN201", "TRAIN202", "TRAIN203", "TRAIN204"]
    catalogue = (repo / "docs" / "checks.md").read_text()
    assert [code for code in found if f"### `{code}`" not in catalogue] == []


def test_the_noise_of_the_flat_start_does_not_pass_for_the_descent():
    # Flat and noisy up to 1e-4 (the first steps of the average jump about), a fall to 1e-1, then a blow-up.
    lrs = np.geomspace(1e-7, 1, 200)
    rng = np.random.default_rng(3)
    level = np.where(lrs < 1e-4, 1.0, np.clip(1 - 0.95 * np.log10(lrs / 1e-4) / 3, 0.05, None))
    level = np.where(lrs > 1e-1, 0.05 * (lrs / 1e-1) ** 2, level)
    losses = (level * (1 + 0.3 * rng.standard_normal(len(lrs)))).tolist()
    test = read_curve(lrs.tolist(), losses)
    assert test.suggested_lr is not None and 1e-4 < test.suggested_lr < 1e-1, test.suggested_lr

"""Which runs compile their training step with XLA: those long enough to win back its compile, and only with layers
narrow enough for XLA to run a step faster (bench/xla_choice.py measures both arms). The Playground's status line says
why a run went without it."""

from __future__ import annotations

import pytest

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.store import RunStore
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
from lstm_core.tasks.table import prepare_any
from lstm_core.windowed import XLA_MIN_WORK, worth_compiling
from ui.results import status_line

SAMPLE = SAMPLES["noisy_seasonal"]


@pytest.fixture(scope="module")
def dataset():
    return load_csv(sample_csv("noisy_seasonal"), "noisy_seasonal.csv")


def default_run(**changes) -> RunConfig:
    """The default sample's run as the Playground starts it (816 training windows of 24 steps, 30 epochs)."""
    return RunConfig(target=SAMPLE.target, season=SAMPLE.season).replace(**changes)


@pytest.mark.parametrize(("layers", "units", "xla"), [
    (1, 32, True), (1, 64, True), (3, 32, True),  # XLA runs each step 1.0-2.3x faster
    (1, 96, False), (1, 128, False), (2, 64, False), (2, 128, False),  # as fast or faster without it
])
def test_a_long_run_compiles_with_xla_only_when_its_layers_are_narrow(dataset, layers, units, xla):
    prepared = prepare_any(dataset, default_run(layers=layers, units=units))
    config = prepared.config
    assert len(prepared.windows.x_train) * config.epochs * config.timesteps >= XLA_MIN_WORK, "long enough to pay"
    assert worth_compiling(prepared) is xla


def test_a_short_run_goes_without_xla_whatever_its_width(dataset):
    assert not worth_compiling(prepare_any(dataset, default_run(epochs=5)))


@pytest.mark.parametrize(("changes", "why"), [
    ({"units": 128}, "without XLA (layers of 128 units train at least as fast without it)"),
    ({"layers": 2, "units": 64}, "without XLA (stacked layers of 64 units train at least as fast without it)"),
    ({"epochs": 5}, "without XLA (a short run ends sooner without compiling)"),
])
def test_the_status_line_says_why_a_run_went_without_xla(tmp_path, changes, why):
    store = RunStore(tmp_path)
    record = store.create_run("ws", default_run(**changes), store.put_data(b"t,v\n1,2\n"), "x.csv", "csv", "x")
    store.set_started(record.key, steps=26, jit_compile=False)
    store.add_epoch(record.key, 1, 0.9, 1.0, 0.5, 0.5)
    store.finish(record.key, "completed", "", best_epoch=1, jit_compile=False)
    assert why in status_line(store.get(record.key))

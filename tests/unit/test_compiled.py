"""Compile once per shape: a kept compiled model trains a later run of the same shape exactly as a fresh one would;
other shapes and the bound are respected; a worker warms up and says when it reused a model."""

from __future__ import annotations

import pytest
from waiting import until

from lstm_core import compiled
from lstm_core.compiled import keep_compiled, kept_count, shape_hint
from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.jobs import LocalEngine, wait_for
from lstm_core.monitors.hub import attach_monitors
from lstm_core.store import RunStore, new_workspace_id
from lstm_core.tasks.forecast.pipeline import prepare, runner_for, train
from lstm_core.tasks.forecast.samples import sample_csv

DATA = sample_csv("noisy_seasonal")
SMALL = RunConfig(target="value", season=24, units=8, epochs=3, batch_size=32, timesteps=12, early_stopping=False)


def prepared(config: RunConfig):
    return prepare(load_csv(DATA, "noisy_seasonal.csv"), config)


@pytest.fixture
def kept():
    keep_compiled(2)
    yield
    keep_compiled(0)


def test_a_second_run_of_the_same_shape_trains_on_the_kept_model_with_the_same_losses_as_a_fresh_one(kept):
    keep_compiled(0)
    alone = train(prepared(SMALL), jit_compile=False)  # nothing kept: a fresh model, as before reuse existed
    keep_compiled(2)
    first = train(prepared(SMALL.replace(learning_rate=0.05)), jit_compile=False)
    traced = first.model.train_function
    again = train(prepared(SMALL), jit_compile=False)
    assert again.model is first.model, "the same shape (another learning rate only) reuses the compiled model"
    assert again.model.train_function is traced, "its traced train step is reused, not traced again"
    assert again.history == alone.history, "weights, optimizer state and batch order start as a fresh run's"
    assert first.history["loss"] != alone.history["loss"], "the learning rate still reaches the kept model"
    assert float(again.model.optimizer.learning_rate.numpy()) == pytest.approx(SMALL.learning_rate)


@pytest.mark.parametrize("xla", [False, True])
def test_a_kept_model_with_dropout_replays_its_masks_exactly(kept, xla):
    config = SMALL.replace(dropout=0.3, recurrent_dropout=0.2, epochs=2)
    one = train(prepared(config), jit_compile=xla)
    two = train(prepared(config), jit_compile=xla)
    assert two.model is one.model and two.history == one.history


def test_the_gradient_probe_leaves_the_dropout_masks_of_the_run_alone():
    # An LSTM draws dropout masks even when not training: a probe's look used to move them, so whether the probe
    # could afford a look (a matter of timing) changed the losses of the epochs after it.
    config = SMALL.replace(dropout=0.3)
    train(prepared(SMALL.replace(units=4)), jit_compile=False)  # another model trained first, as in a worker
    without = train(prepared(config), jit_compile=False, monitors=False)
    looked = runner_for(prepared(config), jit_compile=False, monitors=False)
    hub = attach_monitors(looked, probe_budget=1e6)  # a look every epoch, however slow
    state = looked.run()
    assert len(hub.probes) == config.epochs and state.history == without.history


def test_a_masked_classifier_is_kept_too_though_keras_numbers_its_mask_ops(kept):
    """A sequence classifier's mask ops are layers Keras names itself, numbered per process ("not_equal",
    "not_equal_1"): the second model of the same shape must still find the first."""
    from lstm_core.jobs.tasks import prepare_from, runner_for_task
    from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, classification_sample_csv

    sample = CLASSIFICATION_SAMPLES["gestures"]

    def run(learning_rate: float):
        config = sample.config(units=8, epochs=2, early_stopping=False, learning_rate=learning_rate)
        ready = prepare_from("csv", classification_sample_csv("gestures"), "gestures.csv", config)
        assert ready.windows.model_options.get("mask_value") is not None, "the sample's sequences are masked"
        return runner_for_task(ready, ticks=False).run()

    keep_compiled(0)
    alone = run(1e-3)
    keep_compiled(2)
    first = run(1e-2)
    again = run(1e-3)
    assert not first.compiled_kept and again.compiled_kept and again.model is first.model
    assert again.history == alone.history, "it trains as a fresh model would"


def test_another_shape_gets_its_own_model_and_the_oldest_goes_beyond_the_bound(kept):
    first = train(prepared(SMALL), jit_compile=False).model
    wider = train(prepared(SMALL.replace(units=16)), jit_compile=False).model
    longer = train(prepared(SMALL.replace(timesteps=16)), jit_compile=False).model
    assert len({id(first), id(wider), id(longer)}) == 3 and kept_count() == 2
    assert train(prepared(SMALL), jit_compile=False).model is not first, "the oldest was let go"
    assert train(prepared(SMALL.replace(timesteps=16)), jit_compile=False).model is longer


def test_reuse_is_off_outside_workers():
    assert compiled._kept is None
    one = train(prepared(SMALL), jit_compile=False).model
    assert train(prepared(SMALL), jit_compile=False).model is not one, "a caller may still hold the first model"


def test_a_shape_hint_ignores_what_never_reaches_the_model():
    setup = {"reader": "csv", "data_ref": "a" * 64, "config": SMALL.to_dict()}
    same = {**setup, "config": SMALL.replace(learning_rate=0.5, epochs=9, patience=2).to_dict()}
    wider = {**setup, "config": SMALL.replace(units=16).to_dict()}
    assert shape_hint(setup) == shape_hint(same) != shape_hint(wider)
    assert shape_hint({**setup, "data_ref": "b" * 64}) != shape_hint(setup)


def store_whose_newest_run_is_small(tmp_path) -> tuple[RunStore, str]:
    """A store whose newest run (cancelled before it trained) is SMALL's: what a new worker compiles while it waits."""
    store = RunStore(tmp_path / "home")
    workspace = new_workspace_id()
    earlier = store.create_run(workspace, SMALL, store.put_data(DATA), "noisy_seasonal.csv")
    store.request_stop(earlier.key)
    return store, workspace


def test_a_new_worker_warms_up_for_the_newest_run_and_the_run_says_it_started_compiled(tmp_path):
    store, workspace = store_whose_newest_run_is_small(tmp_path)
    engine = LocalEngine(store, size=1)
    try:
        run_id = engine.submit(workspace, SMALL.replace(learning_rate=0.02), DATA, "noisy_seasonal.csv", "csv")
        assert wait_for(store, run_id, timeout=240) == "completed"
        record = store.get(run_id)
        assert record.compiled_kept and record.jit_compile is False
        other = engine.submit(workspace, SMALL.replace(units=12), DATA, "noisy_seasonal.csv", "csv")
        assert wait_for(store, other, timeout=240) == "completed"
        assert not store.get(other).compiled_kept, "another shape is compiled for itself"
    finally:
        engine.close()


def test_workers_started_for_queued_runs_warm_up_on_the_runs_they_will_train(tmp_path):
    """A sweep's runs queue before any worker exists: each new worker compiles the shape of the queued run it is
    started for (not the newest run's, which is the sweep's last and often another shape), so every run starts
    compiled."""
    store = RunStore(tmp_path / "home")
    workspace = new_workspace_id()
    shapes = [SMALL.replace(units=6), SMALL.replace(units=10)]
    run_ids = [store.create_run(workspace, config, store.put_data(DATA), "noisy_seasonal.csv").key
               for config in shapes]
    engine = LocalEngine(store, size=2, spare=False)
    try:
        assert [wait_for(store, run_id, timeout=240) for run_id in run_ids] == ["completed", "completed"]
        assert all(store.get(run_id).compiled_kept for run_id in run_ids), "each run found its shape compiled"
    finally:
        engine.close()


def test_a_spare_does_not_compile_a_shape_another_worker_keeps(tmp_path):
    """A run queued while the first worker warms up on its shape waits for that worker; the spare started meanwhile
    waits with TensorFlow imported instead of compiling the same model on the cores the run trains on."""
    store, workspace = store_whose_newest_run_is_small(tmp_path)
    engine = LocalEngine(store, size=2)
    try:
        run_id = engine.submit(workspace, SMALL.replace(learning_rate=0.02), DATA, "noisy_seasonal.csv", "csv")
        assert wait_for(store, run_id, timeout=240) == "completed"
        assert store.get(run_id).compiled_kept, "the run trained on the worker that warmed up on its shape"
        until(lambda: engine.pool_state()["warm"] == 2, 60, "two workers waiting")
        compiled_by = engine.pool_state()["compiled"]
        assert sorted(compiled_by.values()) == [0, 1], f"shapes each worker compiled: {compiled_by}"
    finally:
        engine.close()


def test_a_fresh_model_traces_its_training_step_once_and_trains_as_keras_would():
    """Keras builds the optimizer's slots inside the first traced step, and TensorFlow traces a step that created
    variables a second time. A model compiled with its optimizer built is traced once, and its losses are Keras'
    own to the bit."""
    import keras
    import numpy as np

    from lstm_core.compiled import compile_built
    from lstm_core.model import STEPS_PER_EXECUTION

    class Counting(keras.Sequential):
        traces = 0

        def train_step(self, data):
            Counting.traces += 1
            return super().train_step(data)

    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(96, 12, 1)).astype("float32"), rng.normal(size=(96, 1)).astype("float32")

    def fitted(compile_it) -> list[float]:
        Counting.traces = 0
        seeded = keras.initializers.GlorotUniform(seed=3)
        model = Counting([keras.Input((12, 1)),
                          keras.layers.LSTM(4, kernel_initializer=seeded,
                                            recurrent_initializer=keras.initializers.Orthogonal(seed=4)),
                          keras.layers.Dense(1, kernel_initializer=seeded)])
        compile_it(model, keras.optimizers.Adam(0.01))
        return model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history["loss"]

    settings = {"loss": "mse", "steps_per_execution": STEPS_PER_EXECUTION}
    ours = fitted(lambda model, optimizer: compile_built(model, optimizer, **settings))
    assert Counting.traces == 1
    theirs = fitted(lambda model, optimizer: model.compile(optimizer=optimizer, **settings))
    assert ours == theirs


def test_a_model_trained_with_xla_predicts_without_it():
    """Scoring predicts in a few calls of new shapes; compiling each with XLA cost a fresh run ~0.7 s before its
    results. The training step keeps XLA; predictions are those of the same weights run without it, to the bit."""
    import keras
    import numpy as np

    from lstm_core.compiled import compile_built
    from lstm_core.model import STEPS_PER_EXECUTION

    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(64, 12, 1)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")

    def model_compiled(jit: bool):
        seeded = keras.initializers.GlorotUniform(seed=5)
        model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(16, kernel_initializer=seeded),
                                  keras.layers.Dense(1, kernel_initializer=seeded)])
        compile_built(model, keras.optimizers.Adam(0.01), loss="mse", jit_compile=jit,
                      steps_per_execution=STEPS_PER_EXECUTION)
        return model

    xla, plain = model_compiled(True), model_compiled(False)
    xla.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert xla.jit_compile, "the training step is compiled with XLA"
    plain.set_weights(xla.get_weights())
    window = x[:1]
    assert np.array_equal(xla.predict(x, verbose=0, batch_size=256), plain.predict(x, verbose=0, batch_size=256))
    assert np.array_equal(xla.predict_on_batch(window), plain.predict_on_batch(window))

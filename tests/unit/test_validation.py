"""The runner's own validation logs exactly the numbers Keras' fit(validation_data=…) logs, epoch by epoch."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.validation import validating


def logged_val_losses(model, x, y, x_val, y_val) -> tuple[list[float], list[float]]:
    """(Keras' val_loss, ours) for each epoch of one fit: Keras validates before the callbacks run; a recorder
    reads its number, then our callback replaces it, and a second recorder reads ours."""
    import keras

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.values: list[float] = []

        def on_epoch_end(self, epoch, logs=None):
            self.values.append(logs["val_loss"])

    import tensorflow as tf

    theirs, ours = Recorder(), Recorder()
    # Batches as a dataset and no batch size, as the runner fits: Keras then validates in its default batch.
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model.fit(batches, epochs=4, validation_data=(x_val, y_val), shuffle=False, verbose=0,
              callbacks=[theirs, validating(x_val, y_val), ours])
    return theirs.values, ours.values


# Validation parts shorter than a batch, of whole batches and with a short last batch; with and without XLA.
@pytest.mark.parametrize(("n_val", "xla"), [(20, False), (64, False), (75, False), (75, True)])
def test_a_forecasts_validation_loss_is_the_one_keras_logs(n_val, xla):
    import keras

    rng = np.random.default_rng(n_val)
    x, y = rng.normal(size=(120, 12, 2)).astype("float32"), rng.normal(size=(120, 1)).astype("float32")
    # float64, as a user's pandas column arrives: both paths turn it into Keras' float type.
    x_val, y_val = rng.normal(size=(n_val, 12, 2)), rng.normal(size=(n_val, 1))
    model = keras.Sequential([keras.Input((12, 2)), keras.layers.LSTM(8, seed=1), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", jit_compile=xla, steps_per_execution=8)
    theirs, ours = logged_val_losses(model, x, y, x_val, y_val)
    assert len(ours) == 4 and ours == theirs
    assert len(set(ours)) == 4, "the model trained between epochs, so each epoch's loss differs"


def test_a_classifiers_validation_loss_is_the_one_keras_logs():
    import keras

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(90, 10, 1)).astype("float32"), rng.integers(0, 3, 90)
    x_val, y_val = rng.normal(size=(50, 10, 1)).astype("float32"), rng.integers(0, 3, 50)
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(6, seed=2),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=False)
    theirs, ours = logged_val_losses(model, x, y, x_val, y_val)
    assert len(ours) == 4 and ours == theirs


@pytest.mark.parametrize("xla", [False, True])
def test_the_validation_step_is_traced_once_a_model_not_once_an_epoch(xla):
    """Python runs a test step only while TensorFlow traces it; a second trace (and, with XLA, a second compile)
    would cost each run up to a second. The count covers every epoch after the first."""
    import keras
    import tensorflow as tf

    class Counting(keras.Sequential):
        traces = 0

        def test_step(self, data):
            Counting.traces += 1
            return super().test_step(data)

    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(64, 12, 1)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")
    x_val, y_val = rng.normal(size=(40, 12, 1)), rng.normal(size=(40, 1))
    model = Counting([keras.Input((12, 1)), keras.layers.LSTM(4, seed=1), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", jit_compile=xla)
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model.fit(batches, epochs=1, verbose=0, shuffle=False, callbacks=[validating(x_val, y_val)])
    after_one = Counting.traces
    model.fit(batches, epochs=3, verbose=0, shuffle=False, callbacks=[validating(x_val, y_val)])
    assert after_one >= 1 and Counting.traces == after_one, (after_one, Counting.traces)

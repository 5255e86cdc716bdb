"""The validation loss at each epoch's end, computed as Keras' fit computes it, without Keras' evaluate.

fit(validation_data=…) calls evaluate() after every epoch, which builds a dataset iterator and a callback list
each time: on a small validation part that was ~30 ms an epoch against ~1 ms of arithmetic, a third or more of a
small run's epoch. This callback runs the same arithmetic itself: the model's own test step over batches of 32, in
order, the last one short, summed by the model's own loss tracker after the metrics are reset, so the numbers are
the ones Keras would log. The data becomes tensors once a run, and the compiled steps live with the model, so a
kept model (compiled.py) validates without tracing again.
"""

from __future__ import annotations

import numpy as np

# Keras validates in batches of 32 when fit gets no validation batch size.
VALIDATION_BATCH = 32


def validating(x: np.ndarray, y: np.ndarray):
    """A Keras callback that adds val_loss (and val_ for any other metric) to each epoch's logs, for the
    callbacks after it; put it before the ones that read them."""
    import keras

    full = len(x) // VALIDATION_BATCH * VALIDATION_BATCH
    batches = _tensors(x[:full].reshape(-1, VALIDATION_BATCH, *x.shape[1:]),
                       y[:full].reshape(-1, VALIDATION_BATCH, *y.shape[1:])) if full else None
    short = _tensors(x[full:], y[full:]) if full < len(x) else None

    signature = _signature(x, y)

    class Validation(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is None:
                return
            over_batches, step = _steps(self.model, signature)
            self.model.reset_metrics()
            if batches is not None:
                over_batches(*batches)
            if short is not None:
                step(*short)
            for name, value in self.model.get_metrics_result().items():
                logs[f"val_{name}"] = float(value)

    return Validation()


def _tensors(x: np.ndarray, y: np.ndarray):
    import tensorflow as tf

    return tf.constant(x, dtype=_dtype(x)), tf.constant(y, dtype=_dtype(y))


def _dtype(array: np.ndarray) -> str:
    """As Keras' array adapter hands arrays to the model: floating point in Keras' float type, labels as they are."""
    import keras

    return keras.backend.floatx() if np.issubdtype(array.dtype, np.floating) else array.dtype.name


def _signature(x: np.ndarray, y: np.ndarray) -> tuple:
    """The (x, y) of one batch of any length, as the tensors _tensors makes: one trace serves every batch size."""
    return ((None, *x.shape[1:]), _dtype(x)), ((None, *y.shape[1:]), _dtype(y))


def _steps(model, signature: tuple):
    """(over_batches, step) for this model and data signature, traced once and kept on the model: `step` is the
    model's test step, with XLA when the model trains with it (as Keras compiles its own), and `over_batches`
    loops it over a stack of full batches in one call."""
    # In the instance's own dict: an attribute set on a Keras model goes through its tracking, which stores a
    # copy of a dict, and what was put in the original would be lost (the steps traced again at the next epoch).
    kept = model.__dict__.setdefault("_playground_validation", {})
    if signature in kept:
        return kept[signature]
    import tensorflow as tf

    (x_shape, x_type), (y_shape, y_type) = signature
    one = [tf.TensorSpec(x_shape, x_type), tf.TensorSpec(y_shape, y_type)]
    stacked = [tf.TensorSpec((None, VALIDATION_BATCH, *x_shape[1:]), x_type),
               tf.TensorSpec((None, VALIDATION_BATCH, *y_shape[1:]), y_type)]

    @tf.function(jit_compile=bool(model.jit_compile), input_signature=one)
    def step(x, y):
        model.test_step((x, y))

    @tf.function(input_signature=stacked)
    def over_batches(xs, ys):
        for index in tf.range(tf.shape(xs)[0]):
            step(xs[index], ys[index])

    kept[signature] = over_batches, step
    return over_batches, step

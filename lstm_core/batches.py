"""The order batches are trained in: a seeded permutation of the windows every epoch, fed through tf.data, the
same for a run and its retry without XLA (and for the language model's lazily cut windows)."""

from __future__ import annotations

import math

import numpy as np


class EpochOrders:
    """The training rows' order of every epoch: one permutation an epoch, drawn in turn from one generator seeded
    by the run (np.random.default_rng(seed)), so the exported script can draw the same orders with numpy alone.

    Orders are drawn when Keras announces an epoch, never per pass over the data: Keras opens a spare pass at the
    end of every epoch, and a draw per pass would depend on when its prefetch happened to start.
    """

    def __init__(self, samples: int, seed: int, skipped: int = 0):
        self.samples = samples
        self._rng = np.random.default_rng(seed)
        self._drawn = 0
        for _ in range(skipped + 1):
            self.order = self._rng.permutation(samples)

    def start(self, epoch: int) -> None:
        while self._drawn < epoch:
            self.order = self._rng.permutation(self.samples)
            self._drawn += 1


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    """(dataset, callback): batches in a fresh order every epoch, from the run's own seed (Keras' shuffle=True
    reads the process-wide one); pass both to fit. Python runs once an epoch, to draw the order; each batch is
    one gather inside tf.data, as Keras does it."""
    import tensorflow as tf

    inputs, targets = tf.constant(x), tf.constant(y)
    return epoch_batches(len(x), batch_size, seed, lambda index: (tf.gather(inputs, index), tf.gather(targets, index)))


def epoch_batches(samples: int, batch_size: int, seed: int, take, skipped: int = 0):
    """(dataset, callback): the rows 0…samples-1 in each epoch's order (EpochOrders, the first `skipped` orders
    left out), batched, each batch of row indices turned into (inputs, targets) by `take` inside tf.data."""
    import keras
    import tensorflow as tf

    orders = EpochOrders(samples, seed, skipped)

    class FollowEpochs(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            orders.start(epoch)

    steps = math.ceil(samples / batch_size)
    rows = tf.data.Dataset.from_generator(lambda: iter([orders.order]),
                                          output_signature=tf.TensorSpec((samples,), tf.int64))
    batches = (rows.flat_map(lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
               .apply(tf.data.experimental.assert_cardinality(steps))
               .map(take, num_parallel_calls=tf.data.AUTOTUNE)
               .prefetch(tf.data.AUTOTUNE))
    return batches, FollowEpochs()


def contiguous(array: np.ndarray) -> np.ndarray:
    # Windows are strided views; Keras batches faster from one contiguous float32 block.
    return np.ascontiguousarray(array, dtype="float32")

"""What validating each epoch costs a small run: Keras' fit(validation_data=…) against the runner's own validation.

The model of the monthly_sales sample (LSTM(32) → Dense(1), 24 steps) on its part sizes: 227 training windows in
batches of 32, 30 validation windows. One model of each kind, compiled and trained once first; then, alternating
round after round, each trains a few epochs
  (a) with validation_data=(x_val, y_val): Keras calls evaluate() after every epoch;
  (b) with lstm_core.validation's callback: the model's own test step over the same batches;
  (c) without validation, to show what the validation itself costs.
Median seconds an epoch; (a) and (b) log the same val_loss (tests/unit/test_validation.py compares them).

Run: .venv/bin/python bench/validation_cost.py [rounds] [epochs_per_round]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from lstm_core.validation import validating

TRAIN, VAL, TIMESTEPS, UNITS, BATCH = 227, 30, 24, 32, 32


def main() -> None:
    import keras
    import tensorflow as tf

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(TRAIN, TIMESTEPS, 1)).astype("float32"), rng.normal(size=(TRAIN, 1)).astype("float32")
    x_val, y_val = x[:VAL].copy(), y[:VAL].copy()
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._started)

    def model():
        built = keras.Sequential([keras.Input((TIMESTEPS, 1)), keras.layers.LSTM(UNITS), keras.layers.Dense(1)])
        built.compile(optimizer="adam", loss="mse", steps_per_execution=32)
        return built

    cases = {
        "a": (model(), lambda: {"validation_data": (x_val, y_val)}),
        "b": (model(), lambda: {"callbacks": [validating(x_val, y_val)]}),
        "c": (model(), lambda: {}),
    }

    def epoch_seconds(key: str, count: int) -> float:
        net, options = cases[key]
        settings = options()
        timer = Timer()
        # Timed last, after any validation callback, so each epoch's time includes its validation.
        net.fit(batches, epochs=count, verbose=0, shuffle=False,
                **{**settings, "callbacks": [*settings.get("callbacks", []), timer]})
        return statistics.median(timer.seconds)

    for key in cases:
        epoch_seconds(key, 2)  # traced and compiled, as a kept model in a worker
    print(f"{TRAIN} training windows in batches of {BATCH}, {VAL} validation windows, LSTM({UNITS}), "
          f"{TIMESTEPS} steps; {rounds} rounds x {epochs} epochs, alternating")
    medians = {key: [] for key in cases}
    for round_number in range(rounds):
        for key in cases:
            medians[key].append(epoch_seconds(key, epochs))
        a, b, c = (medians[key][-1] * 1000 for key in cases)
        print(f"round {round_number + 1}: (a) Keras validation {a:6.1f} ms  (b) the runner's {b:6.1f} ms  "
              f"(c) none {c:6.1f} ms an epoch")
    a, b, c = (statistics.median(medians[key]) * 1000 for key in cases)
    print(f"median: (a) {a:.1f} ms, (b) {b:.1f} ms, (c) {c:.1f} ms an epoch; validation costs {a - c:.1f} ms "
          f"through Keras, {b - c:.1f} ms the runner's way; the epoch {a / b:.2f}x faster")


if __name__ == "__main__":
    main()

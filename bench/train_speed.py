"""Training speed: the same LSTM written by hand with Keras defaults vs trained through the playground's runner.

Same data (20,000 windows x 30 steps x 1 feature), LSTM(64) -> Dense(1), Adam(1e-3), MSE, batch 32, shuffled.
  (a) hand-written: model.compile(optimizer="adam", loss="mse"); model.fit(x, y, batch_size=32, ...)
  (b) the runner as the page drives it: the live listener (it builds the loss chart every epoch) and progress
      ticks within each epoch
  (c) the runner with no listener and no ticks (the CLI), to show what the live view costs
The three alternate in one process, round after round; each round trains a fresh model for a few epochs and the
first epoch of every model (tracing and compilation) is left out. Medians of the remaining epochs are compared.

Run: .venv/bin/python bench/train_speed.py [rounds] [epochs_per_round]
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

from lstm_core.config import RunConfig
from lstm_core.tasks.forecast.windows import build_windows
from lstm_core.train import Runner
from ui.charts import loss_chart

WINDOWS, TIMESTEPS, UNITS, BATCH = 20_000, 30, 64, 32


def make_series() -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(WINDOWS + TIMESTEPS)
    return (np.sin(2 * np.pi * t / 50) + rng.normal(0, 0.2, len(t)))[:, None]


def config(epochs: int) -> RunConfig:
    return RunConfig(timesteps=TIMESTEPS, units=UNITS, batch_size=BATCH, epochs=epochs, learning_rate=1e-3,
                     val_fraction=0.0, test_fraction=0.0, scaling="none", early_stopping=False, seed=1)


def hand_written(windows, epochs: int) -> list[float]:
    import keras

    model = keras.Sequential([keras.Input((TIMESTEPS, 1)), keras.layers.LSTM(UNITS), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    timer = EpochTimer()
    model.fit(windows.x_train, windows.y_train, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[timer])
    return timer.seconds[1:]


def through_runner(windows, epochs: int, live: bool) -> list[float]:
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}

    def live_listener(kind: str, payload: dict) -> None:
        if kind == "epoch_end":
            history["loss"].append(payload["loss"])
            loss_chart(history, epochs).to_plotly_json()

    runner = Runner(config(epochs), windows, [live_listener] if live else [], ticks=live)
    state = runner.run()
    return state.epoch_seconds[1:]


class EpochTimer:
    def __new__(cls):
        import keras

        class Timer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.seconds: list[float] = []
                self._started = 0.0

            def on_epoch_begin(self, epoch, logs=None):
                self._started = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.seconds.append(time.perf_counter() - self._started)

        return Timer()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    values = make_series()
    windows = build_windows(values, ["value"], 0, config(epochs))
    print(f"{len(windows.x_train):,} windows x {TIMESTEPS} steps x 1 feature, LSTM({UNITS}) -> Dense(1), "
          f"batch {BATCH}; {rounds} rounds x {epochs} epochs, first epoch of each model left out")
    runs = {"a": [], "b": [], "c": []}
    ratios_ab, ratios_bc = [], []
    for round_number in range(rounds):
        a = statistics.median(hand_written(windows, epochs))
        b = statistics.median(through_runner(windows, epochs, live=True))
        c = statistics.median(through_runner(windows, epochs, live=False))
        for key, value in zip("abc", (a, b, c), strict=True):
            runs[key].append(value)
        ratios_ab.append(a / b)
        ratios_bc.append(b / c)
        print(f"round {round_number + 1}: (a) {WINDOWS / a:8,.0f}  (b) {WINDOWS / b:8,.0f}  (c) {WINDOWS / c:8,.0f} "
              f"samples/s   a/b speed-up {a / b:.2f}x   live-listener cost {100 * (b / c - 1):+.1f} %")
    a, b, c = (statistics.median(runs[k]) for k in "abc")
    print(f"(a) hand-written, Keras defaults   {WINDOWS / a:8,.0f} samples/s")
    speed_up = statistics.median(ratios_ab)
    print(f"(b) runner + live listener         {WINDOWS / b:8,.0f} samples/s   speed-up {speed_up:.2f}x "
          "(median of per-round ratios)")
    print(f"(c) runner, no listener            {WINDOWS / c:8,.0f} samples/s   live-listener cost "
          f"{100 * (statistics.median(ratios_bc) - 1):+.1f} %")


if __name__ == "__main__":
    main()

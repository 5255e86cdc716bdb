"""Whether XLA pays, by the width and depth of the network: the default sample's run (816 training windows of 24
steps, batch 32) at several layer sizes, trained with and without XLA, alternating in one process.

For each shape: the first epoch of its first run each way (tracing, and XLA's compile), the median steady epoch of
the later runs (the compiled model kept, as a worker keeps it), their ratio, what the playground chooses for a run
long enough to win back the compile, whether that was the faster way, and what a fresh worker's run of the
Playground's 30 epochs would take each way (its first epoch and 29 steady ones).

Run: .venv/bin/python bench/xla_choice.py [rounds] [LAYERSxUNITS ...]
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
from lstm_core.tasks.table import prepare_any
from lstm_core.windowed import narrow_enough, train

SHAPES = ["1x16", "1x32", "1x64", "1x96", "1x128", "2x32", "2x64", "2x128", "3x32"]
EPOCHS = 6


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    shapes = [tuple(int(n) for n in shape.split("x")) for shape in (sys.argv[2:] or SHAPES)]
    sample = SAMPLES["noisy_seasonal"]
    dataset = load_csv(sample_csv("noisy_seasonal"), "noisy_seasonal.csv")
    print(f"noisy_seasonal, {EPOCHS} epochs a run, {rounds} steady rounds after a first run each way; seconds")
    print(f"{'shape':>7} {'first XLA':>10} {'first no':>9} {'steady XLA':>11} {'steady no':>10} {'no/XLA':>7} "
          f"{'chosen':>7} {'faster?':>8} {'30 epochs XLA / no':>19}")
    for layers, units in shapes:
        config = RunConfig(target=sample.target, season=sample.season, layers=layers, units=units, epochs=EPOCHS,
                           early_stopping=False)
        prepared = prepare_any(dataset, config)
        first, steady = {}, {True: [], False: []}
        for round_number in range(rounds + 1):
            for jit in (True, False):
                seconds = train(prepared, monitors=False, jit_compile=jit).epoch_seconds
                if round_number == 0:
                    first[jit] = seconds[0]
                else:
                    steady[jit].append(statistics.median(seconds[1:]))
        with_xla, without = statistics.median(steady[True]), statistics.median(steady[False])
        chosen = narrow_enough(config)
        right = "yes" if chosen == (with_xla < without) else "no"
        print(f"{layers}x{units:<5} {first[True]:10.2f} {first[False]:9.2f} {with_xla:11.3f} {without:10.3f} "
              f"{without / with_xla:6.2f}x {'XLA' if chosen else 'no XLA':>7} {right:>8} "
              f"{first[True] + 29 * with_xla:9.1f} / {first[False] + 29 * without:5.1f}", flush=True)


if __name__ == "__main__":
    main()

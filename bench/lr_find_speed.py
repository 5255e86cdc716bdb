"""Time the learning-rate range test (200 batches, 1e-7 → 1) on each forecast sample with its default settings.

The first test in the process also imports TensorFlow and compiles with XLA; it is reported apart. Prints the
median of the following runs and the suggestion, against the "a few seconds on a sample" goal.
Run: .venv/bin/python bench/lr_find_speed.py [REPEATS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.lr_finder import find_learning_rate
from lstm_core.tasks.forecast.pipeline import prepare
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv

GOAL_SECONDS = 10.0


def main(repeats: int = 3) -> None:
    for name in ("noisy_seasonal", "monthly_sales", "energy_load"):
        sample = SAMPLES[name]
        config = RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)
        prepared = prepare(load_csv(sample_csv(name), f"{name}.csv"), config)
        started = time.perf_counter()
        test = find_learning_rate(prepared)
        first = time.perf_counter() - started
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            test = find_learning_rate(prepared)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"{name:15s} first {first:5.1f} s  then median {median:4.1f} s (of {runs})"
              f"  suggested {test.suggested_lr:g}  {len(test.losses)} steps  "
              f"{'within' if median <= GOAL_SECONDS else 'OVER'} the {GOAL_SECONDS:g} s goal")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

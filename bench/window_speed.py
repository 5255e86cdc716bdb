"""Windowing 1,000,000 rows x 8 columns into 64-step windows: time and memory against the raw array.

Run: .venv/bin/python bench/window_speed.py
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.config import RunConfig
from lstm_core.tasks.forecast.windows import build_windows, make_windows

ROWS, COLUMNS, TIMESTEPS = 1_000_000, 8, 64


def measure(function, repeats: int = 5) -> tuple[float, int]:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak


def main() -> None:
    values = np.random.default_rng(0).normal(size=(ROWS, COLUMNS)).astype("float32")
    raw_bytes = values.nbytes
    config = RunConfig(timesteps=TIMESTEPS, horizon=1, scaling="standard")
    x, _ = make_windows(values, 0, TIMESTEPS, 1)
    copied_bytes = x.size * x.itemsize
    seconds, peak = measure(lambda: make_windows(values, 0, TIMESTEPS, 1))
    print(f"raw array: {ROWS:,} x {COLUMNS} float32 = {raw_bytes / 2**20:.1f} MiB")
    print(f"windows: {x.shape} (a copy would take {copied_bytes / 2**30:.2f} GiB, "
          f"{copied_bytes / raw_bytes:.0f}x the raw array)")
    print(f"make_windows:  {seconds:.3f} s  peak extra memory {peak / 2**20:.1f} MiB = {peak / raw_bytes:.2f}x raw")
    columns = [f"c{i}" for i in range(COLUMNS)]
    seconds, peak = measure(lambda: build_windows(values, columns, 0, config), repeats=3)
    print(f"build_windows (split + scale + window): {seconds:.3f} s  peak extra memory {peak / 2**20:.1f} MiB = "
          f"{peak / raw_bytes:.2f}x raw")


if __name__ == "__main__":
    main()

"""Time every preflight check on 100,000 rows × 3 columns (target + 2 features) with an hourly time column.

Prints the best of several runs of run_checks, and the slowest checks, against the 50 ms budget.
Run: .venv/bin/python bench/checks_speed.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.checks import CheckContext, registered_checks, run_checks
from lstm_core.checks.data_checks import count_windows
from lstm_core.config import RunConfig
from lstm_core.tasks.forecast.windows import split_rows

ROWS = 100_000
BUDGET_MS = 50.0
REPEATS = 5


def context() -> CheckContext:
    rng = np.random.default_rng(0)
    t = np.arange(ROWS)
    temperature = 15 + 6 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, ROWS)
    load = 400 + 9 * temperature + rng.normal(0, 6, ROWS)
    values = np.column_stack([load, temperature, rng.normal(0, 1, ROWS)])
    # A few irregular steps so the time checks do their full work.
    times = np.datetime64("2020-01-01T00:00", "us") + t.astype("timedelta64[h]")
    times[::500] += np.timedelta64(30, "m")
    config = RunConfig(target="load", features=("temperature", "noise"), scaling="none", horizon=24,
                       output_activation="sigmoid")
    split = split_rows(ROWS, config.val_fraction, config.test_fraction)
    part_rows = {part: stop - start for part, (start, stop) in split.parts().items()}
    return CheckContext(config=config, values=values, columns=["load", "temperature", "noise"], rows=ROWS,
                        part_rows=part_rows, window_counts=count_windows(part_rows, config), time_index=times)


def best_ms(function, ctx: CheckContext) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        list(function(ctx) or [])
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    ctx = context()
    total = best_ms(run_checks, ctx)
    print(f"all {len(registered_checks())} checks on {ROWS:,} rows × 3 columns: {total:.1f} ms "
          f"(budget {BUDGET_MS:.0f} ms, {total / BUDGET_MS:.0%} of it)")
    print(f"findings raised: {', '.join(f.code for f in run_checks(ctx))}")
    timings = sorted(((best_ms(f, ctx), code) for code, f in registered_checks().items()), reverse=True)
    for ms, code in timings[:5]:
        print(f"  {code}: {ms:.2f} ms")


if __name__ == "__main__":
    main()

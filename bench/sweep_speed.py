"""A 4-run sweep on the local pool (two workers) against the same four runs one after another, in one run.

    .venv/bin/python bench/sweep_speed.py [EPOCHS] [--rounds N] [--ray ADDRESS]

The default sample with its default settings, four learning rates (5e-4, 1e-3, 2e-3, 4e-3), EPOCHS epochs each
(default 40) without early stopping, so every run does the same work. Each case gets a fresh engine over a fresh
store (pool size 2, no spare, no warm-up), so both pay their workers' TensorFlow import and first compile: "one after
another" submits a run when the previous one has ended (one worker trains them all), "sweep" submits the grid at once
(two workers share it). Printed: wall seconds from the first submit to the last run's end, the sum of the runs'
epoch seconds, and the ratio; with --rounds the two cases alternate N times (the machines are shared and noisy) and
the median ratio is printed. Goal: ≥ 1.7× on 2 cores. `--ray ADDRESS` times the same sweep on that Ray cluster in
every round too (`--ray local` starts a two-CPU Ray on this machine first, outside the timings; its worker processes
stay up between rounds, so from the second round on they have TensorFlow imported already).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core import jobs
from lstm_core.config import RunConfig
from lstm_core.jobs import LocalEngine, wait_for
from lstm_core.store import RunStore
from lstm_core.sweeps.grid import plan_grid
from lstm_core.sweeps.state import submit_sweep, sweep_state
from lstm_core.tasks.forecast.samples import DEFAULT_SAMPLE, SAMPLES, sample_csv

WORKSPACE = "b" * 32
GRID = "learning_rate=5e-4,1e-3,2e-3,4e-3"
DATA = sample_csv(DEFAULT_SAMPLE)
NAME = f"{DEFAULT_SAMPLE}.csv"


def base_config(epochs: int) -> RunConfig:
    sample = SAMPLES[DEFAULT_SAMPLE]
    config = RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)
    return config.replace(epochs=epochs, early_stopping=False)


def fresh_store() -> RunStore:
    return RunStore(Path(tempfile.mkdtemp(prefix="lstm-playground-bench-")))


def one_after_another(plan) -> tuple[float, float]:
    engine = LocalEngine(fresh_store(), size=2, spare=False, warm_up=False)
    try:
        start = time.perf_counter()
        ids = []
        for config in plan.configs:
            ids.append(engine.submit(WORKSPACE, config, DATA, NAME, "csv"))
            assert wait_for(engine.store, ids[-1], timeout=1200) == "completed", engine.record(ids[-1]).reason
        wall = time.perf_counter() - start
        return wall, sum(engine.record(i).seconds for i in ids)
    finally:
        engine.close()


def as_sweep(plan, engine) -> tuple[float, float, str]:
    try:
        start = time.perf_counter()
        sweep_id = submit_sweep(engine, WORKSPACE, plan, DATA, NAME, "csv")
        while (state := sweep_state(engine.store, sweep_id)).active:
            time.sleep(0.1)
        wall = time.perf_counter() - start
        assert all(run.status == "completed" for run in state.runs), [run.reason for run in state.runs]
        return wall, sum(engine.record(run.run_id).seconds for run in state.runs), state.summary
    finally:
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("epochs", type=int, nargs="?", default=40)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two cases this many times")
    parser.add_argument("--ray", metavar="ADDRESS", help="also time the sweep on this Ray cluster")
    args = parser.parse_args()
    plan = plan_grid(base_config(args.epochs), [GRID])
    assert plan.ok, plan.findings
    print(f"{len(plan.configs)} runs of the {DEFAULT_SAMPLE} sample, {args.epochs} epochs each ({GRID})", flush=True)
    if args.ray == "local":
        import ray

        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    ratios, ray_ratios = [], []
    for round_number in range(1, args.rounds + 1):
        serial_wall, serial_train = one_after_another(plan)
        print(f"round {round_number}: one after another: {serial_wall:.1f} s wall ({serial_train:.1f} s of epochs)",
              flush=True)
        sweep_wall, sweep_train, summary = as_sweep(plan, LocalEngine(fresh_store(), size=2, spare=False,
                                                                       warm_up=False))
        ratios.append(serial_wall / sweep_wall)
        print(f"round {round_number}: sweep, pool of 2:  {sweep_wall:.1f} s wall ({sweep_train:.1f} s of epochs)  →  "
              f"{ratios[-1]:.2f}× faster (goal ≥ 1.7×)", flush=True)
        if args.ray:
            ray_wall, ray_train, _ = as_sweep(plan, jobs.ray_engine(fresh_store(), args.ray))
            ray_ratios.append(serial_wall / ray_wall)
            print(f"round {round_number}: sweep on Ray ({args.ray}): {ray_wall:.1f} s wall ({ray_train:.1f} s of "
                  f"epochs)  →  {ray_ratios[-1]:.2f}× faster", flush=True)
    print(f"median ratio {statistics.median(ratios):.2f}× over {len(ratios)} round(s); summary: {summary}")
    if ray_ratios:
        print(f"median ratio on Ray {statistics.median(ray_ratios):.2f}× over {len(ray_ratios)} round(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

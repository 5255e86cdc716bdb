"""Compile once per shape: the first epoch of a run against its steady epochs, for the first and the second run of
the same shape in one worker process.

    .venv/bin/python bench/compile_once.py

A real job engine with one worker (no warm-up, so run 1 pays the trace and compile) trains the default sample
twice at each setting: with XLA (30 epochs: enough work that the run picks it) and without (8 epochs). Run 2
changes the learning rate only, so its shape is the same. Printed: first-epoch seconds / median steady-epoch
seconds for run 1 and run 2 (goal: run 2 ≤ 1.5×), and the second epoch's seconds: nothing is traced or compiled
after the first epoch, so it costs a steady epoch.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.config import RunConfig
from lstm_core.jobs import LocalEngine, wait_for
from lstm_core.store import RunStore
from lstm_core.tasks.forecast.samples import DEFAULT_SAMPLE, SAMPLES, sample_csv

WORKSPACE = "b" * 32


def first_over_steady(store: RunStore, run_id: str) -> tuple[float, float, float, bool, bool]:
    record = store.get(run_id)
    seconds = record.epoch_seconds
    return seconds[0], seconds[1], statistics.median(seconds[2:]), bool(record.jit_compile), record.compiled_kept


def main() -> int:
    sample = SAMPLES[DEFAULT_SAMPLE]
    base = RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)
    store = RunStore(Path(tempfile.mkdtemp(prefix="lstm-playground-bench-")))
    engine = LocalEngine(store, size=1, spare=False, warm_up=False)
    try:
        for label, epochs in (("with XLA", 30), ("without XLA", 8)):
            cells = []
            for run, rate in ((1, base.learning_rate), (2, base.learning_rate / 2)):
                config = base.replace(epochs=epochs, learning_rate=rate, early_stopping=False)
                run_id = engine.submit(WORKSPACE, config, sample_csv(DEFAULT_SAMPLE), f"{DEFAULT_SAMPLE}.csv", "csv")
                status = wait_for(store, run_id, timeout=600)
                first, second, steady, xla, kept = first_over_steady(store, run_id)
                cells.append(f"run {run}: first {first:.2f} s / steady {steady:.3f} s = {first / steady:.1f}×"
                             f", second {second:.3f} s{' (kept)' if kept else ''}")
                assert status == "completed" and xla == (label == "with XLA"), (status, xla)
            print(f"default sample {label}, {epochs} epochs: " + " · ".join(cells), flush=True)
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

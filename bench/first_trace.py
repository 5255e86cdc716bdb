"""A fresh model compiled the playground's way against Keras' default compile: its first epoch and its scoring.

The playground builds the optimizer when it compiles the model (Keras builds it inside the first traced training
step, so TensorFlow traces that step twice), and a model trained with XLA predicts without it (scoring is a few
calls of shapes the training never had, each of which XLA would compile).

Each arm in a fresh process, as a worker's first run of a shape is, the arms alternating (ABBA). Two settings on the
default sample: a short run without XLA (8 units, 3 epochs: what most of the test suite's runs and a quick try look
like) and the sample's default run, which compiles with XLA. Printed per arm: the first epoch (trace, compile, first
pass), the whole fit's CPU seconds, the scoring after it (the forecast report: test and validation predictions,
baselines, intervals, 48 steps past the end), and whether the two arms' losses are the same to the bit.

Run: .venv/bin/python bench/first_trace.py [rounds]      (default 3)
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETTINGS = {"short, no XLA": ({"units": 8, "epochs": 3}, False), "default run, XLA": ({}, True)}


def one_fit(setting: str, built: bool) -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(REPO))
    import keras

    from lstm_core.compiled import compile_built
    from lstm_core.config import RunConfig
    from lstm_core.data import load_csv
    from lstm_core.model import STEPS_PER_EXECUTION, build_model, make_optimizer
    from lstm_core.tasks.forecast.pipeline import evaluate, prepare
    from lstm_core.tasks.forecast.samples import DEFAULT_SAMPLE, SAMPLES, sample_csv

    sample = SAMPLES[DEFAULT_SAMPLE]
    changes, jit = SETTINGS[setting]
    config = RunConfig(target=sample.target, features=sample.features, season=sample.season,
                       **{**sample.settings, **changes})
    prepared = prepare(load_csv(sample_csv(DEFAULT_SAMPLE), "sample.csv"), config)
    windows = prepared.windows
    ends: list[float] = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())

    cpu, started = os.times(), time.perf_counter()
    model = build_model(config, windows.features)
    settings = {"loss": "mse", "jit_compile": jit, "steps_per_execution": STEPS_PER_EXECUTION}
    if built:
        compile_built(model, make_optimizer(config), **settings)
    else:
        model.compile(optimizer=make_optimizer(config), **settings)
    history = model.fit(windows.x_train, windows.y_train, batch_size=config.batch_size, epochs=config.epochs,
                        shuffle=False, verbose=0, callbacks=[Clock()]).history["loss"]
    after = os.times()
    scoring = time.perf_counter()
    evaluate(prepared, model, future_steps=48)
    return {"first": ends[0] - started, "cpu": after.user + after.system - cpu.user - cpu.system,
            "later": statistics.median(b - a for a, b in itertools.pairwise(ends)), "loss": history,
            "scoring": time.perf_counter() - scoring}


def in_fresh_process(setting: str, built: bool) -> dict:
    done = subprocess.run([sys.executable, __file__, "--one", setting, str(int(built))], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one_fit(sys.argv[2], sys.argv[3] == "1")))
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for setting in SETTINGS:
        arms: dict[bool, list[dict]] = {True: [], False: []}
        for round_ in range(rounds):
            for built in ((True, False) if round_ % 2 == 0 else (False, True)):
                arms[built].append(in_fresh_process(setting, built))

        def cell(rows: list[dict]) -> str:
            first = statistics.median(row["first"] for row in rows)
            cpu = statistics.median(row["cpu"] for row in rows)
            later = statistics.median(row["later"] for row in rows)
            scoring = statistics.median(row["scoring"] for row in rows)
            return f"first epoch {first:.2f} s, later {later:.3f} s, fit {cpu:.2f} s of CPU, scoring {scoring:.2f} s"

        same = all(row["loss"] == arms[True][0]["loss"] for row in arms[True] + arms[False])
        print(f"{setting}: the playground's compile: {cell(arms[True])} | "
              f"Keras' compile: {cell(arms[False])} | same losses: {'yes' if same else 'NO'}  "
              f"({rounds} rounds, medians)", flush=True)


if __name__ == "__main__":
    main()

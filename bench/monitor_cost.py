"""What the runtime monitors cost: the same small training with and without them, alternating in one process.

The noisy_seasonal sample with the page's default model (LSTM(32) -> Dense(1), 24 steps, batch 32, Adam 1e-3, seed
42), a fixed number of epochs and no early stopping, so both arms train exactly the same epochs to the same losses.
Each round trains one fresh model of each arm, in alternating order (ABBA), and measures:
  - the run's wall time and the process's CPU time: building, compiling and fitting the model, monitors included
    (on a shared machine the wall time swings by more than the monitors cost; CPU time is steadier);
  - the time spent inside the monitors' listener (curve checks and gradient probes), against the training time:
    the direct measure, and the one held to the budget of 3 %.

Run: .venv/bin/python bench/monitor_cost.py [rounds] [epochs]
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
from lstm_core.monitors import attach_monitors
from lstm_core.tasks.forecast.pipeline import prepare
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
from lstm_core.train import Runner

BUDGET = 0.03


def prepared(epochs: int):
    sample = SAMPLES["noisy_seasonal"]
    dataset = load_csv(sample_csv(sample.name), f"{sample.name}.csv")
    config = RunConfig(target=sample.target, features=sample.features, season=sample.season, epochs=epochs,
                       early_stopping=False)
    return prepare(dataset, config)


def one_run(data, monitored: bool) -> dict:
    runner = Runner(data.config, data.windows)
    hub = attach_monitors(runner) if monitored else None
    started, cpu_started = time.perf_counter(), time.process_time()
    state = runner.run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    training = sum(state.epoch_seconds)
    return {"wall": wall, "cpu": cpu, "training": training, "epochs": state.epochs_done,
            "loss": state.history["loss"][-1],
            "monitors": hub.seconds if hub else 0.0,
            "probes": [f"{p.epoch}: {1000 * p.seconds:.0f} ms" for p in hub.probes] if hub else [],
            "findings": [f.code for f in state.findings]}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    data = prepared(epochs)
    print(f"noisy_seasonal, LSTM({data.config.units}) -> Dense(1), {len(data.windows.x_train)} windows x "
          f"{data.config.timesteps} steps, {epochs} epochs, {rounds} rounds, ABBA order")
    one_run(data, monitored=False)  # warm-up: the process's first training pays TensorFlow's start-up
    wall_ratios, cpu_ratios, shares = [], [], []
    for number in range(rounds):
        order = (False, True) if number % 2 == 0 else (True, False)
        runs = {monitored: one_run(data, monitored) for monitored in order}
        plain, watched = runs[False], runs[True]
        assert plain["loss"] == watched["loss"] and plain["epochs"] == watched["epochs"], "the arms trained differently"
        wall_ratios.append(watched["wall"] / plain["wall"])
        cpu_ratios.append(watched["cpu"] / plain["cpu"])
        shares.append(watched["monitors"] / watched["training"])
        print(f"round {number + 1}: wall {plain['wall']:.2f} s without, {watched['wall']:.2f} s with "
              f"(ratio {wall_ratios[-1]:.3f}), CPU ratio {cpu_ratios[-1]:.3f}; "
              f"monitors {1000 * watched['monitors']:.0f} ms = {shares[-1]:.1%} of "
              f"{watched['training']:.2f} s training; probes (epoch: cost) {watched['probes']}; "
              f"findings {watched['findings'] or 'none'}")
    share = statistics.median(shares)
    for name, ratios in (("wall-time", wall_ratios), ("CPU-time", cpu_ratios)):
        ratio = statistics.median(ratios)
        print(f"median {name} ratio with / without monitors: {ratio:.3f} ({100 * (ratio - 1):+.1f} %)")
    print(f"median time inside the monitors: {share:.1%} of training time (worst round {max(shares):.1%}); "
          f"budget {BUDGET:.0%}: {'within' if share <= BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()

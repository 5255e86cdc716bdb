"""The language model with and without XLA: a built-in text's default run (its own settings, no early stopping),
each run in a fresh process as a worker's first run of a shape is, the two arms alternating (ABBA). Prints each
arm's whole run (wall and CPU seconds), its first epoch (build, compile, first pass), the median of its later epochs
and the validation bits per character it reached.

Run: .venv/bin/python bench/text_lm_speed.py [rounds] [sample ...]      (default: 2 rounds of tales_small and tales)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def one_run(sample: str, jit: bool) -> dict:
    """Train the sample's default run in this process; its figures."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(REPO))
    import keras  # noqa: F401  imported before the clock starts, as a worker has it

    from lstm_core.config import RunConfig
    from lstm_core.jobs.tasks import prepare_from
    from lstm_core.tasks.text_lm.lm import runner_for_text
    from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES

    text = TEXT_SAMPLES[sample]
    config = RunConfig(task="text-lm", **{**text.settings, "early_stopping": False})
    prepared = prepare_from("text", text.make().encode(), f"{sample}.txt", config)
    cpu, started = os.times(), time.perf_counter()
    state = runner_for_text(prepared, jit_compile=jit, monitors=False).run()
    wall, after = time.perf_counter() - started, os.times()
    return {"wall": wall, "cpu": after.user + after.system - cpu.user - cpu.system, "xla": state.jit_compile,
            "first": state.epoch_seconds[0], "later": statistics.median(state.epoch_seconds[1:] or [float("nan")]),
            "bits": state.bits[-1]["val_bits_per_char"], "epochs": state.epochs_done}


def median(rows: list[dict], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def in_fresh_process(sample: str, jit: bool) -> dict:
    done = subprocess.run([sys.executable, __file__, "--one", sample, str(int(jit))], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one_run(sys.argv[2], sys.argv[3] == "1")))
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    samples = sys.argv[2:] or ["tales_small", "tales"]
    for sample in samples:
        results: dict[bool, list[dict]] = {True: [], False: []}
        for round_ in range(rounds):
            for jit in ((True, False) if round_ % 2 == 0 else (False, True)):
                results[jit].append(in_fresh_process(sample, jit))
        print(f"\n{sample}: {results[True][0]['epochs']} epochs, {rounds} round(s), medians")
        print(f"  {'':12} {'whole run':>10} {'CPU':>8} {'1st epoch':>10} {'later':>8} {'val bits/char':>14}")
        for jit, label in ((True, "with XLA"), (False, "without")):
            rows = results[jit]
            if any(row["xla"] != jit for row in rows):  # XLA refused the model: the runner trained without it
                label += " (fell back)"
            print(f"  {label:12} {median(rows, 'wall'):9.1f}s {median(rows, 'cpu'):7.1f}s "
                  f"{median(rows, 'first'):9.2f}s {median(rows, 'later'):7.2f}s {median(rows, 'bits'):14.3f}")
        ratio = median(results[True], "wall") / median(results[False], "wall")
        print(f"  without XLA the whole run is {ratio:.2f}x as fast")


if __name__ == "__main__":
    main()

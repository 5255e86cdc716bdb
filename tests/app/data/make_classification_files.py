"""Writes the long-format classification CSV files the page tests upload. Run it after changing it, and commit what it
writes:

    .venv/bin/python tests/app/data/make_classification_files.py

Noise comes from random.Random with fixed seeds and only .random(), formatted to fixed decimals, so a run reproduces
the committed bytes exactly.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Sequences whose label changes half-way in labels_change.csv: they start "steady" and end "drifting".
CHANGING_IDS = (3, 8, 13)


def _value(kind: str, step: int, steps: int, rng: random.Random) -> float:
    noise = 0.2 * (rng.random() - 0.5)
    if kind == "drifting":
        return step / (steps - 1) + noise
    return 0.5 + 0.3 * math.sin(2 * math.pi * step / 5) + noise


def long_sequences(sequences: int, steps: int, with_label: bool = True, changing: tuple[int, ...] = (),
                   seed: int = 7) -> bytes:
    """Long: columns id, step, value[, label]; ids 1…, `steps` rows each; odd ids "steady" (a wave around 0.5), even
    ids "drifting" (a rise from 0 to 1). Ids in `changing` switch from "steady" to "drifting" half-way."""
    rng = random.Random(seed)
    rows = ["id,step,value" + (",label" if with_label else "")]
    for sequence in range(1, sequences + 1):
        kind = "steady" if sequence % 2 else "drifting"
        for step in range(steps):
            label = kind
            if sequence in changing:
                label = "steady" if step < steps // 2 else "drifting"
            cells = [str(sequence), str(step), f"{_value(kind, step, steps, rng):.3f}"]
            rows.append(",".join(cells + ([label] if with_label else [])))
    return ("\n".join(rows) + "\n").encode()


FILES = {
    "sequences_long.csv": lambda: long_sequences(60, 20),
    "labels_change.csv": lambda: long_sequences(40, 10, changing=CHANGING_IDS, seed=11),
}


if __name__ == "__main__":
    for name, make in FILES.items():
        path = HERE / name
        path.write_bytes(make())
        print(f"{path.stat().st_size:6d}  {name}")

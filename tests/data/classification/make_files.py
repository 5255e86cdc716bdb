"""Writes the small classification CSV files the unit tests read. Run it after changing it, and commit what it writes:

    .venv/bin/python tests/data/classification/make_files.py

Noise comes from random.Random with fixed seeds and only .random() (whose sequence Python keeps stable across
versions), formatted to fixed decimals, so a run reproduces the committed bytes exactly.
"""

from __future__ import annotations

import math
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def _trend(kind: str, step: int, steps: int) -> float:
    return {"rise": step / (steps - 1), "fall": 1 - step / (steps - 1), "flat": 0.5}[kind]


def long_shapes(sequences: int = 30, steps: int = 12, with_label: bool = True, seed: int = 1) -> bytes:
    """Long: ids s01…, 12 steps each (written last step first, so the reader must sort by 'step'), features a and
    b, and a text label: rise, fall or flat (a's trend), ten sequences of each."""
    rng = random.Random(seed)
    kinds = ["rise", "fall", "flat"]
    rows = ["sequence,step,a,b" + (",label" if with_label else "")]
    for number in range(sequences):
        kind = kinds[number % 3]
        for step in reversed(range(steps)):
            a = _trend(kind, step, steps) + 0.2 * (rng.random() - 0.5)
            b = rng.random() - 0.5
            rows.append(f"s{number + 1:02d},{step},{a:.3f},{b:.3f}" + (f",{kind}" if with_label else ""))
    return lines(*rows)


# Wide, ragged: the length of each of the 40 rows (12–20 steps; the rest of the row is empty).
WIDE_LENGTHS = [20 - (i * 7) % 9 for i in range(40)]


def wide_ragged() -> bytes:
    """Wide like the classification archives: a numeric label (1 or 2, alternating) then steps t1…t20; a slow wave
    is class 1, a fast one class 2. Row 4 has an empty cell inside (t5): a missing value, not the end."""
    rng = random.Random(2)
    rows = ["label," + ",".join(f"t{i}" for i in range(1, 21))]
    for number, length in enumerate(WIDE_LENGTHS):
        label = 1 + number % 2
        period = 16 if label == 1 else 5
        phase = rng.random() * 2 * math.pi
        cells = [f"{math.sin(2 * math.pi * i / period + phase) + 0.1 * (rng.random() - 0.5):.3f}"
                 for i in range(length)]
        if number == 3:
            cells[4] = ""
        rows.append(",".join([str(label), *cells, *[""] * (20 - length)]))
    return lines(*rows)


# Long with labels that change within a sequence: id → its labels, one per step (five steps each).
CONFLICT_LABELS = {
    1: ["a"] * 5,
    2: ["a", "a", "b", "b", "b"],  # last b, majority b
    3: ["b"] * 5,
    4: ["b", "b", "b", "a", "a"],  # last a, majority b
    5: ["a"] * 5,
    6: ["a", "b", "b", "a", ""],  # an empty label cell is ignored: last a, majority a tie b → a (seen last)
    7: ["b"] * 5,
    8: ["a"] * 5,
}


def long_conflicts() -> bytes:
    rows = ["id,t,x,label"]
    for sequence, labels in CONFLICT_LABELS.items():
        rows += [f"{sequence},{t},{sequence + t / 10:.1f},{label}" for t, label in enumerate(labels)]
    return lines(*rows)


def windows_updown(rows: int = 300) -> bytes:
    """One hourly series (a 20-hour wave plus noise) and a label per row: up if the value rose since the row before,
    else down. A window then asks: will the next value go up?"""
    rng = random.Random(3)
    start = datetime(2024, 1, 1)
    out, previous = ["time,value,label"], None
    for hour in range(rows):
        value = round(math.sin(2 * math.pi * hour / 20) + 0.05 * (rng.random() - 0.5), 3)
        label = "up" if previous is not None and value > previous else "down"
        out.append(f"{start + timedelta(hours=hour):%Y-%m-%d %H:%M},{value:.3f},{label}")
        previous = value
    return lines(*out)


FILES = {
    "long_shapes.csv": long_shapes,
    "long_unlabelled.csv": lambda: long_shapes(sequences=6, with_label=False, seed=4),
    "wide_ragged.csv": wide_ragged,
    "long_conflicts.csv": long_conflicts,
    "windows_updown.csv": windows_updown,
}


def write_all(directory: Path = HERE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FILES.items():
        path = directory / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in write_all(target):
        print(f"{path.stat().st_size:6d}  {path.name}")

"""Worker start: seconds from asking for a training worker (the pool's worker_main, no warm-up) to its "ready",
spawned (a new interpreter that imports TensorFlow itself) vs forked from the fork server that has imported it once
(lstm_core/jobs/spawning.py, what the pool does). Alternating, one process each time; the fork server's own start
(its one import) is printed apart.

Run: .venv/bin/python bench/worker_start.py [rounds]
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.jobs.spawning import child_environment, worker_context
from lstm_core.jobs.worker import worker_main

HOME = tempfile.mkdtemp(prefix="lstm-playground-bench-")


def start(context) -> float:
    parent_end, child_end = context.Pipe()
    asked = time.monotonic()
    process = context.Process(target=worker_main, args=(HOME, child_end, None, child_environment()))
    process.start()
    assert parent_end.recv()[0] == "ready"
    ready = time.monotonic()
    parent_end.send(("exit",))
    process.join()
    return ready - asked


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    forked, spawned = worker_context(), multiprocessing.get_context("spawn")  # both keep the caller's __main__ out
    print(f"the fork server's start, its one import of TensorFlow included: {start(forked):.2f} s")
    times: dict[str, list[float]] = {"spawned": [], "forked": []}
    for round_number in range(rounds):
        times["spawned"].append(start(spawned))
        times["forked"].append(start(forked))
        print(f"round {round_number + 1}: spawned {times['spawned'][-1]:.2f} s   forked {times['forked'][-1]:.3f} s")
    a, b = (statistics.median(times[k]) for k in ("spawned", "forked"))
    print(f"median: spawned {a:.2f} s, forked {b:.3f} s: a worker starts {a / b:.0f}x sooner")


if __name__ == "__main__":
    main()

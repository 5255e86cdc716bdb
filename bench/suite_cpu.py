"""Where the test suite's CPU goes: `make test`'s two pytest phases, each with its CPU seconds by kind of process.

    .venv/bin/python bench/suite_cpu.py            # both phases, as `make test` runs them
    .venv/bin/python bench/suite_cpu.py --browser  # the browser phase only
    .venv/bin/python bench/suite_cpu.py -- -m "not browser" tests/unit/test_jobs.py   # any pytest arguments

Every half second it reads /proc for each process descended from the phase's pytest (user + system time, what the
kernel has counted so far) and keeps each process's last reading; at the end it sums them by kind: the pytest
processes, training workers (forked from multiprocessing's fork server), Ray's processes, the CLI runs the tests
start, `streamlit run` servers and Chromium's processes. A process that lived less than half a second, and the last
half second of each, are missed: the sums are a floor. "busy" is CPU seconds over (wall seconds × cores), the share
of the machine the phase kept working, also a floor (`vmstat` beside it read a few points more); near 100 %, only
less work makes a phase faster.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
PHASES = {
    "the other tests (2 xdist workers)": ["-n", "2", "--dist", "loadfile", "--no-loadscope-reorder",
                                          "-m", "not browser"],
    "the browser tests (2 xdist workers)": ["-n", "2", "--dist", "load", "-m", "browser", "tests/browser"],
}


def _read(pid: int) -> tuple[int, float, str] | None:
    """(parent pid, CPU seconds so far, command line) of a live process, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # the name in parentheses may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, command


def kind(command: str) -> str:
    if "chrom" in command:
        found = re.search(r"--type=([\w-]+)", command)
        return f"Chromium ({found.group(1) if found else 'browser'})"
    if "streamlit" in command and " run " in command:
        return "streamlit run servers"
    if "playwright" in command:
        return "Playwright's driver"
    if "multiprocessing" in command:
        return "training workers and helpers (forked)"
    if "ray" in command.lower():
        return "Ray (workers, raylet, GCS)"
    if "lstm_core" in command or "train_script.py" in command:
        return "CLI runs and exported scripts"
    # xdist's workers start as `python -c "import sys;exec(eval(sys.stdin.readline()))"` (execnet).
    if "pytest" in command or "sys.stdin.readline" in command:
        return "pytest processes (in-process tests, AppTest)"
    return "other"


def measure(arguments: list[str]) -> tuple[float, Counter, Counter, int]:
    """Run pytest with `arguments`; (wall seconds, CPU seconds by kind, processes by kind, return code)."""
    started = time.monotonic()
    root = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments], cwd=REPO)
    last: dict[int, tuple[float, str]] = {}
    while root.poll() is None:
        parents, readings = {}, {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (reading := _read(int(entry))) is not None:
                parents[int(entry)], readings[int(entry)] = reading[0], reading
        for pid, (_, cpu, command) in readings.items():
            ancestor = pid
            while ancestor in parents and ancestor != root.pid:
                ancestor = parents[ancestor]
            if ancestor == root.pid or pid in last:
                last[pid] = (cpu, command or last.get(pid, (0.0, ""))[1])
        time.sleep(0.5)
    wall = time.monotonic() - started
    cpu, count = Counter(), Counter()
    for seconds, command in last.values():
        cpu[kind(command)] += seconds
        count[kind(command)] += 1
    return wall, cpu, count, root.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="the browser phase only")
    parser.add_argument("pytest_args", nargs="*", help="after --: pytest's arguments instead of make test's phases")
    args = parser.parse_args()
    if args.pytest_args:
        phases = {"pytest " + " ".join(args.pytest_args): args.pytest_args}
    elif args.browser:
        phases = {name: value for name, value in PHASES.items() if "browser" in name}
    else:
        phases = PHASES
    cores, failed = os.cpu_count() or 1, 0
    total_wall = total_cpu = 0.0
    for name, arguments in phases.items():
        wall, cpu, count, code = measure(arguments)
        failed |= code
        used = sum(cpu.values())
        total_wall, total_cpu = total_wall + wall, total_cpu + used
        print(f"\n{name}: {wall:.0f} s wall, {used:.0f} s CPU, busy ≥ {used / (wall * cores):.0%} of {cores} cores"
              + ("" if code == 0 else f" (pytest exited {code})"))
        for what, seconds in cpu.most_common():
            print(f"  {seconds:7.1f} s  {count[what]:4d} process(es)  {what}")
    if len(phases) > 1:
        print(f"\nall: {total_wall:.0f} s wall, {total_cpu:.0f} s CPU; with every core busy the tests would take at "
              f"least {total_cpu / cores:.0f} s ({total_cpu / cores / 60:.1f} min)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

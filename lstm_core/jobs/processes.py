"""What the job engine knows of other processes: whether one that claimed a run still lives, when a process started
(a pid taken again by a new process has another start time), and how a worker ended, in words."""

from __future__ import annotations

import os
import signal


def describe_exit(code: int | None) -> str:
    """"signal 9 (SIGKILL; the system may have run out of memory)" or "exit code 1"."""
    if code is None:
        return "unknown cause"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown signal"
        hint = "; the system may have run out of memory" if -code == signal.SIGKILL else ""
        return f"signal {-code} ({name}{hint})"
    return f"exit code {code}"


def started_at(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def still_running(pid: int, started: str | None) -> bool:
    """Whether the process `pid` that started at `started` (started_at) is still there: a pid taken by a new process
    since has another start time."""
    return _exists(pid) and started_at(pid) == started


def trainer_alive(pid: int) -> bool:
    """Whether the process that claimed a run (its worker_pid in the store) still lives and is one of ours."""
    # A pid reused by another process after a restart would look alive; workers are never that old.
    return _exists(pid) and _is_trainer(pid)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, but one
    return True


def _is_trainer(pid: int) -> bool:
    """A pool worker, a `python -m lstm_core train --store` recording its own run (the CLI trains in-process), or a
    server whose Ray engine holds runs training on a cluster."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read()
    except OSError:
        return True
    return any(mark in command for mark in (b"multiprocessing", b"lstm_core", b"streamlit"))

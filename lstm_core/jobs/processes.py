"""What the job engine knows of other processes: whether one that claimed a run still lives, when a process started
(a pid taken again by a new process has another start time), how a worker ended, in words, and the temporary folder
each worker or helper process writes to."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

SCRATCH_PREFIX = "lstm-playground-process-"


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


def use_scratch_folder() -> Path:
    """From now on, this process's temporary files go to a folder of its own (Python's tempfile). TensorFlow's
    autograph writes a module file for every function it traces and removes them at interpreter exit, which a worker
    never reaches (multiprocessing ends its children with os._exit): without this, every worker left its files in
    the system's temporary folder for good. The pool removes the folder once the process is gone."""
    folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")  # private (0700), a name no one took
    tempfile.tempdir = folder
    return Path(folder)


def remove_scratch_folders() -> int:
    """Removes the temporary folders (use_scratch_folder) of processes that are gone; returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return 0
    for entry in entries:
        pid = entry.name.removeprefix(SCRATCH_PREFIX).split("-")[0]
        if entry.name.startswith(SCRATCH_PREFIX) and pid.isdigit() and not _exists(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)  # refuses a symbolic link
            removed += 1
    return removed

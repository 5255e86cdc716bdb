"""A training worker process: imports TensorFlow once, then trains the runs the dispatcher hands it, one at a time."""

from __future__ import annotations

import os


def worker_main(home: str, connection) -> None:
    """Entry point of a spawn-started worker. Messages in: ("run", run_id) or ("exit",); out: ("ready", pid) once
    warm, then ("done", run_id, rss_mb) after each run."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # noqa: F401  the warm part: a Train click no longer pays TensorFlow's import

    from ..store import RunStore
    from .execute import execute_run

    store = RunStore(home)
    connection.send(("ready", os.getpid()))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the server is gone
        if message[0] != "run":
            return
        run_id = message[1]
        try:
            execute_run(store, run_id)
        except Exception as exc:  # execute_run records its own failures; this is the last net
            store.fail(run_id, f"the training process failed: {type(exc).__name__}: {exc}")
        try:
            connection.send(("done", run_id, rss_mb()))
        except OSError:
            return  # the server is gone


def rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

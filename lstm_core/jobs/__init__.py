"""The job engine: runs are submitted, trained in worker processes, and read back from the run store.

`engine()` is the server's one engine: a local pool of worker processes, or, when LSTM_PLAYGROUND_RAY_ADDRESS
names a Ray cluster, the Ray engine (ray_backend.py; needs the Ray extra). The page, the CLI and the tests submit,
stop and read runs through it, and read everything a run reports from the store.
"""

from __future__ import annotations

import atexit
import os
import threading

from lstm_core.jobs.execute import execute_run, wait_for
from lstm_core.jobs.pool import LocalEngine
from lstm_core.jobs.processes import describe_exit
from lstm_core.jobs.tasks import prepare_from, reader_for

RAY_VARIABLE = "LSTM_PLAYGROUND_RAY_ADDRESS"
_engine = None
_engine_lock = threading.Lock()


def engine():
    """The process's engine over the store at LSTM_PLAYGROUND_HOME, started on first use: the Ray engine when
    LSTM_PLAYGROUND_RAY_ADDRESS is set, else the local pool."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from lstm_core.store import RunStore

            address = os.environ.get(RAY_VARIABLE, "").strip()
            _engine = ray_engine(RunStore(), address) if address else LocalEngine(RunStore())
            atexit.register(_engine.close)
        return _engine


def ray_available() -> bool:
    """Whether this installation has the Ray extra (requirements-ray.txt)."""
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def ray_engine(store, address: str | None = None, claims=None, **settings):
    """A Ray engine over `store` on the cluster at `address` (default: LSTM_PLAYGROUND_RAY_ADDRESS; "local" or none
    starts one on this machine). Raises ProblemError SWEEP009 when the Ray extra is not installed."""
    if not ray_available():
        from lstm_core.findings import Finding, ProblemError

        raise ProblemError(Finding("SWEEP009", "error", "Ray support is not installed",
                                   f"--ray and {RAY_VARIABLE} need the ray package: install the Ray extra "
                                   "(`.venv/bin/python -m pip install -r requirements-ray.txt`), or leave both out "
                                   "and runs train on this machine's worker pool.", area="sweep"))
    from lstm_core.jobs.ray_backend import RayEngine

    address = (os.environ.get(RAY_VARIABLE, "") if address is None else address).strip()
    return RayEngine(store, None if address in ("", "local") else address, claims=claims, **settings)


__all__ = ["RAY_VARIABLE", "LocalEngine", "describe_exit", "engine", "execute_run", "prepare_from", "ray_available",
           "ray_engine", "reader_for", "wait_for"]

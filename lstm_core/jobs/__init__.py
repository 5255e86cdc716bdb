"""The job engine: runs are submitted, trained in worker processes, and read back from the run store.

`engine()` is the server's one engine (a local pool of spawn-started workers); the page, the CLI and the tests
submit, stop and read runs through it, and read everything a run reports from the store.
"""

from __future__ import annotations

import atexit
import threading

from .execute import execute_run, wait_for
from .pool import LocalEngine, describe_exit
from .tasks import prepare_from, reader_for

_engine: LocalEngine | None = None
_engine_lock = threading.Lock()


def engine() -> LocalEngine:
    """The process's engine over the store at LSTM_PLAYGROUND_HOME, started on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from ..store import RunStore

            _engine = LocalEngine(RunStore())
            atexit.register(_engine.close)
        return _engine


__all__ = ["LocalEngine", "describe_exit", "engine", "execute_run", "prepare_from", "reader_for", "wait_for"]

"""How training workers and the model-call helper start: forked from a fork server that has imported TensorFlow.

Importing TensorFlow and Keras costs a new Python process 3–6 s of CPU. The first worker the server starts also
starts multiprocessing's fork server, which imports them once (`PRELOAD`) and never runs a TensorFlow op; every
worker after it (a replacement after recycling, the spare, a sweep's second worker, the helper) is a fork of that
process and starts at once. The server process itself still never imports TensorFlow. Where the platform has no
fork server, workers are spawned, each importing TensorFlow itself.

Two things a plain fork would get right and a fork server does not:
- The environment: a child inherits the fork server's, as it was when the server started it. `child_environment`
  is handed to each child, which applies it (`use_environment`), so limits set since then apply to its runs.
- multiprocessing re-imports the parent's __main__ module in every child. Under Streamlit, __main__ is the page
  script being run (app.py), so each worker would draw the page and start an engine of its own. Workers and helpers
  only run functions importable from lstm_core, so the children are told to skip that step.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing import spawn

# What the fork server imports before its first fork: Keras (TensorFlow) and the modules a worker runs.
PRELOAD = ["lstm_core.jobs.preload"]
_MAIN_KEYS = ("init_main_from_path", "init_main_from_name")


def _without_main(original):
    def preparation_data(name):
        data = original(name)
        for key in _MAIN_KEYS:
            data.pop(key, None)
        return data

    preparation_data.skips_main = True
    return preparation_data


def worker_context():
    """The context training workers and the helper start from: the fork server with TensorFlow imported, or spawn
    where there is none. The parent's __main__ is kept out of every child (idempotent)."""
    if not getattr(spawn.get_preparation_data, "skips_main", False):
        spawn.get_preparation_data = _without_main(spawn.get_preparation_data)
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def child_environment() -> dict[str, str]:
    """This process's environment now, for a child to apply: what it would have inherited from a plain start."""
    return dict(os.environ)


def use_environment(environment: dict[str, str] | None) -> None:
    """In a child: take the parent's environment as it was when the child was asked for."""
    if environment is not None:
        os.environ.clear()
        os.environ.update(environment)

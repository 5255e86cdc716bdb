"""Spawned workers must not re-run the server's page script.

multiprocessing's spawn start method re-imports the parent's __main__ module in every child. Under Streamlit,
__main__ is the page script being run (app.py), so each worker would draw the page and start an engine of its own.
Workers and helpers only run functions importable from lstm_core, so the children are told to skip that step.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import spawn

_MAIN_KEYS = ("init_main_from_path", "init_main_from_name")


def _without_main(original):
    def preparation_data(name):
        data = original(name)
        for key in _MAIN_KEYS:
            data.pop(key, None)
        return data

    preparation_data.skips_main = True
    return preparation_data


def spawn_context():
    """The spawn context, with the parent's __main__ kept out of every child (idempotent)."""
    if not getattr(spawn.get_preparation_data, "skips_main", False):
        spawn.get_preparation_data = _without_main(spawn.get_preparation_data)
    return multiprocessing.get_context("spawn")

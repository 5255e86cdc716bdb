"""Waiting in tests for something another process does (a worker's training, a Ray task)."""

from __future__ import annotations

import time

import pytest


def until(condition, timeout: float = 120.0, what: str = "condition"):
    """condition()'s first truthy value, asked every 0.1 s; the test fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")

"""The diagnostic engine: small pure functions, each registered under a stable code."""

from __future__ import annotations

# Importing the modules registers their checks.
from . import data_checks, leakage_checks, model_checks, time_checks, training_checks  # noqa: F401
from .engine import CheckContext, registered_checks, run_checks

__all__ = ["CheckContext", "registered_checks", "run_checks"]

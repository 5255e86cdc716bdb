"""The diagnostic engine: small pure functions, each registered under a stable code."""

from __future__ import annotations

# Importing the modules registers their checks.
from lstm_core.checks import (  # noqa: F401
    class_checks,
    data_checks,
    head_checks,
    leakage_checks,
    limit_checks,
    model_checks,
    text_class_checks,
    text_lm_checks,
    time_checks,
    training_checks,
)
from lstm_core.checks.engine import CheckContext, ClassFacts, registered_checks, run_checks

__all__ = ["CheckContext", "ClassFacts", "registered_checks", "run_checks"]

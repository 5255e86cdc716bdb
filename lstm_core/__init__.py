"""LSTM Playground core: data, windows, checks, model, runner, results. No Streamlit here."""

from .config import RunConfig
from .findings import Finding, ProblemError

__all__ = ["Finding", "ProblemError", "RunConfig"]

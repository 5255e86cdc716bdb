"""LSTM Playground core: data, windows, checks, model, runner, results. No Streamlit here."""

import os

# Small LSTM matmuls gain nothing from splitting one op over two cores: one thread per op, two ops at a time
# used ~25 % less CPU for the same speed and results, leaving room for a second user. Read when TensorFlow starts;
# values already in the environment win.
THREAD_SETTINGS = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "2"}
for _name, _value in THREAD_SETTINGS.items():
    os.environ.setdefault(_name, _value)

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.findings import Finding, ProblemError  # noqa: E402

__all__ = ["Finding", "ProblemError", "RunConfig"]

"""A stored run's parts the pages draw: its prepared data, report, model summary, forecast and files.

Read from the run store and cached per run (a finished run never changes); nothing here needs TensorFlow.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from lstm_core.export import FILE_NAMES
from lstm_core.jobs.tasks import FORECAST_FILE, REPORT_FILE, SUMMARY_FILE, prepare_from
from lstm_core.store.codec import loads_report

from .workspace import run_store

# Shared by every session: keyed by content and run id, read-only once made.
CACHED_RUNS = 8


@st.cache_resource(max_entries=CACHED_RUNS, show_spinner=False)
def _prepared(reader: str, data_ref: str, data_name: str, config_json: str):
    from lstm_core.config import RunConfig

    return prepare_from(reader, run_store().data_bytes(data_ref), data_name, RunConfig.from_json(config_json))


def prepared_of(record):
    """The data exactly as the run trained on it (the same bytes, name and settings)."""
    return _prepared(record.reader, record.data_ref, record.data_name, record.config.to_json())


@st.cache_resource(max_entries=CACHED_RUNS, show_spinner=False)
def _report(run_id: str, finished: float | None):
    raw = run_store().artifact(run_id, REPORT_FILE)
    if raw is None:
        return None
    return loads_report(raw)  # a language model's report is a plain dict and reads back as one


def report_of(record):
    """The run's report (ForecastReport, ClassificationReport, TextReport or a language model's dict), or None."""
    return _report(record.key, record.finished) if record.has_artifacts else None


def summary_of(record) -> dict | None:
    raw = run_store().artifact(record.key, SUMMARY_FILE)
    return json.loads(raw) if raw else None


def forecast_of(record) -> np.ndarray | None:
    raw = run_store().artifact(record.key, FORECAST_FILE)
    return np.asarray(json.loads(raw), dtype="float64") if raw else None


def export_files_of(record) -> dict[str, bytes]:
    """The run's export, as written when it finished: model.keras, config.json, history.csv, metrics.json, …"""
    store = run_store()
    present = set(store.artifact_names(record.key))
    return {name: store.artifact(record.key, name) for name in FILE_NAMES if name in present}

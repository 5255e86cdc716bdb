"""What a worker needs to know of each task: how to read its data, prepare, build the runner, score and export.

The page prepares with the same functions (they import no TensorFlow), so the results it draws come from exactly
the data the worker trained on.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from lstm_core.config import CLASSIFY_TASKS, RunConfig
from lstm_core.store.codec import dumps_report

# How the stored bytes are read: a CSV table, a plain text, or a CSV of labelled texts.
READERS = ("csv", "text", "text-csv")
# Steps past the end a forecast run precomputes; the page offers up to this many without the model.
FORECAST_STEPS = 200
# Steps of that forecast that get an interval: each step more costs one prediction over every validation origin.
INTERVAL_STEPS = 100
REPORT_FILE, SUMMARY_FILE, FORECAST_FILE = "report.json", "summary.json", "forecast.json"


def reader_for(config: RunConfig) -> str:
    return {"text-lm": "text", "text-classify": "text-csv"}.get(config.task, "csv")


def prepare_from(reader: str, raw: bytes, name: str, config: RunConfig):
    """The prepared run (checks included) for these bytes and settings; no TensorFlow."""
    if reader == "text":
        from lstm_core.tasks.text_lm.corpus import read_text
        from lstm_core.tasks.text_lm.lm import prepare_text

        return prepare_text(read_text(raw, name), config)
    if reader == "text-csv":
        from lstm_core.tasks.text_classify.prepare import prepare_text_classification, read_text_csv

        return prepare_text_classification(read_text_csv(raw, name), config)
    if reader != "csv":
        raise ValueError(f"unknown reader {reader!r}; known: {', '.join(READERS)}")
    from lstm_core.data import load_csv
    from lstm_core.tasks.sequences import prepare_any

    return prepare_any(load_csv(raw, name), config)


# XLA compiles for ~3 s more than a plain trace before the first epoch and then runs each step about twice as
# fast (default sample, cold worker: whole fit 7.8 s with it vs 8.2 s without; 0.12 vs 0.22 s an epoch). Below
# this much work (training windows × epochs × timesteps) a run ends sooner without it. A worker that keeps the
# shape compiled (compiled.py) pays neither; the choice still depends on the run alone, so the same settings
# always train the same way.
XLA_MIN_WORK = 500_000


def worth_compiling(prepared) -> bool:
    """Compile with XLA only when the run is long enough to win back the compile time."""
    windows, config = prepared.windows, prepared.config
    samples = len(windows.x_train) if windows is not None and hasattr(windows, "x_train") else 0
    return samples * config.epochs * config.timesteps >= XLA_MIN_WORK


def runner_for_task(prepared, ticks: bool = True, listeners=()):
    """The Runner (monitors attached) for any task's prepared data, in a worker or the CLI; `listeners` hear every
    event before the monitors do."""
    task = prepared.config.task
    if task == "text-lm":
        from lstm_core.tasks.text_lm.lm import runner_for_text

        return runner_for_text(prepared, listeners, ticks=ticks)
    from lstm_core.tasks.forecast.pipeline import runner_for

    if task == "text-classify":
        from lstm_core.tasks.text_classify.model import TEXT_JIT, vectorise

        if prepared.windows is None:
            vectorise(prepared)
        return runner_for(prepared, listeners, ticks=ticks, jit_compile=TEXT_JIT)
    return runner_for(prepared, listeners, ticks=ticks, jit_compile=worth_compiling(prepared))


# Keras validates in batches of 32 when fit gets no validation batch size.
VALIDATION_BATCH = 32


def warm_up(prepared) -> bool:
    """Trace and compile the model this prepared run will train, so that a run of the same shape in this process
    starts at steady speed (compiled.py keeps it). XLA compiles once per batch shape, so the few windows trained on
    keep the run's last, short batch of the training and validation parts; scoring the test part traces the
    predict step. Forecasts and sequence classifiers only; returns whether it warmed anything."""
    windows, config = prepared.windows, prepared.config
    if config.task not in ("forecast", *CLASSIFY_TASKS) or not dataclasses.is_dataclass(windows) \
            or not len(getattr(windows, "x_val", ())):
        return False
    from lstm_core.tasks.forecast.pipeline import runner_for

    def few(array, batch: int):
        return array[:min(len(array), 2 * batch + len(array) % batch)]

    short = dataclasses.replace(windows, x_train=few(windows.x_train, config.batch_size),
                                y_train=few(windows.y_train, config.batch_size),
                                x_val=few(windows.x_val, VALIDATION_BATCH), y_val=few(windows.y_val, VALIDATION_BATCH))
    trial = dataclasses.replace(prepared, config=config.replace(epochs=1, early_stopping=False), windows=short)
    state = runner_for(trial, monitors=False, jit_compile=worth_compiling(prepared)).run()
    evaluate_task(prepared, state.model)
    if config.task == "forecast":
        from lstm_core.tasks.forecast.pipeline import forecast

        forecast(prepared, state.model, 1)
    return True


def evaluate_task(prepared, model):
    """The task's report on its held-out part: ForecastReport, ClassificationReport, TextReport or a dict (LM)."""
    task = prepared.config.task
    if task == "text-lm":
        from lstm_core.tasks.text_lm.lm import evaluate_text

        return evaluate_text(prepared, model)
    if task == "text-classify":
        from lstm_core.tasks.text_classify.model import evaluate_text_classifier

        return evaluate_text_classifier(prepared, model)
    if prepared.config.classifies:
        from lstm_core.tasks.sequences import evaluate_classifier

        return evaluate_classifier(prepared, model)
    from lstm_core.tasks.forecast.pipeline import evaluate

    return evaluate(prepared, model, future_steps=INTERVAL_STEPS)


def report_findings(report) -> list:
    """Findings read from a finished report: a forecast's intervals far from their nominal coverage (RESULT001)."""
    intervals = getattr(report, "intervals", None)
    if not intervals:
        return []
    from lstm_core.tasks.forecast.intervals import coverage_findings

    return coverage_findings(intervals)


def report_metrics(report) -> tuple[dict | None, str]:
    if report is None:
        return None, ""
    if isinstance(report, dict):
        return {k: v for k, v in report.items() if k != "verdict"}, report.get("verdict", "")
    return report.metrics, report.verdict


def run_outputs(prepared, state, report) -> dict[str, bytes]:
    """Every artifact of a trained run: the export (model.keras, config.json, history.csv, metrics.json,
    train_script.py, preprocessing.json), the pickled report, the model summary and a forecast past the end."""
    from lstm_core.export import export_files
    from lstm_core.model import summarize

    language_model = isinstance(report, dict)
    files = dict(export_files(prepared, state, None if language_model else report))
    if language_model:
        files["metrics.json"] = (json.dumps({**json.loads(files["metrics.json"]), **report}, indent=2) + "\n").encode()
    if report is not None:
        files[REPORT_FILE] = dumps_report(report) if not language_model else json.dumps(report).encode()
    summary = summarize(state.model)
    files[SUMMARY_FILE] = json.dumps({"layers": summary.layers, "total_params": summary.total_params}).encode()
    if prepared.config.task == "forecast":
        from lstm_core.tasks.forecast.pipeline import forecast

        future = np.asarray(forecast(prepared, state.model, FORECAST_STEPS), dtype="float64")
        files[FORECAST_FILE] = json.dumps(future.tolist()).encode()
    return files

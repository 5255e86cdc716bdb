"""What a worker needs to know of each task: how to read its data, prepare, build the runner, score and export.

The page prepares with the same functions (they import no TensorFlow), so the results it draws come from exactly
the data the worker trained on.
"""

from __future__ import annotations

import json

import numpy as np

from ..config import RunConfig
from ..store.codec import dumps_report

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
        from ..text.corpus import read_text
        from ..text.lm import prepare_text

        return prepare_text(read_text(raw, name), config)
    if reader == "text-csv":
        from ..text.classify import prepare_text_classification, read_text_csv

        return prepare_text_classification(read_text_csv(raw, name), config)
    if reader != "csv":
        raise ValueError(f"unknown reader {reader!r}; known: {', '.join(READERS)}")
    from ..classify import prepare_any
    from ..data import load_csv

    return prepare_any(load_csv(raw, name), config)


# XLA compiles for a few seconds before the first epoch and then runs about twice as fast: below this much work
# (training windows × epochs × timesteps) a run ends sooner without it (bench/first_point.py).
XLA_MIN_WORK = 2_000_000


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
        from ..text.lm import runner_for_text

        return runner_for_text(prepared, listeners, ticks=ticks)
    from ..pipeline import runner_for

    if task == "text-classify":
        from ..text.classify_model import TEXT_JIT, vectorise

        if prepared.windows is None:
            vectorise(prepared)
        return runner_for(prepared, listeners, ticks=ticks, jit_compile=TEXT_JIT)
    return runner_for(prepared, listeners, ticks=ticks, jit_compile=worth_compiling(prepared))


def evaluate_task(prepared, model):
    """The task's report on its held-out part: ForecastReport, ClassificationReport, TextReport or a dict (LM)."""
    task = prepared.config.task
    if task == "text-lm":
        from ..text.lm import evaluate_text

        return evaluate_text(prepared, model)
    if task == "text-classify":
        from ..text.classify_model import evaluate_text_classifier

        return evaluate_text_classifier(prepared, model)
    if prepared.config.classifies:
        from ..classify import evaluate_classifier

        return evaluate_classifier(prepared, model)
    from ..pipeline import evaluate

    return evaluate(prepared, model, future_steps=INTERVAL_STEPS)


def report_findings(report) -> list:
    """Findings read from a finished report: a forecast's intervals far from their nominal coverage (RESULT001)."""
    intervals = getattr(report, "intervals", None)
    if not intervals:
        return []
    from ..intervals import coverage_findings

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
    from ..export import export_files
    from ..model import summarize

    language_model = isinstance(report, dict)
    files = dict(export_files(prepared, state, None if language_model else report))
    if language_model:
        files["metrics.json"] = (json.dumps({**json.loads(files["metrics.json"]), **report}, indent=2) + "\n").encode()
    if report is not None:
        files[REPORT_FILE] = dumps_report(report) if not language_model else json.dumps(report).encode()
    summary = summarize(state.model)
    files[SUMMARY_FILE] = json.dumps({"layers": summary.layers, "total_params": summary.total_params}).encode()
    if prepared.config.task == "forecast":
        from ..pipeline import forecast

        future = np.asarray(forecast(prepared, state.model, FORECAST_STEPS), dtype="float64")
        files[FORECAST_FILE] = json.dumps(future.tolist()).encode()
    return files

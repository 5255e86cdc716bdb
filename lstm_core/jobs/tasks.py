"""What a worker does with any task's run, through the task registry: read its stored data, prepare, build the
runner, score, and gather the artifacts.

The page prepares with the same functions (they import no TensorFlow), so the results it draws come from exactly
the data the worker trained on.
"""

from __future__ import annotations

import json

from lstm_core.config import RunConfig
from lstm_core.store.codec import dumps_report
from lstm_core.tasks.forecast.cli import FORECAST_FILE
from lstm_core.tasks.registry import TASKS, task_for, task_reading

# How the stored bytes are read: a CSV table, a plain text, or a CSV of labelled texts.
READERS = tuple(dict.fromkeys(task.reader for task in TASKS))
REPORT_FILE, SUMMARY_FILE = "report.json", "summary.json"
__all__ = ["FORECAST_FILE", "READERS", "REPORT_FILE", "SUMMARY_FILE"]


def reader_for(config: RunConfig) -> str:
    return task_for(config).reader


def prepare_from(reader: str, raw: bytes, name: str, config: RunConfig):
    """The prepared run (checks included) for these bytes and settings; no TensorFlow."""
    task = task_reading(reader) if config.task == "auto" else task_for(config)
    if task.reader != reader:
        raise ValueError(f"a {task.label} run reads its data as {task.reader!r}, not {reader!r}")
    return task.prepare(task.read(raw, name), config)


def runner_for_task(prepared, ticks: bool = True, listeners=()):
    """The Runner (monitors attached) for any task's prepared data, in a worker or the CLI; `listeners` hear every
    event before the monitors do."""
    return task_for(prepared.config).runner(prepared, listeners, ticks=ticks)


def warm_up(prepared) -> bool:
    """Compile the model this prepared run will train, so that a run of the same shape in this process starts at
    steady speed (compiled.py keeps it); returns whether the task warmed anything."""
    return task_for(prepared.config).warm_up(prepared)


def evaluate_task(prepared, model):
    """The task's report on its held-out part: ForecastReport, ClassificationReport, TextReport or a dict (LM)."""
    return task_for(prepared.config).evaluate(prepared, model)


def report_findings(report, config: RunConfig) -> list:
    """Findings read from a finished report (a forecast's intervals far from their nominal coverage: RESULT001)."""
    return task_for(config).report_findings(report) if report is not None else []


def report_metrics(report) -> tuple[dict | None, str]:
    if report is None:
        return None, ""
    if isinstance(report, dict):
        return {k: v for k, v in report.items() if k != "verdict"}, report.get("verdict", "")
    return report.metrics, report.verdict


def run_outputs(prepared, state, report) -> dict[str, bytes]:
    """Every artifact of a trained run: the export (model.keras, config.json, history.csv, metrics.json,
    train_script.py, preprocessing.json), the report, the model summary and the task's own (a forecast past the
    end)."""
    from lstm_core.export import export_files
    from lstm_core.model import summarize

    task = task_for(prepared.config)
    files = dict(export_files(prepared, state, None if task.report_is_dict else report))
    if task.report_is_dict and report is not None:
        files["metrics.json"] = (json.dumps({**json.loads(files["metrics.json"]), **report}, indent=2) + "\n").encode()
    if report is not None:
        files[REPORT_FILE] = json.dumps(report).encode() if task.report_is_dict else dumps_report(report)
    summary = summarize(state.model)
    files[SUMMARY_FILE] = json.dumps({"layers": summary.layers, "total_params": summary.total_params}).encode()
    files.update(task.extra_outputs(prepared, state.model))
    return files

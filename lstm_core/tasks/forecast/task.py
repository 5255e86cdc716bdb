"""The forecast task: a CSV series → windows → the next value(s), scored against persistence, seasonal naive and
ETS, with prediction intervals and an optional backtest."""

from __future__ import annotations

import json

import numpy as np

from lstm_core.config import RunConfig
from lstm_core.tasks.base import Task


class ForecastTask(Task):
    name = "forecast"
    config_tasks = ("forecast",)
    reader = "csv"
    label = "forecast"
    range_test = True

    def read(self, raw: bytes, name: str):
        from lstm_core.data import load_csv

        return load_csv(raw, name)

    def prepare(self, data, config: RunConfig):
        from lstm_core.tasks.table import prepare_any

        return prepare_any(data, config)

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        from lstm_core.windowed import runner_for, worth_compiling

        jit = worth_compiling(prepared) if jit_compile is None else jit_compile
        return runner_for(prepared, listeners, ticks=ticks, monitors=monitors, jit_compile=jit)

    def untrained_model(self, prepared):
        from lstm_core.model import build_model

        return build_model(prepared.config, prepared.windows.features, **getattr(prepared.windows, "model_options", {}))

    def evaluate(self, prepared, model):
        from lstm_core.tasks.forecast.cli import INTERVAL_STEPS
        from lstm_core.tasks.forecast.pipeline import evaluate

        return evaluate(prepared, model, future_steps=INTERVAL_STEPS)

    def report_findings(self, report) -> list:
        from lstm_core.tasks.forecast.intervals import coverage_findings

        return coverage_findings(report.intervals) if getattr(report, "intervals", None) else []

    def extra_outputs(self, prepared, model) -> dict[str, bytes]:
        from lstm_core.tasks.forecast.cli import FORECAST_FILE, FORECAST_STEPS
        from lstm_core.tasks.forecast.pipeline import forecast

        future = np.asarray(forecast(prepared, model, FORECAST_STEPS), dtype="float64")
        return {FORECAST_FILE: json.dumps(future.tolist()).encode()}

    def warm_up(self, prepared) -> bool:
        from lstm_core.tasks.forecast.pipeline import forecast
        from lstm_core.windowed import warm_up

        model = warm_up(prepared)
        if model is None:
            return False
        self.evaluate(prepared, model)
        forecast(prepared, model, 1)
        return True

    def claims(self, file: str, config: RunConfig) -> bool:
        # Last in the registry: a table no other task claimed, its layout read by prepare_file.
        return config.task in ("forecast", "auto")

    def cli_prepare(self, file: str, config: RunConfig, given: set[str]):
        from lstm_core.tasks.table import prepare_file

        return prepare_file(file, config, given)

    def cli_results(self, args, prepared, state, report: dict):
        from lstm_core.tasks.forecast.cli import cli_results

        return cli_results(args, prepared, state, report)

    def write_outputs(self, directory, prepared, state, result) -> dict[str, str]:
        from lstm_core.export import write_table_outputs

        return write_table_outputs(directory, prepared, state, result)

    def print_results(self, report: dict) -> None:
        from lstm_core.tasks.forecast.cli import print_results

        print_results(report)

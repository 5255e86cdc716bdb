"""The forecast task: a CSV series → windows → the next value(s), scored against persistence, seasonal naive and
ETS, with prediction intervals and an optional backtest."""

from __future__ import annotations

import json

import numpy as np

from lstm_core.config import RunConfig
from lstm_core.tasks.forecast import cli
from lstm_core.tasks.forecast.intervals import coverage_findings
from lstm_core.tasks.forecast.pipeline import evaluate, forecast
from lstm_core.tasks.table import TableTask


class ForecastTask(TableTask, name="forecast", config_tasks=("forecast",), label="forecast",
                   headline=("mae", "MAE", False)):
    cli = cli

    def evaluate(self, prepared, model):
        # The stored run's forecast past the end gets calibrated intervals for this many steps.
        return evaluate(prepared, model, future_steps=cli.INTERVAL_STEPS)

    def report_findings(self, report) -> list:
        return coverage_findings(report.intervals) if getattr(report, "intervals", None) else []

    def extra_outputs(self, prepared, model) -> dict[str, bytes]:
        future = np.asarray(forecast(prepared, model, cli.FORECAST_STEPS), dtype="float64")
        return {cli.FORECAST_FILE: json.dumps(future.tolist()).encode()}

    def warmed(self, prepared, model) -> None:
        super().warmed(prepared, model)
        forecast(prepared, model, 1)

    def claims(self, file: str, config: RunConfig) -> bool:
        # Last in the registry: a table no other task claimed, its layout read by prepare_file.
        return config.task in ("forecast", "auto")

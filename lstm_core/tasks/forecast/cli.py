"""The forecast's part of `python -m lstm_core train`: its scores, intervals, forecast and backtest in the report,
and their lines in the text output."""

from __future__ import annotations

import argparse

import numpy as np

from lstm_core.tasks.forecast.backtest import MAX_FOLDS
from lstm_core.tasks.forecast.intervals import coverage_findings, forecast_band

# The stored run's artifact with its forecast past the end.
FORECAST_FILE = "forecast.json"
# Steps past the end a stored forecast run precomputes; the page offers up to this many without the model.
FORECAST_STEPS = 200
# Steps of that forecast that get an interval: each step more costs one prediction over every validation origin.
INTERVAL_STEPS = 100


def cli_results(args: argparse.Namespace, prepared, state, report: dict):
    from lstm_core.tasks.forecast.pipeline import evaluate, forecast

    result = None
    if state.status != "diverged":
        # A stored run gets the page's calibrated forecast steps, so the page draws its fan as for its own runs.
        stored = getattr(args, "recording", None) is not None
        result = evaluate(prepared, state.model, future_steps=max(args.forecast_steps, INTERVAL_STEPS * stored))
        report["metrics"] = {"model": result.metrics["model"], "baselines": result.metrics["baselines"]}
        report["verdict"] = result.verdict
        report["data"]["season"] = result.season
        report["ets"] = result.ets or None
        report["findings"] += [f.to_dict() for f in coverage_findings(result.intervals)]
        future = np.zeros(0)
        if args.forecast_steps > 0:
            future = forecast(prepared, state.model, args.forecast_steps)
            report["forecast"] = [float(v) for v in future]
        report["intervals"] = forecast_band(result.intervals, args.interval_level, future)
    report["backtest"] = _backtest(args, prepared) if args.backtest else None
    return result


def _backtest(args: argparse.Namespace, prepared) -> dict:
    from lstm_core.tasks.forecast.backtest import plan_folds, run_folds, summarise

    folds, note = plan_folds(prepared, min(max(args.backtest, 1), MAX_FOLDS))
    if not args.json:
        print(f"backtest: {len(folds)} fold(s) to train. {note}".rstrip())
    summary = summarise(folds, run_folds(prepared.dataset, folds))
    return {**summary, "note": note}


def print_results(report: dict) -> None:
    if "data" in report:
        data = report["data"]
        print(f"data: {data['rows']} rows, target {data['target']}, windows {data['windows']}")
    if "metrics" not in report:
        return
    _print_metrics(report["metrics"])
    print(report["verdict"])
    band = report.get("intervals")
    if band and band["coverage"] is not None:
        print(f"{band['level']} % interval covered {band['coverage']:.0f} % of test points (±{band['test_width']:.4g})")
    if report.get("backtest"):
        for name, means in report["backtest"]["mean"].items():
            print(f"backtest mean {name}: MAE {means['mae']:.4g}  MASE {_number(means['mase'])}")
        print(report["backtest"]["verdict"])


def _print_metrics(metrics: dict) -> None:
    """One line a model (the LSTM, then each baseline), then why any "—" could not be computed."""
    from lstm_core.tasks.forecast.results import UNDEFINED

    rows = {"model": metrics["model"], **metrics["baselines"]}
    for name, values in rows.items():
        print(f"{name}: MAE {values['mae']:.4g}  RMSE {values['rmse']:.4g}  MASE {_number(values.get('mase'))}  "
              f"sMAPE {_pct(values.get('smape'))}  MAPE {_pct(values.get('mape'))}")
    for key, label in (("mase", "MASE"), ("smape", "sMAPE"), ("mape", "MAPE")):
        if any(values.get(key) is None for values in rows.values()):
            reason = next((values["undefined"][key] for values in rows.values()
                           if key in values.get("undefined", {})), UNDEFINED[key])
            print(f"{label} —: {reason}")


def _number(value) -> str:
    return "—" if value is None else f"{value:.3g}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} %"

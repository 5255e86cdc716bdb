"""LSTM against ETS and the naive baselines in MASE on each forecast sample, with its default settings.

Each sample is trained exactly as `python -m lstm_core train sample:NAME --backtest FOLDS --json` trains it (the
command is run as a subprocess), and the table gives MASE on the test part and the mean MASE over the backtest's
folds, with the 80 % interval's coverage. Prints a Markdown table for the README.
Run: .venv/bin/python bench/forecast_baselines.py [FOLDS]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = ("noisy_seasonal", "monthly_sales", "energy_load")
MODELS = {"LSTM": None, "ETS": "ets", "seasonal naive": "seasonal_naive", "persistence": "persistence"}


def run(name: str, folds: int) -> dict:
    command = [sys.executable, "-m", "lstm_core", "train", f"sample:{name}", "--json"]
    if folds:
        command += ["--backtest", str(folds)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600)
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr[-2000:])
    report = json.loads(result.stdout)
    report["seconds"] = time.perf_counter() - started
    return report


def score(report: dict, key: str | None) -> float | None:
    metrics = report["metrics"]
    return (metrics["model"] if key is None else metrics["baselines"].get(key, {})).get("mase")


def fold_mean(report: dict, label: str) -> float | None:
    backtest = report.get("backtest") or {}
    return (backtest.get("mean", {}).get(label) or {}).get("mase")


def show(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def main(folds: int = 3) -> None:
    print("| sample | " + " | ".join(f"{m} test (folds)" for m in MODELS) + " | 80 % coverage | ETS form | s |")
    print("|---" * (len(MODELS) + 4) + "|")
    for name in SAMPLES:
        report = run(name, folds)
        cells = [f"{show(score(report, key))} ({show(fold_mean(report, label))})" for label, key in MODELS.items()]
        coverage = report["intervals"]["coverage"]
        shown = "—" if coverage is None else f"{coverage:.0f} %"
        print(f"| {name} | " + " | ".join(cells) + f" | {shown} | "
              f"{(report.get('ets') or {}).get('form', '—')} | {report['seconds']:.0f} |", flush=True)
        print(f"<!-- {name}: {report['verdict']} / {(report.get('backtest') or {}).get('verdict', '')} -->",
              flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

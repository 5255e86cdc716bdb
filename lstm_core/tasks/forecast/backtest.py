"""Rolling-origin backtesting: would the model have worked at earlier points of the series too?

Fold j of k ends where the test part of fold j + 1 begins (the last fold ends where the run's own test part begins):
its data is the series cut there (`rows_used`), and its test part is the last `test rows` of that cut, as long as the
run's own. Each fold is an ordinary run with a fresh model trained on the rows before its origin, so the page
trains folds through the job engine and the CLI in-process, with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.config import ConfigError, RunConfig
from lstm_core.tasks.forecast.results import BASELINE_LABELS
from lstm_core.tasks.forecast.windows import split_rows, window_count

DEFAULT_FOLDS = 3
MAX_FOLDS = 10
# A fold needs at least this many training windows to be worth training.
MIN_FOLD_TRAIN_WINDOWS = 20
# Seconds a fold costs besides training: a worker's start, compiling, scoring (measured: 3–6 s on two cores).
FOLD_OVERHEAD_SECONDS = 5.0
METRICS = ("mae", "rmse", "mase", "smape")


@dataclass(frozen=True)
class Fold:
    number: int
    config: RunConfig
    # Level rows [test_start, test_stop) are the fold's test part.
    test_start: int
    test_stop: int

    def to_dict(self) -> dict:
        return {"fold": self.number, "rows_used": self.config.rows_used, "test_start": self.test_start,
                "test_stop": self.test_stop}


def plan_folds(prepared, folds: int = DEFAULT_FOLDS) -> tuple[list[Fold], str]:
    """The folds to train, oldest first, and a note when fewer than asked fit in the series ("" otherwise)."""
    config = prepared.config
    shift = 1 if config.difference else 0  # the model sees changes: one row fewer than the levels
    seen_rows = len(prepared.values) - shift
    split = split_rows(seen_rows, config.val_fraction, config.test_fraction)
    test_rows = split.test[1] - split.test[0]
    planned = []
    for back in range(folds, 0, -1):
        fold_rows = seen_rows - back * test_rows
        if test_rows <= 0 or fold_rows <= test_rows:
            continue
        try:
            fold_config = config.replace(rows_used=fold_rows + shift, test_fraction=test_rows / fold_rows)
        except ConfigError:  # the test part would be more than half the fold's rows
            continue
        if not _trainable(fold_rows, fold_config):
            continue
        planned.append(Fold(len(planned) + 1, fold_config, fold_rows - test_rows + shift, fold_rows + shift))
    note = ""
    if len(planned) < folds:
        note = (f"Only {len(planned)} of the {folds} folds fit: each needs its own test part of {test_rows} rows "
                f"and at least {MIN_FOLD_TRAIN_WINDOWS} training windows before it.")
    return planned, note


def _trainable(rows: int, config: RunConfig) -> bool:
    split = split_rows(rows, config.val_fraction, config.test_fraction)
    counts = [window_count(stop - start, config.timesteps, config.horizon, config.stride)
              for start, stop in (split.train, split.val, split.test)]
    return counts[0] >= MIN_FOLD_TRAIN_WINDOWS and counts[2] > 0


def cost_sentence(folds: list[Fold], run_seconds: float, run_rows: int) -> str:
    """"3 more trainings, about 40 s": each fold costs the run's own training time scaled by its rows."""
    if not folds:
        return "No fold fits in this series."
    seconds = sum(run_seconds * fold.config.rows_used / max(run_rows, 1) + FOLD_OVERHEAD_SECONDS for fold in folds)
    trainings = "training" if len(folds) == 1 else "trainings"
    return f"{len(folds)} more {trainings}, about {seconds:.0f} s"


def summarise(folds: list[Fold], metrics: list[dict | None]) -> dict:
    """Per fold and mean scores of the LSTM and every baseline, and the verdict built on the folds.

    `metrics` holds each fold run's stored metrics ({"model": …, "baselines": …}), None for a fold that did not
    finish; the means are over the finished folds."""
    rows = []
    for fold, scores in zip(folds, metrics, strict=True):
        if not scores:
            continue
        for name, values in [("LSTM", scores["model"]), *[(BASELINE_LABELS.get(k, k), v)
                                                          for k, v in scores["baselines"].items()]]:
            rows.append({"fold": fold.number, "model": name, **{m: values.get(m) for m in METRICS}})
    means = {}
    for name in dict.fromkeys(row["model"] for row in rows):
        mine = [row for row in rows if row["model"] == name]
        means[name] = {m: _mean([row[m] for row in mine]) for m in METRICS}
        means[name]["folds"] = len(mine)
    return {"folds": [fold.to_dict() for fold in folds], "rows": rows, "mean": means,
            "finished": sum(1 for m in metrics if m), "verdict": fold_verdict(rows, means)}


def _mean(values) -> float | None:
    usable = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(usable)) if usable else None


def fold_verdict(rows: list[dict], means: dict) -> str:
    if "LSTM" not in means:
        return "No fold finished, so there is nothing to compare."
    unit = "mase" if means["LSTM"]["mase"] is not None else "mae"
    label = unit.upper()
    baselines = {name: m for name, m in means.items() if name != "LSTM" and m[unit] is not None}
    if not baselines or means["LSTM"][unit] is None:
        return "The folds gave no scores to compare."
    best_name, best = min(baselines.items(), key=lambda item: item[1][unit])
    model = means["LSTM"][unit]
    folds = sorted({row["fold"] for row in rows})
    won = sum(1 for fold in folds if _fold_score(rows, fold, "LSTM", unit) is not None
              and _fold_score(rows, fold, "LSTM", unit) < min(
                  (s for s in (_fold_score(rows, fold, n, unit) for n in baselines) if s is not None),
                  default=np.inf))
    count = f"{won} of {len(folds)} fold{'s' if len(folds) != 1 else ''}"
    if model < best[unit]:
        change = (best[unit] - model) / best[unit] * 100
        return (f"Over the folds the LSTM beat the best baseline ({best_name}) by {change:.1f} % in mean {label} "
                f"({model:.3g} vs {best[unit]:.3g}); it beat every baseline in {count}.")
    change = (model - best[unit]) / model * 100
    return (f"Over the folds {best_name} beat the LSTM by {change:.1f} % in mean {label} ({best[unit]:.3g} vs "
            f"{model:.3g}); the LSTM beat every baseline in {count}.")


def _fold_score(rows, fold, name, unit):
    return next((row[unit] for row in rows if row["fold"] == fold and row["model"] == name), None)


def run_folds(dataset, folds: list[Fold], listeners=()) -> list[dict | None]:
    """Train and score every fold in this process (the CLI): each fold's metrics, None where it did not train."""
    from lstm_core.tasks.forecast.pipeline import evaluate, prepare
    from lstm_core.windowed import runner_for, worth_compiling

    out = []
    for fold in folds:
        prepared = prepare(dataset, fold.config)
        if not prepared.ready:
            out.append(None)
            continue
        state = runner_for(prepared, listeners, jit_compile=worth_compiling(prepared)).run()
        if state.model is None or state.epochs_done == 0 or state.status in ("diverged", "error"):
            out.append(None)
            continue
        out.append(evaluate(prepared, state.model).metrics)
    return out

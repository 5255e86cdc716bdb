"""Dataset + RunConfig → checked windows → trained run → report. The page and the CLI both go through here."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lstm_core.checks import CheckContext, run_checks
from lstm_core.checks.data_checks import count_windows
from lstm_core.config import RunConfig
from lstm_core.data import Dataset, handle_missing
from lstm_core.findings import Finding, ProblemError, has_errors
from lstm_core.tasks.forecast.results import (
    ForecastReport,
    compare,
    detect_season,
    mase_scale,
    recursive_forecast,
    recursive_forecasts,
)
from lstm_core.tasks.forecast.windows import Windows, build_windows, split_rows
from lstm_core.windowed import runner_for, train  # noqa: F401  (a forecast trains as every windowed task does)


@dataclass
class Prepared:
    """The run's data. `values` are always the levels; with differencing the windows hold row-to-row changes."""

    dataset: Dataset
    config: RunConfig
    columns: list[str]
    values: np.ndarray
    rows_dropped: int
    findings: list[Finding] = field(default_factory=list)
    windows: Windows | None = None
    season: int = 0
    window_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.windows is not None and not has_errors(self.findings)

    def data_summary(self) -> dict:
        counts = self.windows.counts() if self.windows is not None else self.window_counts
        return {"rows": self.dataset.rows, "rows_used": len(self.values), "columns": list(self.dataset.frame.columns),
                "target": self.config.target, "features": list(self.config.features),
                "time_column": self.dataset.time_column, "windows": counts, "season": self.season,
                "missing": self.dataset.missing_counts(self.columns), "rows_dropped": self.rows_dropped}


def default_config(dataset: Dataset, config: RunConfig | None = None) -> RunConfig:
    """Fill the target with the last numeric column (holding any value) when the user has not chosen one."""
    config = config or RunConfig()
    if config.target is None or config.target not in dataset.numeric_columns:
        filled = [c for c in dataset.numeric_columns if dataset.frame[c].notna().any()]
        config = config.replace(target=(filled or dataset.numeric_columns)[-1])
    features = tuple(f for f in config.features if f in dataset.numeric_columns and f != config.target)
    return config.replace(features=features) if features != config.features else config


def prepare(dataset: Dataset, config: RunConfig) -> Prepared:
    """Select the columns, apply the missing-value choice, run the checks and, when they pass, window."""
    config = _checked_columns(dataset, config)
    columns = [config.target, *config.features]
    frame, dropped = handle_missing(dataset.frame, columns, config.missing)
    if config.rows_used and config.task == "forecast":
        frame = frame.iloc[:config.rows_used]
    values = frame[columns].to_numpy(dtype="float64")
    # With differencing the checks, the split, the scaler and the windows all see what the model sees: changes.
    seen = np.diff(values, axis=0) if differenced(config) else values
    split = split_rows(len(seen), config.val_fraction, config.test_fraction)
    part_rows = {part: stop - start for part, (start, stop) in split.parts().items()}
    time_index = frame[dataset.time_column].to_numpy() if dataset.time_column else None
    if differenced(config) and time_index is not None:
        time_index = time_index[1:]  # change i is stamped with the row it arrives at, level row i + 1
    context = CheckContext(config=config, values=seen, columns=columns, target_index=0, rows=len(seen),
                           part_rows=part_rows, window_counts=count_windows(part_rows, config),
                           missing_before=dataset.missing_counts(columns), time_index=time_index)
    findings = list(dataset.notes) + run_checks(context)
    level_split = split_rows(len(values), config.val_fraction, config.test_fraction)
    train_target = values[level_split.train[0]:level_split.train[1], 0]
    with np.errstate(all="ignore"):  # values past float range are DATA031's to report, not a warning's
        season = config.season or detect_season(train_target)
    prepared = Prepared(dataset, config, columns, values, dropped, findings, season=season,
                        window_counts=context.window_counts)
    if not has_errors(findings):
        prepared.windows = build_windows(seen, columns, 0, config)
    return prepared


def _checked_columns(dataset: Dataset, config: RunConfig) -> RunConfig:
    numeric = dataset.numeric_columns
    if config.target is None:
        config = default_config(dataset, config)
    if config.target not in numeric:
        raise ProblemError(Finding(
            "DATA004", "error", f"Target column '{config.target}' is not a numeric column of {dataset.name}",
            f"Numeric columns: {', '.join(numeric)}. Pick one of them as the target.",
            evidence={"target": config.target, "numeric_columns": numeric},
            fix={"target": numeric[-1]}, area="data"))
    unknown = [f for f in config.features if f not in numeric]
    if unknown:
        raise ProblemError(Finding(
            "DATA005", "error", f"Feature column(s) {', '.join(map(repr, unknown))} cannot be used",
            f"They are not numeric columns of {dataset.name}. Numeric columns: {', '.join(numeric)}.",
            evidence={"unknown": unknown, "numeric_columns": numeric},
            fix={"features": [f for f in config.features if f in numeric]}, area="data"))
    return config.replace(features=tuple(f for f in config.features if f != config.target))


def predict_fn(model):
    # predict_on_batch reuses the compiled predict step: ~50x faster than eager calls for a step-by-step forecast.
    return lambda window: np.asarray(model.predict_on_batch(np.asarray(window, dtype="float32")))


def differenced(config: RunConfig) -> bool:
    return config.difference and config.task == "forecast"


def levels_from_changes(last_level, changes) -> np.ndarray:
    """The levels reached by adding `changes` (in order, along the last axis) one by one onto `last_level`.

    `last_level` holds one level per row of `changes`, or is one number for a single run of changes.
    """
    changes = np.asarray(changes, dtype="float64")
    return np.asarray(last_level, dtype="float64")[..., None] + np.cumsum(changes, axis=-1)


def part_predictions(prepared: Prepared, model, part: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """(target rows, predicted levels in original units) for every window of `part` ("val" or "test")."""
    w, config = prepared.windows, prepared.config
    x = w.x_test if part == "test" else w.x_val
    rows = w.target_rows(part, config.timesteps, config.horizon, config.stride)
    if not len(x):
        return rows, np.zeros(0)
    scaled = np.asarray(model.predict(np.ascontiguousarray(x, dtype="float32"), verbose=0, batch_size=256))
    target = prepared.values[:, w.target_index]
    if differenced(config):
        # Change i leads from level row i to i + 1. The level `horizon` rows ahead is the last known level plus every
        # predicted change up to it: the one output (horizon 1) or all of a multi-step model's outputs.
        changes = w.scaler.inverse_column(scaled.reshape(len(scaled), -1)[:, :config.horizon], w.target_index)
        rows = rows + 1
        return rows, levels_from_changes(target[rows - config.horizon], changes)[:, -1]
    # The report scores the `horizon`-ahead value, the last output column.
    last = scaled[:, -1] if scaled.ndim == 2 else scaled
    return rows, w.scaler.inverse_column(last, w.target_index)


def train_rows(prepared: Prepared) -> int:
    """How many leading rows of the levels are the train part: the rows ETS and MASE's scale may learn from."""
    config = prepared.config
    return split_rows(len(prepared.values), config.val_fraction, config.test_fraction).train[1]


def evaluate(prepared: Prepared, model, future_steps: int = 0) -> ForecastReport:
    """Score the model, the naive baselines and ETS on the test part; intervals from the validation part, with
    widths for `future_steps` steps of the forecast past the end."""
    from lstm_core.tasks.forecast.ets import ets_baseline
    from lstm_core.tasks.forecast.intervals import interval_summary

    config = prepared.config
    rows, predicted = part_predictions(prepared, model, "test")
    target = prepared.values[:, prepared.windows.target_index]
    train_stop = train_rows(prepared)
    scale = mase_scale(target[:train_stop], prepared.season)
    extra, fit = {}, None
    if len(rows):
        ets_values, fit = ets_baseline(target, train_stop, rows, config.horizon, prepared.season)
        if ets_values is not None:
            extra["ets"] = ets_values
    report = compare(target[rows], predicted, target, rows, config.horizon, prepared.season, scale, extra)
    report.ets = fit.to_dict() if fit is not None else {}
    val_rows, val_predicted = part_predictions(prepared, model, "val")
    report.intervals = interval_summary(target[val_rows] - val_predicted, report.actual, predicted,
                                        future_errors(prepared, model, future_steps))
    return report


def future_errors(prepared: Prepared, model, steps: int) -> list[np.ndarray]:
    """The recursive forecast's errors 1…steps rows ahead, made from every origin in the validation part and
    scored on validation rows only: what a width for each step of the forecast past the end is calibrated on."""
    w, config = prepared.windows, prepared.config
    start, stop = w.split.val
    context = config.timesteps + config.horizon - 1
    origins = np.arange(max(start - 1, context - 1), stop - 1)
    if steps <= 0 or not len(origins):
        return []
    steps = min(steps, stop - 1 - int(origins[0]))
    contexts = np.stack([w.scaled[origin - context + 1:origin + 1] for origin in origins])
    hold = w.scaler.transform(np.zeros((1, len(w.columns))))[0] if differenced(config) else None
    scaled = recursive_forecasts(predict_fn(model), contexts, w.target_index, config.timesteps, config.horizon,
                                 steps, config.multi_step, hold=hold)
    values = w.scaler.inverse_column(scaled, w.target_index)
    target = prepared.values[:, w.target_index]
    shift = 1 if differenced(config) else 0  # seen row i is level row i + 1 with differencing
    if shift:
        values = levels_from_changes(target[origins + 1], values)
    errors = []
    for step in range(1, steps + 1):
        inside = origins + step < stop
        errors.append(target[origins[inside] + step + shift] - values[inside, step - 1])
    return errors


def forecast(prepared: Prepared, model, steps: int) -> np.ndarray:
    w, config = prepared.windows, prepared.config
    # With differencing, features are held at their last level in the future: a change of zero, scaled.
    hold = w.scaler.transform(np.zeros((1, len(w.columns))))[0] if differenced(config) else None
    scaled = recursive_forecast(predict_fn(model), w.scaled, w.target_index, config.timesteps, config.horizon,
                                steps, config.multi_step, hold=hold)
    values = w.scaler.inverse_column(scaled, w.target_index)
    if differenced(config):
        return levels_from_changes(prepared.values[-1, w.target_index], values)
    return values

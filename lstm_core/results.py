"""Metrics in original units, naive baselines, season detection and forecasts past the end."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# MAPE skips actual values this close to zero (relative to the series' typical size): dividing by them explodes.
MAPE_ZERO_SHARE = 1e-3
# Why error_metrics gives MAPE as None (null in JSON), in the words the tables' footnotes use.
MAPE_UNDEFINED = ("MAPE cannot be computed on this test part: its actual values cross zero or are all near zero, "
                  "where a percentage error explodes. MAE and RMSE still compare the models.")
SEASON_MIN_CORRELATION = 0.3
SEASON_PEAK_SHARE = 0.9


def error_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    actual = np.asarray(actual, dtype="float64").ravel()
    predicted = np.asarray(predicted, dtype="float64").ravel()
    errors = predicted - actual
    typical = np.mean(np.abs(actual)) if len(actual) else 0.0
    usable = np.abs(actual) > MAPE_ZERO_SHARE * max(typical, 1e-12)
    # A series that crosses zero passes near it, where percentage errors explode: MAPE says nothing there.
    crosses_zero = len(actual) and actual.min() < 0 < actual.max()
    mape = None if crosses_zero or not usable.any() else float(np.mean(np.abs(errors[usable] / actual[usable])) * 100)
    return {
        "mae": float(np.mean(np.abs(errors))),
        "rmse": float(np.sqrt(np.mean(errors**2))),
        "mape": mape,
    }


def detect_season(series: np.ndarray, max_lag: int | None = None) -> int:
    """The first autocorrelation peak of the detrended series that is nearly as strong as the strongest, or 0.

    A straight-line trend is removed rather than differencing: differencing shrinks a slow cycle and doubles the
    noise, so a plainly seasonal series with a little noise looked aseasonal or gave a multiple of its season.
    """
    values = _finite_values(series)
    max_lag = min(max_lag or len(values) // 3, len(values) // 2, 1000)
    correlation = _autocorrelation(values, max_lag)
    if correlation is None:
        return 0
    peaks = [lag for lag in range(2, max_lag) if correlation[lag] > SEASON_MIN_CORRELATION
             and correlation[lag] >= correlation[lag - 1] and correlation[lag] >= correlation[lag + 1]]
    if not peaks:
        return 0
    # Multiples of the season peak almost as high; noise must not make one of them win.
    strongest = max(correlation[lag] for lag in peaks)
    return next(lag for lag in peaks if correlation[lag] >= SEASON_PEAK_SHARE * strongest)


def season_strength(series: np.ndarray, lag: int) -> float:
    """The detrended series' autocorrelation at `lag` (0 when there are too few values to tell)."""
    values = _finite_values(series)
    if lag < 2 or len(values) < 2 * lag:
        return 0.0
    correlation = _autocorrelation(values, lag)
    return 0.0 if correlation is None else float(correlation[lag])


def _finite_values(series: np.ndarray) -> np.ndarray:
    values = np.asarray(series, dtype="float64")
    return values[np.isfinite(values)]


def _autocorrelation(values: np.ndarray, max_lag: int) -> np.ndarray | None:
    """Autocorrelation at lags 0…max_lag of the series less its straight-line trend; None when it has none."""
    if len(values) < 8:
        return None
    steps = np.arange(len(values))
    spread = np.sum((values - values.mean()) ** 2)
    values = values - np.polyval(np.polyfit(steps, values, 1), steps)
    variance = np.dot(values, values)
    # A constant or straight line leaves only rounding error, which has no season.
    if max_lag < 3 or variance <= 1e-12 * spread:
        return None
    spectrum = np.fft.rfft(values, n=2 * len(values))
    return np.fft.irfft(spectrum * np.conj(spectrum))[: max_lag + 1] / variance


def persistence(target: np.ndarray, target_rows: np.ndarray, horizon: int) -> np.ndarray:
    """The last value seen when the forecast is made: row - horizon."""
    return target[target_rows - horizon]


def seasonal_naive(target: np.ndarray, target_rows: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The value one (or more) seasons before the target, using only rows known at forecast time."""
    back = season * int(np.ceil(horizon / season))
    return target[target_rows - back]


@dataclass
class ForecastReport:
    actual: np.ndarray
    predicted: np.ndarray
    target_rows: np.ndarray
    metrics: dict[str, dict]
    season: int
    verdict: str
    baselines: dict[str, np.ndarray] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"model": self.metrics["model"], "baselines": self.metrics["baselines"],
                "season": self.season, "verdict": self.verdict}


def compare(actual, predicted, target, target_rows, horizon, season) -> ForecastReport:
    baselines = {"persistence": persistence(target, target_rows, horizon)}
    if season and season >= 2 and (target_rows - season * int(np.ceil(horizon / season)) >= 0).all():
        baselines["seasonal_naive"] = seasonal_naive(target, target_rows, horizon, season)
    metrics = {"model": error_metrics(actual, predicted),
               "baselines": {name: error_metrics(actual, values) for name, values in baselines.items()}}
    return ForecastReport(actual, predicted, target_rows, metrics, season, verdict_sentence(metrics),
                          baselines)


def verdict_sentence(metrics: dict) -> str:
    model_mae = metrics["model"]["mae"]
    name, best = min(metrics["baselines"].items(), key=lambda item: item[1]["mae"])
    label = name.replace("_", " ")
    if not np.isfinite(model_mae):
        return "The model produced no finite predictions, so it cannot be compared with the baselines."
    # Rounding leaves an exact baseline a few 1e-15 off zero; a ratio against that is meaningless.
    if best["mae"] <= 1e-9 * model_mae or best["mae"] == 0:
        return f"The {label} baseline is exact on the test part (MAE {best['mae']:.2g}); nothing can beat it."
    change = (best["mae"] - model_mae) / best["mae"] * 100
    if change > 0.5:
        return (f"The LSTM beat the best naive baseline ({label}) by {change:.1f} % in MAE on the test part "
                f"({model_mae:.4g} vs {best['mae']:.4g}).")
    if change >= -0.5:
        return (f"The LSTM is level with the best naive baseline ({label}): MAE {model_mae:.4g} vs "
                f"{best['mae']:.4g}. It has not learnt more than that baseline knows.")
    return (f"The LSTM did not beat the best naive baseline ({label}): its MAE is {-change:.1f} % worse "
            f"({model_mae:.4g} vs {best['mae']:.4g}). Try more epochs, more units, or a longer window.")


def recursive_forecast(predict, scaled: np.ndarray, target_index: int, timesteps: int, horizon: int,
                       steps: int, multi_step: bool, hold: np.ndarray | None = None) -> np.ndarray:
    """Forecast `steps` rows past the end in scaled units, feeding predictions back as inputs.

    Extra feature columns are unknown in the future and are held at their last value, or at `hold`'s values.
    """
    extended = np.asarray(scaled, dtype="float32").copy()
    last = extended[-1].copy() if hold is None else np.asarray(hold, dtype="float32").copy()
    produced: list[float] = []
    while len(produced) < steps:
        end = len(extended)
        if multi_step:
            window = extended[end - timesteps:end][None]
            block = np.asarray(predict(window)).reshape(-1)[:horizon]
        else:
            # The value at row p comes from the window ending at p - horizon.
            stop = end - horizon + 1
            window = extended[stop - timesteps:stop][None]
            block = np.asarray(predict(window)).reshape(-1)[:1]
        for value in block:
            row = last.copy()
            row[target_index] = value
            extended = np.vstack([extended, row])
            produced.append(float(value))
    return np.asarray(produced[:steps])

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


MASE_UNDEFINED = ("MASE cannot be computed: the train part has no seasonal-naive error to scale by (it is too "
                  "short for one season, or repeats itself exactly).")
SMAPE_UNDEFINED = "sMAPE cannot be computed: every actual and predicted value is zero."
# Why a metric is None (null in JSON), for the tables' tooltips and footnotes.
UNDEFINED = {"mape": MAPE_UNDEFINED, "mase": MASE_UNDEFINED, "smape": SMAPE_UNDEFINED}


def error_metrics(actual: np.ndarray, predicted: np.ndarray, scale: float | None = None) -> dict:
    """MAE, RMSE, MAPE %, sMAPE % and MASE (MAE over `scale`, the train part's seasonal-naive MAE). A metric that
    cannot be computed is None, and `undefined` names why."""
    actual = np.asarray(actual, dtype="float64").ravel()
    predicted = np.asarray(predicted, dtype="float64").ravel()
    errors = predicted - actual
    typical = np.mean(np.abs(actual)) if len(actual) else 0.0
    usable = np.abs(actual) > MAPE_ZERO_SHARE * max(typical, 1e-12)
    # A series that crosses zero passes near it, where percentage errors explode: MAPE says nothing there.
    crosses_zero = len(actual) and actual.min() < 0 < actual.max()
    mape = None if crosses_zero or not usable.any() else float(np.mean(np.abs(errors[usable] / actual[usable])) * 100)
    mae = float(np.mean(np.abs(errors)))
    out = {"mae": mae, "rmse": float(np.sqrt(np.mean(errors**2))), "mape": mape,
           "mase": mae / scale if scale else None, "smape": smape(actual, predicted)}
    undefined = {key: UNDEFINED[key] for key in UNDEFINED if out[key] is None}
    if undefined:
        out["undefined"] = undefined
    return out


def smape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Symmetric MAPE in % (0…200): 2|F − A| / (|A| + |F|), averaged over the points where that is defined."""
    denominator = np.abs(actual) + np.abs(predicted)
    usable = denominator > 0
    if not usable.any():
        return None
    return float(np.mean(2 * np.abs(predicted[usable] - actual[usable]) / denominator[usable]) * 100)


def mase_scale(train: np.ndarray, season: int) -> float | None:
    """The in-sample seasonal-naive MAE of the train rows (one step back when there is no season): MASE's
    denominator, so MASE reads the same on any series. None when it is zero or cannot be computed."""
    values = _finite_values(train)
    lag = season if season and season >= 2 else 1
    if len(values) <= lag:
        return None
    scale = float(np.mean(np.abs(values[lag:] - values[:-lag])))
    return scale if scale > 1e-12 * max(float(np.mean(np.abs(values))), 1e-300) else None


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
    # Split-conformal intervals (intervals.interval_summary); empty for reports made before them.
    intervals: dict = field(default_factory=dict)
    # The ETS form chosen on the train rows and its parameters (EtsFit.to_dict), or empty when none fit.
    ets: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"model": self.metrics["model"], "baselines": self.metrics["baselines"],
                "season": self.season, "verdict": self.verdict}


BASELINE_LABELS = {"persistence": "persistence", "seasonal_naive": "seasonal naive", "ets": "ETS"}


def compare(actual, predicted, target, target_rows, horizon, season, scale: float | None = None,
            extra: dict[str, np.ndarray] | None = None) -> ForecastReport:
    """Score the model and the baselines (naive ones made here, others such as ETS given in `extra`)."""
    baselines = {"persistence": persistence(target, target_rows, horizon)}
    if season and season >= 2 and (target_rows - season * int(np.ceil(horizon / season)) >= 0).all():
        baselines["seasonal_naive"] = seasonal_naive(target, target_rows, horizon, season)
    baselines.update(extra or {})
    metrics = {"model": error_metrics(actual, predicted, scale),
               "baselines": {name: error_metrics(actual, values, scale) for name, values in baselines.items()}}
    return ForecastReport(actual, predicted, target_rows, metrics, season, verdict_sentence(metrics),
                          baselines)


def verdict_sentence(metrics: dict) -> str:
    """Whether the LSTM beat the best baseline, in MASE when it is defined (the same ranking as MAE: one scale)."""
    model_mae = metrics["model"]["mae"]
    name, best = min(metrics["baselines"].items(), key=lambda item: item[1]["mae"])
    label = BASELINE_LABELS.get(name, name.replace("_", " "))
    kind = "naive baseline" if name in ("persistence", "seasonal_naive") else "baseline"
    if not np.isfinite(model_mae):
        return "The model produced no finite predictions, so it cannot be compared with the baselines."
    # Rounding leaves an exact baseline a few 1e-15 off zero; a ratio against that is meaningless.
    if best["mae"] <= 1e-9 * model_mae or best["mae"] == 0:
        return f"The {label} baseline is exact on the test part (MAE {best['mae']:.2g}); nothing can beat it."
    change = (best["mae"] - model_mae) / best["mae"] * 100
    unit = "MASE" if metrics["model"].get("mase") is not None else "MAE"
    scores = _scores(metrics["model"], best, label)
    if change > 0.5:
        return f"The LSTM beat the best {kind} ({label}) by {change:.1f} % in {unit} on the test part ({scores})."
    if change >= -0.5:
        return (f"The LSTM is level with the best {kind} ({label}): {scores}. It has not learnt more than that "
                "baseline knows.")
    worse = (best["mae"] - model_mae) / model_mae * -100
    if name == "ets":
        return (f"ETS, the classical baseline, beat the LSTM by {worse:.1f} % in {unit} on the test part "
                f"({scores}): exponential smoothing models level, trend and season directly, and where a series "
                "is mostly those it is hard to beat.")
    return (f"The LSTM did not beat the best {kind} ({label}): its {unit} is {-change:.1f} % worse "
            f"({scores}). Try more epochs, more units, or a longer window.")


def _scores(model: dict, best: dict, label: str) -> str:
    """"MASE: LSTM 0.773, ETS 0.745; MAE: LSTM 0.2093, ETS 0.2018": each number says whose it is."""
    text = f"MAE: LSTM {model['mae']:.4g}, {label} {best['mae']:.4g}"
    if model.get("mase") is not None and best.get("mase") is not None:
        text = f"MASE: LSTM {model['mase']:.3g}, {label} {best['mase']:.3g}; " + text
    return text


def recursive_forecast(predict, scaled: np.ndarray, target_index: int, timesteps: int, horizon: int,
                       steps: int, multi_step: bool, hold: np.ndarray | None = None) -> np.ndarray:
    """Forecast `steps` rows past the end in scaled units, feeding predictions back as inputs.

    Extra feature columns are unknown in the future and are held at their last value, or at `hold`'s values.
    """
    scaled = np.asarray(scaled, dtype="float32")
    return recursive_forecasts(predict, scaled[None], target_index, timesteps, horizon, steps, multi_step, hold)[0]


def recursive_forecasts(predict, contexts: np.ndarray, target_index: int, timesteps: int, horizon: int,
                        steps: int, multi_step: bool, hold: np.ndarray | None = None) -> np.ndarray:
    """`recursive_forecast` from many starting points at once: contexts (origins, rows, columns), each ending at
    its origin's last known row, give (origins, steps). One prediction call serves every origin."""
    contexts = np.asarray(contexts, dtype="float32")
    count, known, columns = contexts.shape
    extended = np.empty((count, known + steps + horizon, columns), dtype="float32")
    extended[:, :known] = contexts
    last = contexts[:, -1] if hold is None else np.broadcast_to(np.asarray(hold, dtype="float32"), (count, columns))
    end = known
    while end - known < steps:
        if multi_step:
            window = extended[:, end - timesteps:end]
            block = np.asarray(predict(window)).reshape(count, -1)[:, :horizon]
        else:
            # The value at row p comes from the window ending at p - horizon.
            stop = end - horizon + 1
            window = extended[:, stop - timesteps:stop]
            block = np.asarray(predict(window)).reshape(count, -1)[:, :1]
        for offset in range(block.shape[1]):
            extended[:, end] = last
            extended[:, end, target_index] = block[:, offset]
            end += 1
    return extended[:, known:known + steps, target_index].astype("float64")

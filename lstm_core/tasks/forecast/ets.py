"""The classical baseline: exponential smoothing (statsmodels' Holt-Winters), fit on the train rows only.

statsmodels chooses the parameters on the train part; the smoothing equations are then run forward over the whole
series with those parameters frozen, so the forecast for a test row made `horizon` rows ahead uses the values known
at that moment and nothing fitted on them, exactly as the LSTM's windows do.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

# Fewer train rows than this and ETS is left out: its parameters would be guesses.
ETS_MIN_ROWS = 10
# Seasons longer than this start from statsmodels' heuristic states: estimating one start value per season
# position by optimisation took seconds for a long season and gained nothing measurable.
ESTIMATED_SEASON_MAX = 24
# statsmodels' brute-force grid for starting values took 3–10× longer here and chose the same forms with the same
# AICc on the samples; the local optimiser alone is enough.
USE_BRUTE = False
# Fits kept in this process, by the train rows' bytes and the season: a second run on the same data and split (a
# learning rate or a unit count changed, the usual next step) reuses the choice instead of fitting six forms again.
KEPT_FITS = 32
# The newest fits are also kept on disk beside the run store (<home>/cache/ets): a fresh worker process, or a
# command run again on the same data, reads it (~11 ms) instead of making it again (0.8-1.1 s on the samples).
# Nothing is written where there is no run store (a Ray node); a file that cannot be read is fitted anew.
DISK_FITS = 256
# What a fit depends on besides its rows: a change here, or in statsmodels, fits again instead of reading old fits.
METHOD = f"statsmodels {version('statsmodels')}, estimated seasons up to {ESTIMATED_SEASON_MAX}, brute {USE_BRUTE}"


@dataclass(frozen=True)
class EtsFit:
    """The chosen form and its parameters: enough to run the smoothing over any continuation of the train rows."""

    trend: str | None
    damped: bool
    season: int
    alpha: float
    beta: float
    gamma: float
    phi: float
    initial_level: float
    initial_trend: float
    initial_seasons: tuple[float, ...]
    aicc: float

    @property
    def name(self) -> str:
        trend = {None: "no trend", "add": "additive trend"}[self.trend]
        if self.damped:
            trend = "damped " + trend
        season = f"additive season {self.season}" if self.season else "no season"
        return f"ETS ({trend}, {season})"

    def to_dict(self) -> dict:
        return {"form": self.name, "trend": self.trend, "damped": self.damped, "season": self.season,
                "alpha": self.alpha, "beta": self.beta, "gamma": self.gamma, "phi": self.phi, "aicc": self.aicc}


_kept: OrderedDict[tuple[str, int], EtsFit | None] = OrderedDict()
_kept_lock = threading.Lock()


def fit_ets(train: np.ndarray, season: int) -> EtsFit | None:
    """The additive Holt-Winters form (trend none / additive / damped, season none / additive) with the lowest AICc
    on `train`, or None when the train part is too short or nothing fits. Multiplicative forms are not tried: they
    need a positive series, and scaled or differenced targets often are not. The fit is deterministic, so one
    made before on the same rows and season is returned as it was (the last KEPT_FITS are kept)."""
    train = np.ascontiguousarray(train, dtype="float64")
    key = (hashlib.blake2b(train.tobytes(), digest_size=16).hexdigest(), int(season))
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    found, fit = _read_disk(key)
    if not found:
        fit = _fit_forms(train, season)
        _write_disk(key, fit)
    with _kept_lock:
        _kept[key] = fit
        while len(_kept) > KEPT_FITS:
            _kept.popitem(last=False)
    return fit


def kept_fits() -> int:
    """How many fits this process keeps now."""
    return len(_kept)


def disk_file(key: tuple[str, int]) -> Path | None:
    """The file of a fit's key on disk, or None where there is no run store."""
    from lstm_core.store import store_home

    home = store_home()
    if not home.is_dir():
        return None
    name = hashlib.blake2b(f"{key[0]} {key[1]} {METHOD}".encode(), digest_size=16).hexdigest()
    return home / "cache" / "ets" / f"{name}.json"


def _read_disk(key: tuple[str, int]) -> tuple[bool, EtsFit | None]:
    path = disk_file(key)
    if path is None:
        return False, None
    try:
        fit = json.loads(path.read_text(encoding="utf-8"))["fit"]
        os.utime(path)  # read recently: among the last to go
        return True, None if fit is None else EtsFit(**{**fit, "initial_seasons": tuple(fit["initial_seasons"])})
    except (OSError, ValueError, KeyError, TypeError):
        return False, None


def _write_disk(key: tuple[str, int], fit: EtsFit | None) -> None:
    from lstm_core.store.files import prune_newest, write_atomic

    path = disk_file(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"fit": None if fit is None else dataclasses.asdict(fit)}).encode())
        prune_newest(path.parent, "*.json", DISK_FITS)
    except OSError:
        pass  # a cache: the fit is still returned


def _fit_forms(train: np.ndarray, season: int) -> EtsFit | None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if len(train) < ETS_MIN_ROWS or not np.isfinite(train).all() or np.ptp(train) == 0:
        return None
    seasons = [0]
    if season >= 2 and len(train) >= 2 * season + 2:
        seasons.append(season)
    fits = []
    for period in seasons:
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            init = "estimated" if period <= ESTIMATED_SEASON_MAX else "heuristic"
            if init == "heuristic" and len(train) < 2 * period + 10:
                continue
            model = ExponentialSmoothing(train, trend=trend, damped_trend=damped,
                                         seasonal="add" if period else None,
                                         seasonal_periods=period or None, initialization_method=init)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence chatter: a poor fit loses on AICc anyway
                try:
                    result = model.fit(use_brute=USE_BRUTE)
                except (ValueError, np.linalg.LinAlgError):
                    continue
            if np.isfinite(result.aicc):
                fits.append(_from_result(result, trend, damped, period))
    return min(fits, key=lambda fit: fit.aicc) if fits else None


def _from_result(result, trend, damped, period) -> EtsFit:
    params = result.params

    def number(key, default=0.0):
        value = params.get(key)
        return default if value is None or not np.isfinite(value) else float(value)

    seasons = tuple(float(v) for v in np.atleast_1d(params.get("initial_seasons", []))) if period else ()
    return EtsFit(trend, damped, period, number("smoothing_level"), number("smoothing_trend"),
                  number("smoothing_seasonal"), number("damping_trend", 1.0) if damped else 1.0,
                  number("initial_level"), number("initial_trend"), seasons, float(result.aicc))


def ets_states(fit: EtsFit, series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level and trend after each row (index 0 = before the first row) and the seasonal term of every row (index j
    = row j, 0-based; rows past the end extend as far as one season), with the fit's parameters held fixed."""
    values = np.asarray(series, dtype="float64")
    rows, period = len(values), fit.season
    level, trend = np.zeros(rows + 1), np.zeros(rows + 1)
    level[0], trend[0] = fit.initial_level, fit.initial_trend if fit.trend else 0.0
    seasonal = np.zeros(rows + period)
    seasonal[:period] = fit.initial_seasons
    for row in range(rows):
        damped = fit.phi * trend[row]
        before = level[row] + damped
        seasonal_now = seasonal[row] if period else 0.0
        level[row + 1] = fit.alpha * (values[row] - seasonal_now) + (1 - fit.alpha) * before
        if fit.trend:
            trend[row + 1] = fit.beta * (level[row + 1] - level[row]) + (1 - fit.beta) * damped
        if period:
            seasonal[row + period] = fit.gamma * (values[row] - before) + (1 - fit.gamma) * seasonal_now
    return level, trend, seasonal


def ets_forecasts(fit: EtsFit, series: np.ndarray, target_rows: np.ndarray, horizon: int) -> np.ndarray:
    """The forecast of each row in `target_rows` made `horizon` rows earlier, from the values known then."""
    level, trend, seasonal = ets_states(fit, series)
    target_rows = np.asarray(target_rows, dtype="int64")
    origins = target_rows - horizon + 1  # states after this many rows were seen
    steps = np.arange(1, horizon + 1)
    damping = float(np.sum(fit.phi ** steps)) if fit.trend else 0.0
    predicted = level[origins] + damping * trend[origins]
    if fit.season:
        # Row r's seasonal term is set by row r - season; past the rows seen, the latest term for its position.
        cycles = max(0, int(np.ceil((horizon - fit.season) / fit.season)))
        predicted = predicted + seasonal[target_rows - fit.season * cycles]
    return predicted


def ets_baseline(target: np.ndarray, train_stop: int, target_rows: np.ndarray, horizon: int,
                 season: int) -> tuple[np.ndarray | None, EtsFit | None]:
    """ETS forecasts for `target_rows` from a fit on rows [0, train_stop) only; (None, None) when it cannot fit."""
    fit = fit_ets(np.asarray(target, dtype="float64")[:train_stop], season)
    if fit is None:
        return None, None
    return ets_forecasts(fit, target, target_rows, horizon), fit

"""Split-conformal prediction intervals: the validation part's absolute errors give each forecast its ± width.

The model never trains on the validation rows, so its errors there are a fair sample of its errors on new rows:
the ⌈(n + 1)·level⌉-th smallest of n of them is a width that covers a new error with at least that probability,
whatever the errors' distribution, as long as the series behaves the same after the validation part.
"""

from __future__ import annotations

import math

import numpy as np

from lstm_core.findings import Finding

LEVELS = (80, 95)
DEFAULT_LEVEL = 80
# A step needs this many validation errors before it gets a width: 19 is the least a 95 % interval can use.
MIN_CALIBRATION = 20
# Coverage further than this (percentage points) from the level, on at least MIN_COVERAGE_POINTS test points,
# is RESULT001.
COVERAGE_TOLERANCE = 10.0
MIN_COVERAGE_POINTS = 20
# Below this many validation errors the width itself is a rough guess.
FEW_CALIBRATION = 50
# Test errors this many times larger (or smaller) than the validation errors, median to median: the series changed.
REGIME_RATIO = 1.5


def conformal_width(errors: np.ndarray, level: float) -> float | None:
    """The split-conformal half-width at `level` % from absolute errors, or None when there are too few of them."""
    errors = np.sort(np.abs(np.asarray(errors, dtype="float64")[np.isfinite(errors)]))
    rank = math.ceil((len(errors) + 1) * level / 100)
    if len(errors) < MIN_CALIBRATION or rank > len(errors):
        return None
    return float(errors[rank - 1])


def step_widths(errors_by_step: list[np.ndarray], level: float) -> list[float]:
    """A width per step ahead, up to the first step with too few validation errors."""
    widths = []
    for errors in errors_by_step:
        width = conformal_width(errors, level)
        if width is None:
            break
        widths.append(width)
    return widths


def coverage(actual: np.ndarray, predicted: np.ndarray, width: float) -> float:
    """Percentage of actual values inside predicted ± width."""
    actual, predicted = np.asarray(actual, dtype="float64"), np.asarray(predicted, dtype="float64")
    if not len(actual):
        return float("nan")
    return float(np.mean(np.abs(actual - predicted) <= width) * 100)


def interval_summary(val_errors: np.ndarray, test_actual: np.ndarray, test_predicted: np.ndarray,
                     future_errors: list[np.ndarray]) -> dict:
    """Per level: the test part's width and coverage, and a width for each step of the forecast past the end."""
    levels = {}
    for level in LEVELS:
        width = conformal_width(val_errors, level)
        levels[level] = {"width": width,
                         "coverage": None if width is None else coverage(test_actual, test_predicted, width),
                         "future_widths": step_widths(future_errors, level)}
    test_errors = np.abs(np.asarray(test_actual, dtype="float64") - np.asarray(test_predicted, dtype="float64"))
    return {"levels": levels, "calibration_windows": int(np.isfinite(val_errors).sum()),
            "test_points": len(test_actual),
            "val_median_error": _median(val_errors), "test_median_error": _median(test_errors)}


def _median(errors) -> float | None:
    errors = np.abs(np.asarray(errors, dtype="float64"))
    errors = errors[np.isfinite(errors)]
    return float(np.median(errors)) if len(errors) else None


def coverage_sentence(intervals: dict, level: int) -> str:
    """"80 % interval covered 77 % of test points (±3.1 in the target's units)", or why there is none."""
    entry = intervals["levels"].get(level) or intervals["levels"].get(str(level))
    if entry is None or entry["width"] is None:
        return (f"No {level} % interval: the validation part gave {intervals['calibration_windows']} errors, and "
                f"an interval needs at least {MIN_CALIBRATION}.")
    return (f"{level} % interval covered {entry['coverage']:.0f} % of test points "
            f"(±{entry['width']:.4g} in the target's units, from {intervals['calibration_windows']} validation "
            "errors).")


def coverage_findings(intervals: dict) -> list[Finding]:
    """RESULT001 for each level whose test coverage is far from nominal, with the likelier reason."""
    findings = []
    if intervals["test_points"] < MIN_COVERAGE_POINTS:
        return findings
    for level, entry in intervals["levels"].items():
        if entry["coverage"] is None or abs(entry["coverage"] - float(level)) <= COVERAGE_TOLERANCE:
            continue
        findings.append(_coverage_finding(int(level), entry, intervals))
    return findings


def _coverage_finding(level: int, entry: dict, intervals: dict) -> Finding:
    windows = intervals["calibration_windows"]
    val_error, test_error = intervals["val_median_error"], intervals["test_median_error"]
    ratio = test_error / val_error if val_error and test_error is not None else None
    if windows < FEW_CALIBRATION:
        reason = (f"only {windows} validation errors set the width, so it is a rough guess. A larger "
                  "validation part gives a steadier one.")
    elif ratio is not None and (ratio > REGIME_RATIO or ratio < 1 / REGIME_RATIO):
        reason = (f"the model's typical error on the test part is {ratio:.2g}× its error on the validation part: "
                  "the series behaves differently there (a new level, trend or noise), and an interval calibrated "
                  "on the earlier rows does not fit the later ones.")
    else:
        reason = ("the errors on the test part are not like those on the validation part, although their typical "
                  "size is similar; with few test points the coverage itself swings.")
    side = "narrow" if entry["coverage"] < level else "wide"
    return Finding(
        "RESULT001", "warning", f"The {level} % interval covered {entry['coverage']:.0f} % of test points",
        f"The interval is too {side} for the test part: {reason}",
        evidence={"level": level, "coverage": round(entry["coverage"], 1), "width": entry["width"],
                  "validation_errors": windows, "test_points": intervals["test_points"],
                  "error_ratio_test_to_validation": None if ratio is None else round(ratio, 3)},
        area="results")


def level_entry(intervals: dict, level: int) -> dict | None:
    levels = intervals.get("levels", {}) if intervals else {}
    return levels.get(level) or levels.get(str(level))


def forecast_band(intervals: dict, level: int, future: np.ndarray) -> dict:
    """The interval at `level` for a forecast past the end: lower and upper bounds for as many of its steps as the
    validation part could calibrate (the band stops there), with the test part's coverage."""
    entry = level_entry(intervals, level) or {"width": None, "coverage": None, "future_widths": []}
    future = np.asarray(future, dtype="float64")
    widths = np.asarray(entry["future_widths"][:len(future)], dtype="float64")
    shown = future[:len(widths)]
    return {"level": level, "coverage": entry["coverage"], "test_width": entry["width"],
            "widths": widths.tolist(), "lower": (shown - widths).tolist(), "upper": (shown + widths).tolist(),
            "calibration_windows": intervals.get("calibration_windows", 0) if intervals else 0}

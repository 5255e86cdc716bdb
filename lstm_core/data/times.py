"""Finding a table's time column (dates, yyyymmdd numbers, years) and reading it as datetimes."""

from __future__ import annotations

import re

import pandas as pd

from lstm_core.data.numbers import MISSING_MARKERS, NUMERIC_SHARE

TIME_NAME_HINTS = ("date", "time", "timestamp", "datetime", "day", "month", "year", "period", "ds", "week")


def find_time_column(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        series = frame[column]
        hinted = _has_time_name(column)
        if pd.api.types.is_datetime64_any_dtype(series):
            return column
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            if _parses_as_dates(series):
                return column
        elif pd.api.types.is_integer_dtype(series) or _is_whole(series):
            values = series.dropna()
            if values.empty:
                continue
            if _is_yyyymmdd(values) or (_is_year(values) and (hinted or values.is_monotonic_increasing)):
                return column
    return None


def _has_time_name(column: str) -> bool:
    # Whole words only ("order_date", "OrderDate", "ds"), so "downloads" or "holiday" are not time names.
    words = re.split(r"[^a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", column).lower())
    return any(word.removesuffix("s") in TIME_NAME_HINTS or word in TIME_NAME_HINTS for word in words)


def _is_whole(series: pd.Series) -> bool:
    if not pd.api.types.is_float_dtype(series):
        return False
    values = series.dropna()
    return not values.empty and bool((values == values.round()).all())


def _is_yyyymmdd(values: pd.Series) -> bool:
    if not ((values >= 10000101) & (values <= 29991231)).all():
        return False
    parsed = pd.to_datetime(values.astype("int64").astype(str), format="%Y%m%d", errors="coerce")
    return bool(parsed.notna().all())


def _is_year(values: pd.Series) -> bool:
    return bool(((values >= 1000) & (values <= 2999)).all()) and values.is_unique and len(values) > 2


def _parses_as_dates(series: pd.Series) -> bool:
    sample = series.dropna().head(1000).astype(str).str.strip()
    sample = sample[~sample.str.lower().isin(MISSING_MARKERS)].head(200)
    if sample.empty or not sample.str.contains(r"\d").all():
        return False
    if sample.str.fullmatch(r"-?\d+([.,]\d+)?").any():
        return False
    parsed = to_datetime(sample)
    return bool(parsed.notna().mean() >= NUMERIC_SHARE)


def to_datetime(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype("Int64").astype(str)
        if values.str.len().eq(8).all():
            return pd.to_datetime(values, format="%Y%m%d", errors="coerce")
        return pd.to_datetime(values, format="%Y", errors="coerce")
    text = series.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
    if parsed.notna().mean() < NUMERIC_SHARE:
        parsed = pd.to_datetime(text, format="mixed", errors="coerce", dayfirst=False)
    return parsed

"""Calendar tables read as the series they hold: a column per month (quarter, weekday) melted into one dated series,
and separate year + quarter (or month) columns combined into dates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.findings import Finding
from lstm_core.tasks.forecast.recommend import recommend

# Month names and abbreviations, accents and dots removed: English, German, French, Spanish, Italian, Dutch,
# Portuguese. pandas itself knows only the English names (%b, %B); a header in another language is common enough.
_MONTH_WORDS = (
    "jan january januar janner jan janv janvier ene enero gen gennaio januari janeiro",
    "feb february februar fev fevr fevrier febrero febbraio februari fevereiro",
    "mar march marz mars marzo mrt maart marco",
    "apr april avr avril abr abril aprile",
    "may mai mayo mag maggio mei maio",
    "jun june juni juin junio giu giugno junho",
    "jul july juli juil juillet julio lug luglio julho",
    "aug august aout ago agosto augustus",
    "sep sept september septembre septiembre setiembre set settembre setembro",
    "oct october okt oktober octobre octubre ott ottobre out outubro",
    "nov november novembre noviembre novembro",
    "dec december dez dezember decembre dic diciembre dicembre dezembro",
)
MONTHS = {word: number for number, words in enumerate(_MONTH_WORDS, 1) for word in words.split()}
WEEKDAYS = {word: number for number, words in enumerate((
    "mon monday mo", "tue tues tuesday tu", "wed wednesday we", "thu thur thurs thursday th", "fri friday fr",
    "sat saturday sa", "sun sunday su"), 1) for word in words.split()}
_QUARTER = re.compile(r"^(?:q|qtr|quarter)\s*([1-4])$|^([1-4])\s*q$")
# A table needs this many distinct periods as columns to be read as a calendar table.
MIN_PERIODS = {"months": 10, "quarters": 4, "weekdays": 5}
SEASONS = {"months": 12, "quarters": 4, "weekdays": 7}
PERIOD_WORDS = {"months": "month", "quarters": "quarter", "weekdays": "weekday"}
SERIES_WORDS = {"months": "monthly", "quarters": "quarterly", "weekdays": "daily"}
ROW_WORDS = {"months": "year", "quarters": "year", "weekdays": "week"}
# Trailing columns with these words in their names hold a row's total or mean, not another period.
_TOTAL = re.compile(r"total|annual|year|sum|avg|average|mean|ytd|jahr|gesamt|summe|week", re.IGNORECASE)
VALUE_COLUMN, DATE_COLUMN = "value", "date"
YEAR_NAMES = {"year", "yr", "yyyy", "jahr", "annee", "ano", "anno", "jaar"}
PART_NAMES = {"quarter": {"quarter", "qtr", "q", "quartal", "trimestre"},
              "month": {"month", "mon", "mm", "monat", "mois", "mes", "mese", "maand"}}


@dataclass
class PeriodTable:
    """Where a calendar table keeps its periods: which columns, in which order, keyed by which column."""

    kind: str
    columns: list[str]
    positions: list[int]
    key: str | None
    totals: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def season(self) -> int:
        return SEASONS[self.kind]


def period_of(name, kind: str) -> int | None:
    """The period (1 = January, Q1, Monday) a column name stands for, or None."""
    word = _plain_word(name)
    if kind == "months":
        if re.fullmatch(r"0?[1-9]|1[0-2]", word):
            return int(word)
        return MONTHS.get(word)
    if kind == "quarters":
        match = _QUARTER.match(word)
        return int(match.group(1) or match.group(2)) if match else None
    return WEEKDAYS.get(word)


def _plain_word(name) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return text.strip().strip(".").lower()


def find_period_table(frame: pd.DataFrame, kind: str | None = None) -> PeriodTable | None:
    """The calendar layout of a frame whose columns are periods (of `kind`, or of the first kind that fits)."""
    for candidate in ([kind] if kind else list(MIN_PERIODS)):
        found = {column: period_of(column, candidate) for column in frame.columns}
        found = {column: period for column, period in found.items() if period is not None
                 and pd.api.types.is_numeric_dtype(frame[column])}
        if len(set(found.values())) < MIN_PERIODS[candidate] or len(set(found.values())) != len(found):
            continue
        order = sorted(found, key=found.get)
        rest = [c for c in frame.columns if c not in found]
        key = next((c for c in rest if _row_key(frame[c], candidate) is not None), None)
        last = max(list(frame.columns).index(c) for c in found)
        totals = [c for c in rest if c != key and list(frame.columns).index(c) > last and _TOTAL.search(str(c))]
        others = [c for c in rest if c not in (key, *totals)]
        return PeriodTable(candidate, order, [found[c] for c in order], key, totals, others, len(frame))
    return None


def _row_key(series: pd.Series, kind: str) -> pd.Series | None:
    """What each row stands for: its year (months, quarters) or the date in its week (weekdays)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series if kind == "weekdays" else series.dt.year
    if kind == "weekdays" or not pd.api.types.is_numeric_dtype(series):
        return None
    values = series.dropna()
    whole = len(values) == len(series) and bool((values == values.round()).all())
    if whole and ((values >= 1000) & (values <= 2999)).all() and values.is_unique:
        return series.astype("int64")
    return None


def layout_note(table: PeriodTable) -> Finding:
    """The finding that names the layout and offers the melt as a fix."""
    period, series = PERIOD_WORDS[table.kind], SERIES_WORDS[table.kind]
    rows = table.rows * len(table.columns)
    left_out = _left_out_sentence(table)
    fix = {"reshape": table.kind, "target": VALUE_COLUMN, "features": [], "season": table.season,
           "timesteps": recommend(rows, table.season)["timesteps"]}
    return Finding(
        "DATA110", "warning",
        f"{len(table.columns)} {period} columns: this looks like a {series} series laid out by {ROW_WORDS[table.kind]}",
        f"Each row holds one {ROW_WORDS[table.kind]} and each of the columns {_span(table.columns)} one {period}, so "
        f"the file is read as {table.rows} rows of a series whose target is one {period} column. Melted into one "
        f"dated {series} series it gives {rows:,} rows and a season of {table.season}.{left_out}",
        evidence={"layout": table.kind, "period_columns": len(table.columns), "rows": table.rows,
                  "key_column": table.key, "left_out": [*table.totals, *table.others]},
        fix=fix, area="data")


def _span(columns: list[str]) -> str:
    return f"'{columns[0]}' … '{columns[-1]}'" if len(columns) > 2 else ", ".join(f"'{c}'" for c in columns)


def _left_out_sentence(table: PeriodTable) -> str:
    parts = []
    if table.totals:
        parts.append(", ".join(f"'{c}'" for c in table.totals) + f" (a {ROW_WORDS[table.kind]}'s total or mean, "
                     "not another period)")
    if table.others:
        parts.append(", ".join(f"'{c}'" for c in table.others[:5]))
    return f" Left out when melting: {'; '.join(parts)}." if parts else ""


def melt_periods(frame: pd.DataFrame, table: PeriodTable) -> pd.DataFrame:
    """One row per period, in time order: a `date` column (when the rows have a key) and a `value` column."""
    key = _row_key(frame[table.key], table.kind) if table.key else pd.Series(np.arange(len(frame)), index=frame.index)
    values = frame[table.columns].to_numpy(dtype="float64")
    rows, periods = np.meshgrid(np.arange(len(frame)), table.positions, indexing="ij")
    long = pd.DataFrame({"row": key.to_numpy()[rows.ravel()], "period": periods.ravel(), VALUE_COLUMN: values.ravel()})
    if table.key is None:
        long = long.sort_values(["row", "period"], kind="stable").drop(columns=["row", "period"])
    else:
        long.insert(0, DATE_COLUMN, _dates(long["row"], long["period"], table.kind))
        long = long.drop(columns=["row", "period"]).sort_values(DATE_COLUMN, kind="stable")
    filled = np.flatnonzero(long[VALUE_COLUMN].notna().to_numpy())
    # Months after the last value (this year's, not yet measured) and before the first are no gaps.
    long = long.iloc[filled[0]:filled[-1] + 1] if len(filled) else long.iloc[:0]
    return long.reset_index(drop=True)


def _dates(row: pd.Series, period: pd.Series, kind: str) -> pd.Series:
    if kind == "weekdays":
        start = pd.to_datetime(row)
        offset = (period - 1 - start.dt.day_of_week) % 7
        return start.dt.normalize() + pd.to_timedelta(offset, unit="D")
    month = period if kind == "months" else 3 * (period - 1) + 1
    return pd.to_datetime(pd.DataFrame({"year": row, "month": month, "day": 1}))


def melted_note(table: PeriodTable, rows: int, gaps: int) -> Finding:
    series = SERIES_WORDS[table.kind]
    dated = (f"dated from the '{table.key}' column and the {PERIOD_WORDS[table.kind]}" if table.key
             else "in row order (no year column was found, so there are no dates)")
    gap_text = (f" {gaps} {PERIOD_WORDS[table.kind]}(s) without a value are missing values in the series."
                if gaps else "")
    return Finding(
        "DATA111", "info", f"Read as one {series} series: {len(table.columns)} {PERIOD_WORDS[table.kind]} columns "
                           "melted",
        f"The {table.rows} rows × {len(table.columns)} {PERIOD_WORDS[table.kind]} columns became {rows:,} rows in a "
        f"'{VALUE_COLUMN}' column, {dated}.{gap_text}{_left_out_sentence(table)}",
        evidence={"layout": table.kind, "rows": rows, "missing": gaps, "left_out": [*table.totals, *table.others]},
        area="data")


def nothing_to_melt(kind: str) -> Finding:
    return Finding(
        "DATA111", "info", f"No {PERIOD_WORDS[kind]} columns to melt",
        f"reshape = '{kind}' was asked for, but this file has no row of {PERIOD_WORDS[kind]} columns; it is read "
        "as it is.", evidence={"layout": kind}, area="data")


def combine_date_parts(frame: pd.DataFrame) -> tuple[pd.DataFrame, Finding | None]:
    """A `year` column and a `quarter` (or `month`) column become one `date` column; the note says so."""
    year = next((c for c in frame.columns if _plain_word(c) in YEAR_NAMES and _years(frame[c]) is not None), None)
    if year is None:
        return frame, None
    for kind, names in PART_NAMES.items():
        part = next((c for c in frame.columns if c != year and _plain_word(c) in names), None)
        positions = _part_positions(frame[part], kind) if part is not None else None
        if positions is None:
            continue
        month = positions if kind == "month" else 3 * (positions - 1) + 1
        dates = pd.to_datetime(pd.DataFrame({"year": _years(frame[year]), "month": month, "day": 1}))
        out = frame.drop(columns=[year, part])
        name = DATE_COLUMN if DATE_COLUMN not in out.columns else f"{DATE_COLUMN}_{kind}"
        out.insert(list(frame.columns).index(year), name, dates)
        season = 4 if kind == "quarter" else 12
        return out, Finding(
            "DATA112", "info", f"'{year}' and '{part}' combined into dates",
            f"The file keeps the year and the {kind} in two columns; together they give each row a date (the first "
            f"day of its {kind}), so the series has a time axis and a season of {season} can be found. The column "
            f"'{name}' replaces them.",
            evidence={"year_column": year, f"{kind}_column": part, "time_column": name}, area="data")
    return frame, None


def _years(series: pd.Series) -> pd.Series | None:
    if not pd.api.types.is_numeric_dtype(series) or series.isna().any():
        return None
    whole = bool((series == series.round()).all())
    return series.astype("int64") if whole and ((series >= 1000) & (series <= 2999)).all() else None


def _part_positions(series: pd.Series, kind: str) -> pd.Series | None:
    """1…4 (quarters) or 1…12 (months) for every row, from numbers, Q1…Q4 or month names; None when any fails."""
    if series.isna().any():
        return None
    highest = 4 if kind == "quarter" else 12
    if pd.api.types.is_numeric_dtype(series):
        ok = bool(((series >= 1) & (series <= highest) & (series == series.round())).all())
        return series.astype("int64") if ok else None
    periods = series.map(lambda cell: period_of(cell, "quarters" if kind == "quarter" else "months"))
    return None if periods.isna().any() else periods.astype("int64")

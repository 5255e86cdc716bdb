"""Reading a CSV into a typed description of a time series (pandas does the parsing)."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_core.data.periods import (
    VALUE_COLUMN,
    combine_date_parts,
    find_period_table,
    layout_note,
    melt_periods,
    melted_note,
    nothing_to_melt,
)
from lstm_core.findings import Finding, ProblemError
from lstm_core.limits import how_to_change, limit

DELIMITERS = [",", ";", "\t", "|"]
FALLBACK_ENCODING = "cp1252"
TIME_NAME_HINTS = ("date", "time", "timestamp", "datetime", "day", "month", "year", "period", "ds", "week")
# A text column counts as numeric when at least this share of its filled cells are numbers.
NUMERIC_SHARE = 0.9
# Cells that stand for "no value". pandas would silently turn them into NaN; we read them as missing and say so.
MISSING_MARKERS = frozenset({"n/a", "na", "nan", "null", "none", "-", "?", "#n/a", "missing"})
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])-?\d+,\d+(?![\d.,])")
# "1.234,5": dots group the thousands, a comma marks the decimals.
_DOTTED_THOUSANDS = re.compile(r"(?<![\d.,])-?\d{1,3}(\.\d{3})+,\d+(?![\d.,])")
_THOUSANDS = {".": re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"), ",": re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")}
CURRENCY_SIGNS = "$€£¥₹"
# File signatures of things people rename to .csv: the message names what the file really is.
SIGNATURES = {b"PK\x03\x04": "an Excel workbook (.xlsx) or another ZIP archive",
              b"\xd0\xcf\x11\xe0": "an Excel 97–2003 workbook (.xls)", b"%PDF": "a PDF document",
              b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image"}
# Byte-order marks of UTF-16/32 text, as Excel's "Unicode text" export writes; the longer marks first.
BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"))


@dataclass
class Dataset:
    name: str
    frame: pd.DataFrame
    time_column: str | None = None
    numeric_columns: list[str] = field(default_factory=list)
    other_columns: list[str] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    # "none", or the calendar columns melted into this one series (RunConfig.reshape).
    reshaped: str = "none"

    @property
    def rows(self) -> int:
        return len(self.frame)

    def missing_counts(self, columns: list[str] | None = None) -> dict[str, int]:
        columns = columns or self.numeric_columns
        return {c: int(self.frame[c].isna().sum()) for c in columns}

    def summary(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "columns": list(self.frame.columns),
            "numeric_columns": self.numeric_columns,
            "time_column": self.time_column,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "missing": self.missing_counts(),
        }


def load_csv(source: bytes | str | Path, name: str | None = None, require_numeric: bool = True) -> Dataset:
    """Read CSV bytes or a path. Raises ProblemError with a finding for anything unusable; a file without any
    numeric column is unusable unless require_numeric is False (texts with text labels)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ProblemError(_problem("DATA002", f"Cannot open {name}", f"{exc.strerror or exc}.",
                                        "Check the path and that the file is readable.")) from None
    else:
        raw = bytes(source)
    name = name or "upload.csv"
    text, encoding = decode_text(raw, name)
    delimiter = sniff_delimiter(text)
    head = text[:20000]
    decimal = "," if delimiter != "," and (_DECIMAL_COMMA.search(head) or _DOTTED_THOUSANDS.search(head)) else "."
    check_columns(text, name, delimiter)
    frame, notes = _parse(text, name, delimiter, decimal)
    check_size(frame, name)
    return describe(frame, name, encoding=encoding, delimiter=delimiter, decimal=decimal, notes=notes,
                    require_numeric=require_numeric)


def check_columns(text: str, name: str, delimiter: str) -> None:
    """The column limit, from the header line alone, before pandas spends memory on a huge table."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    columns = len(next(csv.reader([first], delimiter=delimiter), []))
    if columns > limit("max_columns"):
        raise ProblemError(_limit_problem("LIMIT002", f"{name} has {columns:,} columns", "max_columns",
                                          "Keep the columns you need (the target and a few features) and upload "
                                          "that."))


def check_size(frame: pd.DataFrame, name: str) -> None:
    rows, columns = frame.shape
    if rows > limit("max_rows"):
        raise ProblemError(_limit_problem("LIMIT001", f"{name} has more than {limit('max_rows'):,} rows",
                                          "max_rows", "Upload a shorter stretch, or aggregate the rows (hourly "
                                                      "instead of every minute)."))
    if rows * columns > limit("max_cells"):
        raise ProblemError(_limit_problem("LIMIT003", f"{name} has {rows * columns:,} cells ({rows:,} rows × "
                                                      f"{columns:,} columns)", "max_cells",
                                          "Drop columns you do not use, or upload fewer rows."))


def _limit_problem(code: str, title: str, name: str, action: str) -> Finding:
    return Finding(code=code, severity="error", title=title,
                   detail=f"This server reads at most {limit(name):,} {DESCRIPTIONS_SHORT[name]}. {action} "
                          f"{how_to_change(name)}",
                   evidence={"limit": limit(name), "setting": name}, area="data")


DESCRIPTIONS_SHORT = {"max_rows": "rows", "max_columns": "columns", "max_cells": "cells (rows × columns)"}


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    if not raw.strip():
        raise ProblemError(_problem("DATA001", f"{name} is empty", "The file has no content.",
                                    "Upload a CSV with a header row and at least one row of numbers."))
    for mark, encoding in BOMS:
        if raw.startswith(mark):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    for signature, what in SIGNATURES.items():
        if raw.startswith(signature):
            raise ProblemError(_problem("DATA002", f"{name} is not a text CSV: it is {what}",
                                        f"The file starts with the bytes of {what}, not with text.",
                                        "Open it in its program and save or export it as CSV (in Excel: "
                                        "File › Save As › CSV UTF-8), then upload the .csv."))
    if b"\x00" in raw[:8192]:
        raise ProblemError(_problem("DATA002", f"{name} is not a text CSV",
                                    "The file contains binary bytes (NUL), as a spreadsheet, archive or "
                                    "image does.",
                                    "Export the sheet as CSV (comma- or semicolon-separated text) and "
                                    "upload that."))
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:50]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    # The delimiter that appears the same non-zero number of times on most lines.
    best, best_score = ",", 0
    for candidate in DELIMITERS:
        counts = [line.count(candidate) for line in lines]
        if not counts or max(counts) == 0:
            continue
        score = counts.count(counts[0]) * (counts[0] > 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _parse(text: str, name: str, delimiter: str, decimal: str) -> tuple[pd.DataFrame, list[Finding]]:
    notes: list[Finding] = []
    frame = _read(text, name, delimiter, decimal, header=0)
    if _looks_headerless(frame.columns):
        frame = _read(text, name, delimiter, decimal, header=None)
        frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
        notes.append(_note("DATA106", f"{name} has no header row",
                           "The first line holds numbers, not column names, so it was read as data and the "
                           f"columns were named column_1 … column_{frame.shape[1]}. Add a header row to name them.",
                           {"columns": frame.shape[1]}))
    frame.columns, renamed = _unique_names(_header_names(text, delimiter, frame.columns))
    if renamed:
        notes.append(_note("DATA108", f"{len(renamed)} repeated column name(s) made unique",
                           "Columns must have distinct names to be chosen: "
                           + ", ".join(f"'{old}' → '{new}'" for old, new in renamed[:5]) + ".",
                           {"renamed": dict(renamed)}))
    if frame.empty:
        raise ProblemError(_problem("DATA001", f"{name} has a header but no rows",
                                    f"Columns found: {', '.join(map(str, frame.columns[:10]))}.",
                                    "Upload a file with data rows under the header."))
    return frame, notes


def _read(text: str, name: str, delimiter: str, decimal: str, header: int | None) -> pd.DataFrame:
    try:
        # One row past the limit is enough to know the file is too long, without reading all of it.
        return pd.read_csv(io.StringIO(text), sep=delimiter, decimal=decimal, skipinitialspace=True,
                           keep_default_na=False, na_values=[""], on_bad_lines="error", header=header,
                           nrows=limit("max_rows") + 1, engine="python" if len(delimiter) > 1 else "c")
    except pd.errors.EmptyDataError:
        raise ProblemError(_problem("DATA001", f"{name} has no rows",
                                    "The file holds no header and no data.",
                                    "Upload a CSV with a header row and rows of numbers.")) from None
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ProblemError(_problem("DATA002", f"{name} could not be read as CSV",
                                    f"pandas stopped with: {first}. Rows must all have the same number of "
                                    f"fields, separated by {_delimiter_name(delimiter)}.",
                                    "Open the file in a spreadsheet, fix the rows named above, and export "
                                    "it again as CSV.", original=str(exc))) from None


def _looks_headerless(columns) -> bool:
    """Every "name" in the first line is a number, and not the 0, 1, 2 … or 1, 2, 3 … of a wide layout's steps."""
    numbers = pd.to_numeric(pd.Series([str(c).strip() for c in columns]), errors="coerce")
    if numbers.isna().any():
        return False
    whole = (numbers == numbers.round()).all()
    counting = whole and (numbers.diff().dropna() == 1).all()
    return not counting


def _header_names(text: str, delimiter: str, parsed) -> list[str]:
    """The names as written: pandas renames repeats ("a", "a.1"), which would hide that they repeat."""
    if [str(c) for c in parsed][:1] == ["column_1"]:
        return [str(c) for c in parsed]
    written = next(csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter), [])
    if len(written) != len(parsed):
        return [str(c).strip() for c in parsed]
    return [str(c).strip() or str(p) for c, p in zip(written, parsed, strict=True)]


def _unique_names(names: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    seen: set[str] = set()
    out, renamed = [], []
    for name in names:
        unique, n = name, 0
        while unique in seen:
            n += 1
            unique = f"{name}.{n}"
        seen.add(unique)
        out.append(unique)
        if unique != name:
            renamed.append((name, unique))
    return out, renamed


def describe(frame: pd.DataFrame, name: str, encoding: str = "utf-8", delimiter: str = ",",
             decimal: str = ".", notes: list[Finding] | None = None, require_numeric: bool = True) -> Dataset:
    """Type the columns of a parsed frame, find and sort by its time column."""
    frame = frame.copy()
    notes = list(notes or [])
    if encoding == FALLBACK_ENCODING:
        notes.append(_note("DATA101", f"Read {name} as {encoding}",
                           f"The file is not valid UTF-8; it was decoded as {encoding} (Windows Western).",
                           {"encoding": encoding}))
    elif encoding != "utf-8":
        notes.append(_note("DATA101", f"Read {name} as {encoding.upper()}",
                           f"The file starts with a {encoding.upper()} byte-order mark and was decoded as such.",
                           {"encoding": encoding}))
    if decimal == ",":
        notes.append(_note("DATA102", "Decimal commas read as decimal points",
                           f"Fields are separated by {_delimiter_name(delimiter)} and numbers such as "
                           "3,14 use a decimal comma.", {"delimiter": delimiter}))
    frame, empty = _without_empty_columns(frame)
    if empty:
        nameless = [c for c in empty if c.startswith("Unnamed: ")]
        named = [c for c in empty if c not in nameless]
        parts = []
        if nameless:
            parts.append(f"{len(nameless)} unnamed empty column(s) were left out: a delimiter at the end of every "
                         "row makes one.")
        if named:
            parts.append("No cell holds a value in " + ", ".join(f"'{c}'" for c in named[:5]) + ": such a column "
                         "is never the default target, and as a feature it only adds missing values.")
        notes.append(_note("DATA109", f"{len(empty)} column(s) without a single value", " ".join(parts),
                           {"columns": empty}))
    for column in list(frame.columns):
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            converted, bad, cleaned = _as_numbers(frame[column], decimal)
            if converted is not None:
                frame[column] = converted
                if cleaned:
                    examples = list(dict.fromkeys(cleaned))[:3]
                    notes.append(_note("DATA107", f"Column '{column}': {len(cleaned)} number(s) written with "
                                                  "symbols",
                                       f"Cells such as {', '.join(repr(c) for c in examples)} were read as numbers "
                                       "without their currency sign, percent sign, thousands separators, quotes "
                                       "or apostrophe (45% is read as 45, not 0.45).",
                                       {"column": column, "cells": len(cleaned)}))
                if bad:
                    examples = list(dict.fromkeys(bad))[:3]
                    notes.append(_note("DATA103", f"Column '{column}': {len(bad)} text cell(s) read as missing",
                                       f"Cells such as {', '.join(repr(b) for b in examples)} are not numbers; "
                                       "they are treated as missing values.",
                                       {"column": column, "cells": len(bad)}))
    frame, combined = combine_date_parts(frame)
    if combined is not None:
        notes.append(combined)
    time_column = _find_time_column(frame)
    if time_column is not None:
        frame[time_column] = _to_datetime(frame[time_column])
        order = frame[time_column]
        if not order.is_monotonic_increasing:
            frame = frame.sort_values(time_column, kind="stable").reset_index(drop=True)
            notes.append(_note("DATA104", f"Rows sorted by '{time_column}'",
                               "The rows were not in time order; they were sorted by the time column.",
                               {"column": time_column}))
    numeric = [c for c in frame.columns if c != time_column and pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    for column in numeric:
        frame[column] = frame[column].astype("float64")
        infinite = int(np.isinf(frame[column].to_numpy()).sum())
        if infinite:
            frame[column] = frame[column].replace([np.inf, -np.inf], np.nan)
            notes.append(_note("DATA105", f"Column '{column}': {infinite} infinite value(s) read as missing",
                               "inf and -inf cannot be learnt from; they are treated as missing values.",
                               {"column": column, "cells": infinite}))
    others = [c for c in frame.columns if c != time_column and c not in numeric]
    if not numeric and require_numeric:
        raise ProblemError(_problem("DATA003", f"{name} has no numeric column",
                                    "An LSTM learns from numbers, and no column here holds numbers "
                                    f"(columns: {', '.join(map(str, frame.columns[:10]))}).",
                                    "Upload a CSV with at least one column of numbers; text columns can "
                                    "stay alongside."))
    table = find_period_table(frame)
    if table is not None:
        notes.append(layout_note(table))
    return Dataset(name=name, frame=frame, time_column=time_column, numeric_columns=numeric,
                   other_columns=others, notes=notes, encoding=encoding, delimiter=delimiter, decimal=decimal)


def reshaped(dataset: Dataset, how: str) -> Dataset:
    """The dataset with its month (quarter, weekday) columns melted into one dated series, as RunConfig.reshape
    asks; the same dataset when `how` is "none" or it is already melted that way."""
    if how in ("none", dataset.reshaped):
        return dataset
    table = find_period_table(dataset.frame, how)
    kept = [note for note in dataset.notes if note.code != "DATA110"]
    if table is None:
        return dataclasses.replace(dataset, notes=[*kept, nothing_to_melt(how)], reshaped=how)
    long = melt_periods(dataset.frame, table)
    gaps = int(long[VALUE_COLUMN].isna().sum())
    out = describe(long, dataset.name, notes=[*kept, melted_note(table, len(long), gaps)])
    return dataclasses.replace(out, encoding=dataset.encoding, delimiter=dataset.delimiter, decimal=dataset.decimal,
                               reshaped=how)


def _as_numbers(column: pd.Series, decimal: str) -> tuple[pd.Series | None, list[str], list[str]]:
    """The column as numbers (or None when it is text), the cells read as missing, and those read after cleaning."""
    original_index = column.index
    # Positions, not labels: a frame stacked from two files repeats its index labels.
    text = column.reset_index(drop=True).astype("string").str.strip()
    filled = text.dropna()
    filled = filled[filled != ""]
    if filled.empty:
        return None, [], []
    plain_cells = filled.str.replace(",", ".", regex=False) if decimal == "," else filled
    numbers = pd.to_numeric(plain_cells, errors="coerce")
    failed = numbers.isna() & ~filled.str.lower().isin(MISSING_MARKERS)
    cleaned = pd.to_numeric(filled[failed].map(lambda cell: _clean_number(cell, decimal)), errors="coerce")
    numbers[cleaned.index] = cleaned
    marked = filled.str.lower().isin(MISSING_MARKERS)
    if marked.all() or numbers[~marked].notna().mean() < NUMERIC_SHARE:
        return None, [], []
    full = pd.Series(np.nan, index=text.index, dtype="float64")
    full[numbers.index] = numbers.astype("float64")
    full.index = original_index
    return full, [str(b) for b in filled[numbers.isna()]], [str(c) for c in filled[cleaned.dropna().index]]


def _clean_number(cell: str, decimal: str) -> str:
    """ "$1,234.50", "45 %", "'12", "€ 3,5" → a plain number string, or the cell unchanged when it is not one."""
    value = cell.strip().lstrip("'").strip().strip(CURRENCY_SIGNS).removesuffix("%").strip().strip(CURRENCY_SIGNS)
    value = value.replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS[decimal].match(value):
        value = value.replace("," if decimal == "." else ".", "")
    return value.replace(",", ".") if decimal == "," else value


def _without_empty_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop the nameless empty columns trailing delimiters make; name every empty column for a note."""
    empty = [c for c in frame.columns if frame[c].isna().all()
             or (frame[c].dtype == object and frame[c].astype("string").str.strip().fillna("").eq("").all())]
    nameless = [c for c in empty if c.startswith("Unnamed: ")]
    return frame.drop(columns=nameless), empty


def _find_time_column(frame: pd.DataFrame) -> str | None:
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
    parsed = _to_datetime(sample)
    return bool(parsed.notna().mean() >= NUMERIC_SHARE)


def _to_datetime(series: pd.Series) -> pd.Series:
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


def handle_missing(frame: pd.DataFrame, columns: list[str], method: str) -> tuple[pd.DataFrame, int]:
    """Apply the user's choice for missing values to the chosen columns; returns the frame and rows dropped."""
    part = frame[columns]
    if method == "interpolate":
        part = part.interpolate(method="linear", limit_direction="both")
    elif method == "ffill":
        part = part.ffill().bfill()
    elif method == "drop":
        kept = part.dropna()
        return frame.loc[kept.index].reset_index(drop=True), len(part) - len(kept)
    out = frame.copy()
    out[columns] = part
    return out, 0


def _delimiter_name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(delimiter, repr(delimiter))


def _problem(code: str, title: str, detail: str, action: str, original: str | None = None) -> Finding:
    return Finding(code=code, severity="error", title=title, detail=f"{detail} {action}",
                   evidence={}, area="data", original=original)


def _note(code: str, title: str, detail: str, evidence: dict) -> Finding:
    return Finding(code=code, severity="info", title=title, detail=detail, evidence=evidence, area="data")

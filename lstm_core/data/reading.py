"""load_csv: bytes or a path decoded, its delimiter and decimal mark found, parsed by pandas within the limits."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from lstm_core.data.dataset import FALLBACK_ENCODING, Dataset, data_note, data_problem, delimiter_name
from lstm_core.data.describe import describe
from lstm_core.data.numbers import decimal_mark
from lstm_core.findings import Finding, ProblemError
from lstm_core.limits import how_to_change, limit

DELIMITERS = [",", ";", "\t", "|"]
# File signatures of things people rename to .csv: the message names what the file really is.
SIGNATURES = {b"PK\x03\x04": "an Excel workbook (.xlsx) or another ZIP archive",
              b"\xd0\xcf\x11\xe0": "an Excel 97–2003 workbook (.xls)", b"%PDF": "a PDF document",
              b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image"}
# Byte-order marks of UTF-16/32 text, as Excel's "Unicode text" export writes; the longer marks first.
BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"))


def load_csv(source: bytes | str | Path, name: str | None = None, require_numeric: bool = True) -> Dataset:
    """Read CSV bytes or a path. Raises ProblemError with a finding for anything unusable; a file without any
    numeric column is unusable unless require_numeric is False (texts with text labels)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ProblemError(data_problem("DATA002", f"Cannot open {name}", f"{exc.strerror or exc}.",
                                            "Check the path and that the file is readable.")) from None
    else:
        raw = bytes(source)
    name = name or "upload.csv"
    text, encoding = decode_text(raw, name)
    delimiter = sniff_delimiter(text)
    head = text[:20000]
    decimal = decimal_mark(head, delimiter)
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
        raise ProblemError(data_problem("DATA001", f"{name} is empty", "The file has no content.",
                                        "Upload a CSV with a header row and at least one row of numbers."))
    for mark, encoding in BOMS:
        if raw.startswith(mark):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    for signature, what in SIGNATURES.items():
        if raw.startswith(signature):
            raise ProblemError(data_problem("DATA002", f"{name} is not a text CSV: it is {what}",
                                            f"The file starts with the bytes of {what}, not with text.",
                                            "Open it in its program and save or export it as CSV (in Excel: "
                                            "File › Save As › CSV UTF-8), then upload the .csv."))
    if b"\x00" in raw[:8192]:
        raise ProblemError(data_problem("DATA002", f"{name} is not a text CSV",
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
        notes.append(data_note("DATA106", f"{name} has no header row",
                               "The first line holds numbers, not column names, so it was read as data and the "
                               f"columns were named column_1 … column_{frame.shape[1]}. Add a header row to name them.",
                               {"columns": frame.shape[1]}))
    frame.columns, renamed = _unique_names(_header_names(text, delimiter, frame.columns))
    if renamed:
        notes.append(data_note("DATA108", f"{len(renamed)} repeated column name(s) made unique",
                               "Columns must have distinct names to be chosen: "
                               + ", ".join(f"'{old}' → '{new}'" for old, new in renamed[:5]) + ".",
                               {"renamed": dict(renamed)}))
    if frame.empty:
        raise ProblemError(data_problem("DATA001", f"{name} has a header but no rows",
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
        raise ProblemError(data_problem("DATA001", f"{name} has no rows",
                                        "The file holds no header and no data.",
                                        "Upload a CSV with a header row and rows of numbers.")) from None
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ProblemError(data_problem("DATA002", f"{name} could not be read as CSV",
                                        f"pandas stopped with: {first}. Rows must all have the same number of "
                                        f"fields, separated by {delimiter_name(delimiter)}.",
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

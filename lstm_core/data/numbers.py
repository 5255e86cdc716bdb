"""Numbers written as text: decimal commas, thousands separators, currency and percent signs, missing markers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# A text column counts as numeric when at least this share of its filled cells are numbers.
NUMERIC_SHARE = 0.9
# Cells that stand for "no value". pandas would silently turn them into NaN; we read them as missing and say so.
MISSING_MARKERS = frozenset({"n/a", "na", "nan", "null", "none", "-", "?", "#n/a", "missing"})
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])-?\d+,\d+(?![\d.,])")
# "1.234,5": dots group the thousands, a comma marks the decimals.
_DOTTED_THOUSANDS = re.compile(r"(?<![\d.,])-?\d{1,3}(\.\d{3})+,\d+(?![\d.,])")
_THOUSANDS = {".": re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"), ",": re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")}
CURRENCY_SIGNS = "$€£¥₹"


def decimal_mark(head: str, delimiter: str) -> str:
    """The decimal mark: "," when fields are not comma-separated and numbers such as 3,14 appear, else "."."""
    return "," if delimiter != "," and (_DECIMAL_COMMA.search(head) or _DOTTED_THOUSANDS.search(head)) else "."


def as_numbers(column: pd.Series, decimal: str) -> tuple[pd.Series | None, list[str], list[str]]:
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

"""CSV for download that a spreadsheet opens as data, never as formulas (CSV injection).

A cell that begins with = + - @, a tab or a carriage return can run as a formula in Excel, LibreOffice or Sheets.
Such text cells, and such column names, get a leading apostrophe: the spreadsheet shows the text as typed.
Numbers are left alone, so a negative number stays a number.
"""

from __future__ import annotations

import csv

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(table: pd.DataFrame) -> bytes:
    out = table.copy()
    out.columns = [neutralise(str(column)) for column in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    # Text quoted throughout: pandas leaves a lone carriage return unquoted, which splits the row in two.
    return out.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode()

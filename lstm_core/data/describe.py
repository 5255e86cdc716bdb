"""describe: a parsed frame typed into a Dataset (numbers, time column, notes); reshaped: calendar columns melted."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from lstm_core.data.dataset import FALLBACK_ENCODING, Dataset, data_note, data_problem, delimiter_name
from lstm_core.data.numbers import as_numbers
from lstm_core.data.periods import (
    VALUE_COLUMN,
    combine_date_parts,
    find_period_table,
    layout_note,
    melt_periods,
    melted_note,
    nothing_to_melt,
)
from lstm_core.data.times import find_time_column, to_datetime
from lstm_core.findings import Finding, ProblemError


def describe(frame: pd.DataFrame, name: str, encoding: str = "utf-8", delimiter: str = ",",
             decimal: str = ".", notes: list[Finding] | None = None, require_numeric: bool = True) -> Dataset:
    """Type the columns of a parsed frame, find and sort by its time column."""
    frame = frame.copy()
    notes = list(notes or [])
    if encoding == FALLBACK_ENCODING:
        notes.append(data_note("DATA101", f"Read {name} as {encoding}",
                               f"The file is not valid UTF-8; it was decoded as {encoding} (Windows Western).",
                               {"encoding": encoding}))
    elif encoding != "utf-8":
        notes.append(data_note("DATA101", f"Read {name} as {encoding.upper()}",
                               f"The file starts with a {encoding.upper()} byte-order mark and was decoded as such.",
                               {"encoding": encoding}))
    if decimal == ",":
        notes.append(data_note("DATA102", "Decimal commas read as decimal points",
                               f"Fields are separated by {delimiter_name(delimiter)} and numbers such as "
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
        notes.append(data_note("DATA109", f"{len(empty)} column(s) without a single value", " ".join(parts),
                               {"columns": empty}))
    for column in list(frame.columns):
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            converted, bad, cleaned = as_numbers(frame[column], decimal)
            if converted is not None:
                frame[column] = converted
                if cleaned:
                    examples = list(dict.fromkeys(cleaned))[:3]
                    notes.append(data_note("DATA107", f"Column '{column}': {len(cleaned)} number(s) written with "
                                                      "symbols",
                                           f"Cells such as {', '.join(repr(c) for c in examples)} were read as numbers "
                                           "without their currency sign, percent sign, thousands separators, quotes "
                                           "or apostrophe (45% is read as 45, not 0.45).",
                                           {"column": column, "cells": len(cleaned)}))
                if bad:
                    examples = list(dict.fromkeys(bad))[:3]
                    notes.append(data_note("DATA103", f"Column '{column}': {len(bad)} text cell(s) read as missing",
                                           f"Cells such as {', '.join(repr(b) for b in examples)} are not numbers; "
                                           "they are treated as missing values.",
                                           {"column": column, "cells": len(bad)}))
    frame, combined = combine_date_parts(frame)
    if combined is not None:
        notes.append(combined)
    time_column = find_time_column(frame)
    if time_column is not None:
        frame[time_column] = to_datetime(frame[time_column])
        order = frame[time_column]
        if not order.is_monotonic_increasing:
            frame = frame.sort_values(time_column, kind="stable").reset_index(drop=True)
            notes.append(data_note("DATA104", f"Rows sorted by '{time_column}'",
                                   "The rows were not in time order; they were sorted by the time column.",
                                   {"column": time_column}))
    numeric = [c for c in frame.columns if c != time_column and pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    for column in numeric:
        frame[column] = frame[column].astype("float64")
        infinite = int(np.isinf(frame[column].to_numpy()).sum())
        if infinite:
            frame[column] = frame[column].replace([np.inf, -np.inf], np.nan)
            notes.append(data_note("DATA105", f"Column '{column}': {infinite} infinite value(s) read as missing",
                                   "inf and -inf cannot be learnt from; they are treated as missing values.",
                                   {"column": column, "cells": infinite}))
    others = [c for c in frame.columns if c != time_column and c not in numeric]
    if not numeric and require_numeric:
        raise ProblemError(data_problem("DATA003", f"{name} has no numeric column",
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


def _without_empty_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop the nameless empty columns trailing delimiters make; name every empty column for a note."""
    empty = [c for c in frame.columns if frame[c].isna().all()
             or (frame[c].dtype == object and frame[c].astype("string").str.strip().fillna("").eq("").all())]
    nameless = [c for c in empty if c.startswith("Unnamed: ")]
    return frame.drop(columns=nameless), empty

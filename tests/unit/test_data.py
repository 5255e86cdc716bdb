"""Reading real CSV files: delimiters, decimals, encodings, time columns, missing cells and unusable files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import handle_missing, load_csv
from lstm_core.findings import ProblemError


def codes(dataset) -> list[str]:
    return [note.code for note in dataset.notes]


@pytest.mark.parametrize(("name", "delimiter", "columns"), [
    ("hourly.csv", ",", ["timestamp", "temperature", "load_mw"]),
    ("semicolon_decimal_comma.csv", ";", ["Tag", "Temperatur", "Umsatz"]),
    ("tab_separated.tsv", "\t", ["step", "pressure", "flow"]),
])
def test_delimiter_is_sniffed(data_file, name, delimiter, columns):
    dataset = load_csv(data_file(name))
    assert dataset.delimiter == delimiter
    assert list(dataset.frame.columns) == columns


def test_tab_separated_values_are_numbers(data_file):
    dataset = load_csv(data_file("tab_separated.tsv"))
    assert dataset.numeric_columns == ["step", "pressure", "flow"]
    assert dataset.frame["pressure"].tolist()[:3] == [1000.5, 1001.5, 1002.5]
    assert dataset.frame["flow"].iloc[4] == 8.25


def test_decimal_comma_with_semicolons_reads_fractions(data_file):
    dataset = load_csv(data_file("semicolon_decimal_comma.csv"))
    assert dataset.decimal == ","
    assert dataset.numeric_columns == ["Tag", "Temperatur", "Umsatz"]
    assert dataset.frame["Temperatur"].tolist()[:3] == [11.5, 12.5, 13.5]
    assert dataset.frame["Umsatz"].iloc[0] == 1025.25
    assert "DATA102" in codes(dataset)


def test_comma_file_keeps_the_decimal_point(data_file):
    dataset = load_csv(data_file("hourly.csv"))
    assert dataset.decimal == "."
    assert dataset.frame["temperature"].iloc[0] == 8.46
    assert dataset.notes == []


def test_utf8_bom_is_not_part_of_the_first_column_name(data_file):
    path = data_file("utf8_bom.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    dataset = load_csv(path)
    assert dataset.encoding == "utf-8"
    assert list(dataset.frame.columns) == ["date", "value"]
    assert dataset.time_column == "date"
    assert "DATA101" not in codes(dataset)


def test_latin1_file_falls_back_to_cp1252_and_keeps_the_accents(data_file):
    path = data_file("latin1_accents.csv")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    dataset = load_csv(path)
    assert dataset.encoding == "cp1252"
    assert list(dataset.frame.columns) == ["Année", "Température (°C)", "Débit"]
    assert dataset.numeric_columns == ["Température (°C)", "Débit"]
    assert dataset.frame["Débit"].tolist()[:2] == [300.0, 310.0]
    note = next(n for n in dataset.notes if n.code == "DATA101")
    assert note.severity == "info" and "cp1252" in note.title


def test_iso_dates_are_found_and_shuffled_rows_sorted_by_them(data_file):
    raw = data_file("shuffled_dates.csv").read_text()
    first_dates = [line.split(",")[0] for line in raw.splitlines()[1:4]]
    assert first_dates != sorted(first_dates), "the file must really be shuffled"
    dataset = load_csv(data_file("shuffled_dates.csv"))
    assert dataset.time_column == "date"
    times = dataset.frame["date"]
    assert pd.api.types.is_datetime64_any_dtype(times)
    assert times.is_monotonic_increasing
    assert times.iloc[0] == pd.Timestamp("2022-01-01") and times.iloc[-1] == pd.Timestamp("2022-01-12")
    # Each value moved with its own date: value n belongs to 2022-01-n.
    assert dataset.frame["value"].tolist() == [float(day) for day in range(1, 13)]
    assert (dataset.frame["date"].dt.day == dataset.frame["value"]).all()
    assert dataset.numeric_columns == ["value"]
    assert dataset.other_columns == ["station"]
    assert "DATA104" in codes(dataset)


def test_dates_already_in_order_are_not_reported_as_sorted(data_file):
    dataset = load_csv(data_file("hourly.csv"))
    assert dataset.time_column == "timestamp"
    assert dataset.frame["timestamp"].iloc[1] - dataset.frame["timestamp"].iloc[0] == pd.Timedelta(hours=1)
    assert "DATA104" not in codes(dataset)


def test_yyyymmdd_integers_become_dates(data_file):
    dataset = load_csv(data_file("yyyymmdd_dates.csv"))
    assert dataset.time_column == "day"
    assert dataset.numeric_columns == ["sales"]
    expected = pd.date_range("2021-12-28", periods=8, freq="D")
    assert list(dataset.frame["day"]) == list(expected)


def test_year_numbers_become_the_time_column(data_file):
    dataset = load_csv(data_file("years.csv"))
    assert dataset.time_column == "year"
    assert dataset.numeric_columns == ["population"]
    assert dataset.frame["year"].dt.year.tolist() == list(range(1990, 2002))


def test_counts_named_like_downloads_are_not_mistaken_for_years(data_file):
    dataset = load_csv(data_file("downloads.csv"))
    assert dataset.time_column is None
    assert dataset.numeric_columns == ["downloads"]
    assert dataset.frame["downloads"].iloc[0] == 1520


def test_numeric_columns_are_float_and_text_columns_listed_apart(data_file):
    dataset = load_csv(data_file("hourly.csv"))
    assert dataset.numeric_columns == ["temperature", "load_mw"]
    assert dataset.other_columns == []
    assert dataset.rows == 200
    assert all(dataset.frame[c].dtype == np.float64 for c in dataset.numeric_columns)


def test_na_cells_are_read_as_missing_with_a_note(data_file):
    dataset = load_csv(data_file("na_cells.csv"))
    assert dataset.numeric_columns == ["value", "other"]
    value = dataset.frame["value"]
    assert value.isna().tolist() == [i in (2, 5, 6) for i in range(10)]
    assert value.iloc[3] == 4.0
    assert dataset.missing_counts() == {"value": 3, "other": 0}
    note = next(n for n in dataset.notes if n.code == "DATA103")
    assert note.severity == "info"
    assert "'value'" in note.title and "3 text cell(s)" in note.title
    assert "'n/a'" in note.detail
    assert note.evidence == {"column": "value", "cells": 3}


def test_a_date_column_with_an_na_cell_is_still_the_time_column():
    raw = b"date,value\n2022-01-02,2\nn/a,9\n2022-01-01,1\n2022-01-03,3\n"
    dataset = load_csv(raw, name="upload.csv")
    assert dataset.time_column == "date"
    assert dataset.frame["value"].tolist()[:3] == [1.0, 2.0, 3.0]
    assert dataset.frame["date"].isna().sum() == 1


def test_loading_bytes_and_a_path_gives_the_same_dataset(data_file):
    path = data_file("semicolon_decimal_comma.csv")
    from_path = load_csv(path)
    from_bytes = load_csv(path.read_bytes(), name="upload.csv")
    assert from_path.name == "semicolon_decimal_comma.csv" and from_bytes.name == "upload.csv"
    pd.testing.assert_frame_equal(from_path.frame, from_bytes.frame)


@pytest.mark.parametrize(("name", "code"), [
    ("empty.csv", "DATA001"),
    ("header_only.csv", "DATA001"),
    ("binary.csv", "DATA002"),
    ("ragged.csv", "DATA002"),
    ("text_only.csv", "DATA003"),
])
def test_unusable_files_raise_a_problem_naming_the_file(data_file, name, code):
    with pytest.raises(ProblemError) as raised:
        load_csv(data_file(name))
    finding = raised.value.finding
    assert finding.code == code
    assert finding.severity == "error" and finding.blocks_training
    assert name in finding.title
    assert finding.detail


def test_a_missing_path_is_a_data002_problem(tmp_path):
    with pytest.raises(ProblemError) as raised:
        load_csv(tmp_path / "nowhere.csv")
    assert raised.value.finding.code == "DATA002"
    assert "nowhere.csv" in raised.value.finding.title


def test_uploaded_bytes_are_named_in_the_problem():
    with pytest.raises(ProblemError) as raised:
        load_csv(b"   \n", name="my upload.csv")
    assert raised.value.finding.code == "DATA001"
    assert "my upload.csv" in raised.value.finding.title


# gaps.csv: value = [_, 2, _, 4, _, _, 7, _], other = [10, 11, 12, _, 14, 15, 16, 17]
@pytest.mark.parametrize(("method", "expected"), [
    ("interpolate", [2, 2, 3, 4, 5, 6, 7, 7]),
    ("ffill", [2, 2, 2, 4, 4, 4, 7, 7]),
])
def test_filling_missing_values(data_file, method, expected):
    dataset = load_csv(data_file("gaps.csv"))
    assert dataset.missing_counts() == {"value": 5, "other": 1}
    frame, dropped = handle_missing(dataset.frame, ["value"], method)
    assert dropped == 0
    assert frame["value"].tolist() == expected
    # Only the chosen columns are touched.
    assert frame["other"].isna().sum() == 1
    assert dataset.frame["value"].isna().sum() == 5, "the dataset's own frame must not change"


def test_dropping_missing_values_drops_only_rows_missing_a_chosen_column(data_file):
    dataset = load_csv(data_file("gaps.csv"))
    frame, dropped = handle_missing(dataset.frame, ["value"], "drop")
    assert dropped == 5
    assert frame["value"].tolist() == [2, 4, 7]
    # The row where only 'other' is empty stays: 'other' was not chosen.
    assert frame["other"].isna().tolist() == [False, True, False]
    assert frame.index.tolist() == [0, 1, 2]
    frame, dropped = handle_missing(dataset.frame, ["value", "other"], "drop")
    assert dropped == 6
    assert frame["value"].tolist() == [2, 7]


def test_missing_none_leaves_the_gaps(data_file):
    dataset = load_csv(data_file("gaps.csv"))
    frame, dropped = handle_missing(dataset.frame, ["value", "other"], "none")
    assert dropped == 0
    assert frame["value"].isna().sum() == 5 and frame["other"].isna().sum() == 1

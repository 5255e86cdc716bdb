"""Calendar tables read as the series they hold: month (quarter, weekday) columns melted into one dated series,
year + quarter or year + month columns combined into dates, and the sampling read from the result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.config import RunConfig
from lstm_core.data import describe, load_csv, reshaped
from lstm_core.tasks.forecast.pipeline import prepare
from lstm_core.tasks.forecast.profile import read_sampling

MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
MONTH_NUMBERS = [str(n) for n in range(1, 13)]
YEARS = range(1990, 2016)
EMPTY_YEAR, EMPTY_MONTH = 2001, 7  # one month without a value, inside the series


def write_month_table(path: Path, header: list[str]) -> Path:
    """One row per year, one column per month and a trailing annual total; one month empty; the last year stops in
    September (its last three months not yet measured)."""
    rng = np.random.default_rng(0)
    lines = [",".join(["Year", *header, "Annual"])]
    for year in YEARS:
        values = [100 + 30 * np.sin(2 * np.pi * m / 12) + (year - 1990) + rng.normal(0, 2) for m in range(12)]
        cells = [f"{v:.1f}" for v in values]
        if year == EMPTY_YEAR:
            cells[EMPTY_MONTH - 1] = ""
        if year == YEARS[-1]:
            cells[9:] = [""] * 3
        lines.append(",".join([str(year), *cells, f"{sum(values):.1f}"]))
    path.write_text("\n".join(lines) + "\n")
    return path


def codes(findings) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize("header", [MONTH_NAMES, MONTH_NUMBERS, [m.title() for m in MONTH_NAMES],
                                    ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                                     "September", "Oktober", "November", "Dezember"]],
                         ids=["JAN-DEC", "1-12", "Jan-Dec", "German"])
def test_a_year_by_month_table_is_recognised_with_a_fix_to_melt_it(tmp_path, header):
    dataset = load_csv(write_month_table(tmp_path / "by_year.csv", header))
    [layout] = [note for note in dataset.notes if note.code == "DATA110"]
    assert layout.severity == "warning"
    assert layout.title == "12 month columns: this looks like a monthly series laid out by year"
    assert "'Annual'" in layout.detail and layout.evidence["left_out"] == ["Annual"]
    assert layout.fix["reshape"] == "months" and layout.fix["target"] == "value" and layout.fix["season"] == 12


@pytest.mark.parametrize("header", [MONTH_NAMES, MONTH_NUMBERS], ids=["JAN-DEC", "1-12"])
def test_the_fix_melts_the_table_into_one_dated_monthly_series(tmp_path, header):
    dataset = load_csv(write_month_table(tmp_path / "by_year.csv", header))
    config = RunConfig().replace(**next(n for n in dataset.notes if n.code == "DATA110").fix)
    melted = reshaped(dataset, config.reshape)
    frame = melted.frame
    assert melted.time_column == "date" and melted.numeric_columns == ["value"]
    # 26 years × 12 months, less the three not yet measured at the end; the annual total is not a month.
    assert len(frame) == 26 * 12 - 3
    assert frame["date"].iloc[0] == pd.Timestamp("1990-01-01") and frame["date"].iloc[-1] == pd.Timestamp("2015-09-01")
    assert (frame["date"].diff().dropna().dt.days.between(28, 31)).all()
    gap = frame.loc[frame["value"].isna(), "date"].tolist()
    assert gap == [pd.Timestamp(EMPTY_YEAR, EMPTY_MONTH, 1)]
    [note] = [n for n in melted.notes if n.code == "DATA111"]
    assert "'Annual'" in note.detail and "left out" in note.detail.lower() and note.evidence["missing"] == 1
    assert "DATA110" not in codes(melted.notes)
    # After the melt the season and the dates are right, and the symptoms of the wrong reading are gone.
    assert read_sampling(melted, "value").headline() == "monthly data; season 12 detected"
    prepared = prepare(melted, config.replace(missing="interpolate"))
    assert prepared.ready and prepared.season == 12
    assert not {"DATA007", "DATA012", "DATA013"} & set(codes(prepared.findings))


def test_read_as_it_is_the_table_is_a_short_yearly_series(tmp_path):
    dataset = load_csv(write_month_table(tmp_path / "by_year.csv", MONTH_NAMES))
    prepared = prepare(dataset, RunConfig(target="DEC"))
    assert dataset.rows == 26 and "DATA110" in codes(prepared.findings)


def test_melting_is_done_once_and_a_table_without_month_columns_is_left_as_it_is(tmp_path, data_file):
    dataset = load_csv(write_month_table(tmp_path / "by_year.csv", MONTH_NAMES))
    melted = reshaped(dataset, "months")
    assert reshaped(melted, "months") is melted
    hourly = load_csv(data_file("hourly.csv"))
    assert "DATA110" not in codes(hourly.notes)
    same = reshaped(hourly, "months")
    assert same.frame.equals(hourly.frame) and codes(same.notes)[-1] == "DATA111"


def test_quarter_columns_melt_into_a_quarterly_series():
    frame = pd.DataFrame({"year": range(2000, 2020), **{f"Q{q}": np.arange(20) * 4.0 + q for q in range(1, 5)},
                          "Total": 1.0})
    dataset = describe(frame, "quarters.csv")
    [layout] = [n for n in dataset.notes if n.code == "DATA110"]
    assert layout.fix["reshape"] == "quarters" and layout.fix["season"] == 4
    melted = reshaped(dataset, "quarters")
    assert melted.frame["value"].tolist() == list(np.arange(1.0, 81.0))
    assert melted.frame["date"].iloc[1] == pd.Timestamp("2000-04-01")
    assert read_sampling(melted, "value").frequency == "quarterly"


def test_weekday_columns_melt_into_a_daily_series():
    weeks = pd.date_range("2021-01-03", periods=30, freq="W-SUN")  # weeks starting on Sunday
    days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    frame = pd.DataFrame({"week": weeks, **{day: np.arange(30) * 7.0 + i for i, day in enumerate(days)}})
    dataset = describe(frame, "weeks.csv")
    # Recognised as a layout, with the fix that melts it.
    [layout] = [note for note in dataset.notes if note.code == "DATA110"]
    assert "7" in layout.title or "day" in layout.title.lower(), layout.title
    melted = reshaped(dataset, layout.fix["reshape"])
    assert layout.fix["reshape"] == "weekdays"
    assert melted.frame["value"].tolist() == list(np.arange(210.0))
    assert melted.frame["date"].iloc[0] == pd.Timestamp("2021-01-03")
    assert (melted.frame["date"].diff().dropna() == pd.Timedelta(days=1)).all()


@pytest.mark.parametrize(("part", "values", "season", "frequency"), [
    ("quarter", [1, 2, 3, 4], 4, "quarterly"),
    ("Quarter", ["Q1", "Q2", "Q3", "Q4"], 4, "quarterly"),
    ("month", list(range(1, 13)), 12, "monthly"),
    ("Month", MONTH_NAMES, 12, "monthly"),
])
def test_year_and_quarter_or_month_columns_become_dates(part, values, season, frequency):
    years = 30
    frame = pd.DataFrame({"year": np.repeat(np.arange(1990, 1990 + years), len(values)),
                          part: values * years})
    steps = np.arange(len(frame))
    frame["gdp"] = 1000 + 5 * steps + 40 * np.sin(2 * np.pi * steps / season)
    dataset = describe(frame, "macro.csv")
    assert dataset.time_column == "date" and list(dataset.frame.columns) == ["date", "gdp"]
    assert dataset.frame["date"].iloc[1] == pd.Timestamp(1990, 1 + 12 // season, 1)
    [note] = [n for n in dataset.notes if n.code == "DATA112"]
    assert note.title == f"'year' and '{part}' combined into dates"
    reading = read_sampling(dataset, "gdp")
    assert reading.frequency == frequency and reading.season == season


def test_a_year_column_alone_stays_a_yearly_time_column(data_file):
    dataset = load_csv(data_file("years.csv"))
    assert "DATA112" not in codes(dataset.notes)


def test_the_cli_melts_with_reshape_months(cli, tmp_path):
    path = write_month_table(tmp_path / "by_year.csv", MONTH_NUMBERS)
    as_is = json.loads(cli("check", path, "--json").stdout)
    assert "DATA110" in codes_of(as_is) and as_is["data"]["rows"] == 26
    result = cli("check", path, "--reshape", "months", "--missing", "interpolate", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["findings"]
    assert report["config"]["reshape"] == "months" and report["data"]["target"] == "value"
    assert report["data"]["time_column"] == "date" and report["data"]["season"] == 12
    assert report["data"]["rows"] == 26 * 12 - 3 and "DATA111" in codes_of(report)


def codes_of(report: dict) -> list[str]:
    return [f["code"] for f in report["findings"]]


def test_an_export_of_a_melted_run_says_the_script_needs_the_melted_series():
    from lstm_core.export import export_notes

    assert export_notes(RunConfig()) == []
    [note] = export_notes(RunConfig(reshape="months"))
    assert "reshape = months" in note and "date and value" in note

"""The Data check page: findings, statistics, sampling and a recommended start, without training."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"


def open_data_check(new_app):
    at = new_app()
    at.switch_page("pages/1_Data_check.py").run()
    assert not at.exception, at.exception
    return at


def test_a_seasonal_sample_has_no_data_problems(new_app):
    at = open_data_check(new_app)
    assert at.success[0].value == "No data problems found."
    assert "Season: **24 rows**" in at.markdown[-1].value


def test_a_sample_gets_statistics_sampling_and_a_recommendation(new_app):
    at = open_data_check(new_app)
    at.selectbox(key="check_sample").set_value("monthly_sales").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Findings", "Columns", "Sampling", "Recommended start"]
    # The trend carries the later parts above the training range: the check says so and suggests differencing.
    [trend] = [w.value for w in at.main.warning]
    assert trend.startswith("**DATA029**")
    assert "Model the changes: **yes**" in at.markdown[-1].value
    statistics = at.dataframe[0].value
    assert statistics.loc["sales", "count"] == 360 and statistics.loc["sales", "missing"] == 0
    # Labelled values, not a JSON viewer.
    assert not at.json
    sampling = text(at.markdown[-2].value)
    assert "Time column: month, 1995-01-01 to 2024-12-01" in sampling
    assert "Monthly data; season 12 detected" in sampling and "Usual step: 1 month" in sampling
    assert "Irregular steps: 0 (0 %)" in sampling
    recommendation = at.markdown[-1].value
    assert "Season: **12 rows**" in recommendation and "Timesteps: **24**" in recommendation


def test_an_upload_with_gaps_shows_the_missing_values_finding(new_app):
    at = open_data_check(new_app)
    at.file_uploader(key="check_upload").set_value(("gaps.csv", (DATA / "daily_sales_gaps.csv").read_bytes(),
                                                    "text/csv")).run()
    assert not at.exception
    assert any("DATA006" in e.value for e in at.error)
    statistics = at.dataframe[0].value
    assert statistics["missing"].sum() == 4


def test_a_broken_upload_is_explained_and_the_page_keeps_working(new_app):
    at = open_data_check(new_app)
    at.file_uploader(key="check_upload").set_value(("blank.csv", b"", "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and "blank.csv" in at.error[0].value


def text(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def gaps_check(new_app):
    at = open_data_check(new_app)
    at.file_uploader(key="check_upload").set_value(("gaps.csv", (DATA / "daily_sales_gaps.csv").read_bytes(),
                                                    "text/csv")).run()
    return at


def test_apply_fix_on_the_data_check_page_rechecks_with_the_patch(new_app):
    at = gaps_check(new_app)
    [button] = [b for b in at.button if b.key.startswith("fix-") and b.key.endswith("DATA006")]
    assert button.label == "Apply fix: missing → interpolate" and "this page" in button.help
    button.click().run()
    assert not at.exception
    assert not any("DATA006" in e.value for e in at.error)
    assert "Fixes applied on this page: missing → interpolate" in text(at.info[0].value)
    # The undo button brings the finding back.
    at.button(key="check_undo").click().run()
    assert any("DATA006" in e.value for e in at.error)


def test_evidence_reads_as_labelled_values_not_json(new_app):
    at = gaps_check(new_app)
    evidence = [text(c.value) for c in at.caption if c.value.startswith("Evidence")]
    assert evidence and not any("{" in line or '"' in line for line in evidence)
    [missing] = [line for line in evidence if line.startswith("Evidence: missing: ")]
    assert "missing choice: none" in missing


def month_table(path: Path, header: list[str]) -> bytes:
    """Years as rows, one column per month and an annual total; one month left empty, the last year unfinished."""
    rng = np.random.default_rng(3)
    rows = []
    for year in range(1995, 2015):
        values = [20 + 8 * np.sin(2 * np.pi * month / 12) + 0.2 * (year - 1995) + rng.normal(0, 0.5)
                  for month in range(12)]
        cells = [f"{v:.2f}" for v in values]
        if year == 2001:
            cells[6] = ""
        if year == 2014:
            cells[9:] = ["", "", ""]
        rows.append([str(year), *cells, f"{sum(values):.1f}"])
    path.write_text("\n".join([",".join(["Year", *header, "Annual"]), *(",".join(r) for r in rows)]) + "\n")
    return path.read_bytes()


def test_a_year_by_month_table_is_recognised_and_melted_on_the_page(new_app, tmp_path):
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    raw = month_table(tmp_path / "by_year.csv", names)
    at = open_data_check(new_app)
    at.file_uploader(key="check_upload").set_value(("by_year.csv", raw, "text/csv")).run()
    [layout] = [text(w.value) for w in at.main.warning if "DATA110" in w.value]
    assert "12 month columns: this looks like a monthly series laid out by year" in layout
    assert "'Annual'" in layout
    [button] = [b for b in at.button if b.key.endswith("DATA110")]
    button.click().run()
    assert not at.exception
    assert at.selectbox(key="check_target").value == "value"
    assert not any("DATA110" in w.value for w in at.main.warning)
    [melted] = [text(i.value) for i in at.info if "DATA111" in i.value]
    assert "240" not in melted and "237 rows" in melted and "'Annual'" in melted
    assert "Monthly data; season 12 detected" in text(at.markdown[-2].value)
    assert "Season: 12 rows" in text(at.markdown[-1].value)


def test_weekly_data_is_read_as_weekly_with_a_season_of_52(new_app):
    at = open_data_check(new_app)
    at.file_uploader(key="check_upload").set_value(("weekly.csv", weekly_csv(), "text/csv")).run()
    assert "Weekly data; season 52 detected" in text(at.markdown[-2].value)
    assert "Timesteps: 104" in text(at.markdown[-1].value)


def weekly_csv() -> bytes:
    weeks = pd.date_range("2015-01-04", periods=300, freq="W")
    values = 50 + 10 * np.sin(2 * np.pi * np.arange(300) / 52.18) + np.random.default_rng(1).normal(0, 1, 300)
    return pd.DataFrame({"week": weeks.date, "visits": values.round(2)}).to_csv(index=False).encode()

"""The Data check page: findings, statistics, sampling and a recommended start, without training."""

from __future__ import annotations

from pathlib import Path

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
    sampling = at.json[0].value
    assert '"time_column": "month"' in sampling and '"irregular_steps": 0' in sampling
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

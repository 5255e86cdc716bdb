"""The Playground reads uploads as the Data check page does: the same sampling and season for its defaults, and a
year × month table melted into one monthly series with one click."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


def text(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def weekly_csv() -> bytes:
    weeks = pd.date_range("2015-01-04", periods=300, freq="W")
    values = 50 + 10 * np.sin(2 * np.pi * np.arange(300) / 52.18) + np.random.default_rng(1).normal(0, 1, 300)
    return pd.DataFrame({"week": weeks.date, "visits": values.round(2)}).to_csv(index=False).encode()


def month_table() -> bytes:
    """Years as rows, months 1…12 as columns and a trailing annual total; one month left empty."""
    rng = np.random.default_rng(5)
    lines = [",".join(["year", *map(str, range(1, 13)), "total"])]
    for year in range(1991, 2016):
        values = [50 + 20 * np.sin(2 * np.pi * m / 12) + 0.5 * (year - 1991) + rng.normal(0, 1) for m in range(12)]
        cells = [f"{v:.2f}" for v in values]
        if year == 2003:
            cells[1] = ""
        lines.append(",".join([str(year), *cells, f"{sum(values):.1f}"]))
    return ("\n".join(lines) + "\n").encode()


def captions(at) -> list[str]:
    return [text(c.value) for c in at.main.caption]


def test_weekly_upload_gets_the_data_checks_season_and_window(app, upload):
    upload(app, "weekly.csv", weekly_csv())
    assert not app.exception
    assert app.number_input(key="cfg.season").value == 52
    assert app.number_input(key="cfg.timesteps").value == 104
    assert "Sampling: weekly data; season 52 detected" in captions(app)


def test_a_year_by_month_upload_is_melted_with_one_click(app, upload):
    upload(app, "by_year.csv", month_table())
    [layout] = [text(w.value) for w in app.main.warning if "DATA110" in w.value]
    assert "12 month columns: this looks like a monthly series laid out by year" in layout
    [fix] = [b for b in app.button if b.key.startswith("fix-") and b.key.endswith("DATA110")]
    fix.click().run()
    assert not app.exception
    assert app.selectbox(key="cfg.reshape").value == "months"
    assert app.selectbox(key="cfg.target").value == "value"
    assert app.number_input(key="cfg.season").value == 12
    assert any(line.startswith("by_year.csv · 300 rows · time column: date") for line in
               (text(m.value) for m in app.markdown))
    assert "Sampling: monthly data; season 12 detected" in captions(app)
    assert not any("DATA110" in w.value for w in app.main.warning)
    # The one empty month is a missing value the usual fix fills; then nothing blocks training.
    [missing] = [b for b in app.button if b.key.startswith("fix-") and b.key.endswith("DATA006")]
    missing.click().run()
    assert not app.main.error and not app.button(key="train").disabled
    # Back to the file's own layout: its columns again, and the target chosen afresh.
    app.selectbox(key="cfg.reshape").set_value("none").run()
    assert not app.exception
    assert app.selectbox(key="cfg.target").value == "total"


def test_year_and_quarter_columns_give_a_date_axis_and_a_season_of_4(app, upload):
    years = 40
    steps = np.arange(4 * years)
    frame = pd.DataFrame({"year": np.repeat(np.arange(1980, 1980 + years), 4), "quarter": np.tile([1, 2, 3, 4], years),
                          "gdp": (1000 + 8 * steps + 30 * np.sin(2 * np.pi * steps / 4)).round(1)})
    upload(app, "macro.csv", frame.to_csv(index=False).encode())
    assert not app.exception
    assert any(text(m.value).startswith("macro.csv · 160 rows · time column: date") for m in app.markdown)
    assert "Sampling: quarterly data; season 4 detected" in captions(app)
    assert app.number_input(key="cfg.season").value == 4
    notes = [text(i.value) for i in app.main.info if "DATA112" in i.value]
    assert notes and "'year' and 'quarter' combined into dates" in notes[0]

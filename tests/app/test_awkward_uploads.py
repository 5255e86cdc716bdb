"""Awkward files dropped on the Playground page: each is explained in place and the page keeps running; markup in a
file shows as text; a run beyond the worker pool is queued and can be cancelled."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.config import RunConfig
from lstm_core.tasks.forecast.samples import sample_csv

AWKWARD = Path(__file__).resolve().parents[1] / "data" / "awkward"


def page_text(at: AppTest) -> str:
    """Everything the page shows in boxes, captions and markdown, with the page's markdown escapes removed."""
    parts = [e.value for kind in ("error", "warning", "info", "success", "caption", "markdown")
             for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts).replace("**", ""))


def drop(at: AppTest, upload, name: str) -> AppTest:
    upload(at, name, (AWKWARD / name).read_bytes())
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("name", "code", "kind"), [
    ("empty.csv", "DATA001", "error"),
    ("workbook_renamed.csv", "DATA002", "error"),
    ("text_only.csv", "DATA003", "error"),
    ("missing_markers.csv", "DATA006", "error"),
    ("huge_values.csv", "DATA031", "error"),
    ("currency_percent.csv", "DATA107", "info"),
])
def test_an_awkward_upload_is_explained_in_place(app, upload, name, code, kind):
    drop(app, upload, name)
    shown = [box.value for box in getattr(app.main, kind)]
    assert any(f"**{code}**" in value for value in shown), shown
    if kind == "error":
        assert app.button(key="train").disabled
    # The page still works: switching back to a sample checks it cleanly.
    app.radio(key="source").set_value("Built-in sample").run()
    assert not app.exception and not app.main.error


def test_markup_in_a_file_is_shown_as_text(app, upload):
    drop(app, upload, "html_script.csv")
    assert "<script>alert(1)</script>" in app.selectbox(key="cfg.target").options
    for element in app.markdown:
        # Every < from the file reaches the markdown escaped, so it renders as a character, not a tag.
        assert not re.search(r"(?<!\\)<(script|img|b)\b", element.value), element.value
    assert not app.exception


def test_a_run_beyond_the_pool_is_queued_with_its_place_and_can_be_cancelled(app):
    """Other users' runs fill every training worker: this page's run says it is queued, and Cancel takes it out."""
    from lstm_core.jobs import engine, wait_for
    from lstm_core.store import new_workspace_id

    pool, others = engine(), new_workspace_id()
    # No early stopping: the other users' runs hold the workers until they are stopped.
    busy = RunConfig(target="value", season=24, units=4, epochs=500, timesteps=24, early_stopping=False)
    theirs = [pool.submit(others, busy, sample_csv("noisy_seasonal"), "noisy_seasonal.csv", "csv")
              for _ in range(pool.size)]
    try:
        deadline = time.monotonic() + 120
        while any(pool.status(run_id) != "running" for run_id in theirs) and time.monotonic() < deadline:
            time.sleep(0.2)
        for field, value in (("epochs", 1), ("units", 4)):
            app.number_input(key=f"cfg.{field}").set_value(value)
        app.run()
        app.button(key="train").click().run()
        assert not app.exception, app.exception
        mine = app.session_state["shown_run"]
        assert pool.status(mine) == "queued"
        assert "Run #1 is queued: place 1." in page_text(app)
        app.button(key=f"playground.cancel.{mine}").click().run()
        assert wait_for(pool.store, mine, timeout=30) == "cancelled"
        app.run()
        assert "Run cancelled before it started: cancelled before it started (cancelled by you)" in page_text(app)
    finally:
        for run_id in theirs:
            pool.stop(run_id)
        for run_id in theirs:
            wait_for(pool.store, run_id, timeout=120)

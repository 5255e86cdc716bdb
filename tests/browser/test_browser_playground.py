"""The Playground in a real Chromium against `streamlit run app.py`: train live, stop, upload, and the README shot."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
# `make screenshot` sets this to docs/screenshot.png, the README's picture; the suite writes to a temporary folder.
SCREENSHOT_TO = "LSTM_PLAYGROUND_SCREENSHOT"
SCREENSHOT_MARGINS = (16, 100)  # px above the "2 · Checks" heading and below the last element
RESULT_CHARTS = {"Loss per epoch", "Test part: predicted vs actual (original units)",
                 "Forecast past the end of the data"}


def metrics_table(app) -> list[str]:
    """Cells of the visible results table that has an MAE column (Streamlit draws tables as an ARIA grid)."""
    table = app.page.locator("[data-testid='stDataFrame']").filter(
        has=app.page.locator("[role=columnheader]", has_text="MAE"))
    table.first.wait_for()
    return table.first.locator("[role=gridcell]").all_inner_texts()


def assert_results(app, epochs: int) -> None:
    """The results section of a finished run: verdict, metrics, and the three charts with the curve's length."""
    # The verdict names the best baseline: persistence, seasonal naive or ETS.
    verdict = [text for text in app.alerts() if "baseline" in text and "MAE" in text]
    assert len(verdict) == 1, app.alerts()
    cells = metrics_table(app)
    assert "LSTM" in cells and "persistence" in cells, cells
    titles = app.wait_for_charts(4)
    assert set(titles) >= RESULT_CHARTS, titles
    assert app.loss_points() == epochs
    assert app.stop_button().count() == 0
    assert app.page.locator("[data-testid='stProgress']").count() == 0
    app.assert_no_exception()


def test_training_draws_the_loss_curve_live_then_shows_results(app):
    # Long enough for the live view, which redraws every two seconds, to show the curve growing.
    app.set_number("Epochs", 80)
    app.set_checkbox("Early stopping on validation loss", False)
    app.click_train()
    app.stop_button().wait_for()

    # A curve shorter than the run, then a longer one: the chart grows while the model trains.
    first = app.wait_for_loss_points(1)
    assert first < 80, "the loss chart appeared only once training had finished"
    later = app.wait_for_loss_points(first + 1)
    assert first < later <= 80

    status = app.wait_for_status("Training completed")
    assert "80 epoch(s)" in status
    assert_results(app, epochs=80)


def test_stop_keeps_the_partial_run(app):
    app.set_number("Epochs", 300)
    # Early stopping could end the run by itself before the click; this test is about the button.
    app.set_checkbox("Early stopping on validation loss", False)
    app.click_train()
    app.wait_for_loss_points(2)
    app.stop_button().click()

    status = app.wait_for_status("Training stopped early")
    reason = re.search(r"stopped by you after (\d+) epoch\(s\)", status)
    trained = re.search(r"· (\d+) epoch\(s\) in", status)
    assert reason and trained, status
    epochs = int(reason.group(1))
    assert 2 <= epochs < 300, status
    assert int(trained.group(1)) == epochs, f"the stop reason and the run disagree on the epochs trained: {status!r}"
    assert_results(app, epochs=epochs)


def test_upload_a_csv_check_it_and_train(app):
    app.choose_source("Upload a CSV")
    assert any("Drop a CSV here" in text for text in app.alerts())
    app.upload(DATA / "sales.csv")

    summary = app.page.locator("[data-testid='stMarkdown']").filter(has_text="300 rows")
    assert "sales.csv" in summary.inner_text() and "time column: date" in summary.inner_text()
    assert app.selected("Target column (what to predict)") == "units_sold"
    assert any(text.startswith("No problems found") for text in app.alerts()), app.alerts()
    assert "Raw series" in app.wait_for_charts(1)

    app.set_number("Epochs", 3)
    app.click_train()
    status = app.wait_for_status("Training")
    assert "3 epoch(s) in" in status, status
    assert_results(app, epochs=3)


@pytest.mark.parametrize(("name", "content"), [
    ("till_export.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256))),
    ("nothing_here.csv", b""),
])
def test_a_broken_upload_is_explained_next_to_the_uploader(app, tmp_path, name, content):
    broken = tmp_path / name
    broken.write_bytes(content)
    app.choose_source("Upload a CSV")
    app.upload(broken)

    uploader = app.page.locator("[data-testid='stMain'] [data-testid='stFileUploader']")
    message = app.page.locator("[data-testid='stAlert']").filter(has_text=name)
    assert message.count() == 1, app.alerts()
    assert message.locator("[data-testid='stAlertContentError']").count() == 1, "the message is not an error"
    below = message.bounding_box()["y"] - (uploader.bounding_box()["y"] + uploader.bounding_box()["height"])
    assert 0 <= below < 80, f"the message is {below:.0f} px below the uploader"
    assert app.page.get_by_role("button", name="Train", exact=True).is_disabled()
    app.assert_no_exception()

    # The app keeps running: a good file right after is read and checked.
    app.upload(DATA / "sales.csv")
    assert any(text.startswith("No problems found") for text in app.alerts()), app.alerts()
    assert app.page.locator("[data-testid='stAlert']").filter(has_text=name).count() == 0
    app.assert_no_exception()


def test_readme_screenshot_after_a_default_run(app, tmp_path):
    app.click_train()
    app.wait_for_status("Training")
    assert set(app.wait_for_charts(4)) >= RESULT_CHARTS
    app.assert_no_exception()

    # Frame the story from the checks to the end: checks passed, the run, the curve, the verdict, the predictions.
    page = app.page
    heading = page.get_by_role("heading", name="2 · Checks before training")
    heading.scroll_into_view_if_needed()
    content_bottom = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('[data-testid=stMain] [data-testid=stElementContainer]'))"
        ".filter(element => element.checkVisibility() && element.offsetHeight > 0)"
        ".map(element => element.getBoundingClientRect().bottom))")
    height = content_bottom - heading.bounding_box()["y"] + sum(SCREENSHOT_MARGINS)
    page.set_viewport_size({"width": 1400, "height": round(height)})
    # The main area scrolls inside its own container, not the window.
    heading.evaluate("(heading, margin) => { const main = heading.closest('[data-testid=stMain]'); "
                     "main.scrollTop += heading.getBoundingClientRect().top - main.getBoundingClientRect().top "
                     "- margin; }", SCREENSHOT_MARGINS[0])
    page.mouse.move(0, 0)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    screenshot = Path(os.environ.get(SCREENSHOT_TO) or tmp_path / "screenshot.png")
    screenshot.parent.mkdir(exist_ok=True)
    page.screenshot(path=screenshot)
    assert screenshot.stat().st_size > 50_000

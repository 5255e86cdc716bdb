"""Two users training at once on one server keep their own runs; markup in an uploaded file stays text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser

AWKWARD = Path(__file__).resolve().parents[1] / "data" / "awkward"
# Every trace of the loss chart on screen: its name and its y values, as drawn.
LOSS_CURVES = """
() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(plot => String(plot.layout?.title?.text ?? '').includes('Loss per epoch'))
  .flatMap(plot => (plot.data ?? []).map(trace => [trace.name, Array.from(trace.y ?? [])]))
"""


def open_playground(browser, url: str) -> tuple:
    context, playground = open_page(browser, url)
    playground.wait_for_charts(1)
    return context, playground


def test_two_users_training_at_once_each_get_their_own_run(browser, app_url):
    first_context, first = open_playground(browser, app_url)
    second_context, second = open_playground(browser, app_url)
    try:
        second.choose("Sample", "Energy load driven by")
        for user, epochs in ((first, 3), (second, 4)):
            user.set_number("Epochs", epochs)
            user.set_number("Units per layer", 4)
        first.click_train()
        second.click_train()
        first.wait_for_status("Training completed")
        second.wait_for_status("Training completed")
        # Each page shows its own run: its own number of epochs, its own data, its own curve.
        assert first.loss_points() == 3 and second.loss_points() == 4
        assert first.selected("Target column (what to predict)") == "value"
        assert second.selected("Target column (what to predict)") != "value"
        first_curves = dict(first.page.evaluate(LOSS_CURVES))
        second_curves = dict(second.page.evaluate(LOSS_CURVES))
        assert len(first_curves["train loss"]) == 3 and len(second_curves["train loss"]) == 4
        assert first_curves["train loss"] != second_curves["train loss"][:3]
        for user in (first, second):
            user.assert_no_exception()
            assert any("baseline" in text and "LSTM" in text for text in user.alerts()), user.alerts()
    finally:
        first_context.close()
        second_context.close()


def test_markup_in_an_uploaded_file_is_shown_as_text_and_never_runs(app):
    dialogs = []
    app.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    app.choose_source("Upload a CSV")
    app.upload(AWKWARD / "html_script.csv")
    app.assert_no_exception()
    # The column name is on the page as the characters the file holds.
    assert app.selected("Target column (what to predict)") == "<script>alert(1)</script>"
    app.page.get_by_text("Table preview (first 200 rows)").click()
    app.page.wait_for_timeout(1000)
    injected = app.page.evaluate("""() => ({
        scripts: Array.from(document.querySelectorAll('script')).filter(s => s.textContent.includes('alert(')).length,
        images: document.querySelectorAll('img[src="x"], img[onerror]').length,
        bold: Array.from(document.querySelectorAll('b')).filter(b => b.textContent === 'bold').length,
    })""")
    assert injected == {"scripts": 0, "images": 0, "bold": 0}
    assert dialogs == []

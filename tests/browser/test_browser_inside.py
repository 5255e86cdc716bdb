"""Inside the LSTM in a real Chromium: the switch opens it on the worst test window, and a click on a point of the
predicted-vs-actual chart picks that window instead."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def window_caption(app) -> str:
    caption = app.page.locator("[data-testid='stCaptionContainer']").filter(has_text=re.compile(r"^Test window"))
    caption.first.wait_for()
    return caption.first.inner_text()


def test_a_click_on_the_prediction_chart_picks_the_window_inside(app):
    app.set_number("Units per layer", 4)
    app.set_number("Epochs", 2)
    app.click_train()
    app.wait_for_status("Training")
    switch = app.page.locator("[data-testid='stCheckbox']").filter(has_text="Inside the LSTM")
    app.rerun_after(lambda: switch.first.click(), shows="document.body.innerText.includes('(the largest)')")
    app.page.get_by_text("(the largest).").wait_for()
    assert "Inside the LSTM" in app.chart_titles()
    worst = int(re.search(r"Test window (\d+)", window_caption(app)).group(1))

    chart = app.page.locator(".js-plotly-plot").filter(has_text="predicted vs actual").first
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first.bounding_box()
    # The window under a point at a fifth of the chart's width, away from the worst one (which is the default).
    share = 0.2 if worst > 60 else 0.8
    x, y = area["x"] + area["width"] * share, area["y"] + area["height"] / 2
    app.page.mouse.move(x, y)
    app.rerun_after(lambda: app.page.mouse.click(x, y), shows="document.body.innerText.includes('(the largest is')")
    app.page.get_by_text(f"(the largest is window {worst})").wait_for()
    picked = int(re.search(r"Test window (\d+)", window_caption(app)).group(1))
    assert picked != worst
    assert app.page.get_by_label("Test window (0 = the first)").input_value() == str(picked)
    app.assert_no_exception()

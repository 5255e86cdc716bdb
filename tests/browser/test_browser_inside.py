"""Inside the LSTM in a real Chromium: the switch opens it on the worst test window, and a click on a point of the
predicted-vs-actual chart picks that window instead."""

from __future__ import annotations

import os
import re
from pathlib import Path

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


SCREENSHOT_TO = "LSTM_PLAYGROUND_INSIDE_SCREENSHOT"
SCREENSHOT_MARGINS = (16, 24)  # px above the section's switch and below its chart


def test_readme_picture_of_the_section_after_a_run_at_learning_rate_5(app, tmp_path):
    """The README's docs/inside.png (`make screenshot` sets LSTM_PLAYGROUND_INSIDE_SCREENSHOT); otherwise the
    picture goes to the test's own folder, never into the repository."""
    app.set_number("Units per layer", 16)
    app.set_number("Epochs", 6)
    field = app.page.get_by_label("Learning rate", exact=True)
    app.rerun_after(lambda: (field.fill("5"), field.press("Enter")))
    app.click_train()
    app.wait_for_status("run #")
    switch = app.page.locator("[data-testid='stCheckbox']").filter(has_text="Inside the LSTM").first
    app.rerun_after(lambda: switch.click(), shows="document.body.innerText.includes('Reference: ')")
    app.page.get_by_text("Reference: the same setup trained at learning rate 0.001").wait_for()
    app.page.get_by_text("learning rate of 5 pushed").wait_for()
    assert "Inside the LSTM" in app.chart_titles()
    app.assert_no_exception()

    # Frame the section: from its switch to the bottom of its chart.
    page = app.page
    chart = page.locator(".js-plotly-plot").filter(has_text="occlusion").first
    chart.scroll_into_view_if_needed()
    switch.scroll_into_view_if_needed()
    top, bottom = switch.bounding_box()["y"], chart.bounding_box()
    height = bottom["y"] + bottom["height"] - top + sum(SCREENSHOT_MARGINS)
    page.set_viewport_size({"width": 1400, "height": round(height)})
    # The main area scrolls inside its own container, not the window.
    switch.evaluate("(element, margin) => { const main = element.closest('[data-testid=stMain]'); "
                    "main.scrollTop += element.getBoundingClientRect().top - main.getBoundingClientRect().top "
                    "- margin; }", SCREENSHOT_MARGINS[0])
    page.mouse.move(0, 0)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    screenshot = Path(os.environ.get(SCREENSHOT_TO) or tmp_path / "inside.png")
    screenshot.parent.mkdir(exist_ok=True)
    main = page.locator("[data-testid='stMain']").bounding_box()  # the section alone, without the sidebar
    page.screenshot(path=screenshot, clip={"x": main["x"], "y": 0, "width": main["width"], "height": round(height)})
    assert screenshot.stat().st_size > 50_000

"""The learning-rate range test in a real Chromium: run it, read the suggestion on the chart, use it."""

from __future__ import annotations

import re

import pytest

# The first range test in the server imports TensorFlow and compiles, on two shared cores.
TRAIN_TIMEOUT_MS = 180_000

pytestmark = pytest.mark.browser

RANGE_CHART = ("Array.from(document.querySelectorAll('.js-plotly-plot'))"
               ".some(p => String(p.layout?.title?.text ?? '').includes('Loss vs learning rate'))")


def test_find_a_learning_rate_and_use_it(app):
    page = app.page
    app.set_number("Units per layer", 8)
    page.get_by_text("Learning-rate range test", exact=True).click()
    page.get_by_role("button", name="Find a learning rate", exact=True).click()
    app.wait_until_idle_and(RANGE_CHART, timeout=TRAIN_TIMEOUT_MS)

    line = page.locator("[data-testid='stMarkdown']").filter(has_text="Suggested learning rate:")
    suggested = re.search(r"Suggested learning rate: ([\d.e-]+) \(now 0\.001\)", line.inner_text()).group(1)
    # The chart draws the rate on a log axis and marks the suggestion.
    axis_type = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .find(p => String(p.layout?.title?.text ?? '').includes('Loss vs learning rate')).layout.xaxis.type""")
    assert axis_type == "log"
    assert page.get_by_text(f"suggested {suggested}").count() >= 1

    app.click_button(f"Use this rate: {suggested}")

    assert app.wait_for_number("Learning rate", float(suggested)) == pytest.approx(float(suggested))
    assert page.get_by_role("button", name=f"Use this rate: {suggested}", exact=True).is_disabled()
    app.assert_no_exception()

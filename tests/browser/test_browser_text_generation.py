"""The Text generation page in a real Chromium: train on the built-in text, watch samples appear, generate text."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TRAIN_TIMEOUT_MS = 180_000
TRACES = """Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(p => (p.data ?? []).map(t => t.name))"""


def test_train_on_the_sample_see_samples_appear_and_generate(app):
    page = app.page
    app.rerun_after(lambda: page.get_by_role("link", name="Text generation").click(),
                    shows="document.body.innerText.includes('vocabulary')")
    app.wait_until_idle_and("document.body.innerText.includes('vocabulary')")
    app.choose("Sample", "short")
    app.set_number("Epochs", 2)
    app.click_train()
    # The epoch-0 sample is written before the first epoch ends: noise first, then the model's attempts.
    page.get_by_text("before training").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    page.get_by_text("after epoch 2").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=TRAIN_TIMEOUT_MS)
    assert any("Bits per character" in title for title in app.chart_titles())
    assert "unigram baseline" in page.evaluate(TRACES)
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("The king ")
    app.click_button("Generate")
    generated = page.locator("[data-testid='stMarkdownContainer'] strong").filter(has_text="The king")
    generated.first.wait_for()
    paragraph = generated.first.locator("xpath=..").inner_text()
    assert paragraph.startswith("The king") and len(paragraph) > len("The king ") + 50
    app.assert_no_exception()

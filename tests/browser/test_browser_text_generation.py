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
    # The run trains in a worker; the page's live part shows its samples as the store receives them: the epoch-0
    # sample is written before the first epoch ends, noise first, then the model's attempts.
    page.get_by_text("before training").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    page.get_by_role("heading", name="4 · What it learnt").wait_for(timeout=TRAIN_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=TRAIN_TIMEOUT_MS)
    page.get_by_text("after epoch 2").first.wait_for()
    assert any("Bits per character" in title for title in app.chart_titles())
    assert "unigram baseline" in page.evaluate(TRACES)
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("The king ")
    app.click_button("Generate")
    # Generated text is shown verbatim in a code block, never as Markdown.
    generated = page.locator("[data-testid='stCode']").filter(has_text="The king")
    generated.first.wait_for()
    text = generated.first.inner_text()
    assert text.startswith("The king") and len(text) > len("The king ") + 50
    app.assert_no_exception()

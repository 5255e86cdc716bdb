"""Text classification in a real Chromium: open the page from the sidebar, train on the sample, type a sentence."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# The first run in the server imports TensorFlow; the machine is shared.
TRAIN_TIMEOUT_MS = 180_000
ACCURACY = re.compile(r"Accuracy ([\d.]+)% · majority baseline \((.+?)\) ([\d.]+)%")


def test_train_on_the_sample_and_classify_a_typed_sentence(app):
    page = app.page
    app.rerun_after(lambda: page.get_by_role("link", name="Text classification").click(),
                    shows="document.body.innerText.includes('Texts and labels')")
    app.wait_until_idle_and("document.body.innerText.includes('No problems found: 316 train')")
    assert app.wait_for_charts(1) == ["Text lengths in words"]
    app.set_number("Epochs", 4)

    page.get_by_role("button", name="Train", exact=True).click()
    accuracy = page.locator("[data-testid='stMarkdown']").filter(has_text="Accuracy")
    accuracy.wait_for(timeout=TRAIN_TIMEOUT_MS)
    app.wait_until_idle_and("true")
    model, majority, baseline = ACCURACY.search(accuracy.inner_text()).groups()
    assert majority == "billing" and float(model) > float(baseline) + 30
    assert "Confusion matrix (test part)" in app.chart_titles()
    assert app.wait_for_loss_points(4) == 4  # the run's own curve, like every other task's

    box = page.get_by_label("Type a sentence to classify")
    app.rerun_after(lambda: (box.fill("the app shows an error when I log in"), box.press("Enter")),
                    shows="document.body.innerText.includes('Predicted:')")
    predicted = page.locator("[data-testid='stMarkdown']").filter(has_text="Predicted:")
    assert "Predicted: technical" in predicted.inner_text()
    assert "Class probabilities" in app.chart_titles()
    app.assert_no_exception()

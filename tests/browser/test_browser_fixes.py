"""Findings and their fixes in a real Chromium: a flag in the checks, a classification run, and the Error lab's
one-click scenarios opened in the Playground."""

from __future__ import annotations

import re

import pytest

from lstm_core.lab import SCENARIOS

pytestmark = pytest.mark.browser

ACCURACY = re.compile(r"Accuracy ([\d.]+)% · majority baseline \((.+?)\) ([\d.]+)%")
# Sum of the cells of the confusion-matrix heatmap on screen, as plotly holds them after drawing.
CONFUSION_TOTAL = """
() => {
  const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(p => String(p.layout?.title?.text ?? '').includes('Confusion matrix'));
  const z = plot?._fullData?.[0]?.z;
  if (!z) return null;
  return Array.from(z).reduce((total, row) => total + Array.from(row).reduce((a, b) => a + b, 0), 0);
}
"""


def train_button(app):
    return app.page.get_by_role("button", name="Train", exact=True)


def test_a_flag_appears_in_the_checks_and_apply_fix_clears_it(app):
    assert app.finding_codes() == set(), app.alerts()

    app.set_number("Learning rate", 10)

    box = app.finding("TRAIN001")
    assert box.count() == 1, app.alerts()
    assert "Learning rate 10 is very high" in box.inner_text()
    assert box.locator("[data-testid='stAlertContentWarning']").count() == 1, "TRAIN001 is not drawn as a warning"
    checks, train = app.heading_y("2 · Checks before training"), app.heading_y("3 · Train")
    assert checks < box.bounding_box()["y"] < train, "the TRAIN001 box is not in the checks section"
    fix = app.page.get_by_role("button", name="Apply fix: learning_rate → 0.001", exact=True)
    assert box.bounding_box()["y"] < fix.bounding_box()["y"] < train
    assert app.finding_codes() == {"TRAIN001"}, app.alerts()
    # A warning explains; it does not block.
    assert train_button(app).is_enabled()

    app.click_button("Apply fix: learning_rate → 0.001")

    assert app.finding("TRAIN001").count() == 0
    assert app.finding_codes() == set(), app.alerts()
    assert fix.count() == 0
    assert app.wait_for_number("Learning rate", 0.001) == 0.001
    assert any(text.startswith("No problems found") for text in app.alerts()), app.alerts()
    app.assert_no_exception()


def test_classify_gestures_and_read_the_scores(app):
    app.choose("Sample", "Pen gestures")

    assert app.page.get_by_role("radio", name="Classify whole sequences", exact=True).is_checked()
    [summary] = [text for text in app.alerts() if text.startswith("No problems found")]
    assert "3 classes" in summary, summary
    test_count = int(re.search(r"(\d+) test sequences", summary).group(1))
    assert "Sequence lengths" in app.wait_for_charts(2)

    app.set_number("Epochs", 3)
    app.click_train()
    status = app.wait_for_status("Training completed")

    assert "3 epoch(s) in" in status, status
    line = app.page.locator("[data-testid='stMarkdown']").filter(has_text="majority baseline")
    assert line.count() == 1
    accuracy, majority, baseline = ACCURACY.search(line.inner_text()).groups()
    [verdict] = [text for text in app.alerts() if "majority-class baseline" in text]
    assert f"{accuracy}%" in verdict and f"{baseline}%" in verdict and f"'{majority}'" in verdict, verdict
    titles = app.wait_for_charts(4)
    assert {"Loss per epoch", "Confusion matrix (test part)"} <= set(titles), titles
    assert app.loss_points() == 3
    assert app.page.evaluate(CONFUSION_TOTAL) == test_count
    assert app.page.get_by_text("Classify new data").count() == 1
    app.assert_no_exception()


def test_the_error_lab_opens_ragged_sequences_in_the_playground_and_the_fix_clears_it(app):
    scenario = SCENARIOS["ragged"]
    [code] = scenario.expect
    page = app.page

    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Error lab").click()
    page.get_by_role("heading", name="Error lab", level=1).wait_for()
    opens = page.get_by_role("button", name="Open in the Playground", exact=True)
    app.wait_until_idle_and("Array.from(document.querySelectorAll('button'))"
                            ".filter(b => b.innerText.trim() === 'Open in the Playground')"
                            f".length === {len(SCENARIOS)}")
    card = page.locator("[data-testid='stVerticalBlock']").filter(
        has=page.get_by_role("heading", name=scenario.title, exact=True)).filter(has=opens).last
    assert card.get_by_role("button", name="Open in the Playground", exact=True).count() == 1
    assert card.locator("[data-testid='stAlert']").filter(has_text=f"{code} ·").count() == 1
    app.assert_no_exception()

    card.get_by_role("button", name="Open in the Playground", exact=True).click()

    page.get_by_role("heading", name="LSTM Playground", level=1).wait_for()
    app.finding(code).wait_for()
    app.wait_until_idle_and("true")
    assert "Pen gestures" in app.selected("Sample")
    assert app.finding(code).count() == 1
    assert app.finding(code).locator("[data-testid='stAlertContentError']").count() == 1
    assert train_button(app).is_disabled()

    app.click_button("Apply fix: pad → pre")

    assert app.finding(code).count() == 0
    assert app.finding_codes() == set(), app.alerts()
    assert train_button(app).is_enabled()
    assert any(text.startswith("No problems found") for text in app.alerts()), app.alerts()
    app.assert_no_exception()

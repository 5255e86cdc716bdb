"""A learning-rate sweep in a real Chromium against a real `streamlit run`: the Error lab's sweep opened in the
Playground, four runs trained in the server's workers and watched live, the bad rates flagged on the chart and in the
summary, the best rate taken into the sidebar, and the sweep found again after a reload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SWEEP_TIMEOUT_MS = 300_000
CURVES = "Validation loss per epoch"
# Traces of the sweep's curves chart: the runs' lines and the monitors' marks.
TRACES = """() => {
  const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(p => String(p.layout?.title?.text ?? '').includes('Validation loss per epoch'));
  if (!plot) return null;
  return plot.data.map(t => ({mode: t.mode, name: t.name, text: t.text ?? null, points: (t.x ?? []).length}));
}"""
# Set SWEEP_SCREENSHOTS=folder to keep pictures of the view while it trains and once finished (docs/sweep.png is
# the finished one).
SCREENSHOTS = os.environ.get("SWEEP_SCREENSHOTS")


def keep_picture(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(3000)  # plotly's transitions
        page.locator(".st-key-sweep_view_playground").screenshot(path=str(Path(SCREENSHOTS) / name))


def test_a_learning_rate_sweep_end_to_end(app):
    page = app.page
    app.go_to("Error lab")
    app.rerun_after(lambda: page.get_by_role("button", name="Open as a sweep in the Playground").click(),
                    shows="document.body.innerText.includes('Try several values')")
    app.wait_until_idle_and("document.body.innerText.includes('Start sweep (5 runs)')")
    values = page.get_by_label("Values to try", exact=True)
    assert values.input_value() == "1e-4, 1e-3, 1e-2, 1, 10"
    app.rerun_after(lambda: (values.fill("1e-4, 1e-2, 1, 10"), values.press("Enter")),
                    shows="document.body.innerText.includes('Start sweep (4 runs)')")
    assert page.get_by_text("differ only in the swept settings").count() == 1

    app.click_button("Start sweep (4 runs)")
    # The live view draws while the runs train, with its Stop button.
    page.get_by_role("button", name="Stop sweep").wait_for(timeout=60_000)
    app.wait_until_idle_and(f"({TRACES})() !== null && ({TRACES})().some(t => t.points >= 2)",
                            timeout=SWEEP_TIMEOUT_MS)
    keep_picture(page, "live.png")

    summary = page.locator("[data-testid='stAlert']").filter(has_text="best: 0.01")
    summary.filter(has_not_text="runs finished").wait_for(timeout=SWEEP_TIMEOUT_MS)
    app.wait_until_idle_and("true")
    text = summary.first.inner_text()
    assert "≥ 1 diverged (TRAIN102)" in text and "1e-4 stalled (TRAIN103)" in text, text
    assert page.get_by_role("button", name="Stop sweep").count() == 0
    keep_picture(page, "finished.png")

    traces = page.evaluate(TRACES)
    lines = [t for t in traces if t["mode"] == "lines+markers"]
    assert [t["name"].split(" · ")[0] for t in lines] == ["1e-4", "0.01", "1", "10"]
    marks = {t["name"].split(" · ")[0]: set(t["text"]) for t in traces if t["mode"] == "markers+text"}
    assert "TRAIN103" in marks["1e-4"] and "TRAIN102" in marks["10"], marks
    assert page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .some(p => (p.data ?? []).some(t => t.type === 'parcoords'))""")

    app.click_button("Use the best settings (learning rate 0.01)")
    assert app.wait_for_number("Learning rate", 0.01) == pytest.approx(0.01)

    # A reload keeps the workspace in the address: the sweep shows again, finished.
    app.rerun_after(lambda: page.reload())
    app.wait_until_idle_and(f"({TRACES})() !== null")
    assert len([t for t in page.evaluate(TRACES) if t["mode"] == "lines+markers"]) == 4
    assert page.locator("[data-testid='stAlert']").filter(has_text="best: 0.01").count() == 1
    app.assert_no_exception()

"""What "Inside the LSTM" costs the Playground page: the page with a finished run drawn, the section closed vs open.

    .venv/bin/python bench/inside_paint.py [rounds]

A real `streamlit run app.py` (its own store) and Chromium, one finished default-sample run on the page. Then, in one
session, rounds alternate:
(a) a rerun of the whole page (the loss chart's "Log scale" ticked or unticked) with the section closed,
(b) the same rerun with the section open (its view already computed: the cached drawing a user sees on every rerun),
and, in a new session each round, (c) the page reloaded (the run's results drawn from the store; the section closed,
as every new session starts). Once, first: the first opening of the section (the helper process loads the model,
trains the healthy reference and recomputes the worst window). Medians of each are printed side by side.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS, IDLE, open_page, start_server, stop_server  # noqa: E402

# The section is open when its saturation table's heading is on the page; its chart is then one more plotly chart.
INSIDE_SHOWN = "() => document.body.innerText.includes('Saturation at a glance')"
CHARTS = "Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.layout).length"


def drawn(playground, action, inside_shown: bool, charts: int) -> float:
    """Seconds from `action` until its script run has ended and the page shows (or no longer shows) the section's
    chart, the results' charts drawn."""
    page = playground.page
    before = page.evaluate("window.__scriptRuns")
    started = time.monotonic()
    action()
    try:
        page.wait_for_function(
            f"""() => window.__scriptRuns > {before} && document.querySelector("{IDLE}") !== null
                  && ({INSIDE_SHOWN})() === {str(inside_shown).lower()}
                  && {CHARTS} >= {charts + inside_shown}""",
            timeout=90_000)
    except Exception:
        state = f"""() => [window.__scriptRuns, document.querySelector("{IDLE}") !== null, ({INSIDE_SHOWN})(),
                          {CHARTS}]"""
        print("  page state at the timeout (runs, idle, section chart, charts):", before, page.evaluate(state))
        page.screenshot(path=Path(tempfile.gettempdir()) / "inside_paint_timeout.png", full_page=True)
        raise
    return time.monotonic() - started


def inside_switch(playground):
    return playground.page.locator("[data-testid='stCheckbox']").filter(has_text="Inside the LSTM").first


def log_scale(playground):
    box = playground.page.get_by_label("Log scale", exact=True)
    return lambda: box.set_checked(not box.is_checked(), force=True)


def reloaded(browser, url: str) -> float:
    """A new session on the workspace's address: seconds until the run's results are drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    try:
        page = context.new_page()
        started = time.monotonic()
        page.goto(url)
        page.wait_for_function(
            f"""() => document.querySelector("{IDLE}") !== null
                  && document.body.innerText.includes('Inside the LSTM')
                  && Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.layout).length >= 3""",
            timeout=300_000)
        return time.monotonic() - started
    finally:
        context.close()


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="lstm-playground-bench-"))
    server, url = start_server(home / "server.log", home / "store")
    closed, opened, reloads = [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context, playground = open_page(browser, url, still=False)
            playground.wait_for_charts(1)
            playground.set_number("Epochs", 10)
            playground.click_train()
            playground.wait_for_status("run #1 ·")
            address = f"{url}/?ws={playground.workspace()}"
            time.sleep(2)  # the results' last charts drawn
            charts = playground.page.evaluate(CHARTS)
            first = drawn(playground, lambda: inside_switch(playground).click(), inside_shown=True, charts=charts)
            print(f"  first opening (helper: model, healthy reference, recomputation): {first:.1f} s", flush=True)
            drawn(playground, lambda: inside_switch(playground).click(), inside_shown=False, charts=charts)
            for number in range(1, rounds + 1):
                closed.append(drawn(playground, log_scale(playground), inside_shown=False, charts=charts))
                drawn(playground, lambda: inside_switch(playground).click(), inside_shown=True, charts=charts)
                opened.append(drawn(playground, log_scale(playground), inside_shown=True, charts=charts))
                drawn(playground, lambda: inside_switch(playground).click(), inside_shown=False, charts=charts)
                reloads.append(reloaded(browser, address))
                print(f"  round {number}: rerun closed {closed[-1]:.2f} s · rerun open {opened[-1]:.2f} s · "
                      f"new session (closed) {reloads[-1]:.2f} s", flush=True)
            playground.assert_no_exception()
            context.close()
            browser.close()
    finally:
        stop_server(server)
    closed_s, opened_s, reload_s = (statistics.median(v) for v in (closed, opened, reloads))
    print(f"Playground page with a finished default-sample run, medians of {rounds}: rerun with Inside the LSTM "
          f"closed {closed_s:.2f} s vs open {opened_s:.2f} s ({opened_s / closed_s:.2f}×); a new session's page "
          f"(section closed) {reload_s:.2f} s; first opening {first:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

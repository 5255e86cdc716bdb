"""What a page load costs the browser: the Playground opened in a fresh Chromium context, as a new visitor.

    .venv/bin/python bench/page_load.py [--loads 5]

Starts a real `streamlit run app.py` with a store of its own and opens the page `--loads` times, each in a new
browser context, until its first chart is drawn. For each load it reads the page's main-thread time from Chromium
(DevTools `Performance.getMetrics`: all tasks, and the part spent running JavaScript) and the script files fetched.
Side by side in the same run: the same loads with "Share this setup" opened as soon as the page has drawn, which
draws the link's code block, as every page load did while the link sat in an expander (drawn, hidden, on load).
Prints medians; the first load of the server (its own start-up) is left out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS, COUNT_RUNS, IDLE, VIEWPORT, Playground, start_server, stop_server  # noqa: E402

CODE = "[data-testid='stCode']"


def one_load(browser, url: str, open_share: bool) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        scripts: list[str] = []
        page.on("request", lambda request: scripts.append(request.url) if request.url.endswith(".js") else None)
        devtools = context.new_cdp_session(page)
        devtools.send("Performance.enable")
        page.add_init_script(COUNT_RUNS)
        started = time.monotonic()
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=120_000)
        Playground(page).wait_for_charts(1)
        if open_share:
            page.get_by_text("Share this setup").click()
            page.locator(CODE).first.wait_for(state="visible")
        seconds = time.monotonic() - started
        # Let work queued by the last draw finish before reading the totals.
        page.wait_for_timeout(1000)
        metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
        return {"wall": seconds, "tasks": metrics["TaskDuration"], "script": metrics["ScriptDuration"],
                "files": len(scripts), "highlighter": any("SyntaxHighlighter" in name for name in scripts)}
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="lstm-playground-bench-"))
    server, url = start_server(home / "server.log", home / "store")
    results: dict[bool, list[dict]] = {False: [], True: []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            one_load(browser, url, False)  # the server's first page: its own start-up, not a visitor's load
            for _ in range(args.loads):
                for open_share in (False, True):  # alternated, so that a noisy moment hits both sides
                    results[open_share].append(one_load(browser, url, open_share))
            browser.close()
    finally:
        stop_server(server)

    def median(rows: list[dict], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    print(f"{'median of ' + str(args.loads):<44} {'wall s':>7} {'main thread s':>14} {'of it JS s':>11} "
          f"{'scripts':>8}  code highlighter loaded")
    for open_share, label in ((False, "page load (the link drawn when asked for)"),
                              (True, "page load + Share opened (= expander, before)")):
        rows = results[open_share]
        print(f"{label:<44} {median(rows, 'wall'):7.2f} {median(rows, 'tasks'):14.2f} {median(rows, 'script'):11.2f} "
              f"{median(rows, 'files'):8.0f}  {sum(row['highlighter'] for row in rows)}/{len(rows)}")
    saved = median(results[True], "tasks") - median(results[False], "tasks")
    print(f"main-thread time a visitor who never opens Share no longer pays: {saved:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

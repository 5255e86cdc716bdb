"""A real `streamlit run app.py` for the session, a real Chromium, and a small driver for the Playground page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 2200}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The data uploader in the page, not the sidebar's settings-file uploader.
DATA_UPLOAD = "[data-testid='stMain'] input[type=file]"
# Training shares two noisy cores with other jobs; the first run in the server also imports TensorFlow and compiles.
TRAIN_TIMEOUT_MS = 180_000
RERUN_TIMEOUT_MS = 90_000
# A rerun the page never showed as running is taken as done once the page has been idle this long after the action.
QUIET_MS = 15_000
# Waits look at the page ten times a second; Playwright's default, every animation frame, keeps Chromium busy.
POLL_MS = 100

# Counts every script run the page starts, so a test can wait for the rerun its own click caused, however short;
# `__document` tells a reloaded page (its count starts again at 0) from the one before.
COUNT_RUNS = """
window.__scriptRuns = 0;
window.__document = Math.random().toString(36).slice(2);
new MutationObserver(records => {
  for (const record of records) {
    if (record.target.getAttribute('data-test-script-state') === 'running') window.__scriptRuns += 1;
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""

# Chromium draws a new frame for every step of a CSS animation or transition (Streamlit's running indicator, progress
# bars, expanders): a test's page has none, as Playwright's screenshots do, which took a page load and a run on the
# default sample from ~10.7 to ~7.5 s of Chromium's CPU. What the page shows, and when, is unchanged.
STILL = """
document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; }';
  document.head.appendChild(style);
});
"""

# Points drawn in the "Loss per epoch" charts now on the page (train-loss trace), largest first; [] if none.
LOSS_POINTS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(plot => String(plot.layout?.title?.text ?? '').includes('Loss per epoch'))
  .map(plot => (plot._fullData ?? plot.data ?? []).find(trace => trace.name === 'train loss'))
  .filter(trace => trace)
  .map(trace => trace._length ?? trace.x.length)
  .sort((a, b) => b - a)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().decode().strip() == "ok"
    except OSError:
        return False


def start_server(log_path: Path, home: Path | None = None,
                 launcher: tuple[str, ...] = ("-m", "streamlit")) -> tuple[subprocess.Popen, str]:
    """A real `streamlit run app.py` on a free port, its runs kept under `home` (default: the tests' store);
    `launcher`, the interpreter's arguments before `run` (a benchmark's `-c` prelude)."""
    port = _free_port()
    command = [sys.executable, *launcher, "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if home is not None:
        env["LSTM_PLAYGROUND_HOME"] = str(home)
    with open(log_path, "ab") as log:
        server = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _healthy(url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"streamlit did not come up on {url}:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.25)
    return server, url


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    server, url = start_server(tmp_path_factory.mktemp("streamlit") / "server.log")
    try:
        yield url
    finally:
        stop_server(server)


def new_context(browser, still: bool = True):
    """A new browser context, like a new user's browser; `still`: its pages have no CSS animations (STILL)."""
    context = browser.new_context(viewport=VIEWPORT)
    if still:
        context.add_init_script(STILL)
    return context


def open_page(browser, url: str, still: bool = True):
    """(context, Playground) of a new browser, like a new user, on `url` once the page has drawn; `still=False`
    keeps the page's animations (a benchmark timing what a user's browser does)."""
    context = new_context(browser, still)
    context.set_default_timeout(RERUN_TIMEOUT_MS)
    page = context.new_page()
    page.add_init_script(COUNT_RUNS)
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    return context, Playground(page)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it with `apt-get install chromium` (no browser "
                    "is downloaded by these tests).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app(browser, app_url):
    """A fresh browser context (so a fresh Streamlit session with default settings) on the Playground page."""
    context, playground = open_page(browser, app_url)
    playground.wait_for_charts(1)
    yield playground
    context.close()


class Playground:
    """Drives the page the way a user does, by labels, buttons and text; data-testid only to find what they draw."""

    def __init__(self, page):
        self.page = page

    def rerun_after(self, action, shows: str | None = None) -> None:
        """Do `action` (a click, a fill) and wait until the script run it triggers has finished.

        A quick rerun can go from "running" to "notRunning" within one frame and never show as running in the DOM;
        `shows`, a JavaScript condition on what the rerun draws, also counts as the rerun having happened, and so
        does a page that has sat idle for QUIET_MS since the action. After a reload, the new page's first run counts.
        """
        before, document, started = self.page.evaluate("[window.__scriptRuns, window.__document, Date.now()]")
        action()
        self.page.wait_for_function(
            f"""() => (window.__scriptRuns > {before} || ({shows or 'false'})
                       || (window.__document !== "{document}" && window.__scriptRuns > 0)
                       || Date.now() - {started} > {QUIET_MS}) &&
                 document.querySelector("{IDLE}") !== null""", timeout=RERUN_TIMEOUT_MS, polling=POLL_MS)

    def set_number(self, label: str, value: int) -> None:
        field = self.page.get_by_label(label, exact=True)
        self.rerun_after(lambda: (field.fill(str(value)), field.press("Enter")))
        assert field.input_value() == str(value)

    def wait_for_number(self, label: str, expected: float, timeout_s: float = RERUN_TIMEOUT_MS / 1000) -> float:
        """The number in the field `label` once it reads `expected` (to 1e-9 relative), or when `timeout_s` ran out.

        A value a button writes into another widget can reach that widget's field a frame after the rerun has
        ended: wait for what the user waits for, the number in the field."""
        field = self.page.get_by_label(label, exact=True)
        deadline = time.monotonic() + timeout_s
        while True:
            value = float(field.input_value())
            if abs(value - expected) <= 1e-9 * abs(expected) or time.monotonic() > deadline:
                return value
            self.page.wait_for_timeout(POLL_MS)

    def set_checkbox(self, label: str, checked: bool) -> None:
        box = self.page.get_by_label(label, exact=True)
        if box.is_checked() != checked:
            # Streamlit hides the real <input> under its own drawing of a checkbox.
            self.rerun_after(lambda: box.set_checked(checked, force=True))
        assert box.is_checked() == checked

    def choose_source(self, label: str) -> None:
        """Pick a data source; choosing "Upload a CSV" is done when the uploader is drawn."""
        shows = f"document.querySelector(\"{DATA_UPLOAD}\") !== null" if "Upload" in label else None
        self.rerun_after(lambda: self.page.get_by_text(label, exact=True).click(), shows=shows)

    def upload(self, path: Path) -> None:
        """Upload a file and wait until a finished script run names it outside the uploader.

        Replacing a file can take two runs (the old file removed, then the new one read), so waiting for one
        rerun is not enough: wait for what the user waits for, the file's name in the page.
        """
        self.page.locator(DATA_UPLOAD).set_input_files(path)
        self.page.wait_for_function(
            """([idle, name]) => document.querySelector(idle) !== null &&
                 Array.from(document.querySelectorAll("[data-testid='stMarkdownContainer']"))
                   .some(text => !text.closest("[data-testid='stFileUploader']") && text.textContent.includes(name))""",
            arg=[IDLE, path.name], timeout=RERUN_TIMEOUT_MS, polling=POLL_MS)

    def selected(self, label: str) -> str:
        return self.page.get_by_role("combobox", name=label, exact=True).input_value()

    def choose(self, label: str, option: str) -> None:
        """Pick the option of the selectbox `label` whose text contains `option`, as a user does: open, click."""
        self.page.get_by_role("combobox", name=label, exact=True).click()
        choice = self.page.get_by_role("option").filter(has_text=option)
        self.rerun_after(lambda: choice.click())
        assert option in self.selected(label)

    def click_button(self, name: str) -> None:
        """Click the one button named `name` and wait for the script run it causes."""
        button = self.page.get_by_role("button", name=name, exact=True)
        self.rerun_after(lambda: button.click())

    def finding(self, code: str):
        """The finding box(es) of `code` in the main area ("CODE · title…"), without the sidebar's one-line flags."""
        return self.page.locator("[data-testid='stMain'] [data-testid='stAlert']").filter(has_text=f"{code} ·")

    def finding_codes(self) -> set[str]:
        """Codes of every finding on screen, in the main area ("CODE · …") and the sidebar's flags ("CODE: …")."""
        return {m.group(1) for text in self.alerts() if (m := re.search(r"\b([A-Z]+\d{3})\b\s*[·:]", text))}

    def wait_until_idle_and(self, condition: str, timeout: int = RERUN_TIMEOUT_MS) -> None:
        """Wait until no script runs and the JavaScript expression `condition` holds (e.g. after a page switch)."""
        self.page.wait_for_function(f"""() => document.querySelector("{IDLE}") !== null && ({condition})""",
                                    timeout=timeout, polling=POLL_MS)

    def heading_y(self, name: str) -> float:
        return self.page.get_by_role("heading", name=name, exact=True).bounding_box()["y"]

    def click_train(self) -> None:
        train = self.page.get_by_role("button", name="Train", exact=True)
        assert train.is_enabled(), "the Train button is disabled"
        train.click()

    def stop_button(self):
        return self.page.get_by_role("button", name="Stop training")

    def workspace(self) -> str:
        """The workspace id in the address bar (?ws=…)."""
        self.page.wait_for_function("new URL(location.href).searchParams.get('ws') !== null", polling=POLL_MS)
        return self.page.evaluate("new URL(location.href).searchParams.get('ws')")

    def go_to(self, link: str) -> None:
        """Follow a page link in the sidebar, as a user does, and wait for that page to draw (the address shows the
        page once its run has started: a switch too quick to show as running is still seen)."""
        target = self.page.get_by_role("link", name=link)
        href = target.get_attribute("href")
        self.rerun_after(lambda: target.click(),
                         shows=f"location.pathname === new URL({href!r}, location.href).pathname")

    def loss_points(self) -> int:
        """Points on the train-loss curve of the loss chart on screen (the largest, while a rerun swaps charts)."""
        counts = self.page.evaluate(LOSS_POINTS)
        return counts[0] if counts else 0

    def wait_for_loss_points(self, at_least: int, timeout: int = TRAIN_TIMEOUT_MS) -> int:
        """Wait for the curve to hold `at_least` points; returns the count the wait saw (read again afterwards, a
        rerun swapping the chart could read 0)."""
        seen = self.page.wait_for_function(
            f"() => {{ const n = ({LOSS_POINTS})()[0] ?? 0; return n >= {at_least} ? n : 0; }}", timeout=timeout,
            polling=POLL_MS)
        return int(seen.json_value())

    def wait_for_status(self, text: str, timeout: int = TRAIN_TIMEOUT_MS) -> str:
        """Wait for the run's status line (e.g. "Training completed") and the end of the script run drawing it."""
        status = self.page.locator("[data-testid='stMarkdown']").filter(has_text=text).filter(has_text="epoch(s) in")
        status.wait_for(timeout=timeout)
        self.page.wait_for_selector(IDLE, timeout=TRAIN_TIMEOUT_MS)
        return status.inner_text()

    def wait_for_charts(self, count: int) -> list[str]:
        """Wait until `count` plotly charts are drawn; return their titles."""
        self.page.wait_for_function(
            f"Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.layout).length >= {count}",
            polling=POLL_MS)
        return self.chart_titles()

    def chart_titles(self) -> list[str]:
        return self.page.evaluate(
            "Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".map(p => String(p.layout?.title?.text ?? '').replace(/<[^>]+>/g, ''))")

    def alerts(self) -> list[str]:
        return self.page.locator("[data-testid='stAlert']").all_inner_texts()

    def assert_no_exception(self) -> None:
        exceptions = self.page.locator("[data-testid='stException']")
        assert exceptions.count() == 0, "Streamlit shows an exception:\n" + "\n".join(exceptions.all_inner_texts())

"""Seconds from `streamlit run app.py` to the page drawn in Chromium (browser already open).

Run: .venv/bin/python bench/first_paint.py [runs]
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as reply:
                if reply.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("streamlit did not become healthy")


def one_run(browser) -> tuple[float, float, float]:
    port = free_port()
    page = browser.new_page()
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port, started + 60)
        healthy = time.monotonic() - started
        page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_role("heading", name="LSTM Playground").wait_for(timeout=60_000)
        painted = time.monotonic() - started
        page.get_by_text("2 · Checks before training").wait_for(timeout=60_000)
        return healthy, painted, time.monotonic() - started
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        results = [one_run(browser) for _ in range(runs)]
        browser.close()
    healthy, painted, checked = (statistics.median(r[i] for r in results) for i in range(3))
    print(f"median of {runs} cold starts of `streamlit run app.py`:")
    print(f"  server healthy      {healthy:.2f} s")
    print(f"  first paint (title) {painted:.2f} s   (budget 3 s)")
    print(f"  data checked        {checked:.2f} s   (sample read, checks run and drawn; no TensorFlow)")


if __name__ == "__main__":
    main()

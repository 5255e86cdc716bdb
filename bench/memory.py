"""Server memory stays flat: twenty trainings in one session, then ten sessions opened and closed.

    .venv/bin/python bench/memory.py [--runs 20] [--sessions 10] [--bound-mb-per-run 80]

Starts a real `streamlit run app.py`, drives it with Chromium (as tests/browser does), and reads the server's resident
memory (VmRSS) from /proc/<pid>/status: after a warm-up run (TensorFlow imported, the first model compiled), after the
runs, and after the sessions. Fails (exit 1) when the growth past the warm-up exceeds --bound-mb-per-run × runs:
not zero, because TensorFlow's XLA cache keeps every compiled model's executable (docs/security.md, "Memory").
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNT_RUNS,
    IDLE,
    TRAIN_TIMEOUT_MS,
    VIEWPORT,
    Playground,
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
               str(port), "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not come up")


def open_page(browser, url: str):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TRAIN_TIMEOUT_MS)
    page = context.new_page()
    page.add_init_script(COUNT_RUNS)
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=90_000)
    playground = Playground(page)
    playground.wait_for_charts(1)
    return context, playground


def train_once(playground: Playground) -> None:
    """Click Train and wait for that run's own end: the run counter moves, then the page is idle again."""
    playground.rerun_after(playground.click_train, shows="false")
    playground.wait_for_status("Training completed")


def settle(pid: int, seconds: float = 5.0) -> float:
    """RSS once the server has had a moment to drop closed sessions and collect garbage."""
    time.sleep(seconds)
    return rss_mb(pid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--bound-mb-per-run", type=float, default=80.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context, playground = open_page(browser, url)
            start = rss_mb(server.pid)
            playground.set_number("Epochs", 1)
            playground.set_number("Units per layer", 4)
            train_once(playground)
            warm = settle(server.pid)
            print(f"server RSS at start {start:.0f} MB, after one warm-up run {warm:.0f} MB")
            for run in range(args.runs):
                train_once(playground)
                if (run + 1) % 5 == 0:
                    print(f"  after {run + 1} runs: {rss_mb(server.pid):.0f} MB", flush=True)
            after_runs = settle(server.pid)
            context.close()
            for _ in range(args.sessions):
                other, _ = open_page(browser, url)
                other.close()
            after_sessions = settle(server.pid, 10.0)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    growth = max(after_runs, after_sessions) - warm
    bound = args.bound_mb_per_run * args.runs
    print(f"after {args.runs} runs: {after_runs:.0f} MB; after {args.sessions} sessions opened and closed: "
          f"{after_sessions:.0f} MB")
    print(f"growth past the warm-up: {growth:+.0f} MB, {growth / args.runs:.0f} MB a run (bound {bound:.0f} MB) -> "
          f"{'ok' if growth <= bound else 'TOO MUCH'}")
    return 0 if growth <= bound else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Server memory stays flat: twenty trainings in one session, then ten sessions opened and closed.

    .venv/bin/python bench/memory.py [--runs 20] [--sessions 10]

Starts a real `streamlit run app.py` with a store of its own, drives it with Chromium (as tests/browser does), and
reads resident memory (VmRSS from /proc) of the server process and of each of its training workers: after run 2,
after run 20, and after the sessions. Fails (exit 1) when the server grew more than 10 % from run 2 to run 20 or a
worker went past its documented bound (LSTM_PLAYGROUND_WORKER_MEMORY_MB; the pool replaces a worker above it after
its run, and after LSTM_PLAYGROUND_WORKER_RUNS runs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS, open_page, start_server, stop_server  # noqa: E402

from lstm_core.limits import limit  # noqa: E402

SERVER_GROWTH = 0.10


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def workers(server_pid: int) -> dict[int, float]:
    """pid → RSS of the server's worker processes (its children that run multiprocessing's spawn)."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next((int(line.split()[1]) for line in text.splitlines() if line.startswith("PPid:")), 0)
        if parent == server_pid and b"spawn_main" in cmdline:
            found[int(status.parent.name)] = rss_mb(int(status.parent.name))
    return found


def train_once(playground, number: int) -> None:
    """Click Train and wait for this run's own results (its number is in the status line)."""
    playground.click_train()
    playground.wait_for_status(f"run #{number} ·")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="lstm-playground-bench-"))
    server, url = start_server(home / "server.log", home / "store")
    peak_worker, seen_workers = 0.0, set()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context, playground = open_page(browser, url, still=False)
            playground.wait_for_charts(1)
            playground.set_number("Epochs", 1)
            playground.set_number("Units per layer", 4)
            at_start = rss_mb(server.pid)
            for run in range(1, args.runs + 1):
                train_once(playground, run)
                pool = workers(server.pid)
                seen_workers |= set(pool)
                peak_worker = max(peak_worker, *pool.values(), 0.0)
                if run == 2:
                    after_two = rss_mb(server.pid)
                if run % 5 == 0 or run == 2:
                    print(f"  after run {run:2d}: server {rss_mb(server.pid):5.0f} MB · workers "
                          + ", ".join(f"{mb:.0f}" for mb in pool.values()) + " MB", flush=True)
            after_runs = rss_mb(server.pid)
            context.close()
            for _ in range(args.sessions):
                other, _ = open_page(browser, url, still=False)
                other.close()
            time.sleep(5)
            after_sessions = rss_mb(server.pid)
            browser.close()
    finally:
        stop_server(server)
    growth = (after_runs - after_two) / after_two
    bound = limit("worker_memory_mb")
    print(f"server RSS: at start {at_start:.0f} MB · after run 2 {after_two:.0f} MB · after run {args.runs} "
          f"{after_runs:.0f} MB ({growth:+.1%}) · after {args.sessions} sessions opened and closed "
          f"{after_sessions:.0f} MB")
    print(f"workers: {len(seen_workers)} process(es) over the runs, the largest {peak_worker:.0f} MB "
          f"(bound {bound:,} MB)")
    ok = growth <= SERVER_GROWTH and peak_worker <= bound
    print("ok" if ok else "TOO MUCH")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""What Streamlit's garbage collection after every script run costs the server, with and without the page's freeze.

    .venv/bin/python bench/rerun_gc.py [rounds]

Streamlit collects garbage after every script run, a live view's timed fragment runs included (runner.postScriptGC).
The pages freeze the objects loaded by their imports once per server process (ui/state.py, freeze_imported), so a
collection no longer goes through them again. Each round starts two real `streamlit run app.py` servers, one as
shipped and one whose freeze is turned off, alternating which goes first, and drives each from Chromium through
the same 12 reruns of the Playground (the units changed back and forth). Printed side by side: the server's CPU
seconds and the wall seconds for the 12 reruns, medians over the rounds.
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

from conftest import CHROMIUM, CHROMIUM_ARGS, open_page, start_server, stop_server  # noqa: E402

RERUNS = 12
# The server without the freeze: ui.state is imported first and marked as already frozen, then Streamlit's CLI runs.
UNFROZEN = ("-c", "import sys, ui.state; ui.state._frozen = True; from streamlit.web.cli import main; "
                  "sys.argv[0] = 'streamlit'; main()")


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reruns(browser, launcher: tuple[str, ...], folder: Path) -> tuple[float, float]:
    """(server CPU s, wall s) for RERUNS reruns of the Playground, after the page's first run and one warm-up."""
    server, url = start_server(folder / "server.log", folder / "home", launcher)
    try:
        context, playground = open_page(browser, url, still=False)
        playground.wait_for_charts(1)
        playground.set_number("Units per layer", 9)
        cpu, started = cpu_seconds(server.pid), time.perf_counter()
        for i in range(RERUNS):
            playground.set_number("Units per layer", 8 if i % 2 == 0 else 10)
        result = cpu_seconds(server.pid) - cpu, time.perf_counter() - started
        context.close()
        return result
    finally:
        stop_server(server)


def main() -> None:
    from playwright.sync_api import sync_playwright

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    kinds = {"frozen (as shipped)": ("-m", "streamlit"), "not frozen": UNFROZEN}
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for round_ in range(rounds):
            order = list(kinds) if round_ % 2 == 0 else list(reversed(kinds))
            for name in order:
                folder = Path(scratch) / f"{round_}-{len(seen[name])}-{name[:3]}"
                folder.mkdir()
                seen[name].append(reruns(browser, kinds[name], folder))
        browser.close()
    print(f"{RERUNS} reruns of the Playground, medians of {rounds} alternating rounds:")
    for name, values in seen.items():
        cpu = statistics.median(v[0] for v in values)
        wall = statistics.median(v[1] for v in values)
        print(f"  {name:20s} server CPU {cpu:5.2f} s ({cpu / RERUNS * 1000:4.0f} ms a rerun)   wall {wall:5.2f} s")
    frozen, plain = (statistics.median(v[0] for v in seen[n]) for n in kinds)
    print(f"  server CPU a rerun: {frozen / plain:.2f}x of the unfrozen server's")


if __name__ == "__main__":
    main()

"""The page leaves what its imports loaded out of garbage collection, once per server process: Streamlit collects
garbage after every script run (runner.postScriptGC), and each collection would otherwise go through every object
of the imported libraries again (bench/rerun_gc.py measures the server's CPU per rerun).

Measured in a fresh Python process driving the page, so that nothing the test process imported or froze counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"

DRIVER = """
import gc, json
from streamlit.testing.v1 import AppTest

at = AppTest.from_file({app!r}, default_timeout=120)
at.run()
first = gc.get_freeze_count()
at.number_input(key="cfg.units").set_value(9).run()
print(json.dumps({{"exception": [str(e.value) for e in at.exception], "first": first,
                  "second": gc.get_freeze_count(), "tracked": len(gc.get_objects())}}))
"""


def test_the_first_run_freezes_the_imported_libraries_once_and_later_runs_leave_them_out():
    done = subprocess.run([sys.executable, "-c", DRIVER.format(app=str(APP))], capture_output=True, text=True,
                          timeout=300, cwd=APP.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["exception"] == []
    # Streamlit, pandas, plotly, numpy and the app's modules: over 50,000 objects no collection looks at again.
    assert seen["first"] > 50_000, seen
    # Once: a second freeze would add the session's own objects for good (frozen objects freed since only leave).
    assert seen["second"] <= seen["first"], seen
    # What a collection after a rerun still goes through: the objects made since, far fewer than those frozen.
    assert seen["tracked"] < seen["first"] / 2, seen

"""The page's process never holds a model: runs train in worker processes, so TensorFlow is never imported where the
page runs and the page's memory stays flat over runs (bench/memory.py measures the real server over twenty runs).

Measured in a fresh Python process driving the page, so that nothing the test process imported earlier counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
# What three more runs may add to the page's process: their rows and curves, never a model (tens of MB each).
BOUND_MB = 40

DRIVER = """
import gc, json, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from appdriver import shown_record, train
from streamlit.testing.v1 import AppTest

def rss_mb():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024

def main():
    at = AppTest.from_file({app!r}, default_timeout=240)
    at.run()
    for field, value in (("epochs", 1), ("units", 4)):
        at.number_input(key="cfg." + field).set_value(value)
    at.run()
    train(at)
    gc.collect()
    warm, runs = rss_mb(), []
    for units in (5, 6, 7):
        at.number_input(key="cfg.units").set_value(units).run()
        train(at)
        record = shown_record(at)
        runs.append([record.status, record.config.units])
    gc.collect()
    print(json.dumps({{"tensorflow": "tensorflow" in sys.modules or "keras" in sys.modules, "runs": runs,
                      "growth_mb": rss_mb() - warm}}))

if __name__ == "__main__":
    main()
"""


def seed_the_warm_up(home: Path) -> None:
    """A cancelled run of the test's own setup, newest in the store: the page's first worker warms up for it
    instead of XLA-compiling the default sample's full run (~9 s that no run here would use)."""
    from lstm_core.config import RunConfig
    from lstm_core.store import RunStore, new_workspace_id
    from lstm_core.tasks.forecast.samples import DEFAULT_SAMPLE, sample_csv

    store = RunStore(home)
    config = RunConfig(target="value", season=24, epochs=1, units=4)
    earlier = store.create_run(new_workspace_id(), config, store.put_data(sample_csv(DEFAULT_SAMPLE)),
                               f"{DEFAULT_SAMPLE}.csv")
    store.request_stop(earlier.key)


def test_runs_train_in_workers_and_the_page_process_stays_light(tmp_path):
    script = tmp_path / "drive.py"
    script.write_text(DRIVER.format(tests=str(Path(__file__).parent), app=str(APP)))
    env = {**os.environ, "LSTM_PLAYGROUND_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(APP.parent)}
    seed_the_warm_up(tmp_path / "home")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, env=env,
                          cwd=APP.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert [run[:2] for run in result["runs"]] == [["completed", 5], ["completed", 6], ["completed", 7]]
    assert result["tensorflow"] is False, "the page's process imported TensorFlow"
    assert result["growth_mb"] < BOUND_MB, result

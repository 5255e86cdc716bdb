"""The ETS baseline's fit in a fresh process: made (no fit kept on disk yet) vs read from the store's cache/ets/.

    .venv/bin/python bench/ets_cache.py [rounds]

A new training worker, or a command run again, scores its run in a process that has not fitted this data before.
For each forecast sample (its default settings, the pipeline's train rows), fresh processes alternate between an
empty store and one that already holds the fit; each prints the seconds fit_ets took in it. Medians side by side.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(sample_name: str) -> None:
    sys.path.insert(0, str(ROOT))
    from lstm_core.config import RunConfig
    from lstm_core.data import load_csv
    from lstm_core.tasks.forecast.ets import fit_ets
    from lstm_core.tasks.forecast.pipeline import prepare, train_rows
    from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv

    sample = SAMPLES[sample_name]
    config = RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)
    prepared = prepare(load_csv(sample_csv(sample_name), f"{sample_name}.csv"), config)
    target = prepared.values[:, prepared.windows.target_index][:train_rows(prepared)]
    started = time.perf_counter()
    fit = fit_ets(target, prepared.season)
    print(json.dumps({"seconds": time.perf_counter() - started, "form": fit.name if fit else None}))


def fit_seconds(sample_name: str, home: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", sample_name], capture_output=True, text=True,
                          env={**os.environ, "LSTM_PLAYGROUND_HOME": str(home)}, timeout=300)
    if done.returncode != 0:
        sys.exit(f"{sample_name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    from lstm_core.tasks.forecast.samples import SAMPLES

    for name in SAMPLES:
        made, read, forms = [], [], set()
        for _ in range(rounds):
            home = Path(tempfile.mkdtemp(prefix="lstm-playground-bench-"))
            try:
                first, second = fit_seconds(name, home), fit_seconds(name, home)
            finally:
                shutil.rmtree(home, ignore_errors=True)
            made.append(first["seconds"])
            read.append(second["seconds"])
            forms |= {first["form"], second["form"]}
        print(f"{name}: made {statistics.median(made):.2f} s vs read {statistics.median(read) * 1000:.1f} ms "
              f"(median of {rounds}); the same form both times: {len(forms) == 1} ({forms.pop()})", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

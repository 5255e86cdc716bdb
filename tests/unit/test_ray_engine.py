"""The Ray engine against a real local Ray cluster: a two-run sweep trained through it lands in the app's store
(curves, results, files), Stop stops a run on the cluster, a cluster that goes away fails its runs with a plain
reason, and the CLI's `sweep --ray ADDRESS` trains on a cluster it did not start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from commandline import run_command
from waiting import until

ray = pytest.importorskip("ray", reason="the Ray extra (requirements-ray.txt) is not installed")

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.jobs import ray_engine  # noqa: E402
from lstm_core.jobs.processes import SCRATCH_PREFIX  # noqa: E402
from lstm_core.store import RunStore, new_workspace_id  # noqa: E402
from lstm_core.sweeps.grid import plan_grid  # noqa: E402
from lstm_core.sweeps.state import stop_sweep, submit_sweep, sweep_state  # noqa: E402
from lstm_core.tasks.forecast.samples import sample_csv  # noqa: E402

WS = new_workspace_id()
DATA = sample_csv("noisy_seasonal")
BASE = RunConfig(target="value", season=24, units=8, epochs=4, batch_size=32, timesteps=12, rows_used=400)
# Long enough to be stopped or lost mid-way.
LONG = BASE.replace(epochs=300, early_stopping=False)


@pytest.fixture(scope="module")
def cluster():
    """A local Ray cluster of two CPUs, as `ray start --head` would give a team (no dashboard)."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def engine(cluster, tmp_path_factory):
    # A cluster silent for 10 s (25 s with the watchdog's margin) counts as gone: the lost-cluster test waits less.
    engine = ray_engine(RunStore(tmp_path_factory.mktemp("home")), "local", answer_seconds=10)
    yield engine
    engine.close()


def test_a_sweep_trains_on_the_cluster_and_lands_in_the_apps_store(engine):
    plan = plan_grid(BASE, ["learning_rate=1e-3,1e-2"])
    sweep_id = submit_sweep(engine, WS, plan, DATA, "noisy_seasonal.csv", "csv", "sample:noisy_seasonal")
    until(lambda: engine.pool_state()["size"] == 2, 60, "the cluster's size: 2 CPUs, one a run")
    assert engine.pool_state()["backend"] == "ray"
    state = until(lambda: (s := sweep_state(engine.store, sweep_id)) and not s.active and s, 300, "the sweep's end")
    assert [run.status for run in state.runs] == ["completed", "completed"]
    for run in state.runs:
        record = engine.store.get(run.run_id)
        assert record.epochs == 4 and len(record.history["val_loss"]) == 4, "every epoch reached the app's store"
        assert record.metrics["model"]["rmse"] > 0 and record.verdict
        assert {"model.keras", "history.csv", "metrics.json"} <= set(engine.store.artifact_names(run.run_id))
    first, second = (engine.store.get(run.run_id) for run in state.runs)
    assert first.history != second.history, "each run trained with its own learning rate"
    assert state.best is not None and state.summary


def test_stop_ends_a_run_on_the_cluster_and_keeps_its_curve(engine):
    plan = plan_grid(LONG, ["learning_rate=1e-3,3e-3"])
    sweep_id = submit_sweep(engine, WS, plan, DATA, "noisy_seasonal.csv", "csv", "sample:noisy_seasonal")
    run_ids = [run["id"] for run in engine.store.sweep(sweep_id)["runs"]]
    until(lambda: all(engine.store.get(r).epochs >= 2 for r in run_ids), 300, "two epochs of each run")
    stopped_at = time.monotonic()
    stop_sweep(engine, sweep_id)
    until(lambda: all(engine.store.status(r) == "stopped_early" for r in run_ids), 120, "both runs stopped")
    assert time.monotonic() - stopped_at < 60
    for run_id in run_ids:
        record = engine.store.get(run_id)
        assert 2 <= record.epochs < 300 and "stopped" in record.reason
        assert "model.keras" in engine.store.artifact_names(run_id), "a stopped run keeps its model"


def test_the_cli_sweeps_on_a_cluster_it_did_not_start(cluster, repo, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(tmp_path / "home")}
    done = run_command(["sweep", "sample:noisy_seasonal", "--grid", "units=4,8", "--epochs", "2", "--timesteps", "12",
                        "--ray", cluster, "--json"], repo, env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert [run["status"] for run in report["runs"]] == ["completed", "completed"]
    assert all(run["epochs"] == 2 and len(run["val_loss"]) == 2 for run in report["runs"]) and report["best"]["values"]


SERVER = """
from lstm_core.config import RunConfig
from lstm_core.jobs import engine, wait_for
from lstm_core.tasks.forecast.samples import sample_csv

pool = engine()
config = RunConfig(target="value", season=24, units=4, epochs=2, timesteps=12, rows_used=300)
run_id = pool.submit("server", config, sample_csv("noisy_seasonal"), "noisy_seasonal.csv", "csv")
print(type(pool).__name__, pool.pool_state()["address"], wait_for(pool.store, run_id, 240),
      pool.store.get(run_id).epochs)
pool.close()
"""


def test_the_servers_engine_is_the_ray_engine_when_the_variable_names_a_cluster(cluster, repo, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(tmp_path),
           "LSTM_PLAYGROUND_RAY_ADDRESS": cluster}
    done = subprocess.run([sys.executable, "-c", SERVER], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-4:] == ["RayEngine", cluster, "completed", "2"]


def test_a_cluster_out_of_reach_is_refused_with_sweep010_before_anything_is_queued(repo, tmp_path):
    # Nothing listens there: the engine's first look finds no TCP answer, before Ray Client's own retries.
    env = {**os.environ, "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(tmp_path)}
    done = run_command(["sweep", "sample:noisy_seasonal", "--grid", "units=4,8", "--epochs", "2", "--store", "--ray",
                        "ray://127.0.0.1:9", "--json"], repo, env, timeout=300)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    [finding] = [f for f in report["findings"] if f["code"] == "SWEEP010"]
    assert finding["title"] == "The Ray cluster at ray://127.0.0.1:9 cannot be reached"
    assert "nothing accepts connections at 127.0.0.1:9" in finding["detail"]
    assert "nothing was queued" in finding["detail"] and "Traceback" not in done.stderr
    assert RunStore(tmp_path).list_runs("cli") == [] and "runs" not in report


def test_without_the_ray_package_ray_is_refused_with_sweep009(repo, tmp_path):
    # An installation without the extra: `import ray` fails.
    code = ("import sys; sys.modules['ray'] = None; from lstm_core.cli.main import main; "
            "sys.exit(main(['sweep', 'sample:noisy_seasonal', '--grid', 'units=8,16', '--ray', '127.0.0.1:6379']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(repo), "LSTM_PLAYGROUND_HOME": str(tmp_path)})
    assert done.returncode == 2 and "Ray support is not installed" in done.stdout
    assert "requirements-ray.txt" in done.stdout and "Traceback" not in done.stderr


def test_a_cluster_that_goes_away_fails_its_runs_with_a_plain_reason(engine, cluster, tmp_path):
    """Last in the module: it takes the cluster down."""
    run_id = engine.submit(WS, LONG, DATA, "noisy_seasonal.csv", "csv")
    until(lambda: engine.store.get(run_id).epochs >= 1, 300, "a first epoch")
    folders = ray_worker_folders()
    assert any(list(folder.glob("__autograph_generated_file*.py")) for folder in folders.values()), \
        "a Ray worker writes the modules autograph makes for the functions it traces to a folder of its own"
    ray.shutdown()
    lost_at = time.monotonic()
    # At the engine's next look (its watchdog, for a call that never returns, would take 25 s here).
    status = until(lambda: (s := engine.store.status(run_id)) not in ("queued", "running") and s, 150,
                   "the run's end")
    assert time.monotonic() - lost_at < 10, "the engine went on calling a Ray that was shut down"
    record = engine.store.get(run_id)
    assert status == "error" and record.reason.startswith("the local Ray cluster went away: ")
    assert record.epochs >= 1, "the epochs it reported are kept"

    # Killed with their cluster, the workers never removed their folders: a server starting on this machine does.
    until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in folders), 60, "the cluster's workers to end")
    ray_engine(RunStore(tmp_path / "home"), "ray://127.0.0.1:9").close()
    assert not [folder for folder in folders.values() if folder.exists()]


def ray_worker_folders() -> dict[int, Path]:
    """The temporary folders (lstm_core.jobs.processes.use_scratch_folder) of this machine's Ray workers, by pid."""
    found = {}
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-")[0]
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"ray::"):
            found[int(pid)] = folder
    return found

"""The job engine with real worker processes: submit, live events, stop, queue, crashes, recycling."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from waiting import until

from lstm_core.config import RunConfig
from lstm_core.jobs import LocalEngine, wait_for
from lstm_core.jobs.processes import SCRATCH_PREFIX
from lstm_core.store import RunStore, new_workspace_id
from lstm_core.store.codec import loads_report
from lstm_core.tasks.forecast.samples import sample_csv

WS = new_workspace_id()
DATA = sample_csv("noisy_seasonal")
TINY = RunConfig(target="value", season=24, units=8, epochs=2, batch_size=32, timesteps=24)
# Long enough to be stopped or killed mid-way on any machine.
LONG = TINY.replace(epochs=400)


def submit(engine: LocalEngine, config: RunConfig = TINY) -> str:
    return engine.submit(WS, config, DATA, "noisy_seasonal.csv", "csv", "sample:noisy_seasonal")


def scratch_folders(pid: int) -> list[Path]:
    """The temporary folder(s) of the worker `pid` in the system's temporary folder."""
    return list(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{pid}-*"))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One pool of two workers for the module: the spare and a second slot. Warming up a new worker is
    test_compiled's subject; here it would only compile models no test looks at."""
    pool = LocalEngine(RunStore(tmp_path_factory.mktemp("home")), size=2, warm_up=False)
    yield pool
    pool.close()


def test_a_submitted_run_trains_in_a_worker_and_everything_lands_in_the_store(engine):
    run_id = submit(engine)
    assert engine.status(run_id) in ("queued", "running"), "submit returns before the run trains"
    assert wait_for(engine.store, run_id, timeout=180) == "completed"
    record = engine.record(run_id)
    assert record.epochs == 2 and len(record.history["val_loss"]) == 2 and record.steps > 0
    assert record.metrics["model"]["mae"] > 0 and record.verdict
    assert {"model.keras", "config.json", "history.csv", "metrics.json", "train_script.py", "report.json",
            "summary.json", "forecast.json"} <= set(engine.store.artifact_names(run_id))
    assert RunConfig.from_json(engine.store.artifact(run_id, "config.json").decode()) == TINY
    report = loads_report(engine.store.artifact(run_id, "report.json"))
    assert type(report).__name__ == "ForecastReport" and report.verdict == record.verdict
    assert report.actual.dtype == report.predicted.dtype == "float64" and len(report.actual) == len(report.target_rows)
    assert set(report.baselines) == {k for k in report.metrics["baselines"]}
    assert record.started >= record.created and record.finished >= record.started
    # What came after the last epoch is timed, and fits in the worker's time for the run.
    assert set(record.wrap_up) == {"scoring", "saving"} and min(record.wrap_up.values()) > 0
    assert record.seconds + sum(record.wrap_up.values()) <= record.finished - record.started


def test_an_interval_far_from_its_coverage_reaches_the_stored_run_as_result001(engine):
    # A series whose noise grows fivefold in its test part: an interval calibrated on the validation part is far
    # too narrow there. The worker's scoring must put RESULT001 in the store, where the page and the CLI read it.
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    rows = np.arange(600)
    noise = rng.normal(0, 0.1, 600) * np.where(rows >= 510, 5.0, 1.0)
    frame = pd.DataFrame({"step": rows, "value": np.sin(2 * np.pi * rows / 20) + noise})
    config = RunConfig(target="value", season=20, units=4, epochs=2, batch_size=32, timesteps=20)
    run_id = engine.submit(WS, config, frame.to_csv(index=False).encode(), "noise_grows.csv", "csv")
    assert wait_for(engine.store, run_id, timeout=180) == "completed"
    findings = [f for f in engine.record(run_id).findings if f.code == "RESULT001"]
    assert findings, [f.code for f in engine.record(run_id).findings]
    worst = min(findings, key=lambda f: f.evidence["coverage"])
    assert worst.evidence["coverage"] < worst.evidence["level"] - 10 and "too narrow" in worst.detail
    assert worst.evidence["test_points"] >= 20 and worst.epoch is None  # a finding on the results, not an epoch


def test_stop_from_another_process_ends_a_run_within_moments_and_keeps_its_curve(engine):
    run_id = submit(engine, LONG)
    until(lambda: engine.record(run_id).epochs >= 1, what="the first epoch")
    code = (f"from lstm_core.store import RunStore; "
            f"RunStore({str(engine.store.home)!r}).request_stop({run_id!r}, 'stopped from the command line')")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    asked_at = engine.record(run_id).epochs
    assert wait_for(engine.store, run_id, timeout=60) == "stopped_early"
    record = engine.record(run_id)
    assert record.reason == f"stopped from the command line after {record.epochs} epoch(s)"
    # The worker looks for the request every 0.2 s and Keras stops after the current batch: within the epoch.
    assert 1 <= record.epochs <= asked_at + 1
    assert "model.keras" in engine.store.artifact_names(run_id), "a stopped run keeps its model"


def test_a_worker_killed_mid_run_fails_its_run_with_the_signal_and_the_next_run_trains(engine):
    run_id = submit(engine, LONG)
    until(lambda: engine.record(run_id).epochs >= 1, what="the first epoch")
    pid = engine.worker_pid(run_id)
    # TensorFlow's autograph wrote the modules of the functions it traced into the worker's own folder.
    folders = scratch_folders(pid)
    assert len(folders) == 1 and list(folders[0].glob("__autograph_generated_file*.py")), folders
    os.kill(pid, signal.SIGKILL)
    assert wait_for(engine.store, run_id, timeout=60) == "error"
    record = engine.record(run_id)
    assert record.reason.startswith("the training process stopped unexpectedly: signal 9"), record.reason
    assert record.epochs >= 1, "the epochs trained before the crash stay"
    assert any(r["why"] == "died" and r["pid"] == pid for r in engine.pool_state()["replaced"])
    after = submit(engine)
    assert wait_for(engine.store, after, timeout=180) == "completed"
    assert pid not in engine.pool_state()["pids"]
    assert not scratch_folders(pid), "the killed worker's temporary folder is removed once the pool buried it"


def test_runs_beyond_the_pool_queue_with_their_place_and_can_be_cancelled(tmp_path):
    pool = LocalEngine(RunStore(tmp_path / "home"), size=1, warm_up=False)
    try:
        first = submit(pool, LONG)
        second, third = submit(pool), submit(pool)
        until(lambda: pool.status(first) == "running", what="the first run to start")
        assert (pool.record(second).queue_place, pool.record(third).queue_place) == (1, 2)
        assert pool.stop(third) == "cancelled"
        assert pool.record(second).queue_place == 1 and pool.record(third).reason.startswith("cancelled")
        pool.stop(first)
        assert wait_for(pool.store, second, timeout=180) == "completed"
        assert pool.status(third) == "cancelled" and pool.record(third).epochs == 0
        pids = pool.pool_state()["pids"]
        assert pids and all(scratch_folders(pid) for pid in pids)
    finally:
        pool.close()
    assert not [folder for pid in pids for folder in scratch_folders(pid)], "a closed pool leaves no folder behind"


def test_a_new_server_removes_the_folders_of_workers_an_earlier_one_left_and_keeps_the_living_ones(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{int(gone.stdout)}-"))
    (left / "__autograph_generated_fileleft.py").write_text("# a module a killed worker traced\n")
    living = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    try:
        pool = LocalEngine(RunStore(tmp_path / "home"), size=1, spare=False, warm_up=False)
        pool.close()
        assert not left.exists(), "the folder of a process that is gone"
        assert living.is_dir(), "a living process's folder stays"
    finally:
        shutil.rmtree(living, ignore_errors=True)
        shutil.rmtree(left, ignore_errors=True)


def test_the_helper_process_writes_to_a_folder_of_its_own_removed_once_it_is_gone(tmp_path):
    from lstm_core.jobs.calls import ModelCalls

    calls = ModelCalls()
    try:
        folder = Path(calls.run(tempfile.gettempdir))  # asked in the helper process
    finally:
        calls.close()
    assert folder.name.startswith(SCRATCH_PREFIX) and folder.is_dir(), folder
    pid = int(folder.name.removeprefix(SCRATCH_PREFIX).split("-")[0])
    assert pid != os.getpid()
    until(lambda: not Path(f"/proc/{pid}").exists(), 60, "the helper's end")
    LocalEngine(RunStore(tmp_path / "home"), size=1, spare=False, warm_up=False).close()
    assert not folder.exists(), "the next pool removed the folder of the helper that is gone"


def test_workers_are_recycled_after_their_runs_and_above_the_memory_bound(tmp_path):
    pool = LocalEngine(RunStore(tmp_path / "home"), size=1, worker_runs=1, warm_up=False)
    try:
        assert wait_for(pool.store, submit(pool), timeout=180) == "completed"
        first_pid = until(lambda: pool.pool_state()["replaced"], what="a recycled worker")[0]["pid"]
        assert pool.pool_state()["replaced"][0]["why"] == "runs"
        # The second run's fresh worker serves the memory bound too: each run here pays a worker's TensorFlow import.
        pool.worker_runs, pool.worker_memory_mb = 100, 1
        assert wait_for(pool.store, submit(pool), timeout=180) == "completed"
        assert first_pid not in pool.pool_state()["pids"]
        until(lambda: len(pool.pool_state()["replaced"]) >= 2, what="the memory-bound recycle")
        replaced = pool.pool_state()["replaced"]
        assert [r["why"] for r in replaced] == ["runs", "memory"] and replaced[1]["pid"] != first_pid
    finally:
        pool.close()


def test_a_worker_started_after_the_environment_changed_trains_under_the_new_limit(engine, monkeypatch, tmp_path):
    """Workers fork from a fork server started long before (spawning.py): each still takes the server's environment
    as it is when the worker starts, so an operator's limit applies to the next worker's runs."""
    from lstm_core.jobs.spawning import worker_context

    assert wait_for(engine.store, submit(engine), timeout=180) == "completed", "the fork server is running"
    monkeypatch.setenv("LSTM_PLAYGROUND_MAX_TRAIN_SECONDS", "1")
    pool = LocalEngine(RunStore(tmp_path / "home"), size=1, spare=False, warm_up=False)
    try:
        run_id = submit(pool, LONG.replace(early_stopping=False))
        assert wait_for(pool.store, run_id, timeout=180) == "stopped_early"
        record = pool.record(run_id)
        assert "time limit of 1 s" in record.reason and 1 <= record.epochs < LONG.epochs
        assert "LIMIT005" in {f.code for f in record.findings}
    finally:
        pool.close()
    assert worker_context().get_start_method() == "forkserver"


def test_a_run_deleted_while_it_trains_stops_and_leaves_nothing_behind(engine):
    run_id = submit(engine, LONG)
    until(lambda: engine.record(run_id).epochs >= 1, what="the first epoch")
    assert engine.store.delete(WS, [run_id]) == [run_id]
    until(lambda: engine.worker_pid(run_id) is None, timeout=60, what="the worker to let the run go")
    assert engine.store.get(run_id) is None and not engine.store.run_dir(run_id).exists()
    assert wait_for(engine.store, submit(engine), timeout=180) == "completed", "the worker trains the next run"


def test_a_stop_asked_for_between_epochs_costs_no_further_epoch(tmp_path):
    """Keras runs a whole execution of steps before it looks at a stop flag set between epochs; the run looks for a
    stop request as it records each epoch, so a request made right then ends it there, whatever the watcher's timing."""
    from lstm_core.jobs.execute import train_recorded
    from lstm_core.jobs.tasks import prepare_from

    store = RunStore(tmp_path / "home")
    config = TINY.replace(epochs=6)
    record = store.create_run(WS, config, store.put_data(DATA), "noisy_seasonal.csv", "csv")
    assert store.claim(record.key, os.getpid())
    prepared = prepare_from("csv", DATA, "noisy_seasonal.csv", config)

    def stop_after_the_first_epoch(kind: str, payload: dict) -> None:
        if kind == "epoch_end" and payload["epoch"] == 1:
            store.request_stop(record.key, "stopped from the command line")

    state = train_recorded(store, record.key, prepared, listeners=[stop_after_the_first_epoch], ticks=False)
    assert state.status == "stopped_early" and state.epochs_done == 1, (state.status, state.history)
    assert state.reason == "stopped from the command line"
    assert len(store.get(record.key).history["loss"]) == 1, "the store holds the one epoch trained"


def test_a_server_left_running_prunes_its_store_as_it_goes(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    engine = LocalEngine(store, spare=False, prune_every=0.5)
    try:
        monkeypatch.setenv("LSTM_PLAYGROUND_MAX_STORED_RUNS", "2")
        keys = []
        for _ in range(4):  # runs that ended after the server started (as the CLI's --store runs do)
            record = store.create_run(WS, TINY, store.put_data(DATA), "x.csv")
            store.claim(record.key, os.getpid())
            store.finish(record.key, "completed")
            keys.append(record.key)
        until(lambda: len(store.list_runs(WS)) == 2, 10, "the store pruned to its limit")
        assert [r.key for r in store.list_runs(WS)] == keys[2:]
    finally:
        engine.close()


SERVER = """
import sys, time
from lstm_core.config import RunConfig
from lstm_core.jobs import LocalEngine
from lstm_core.store import RunStore
from lstm_core.tasks.forecast.samples import sample_csv

engine = LocalEngine(RunStore(sys.argv[1]), size=1, warm_up=False)
config = RunConfig(target="value", season=24, units=4, timesteps=12, epochs=1000, early_stopping=False)
print(engine.submit("server", config, sample_csv("noisy_seasonal"), "noisy_seasonal.csv", "csv"), flush=True)
time.sleep(600)
"""


def test_a_server_killed_mid_run_leaves_a_stopped_run_with_its_epochs(repo, tmp_path):
    """A crashed server's worker (forked from the fork server, which outlives the server while workers hold its
    socket) notices the server is gone, stops its run and still saves what it trained."""
    home = tmp_path / "home"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(home)], cwd=repo, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(repo)})
    try:
        run_id = server.stdout.readline().strip()
        store = RunStore(home)
        until(lambda: store.get(run_id).epochs >= 2, 180, "two epochs")
    finally:
        server.send_signal(signal.SIGKILL)  # a crash: no shutdown of any kind
        server.wait(timeout=30)
    status = until(lambda: (s := store.status(run_id)) not in ("queued", "running") and s, 60, "the run's end")
    record = store.get(run_id)
    assert status == "stopped_early" and record.reason.startswith("the server stopped during training after ")
    assert 2 <= record.epochs < 1000 and "model.keras" in store.artifact_names(run_id), "it keeps what it trained"


def test_a_process_counts_as_still_running_only_with_its_own_start_time():
    from lstm_core.jobs.processes import started_at, still_running

    me = os.getpid()
    assert still_running(me, started_at(me))
    assert not still_running(me, "0"), "a pid taken by another process since is not the one watched"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert not still_running(ended.pid, started_at(me))

"""The run store on a real SQLite file: a run's life, workspaces, artifacts, data by content, recovery, pruning."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time

import pytest

from lstm_core.config import RunConfig
from lstm_core.findings import Finding
from lstm_core.store import RunStore, new_workspace_id, valid_workspace_id

WS, OTHER = new_workspace_id(), new_workspace_id()


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "home")


def queued(store: RunStore, workspace: str = WS, config: RunConfig | None = None, data: bytes = b"t,v\n1,2\n",
           data_id: str = "sample:x", parent: int | None = None):
    digest = store.put_data(data)
    return store.create_run(workspace, config or RunConfig(units=8), digest, "x.csv", "csv", data_id, parent)


def test_a_run_grows_row_by_row_and_reads_back_whole(store):
    record = queued(store)
    assert (record.id, record.status, record.queue_place, record.name) == (1, "queued", 1, "#1 · x.csv")
    assert store.claim(record.key, os.getpid())
    assert not store.claim(record.key, os.getpid()), "a run is claimed once"
    store.set_started(record.key, steps=7, jit_compile=True)
    store.add_epoch(record.key, 1, 0.9, 1.0, 0.5, 0.5)
    store.add_epoch(record.key, 2, 0.5, float("nan"), 0.25, 0.75)
    finding = Finding("TRAIN102", "warning", "Diverging", "why", evidence={"ratio": 3.0}, fix={"learning_rate": 0.001},
                      epoch=2, area="training")
    store.add_finding(record.key, finding)
    assert store.finish(record.key, "completed", "", best_epoch=1, jit_compile=True,
                        metrics={"model": {"mae": 0.2}}, verdict="beat")
    assert not store.finish(record.key, "error", "late"), "an ended run keeps its last word"
    back = store.get(record.key)
    assert back.status == "completed" and back.steps == 7 and back.best_epoch == 1
    assert back.history["loss"] == [0.9, 0.5]
    assert back.history["val_loss"][0] == 1.0 and math.isnan(back.history["val_loss"][1])
    assert back.epoch_seconds == [0.5, 0.25] and back.seconds == pytest.approx(0.75)
    assert back.findings == [finding]
    assert back.metrics == {"model": {"mae": 0.2}} and back.verdict == "beat"
    assert back.config == RunConfig(units=8)


def test_workspaces_see_only_their_own_runs_and_number_them_from_one(store):
    first, second = queued(store), queued(store, config=RunConfig(units=16))
    theirs = queued(store, OTHER)
    assert [r.id for r in store.list_runs(WS)] == [1, 2]
    assert [r.key for r in store.list_runs(OTHER)] == [theirs.key] and theirs.id == 1
    assert store.list_runs(new_workspace_id()) == []
    assert second.name == "#2 · units 16", "named by what changed against the last run on the same data"
    assert store.delete(OTHER, [first.key]) == [], "another workspace cannot delete this one's runs"
    assert store.get(first.key) is not None


def test_workspace_ids_are_unguessable_tokens():
    ids = {new_workspace_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) >= 22 and valid_workspace_id(i) for i in ids)
    for bad in ("", "abc", "../../etc", "x" * 21, None, "a b" * 10):
        assert not valid_workspace_id(bad)


def test_stopping_a_queued_run_cancels_it_and_a_running_one_gets_the_request(store):
    waiting, training = queued(store), queued(store)
    store.claim(training.key, os.getpid())
    assert store.request_stop(waiting.key) == "cancelled"
    assert store.get(waiting.key).queue_place is None and waiting.key not in store.queued()
    assert store.stop_reason(training.key) is None
    assert store.request_stop(training.key, "stopped from the command line") == "running"
    assert store.stop_reason(training.key) == "stopped from the command line"


def test_a_stop_written_by_another_process_is_seen(store):
    record = queued(store)
    store.claim(record.key, os.getpid())
    code = f"from lstm_core.store import RunStore; RunStore({str(store.home)!r}).request_stop({record.key!r}, 'cli')"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd(), timeout=60)
    assert store.stop_reason(record.key) == "cli"


def test_data_is_kept_once_per_content(store):
    one, two = store.put_data(b"a,b\n1,2\n"), store.put_data(b"a,b\n1,2\n")
    assert one == two and len(one) == 64
    assert [p.name for p in store.data_dir.iterdir()] == [one]
    assert store.data_bytes(one) == b"a,b\n1,2\n"
    with pytest.raises(ValueError):
        store.data_bytes("../runs.sqlite")


def test_artifacts_are_written_whole_under_safe_names(store):
    record = queued(store)
    store.write_artifacts(record.key, {"config.json": b"{}", "model.keras": b"zip"})
    assert store.artifact_names(record.key) == ["config.json", "model.keras"]
    assert store.artifact(record.key, "model.keras") == b"zip" and store.get(record.key).has_artifacts
    assert not [p for p in store.run_dir(record.key).iterdir() if p.name.startswith(".partial")]
    for bad in ("../x", ".hidden", "a/b"):
        with pytest.raises(ValueError):
            store.write_artifacts(record.key, {bad: b""})


def test_a_run_whose_worker_is_gone_is_failed_on_recovery_with_its_epochs(store):
    lost, alive = queued(store), queued(store)
    store.claim(lost.key, 999_999)
    store.claim(alive.key, os.getpid())
    store.add_epoch(lost.key, 1, 0.5, None, 0.1, 0.1)
    assert store.recover(lambda pid: pid == os.getpid()) == [lost.key]
    back = store.get(lost.key)
    assert back.status == "error" and "stopped unexpectedly" in back.reason and back.epochs == 1
    assert store.get(alive.key).status == "running"


def test_prune_keeps_the_newest_finished_runs_and_every_active_one(store):
    runs = [queued(store, data=f"t,v\n{i},1\n".encode()) for i in range(5)]
    for record in runs[:4]:
        store.claim(record.key, os.getpid())
        store.finish(record.key, "completed")
        store.write_artifacts(record.key, {"config.json": b"{}"})
    gone = store.prune(max_runs=3, max_age_days=30)
    assert set(gone) == {runs[0].key, runs[1].key}
    assert [r.key for r in store.list_runs(WS)] == [r.key for r in runs[2:]]
    assert not store.run_dir(runs[0].key).exists()
    assert len(list(store.data_dir.iterdir())) == 3, "data no run uses is deleted too"
    with store.db.write() as c:
        c.execute("UPDATE runs SET created = ? WHERE id = ?", (time.time() - 40 * 86_400, runs[2].key))
    assert store.prune(max_runs=100, max_age_days=30) == [runs[2].key]


def test_prune_keeps_the_store_under_its_size_on_disk(store):
    runs = [queued(store, data=f"t,v\n{i},1\n".encode()) for i in range(5)]
    for record in runs:
        store.claim(record.key, os.getpid())
        store.write_artifacts(record.key, {"model.keras": os.urandom(1_000_000)})
    for record in runs[:4]:
        store.finish(record.key, "completed")
    # Five runs of 1 MB each; 2.5 MB allowed: the oldest finished ones go, the running one stays whatever it weighs.
    gone = store.prune(max_runs=100, max_age_days=30, max_mb=2.5)
    assert gone == [runs[0].key, runs[1].key, runs[2].key]
    assert [r.key for r in store.list_runs(WS)] == [runs[3].key, runs[4].key]
    assert store.size_bytes() < 2.5e6

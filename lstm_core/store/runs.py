"""RunStore: create, grow, finish, delete and prune runs; reading them, sweeps and files come from its bases."""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from lstm_core.config import RunConfig
from lstm_core.findings import Finding
from lstm_core.limits import limit
from lstm_core.runs import STATUS_WORDS, RunRecord, run_name
from lstm_core.store.db import Database
from lstm_core.store.files import StoredFiles
from lstm_core.store.records import RunReading
from lstm_core.store.sweeps import SweepRows

HOME_VARIABLE = "LSTM_PLAYGROUND_HOME"
DEFAULT_HOME = Path.home() / ".lstm_playground"
ACTIVE = ("queued", "running")
TERMINAL = ("completed", "stopped_early", "diverged", "error", "cancelled")

__all__ = ["ACTIVE", "STATUS_WORDS", "TERMINAL", "RunStore", "store_home"]


def store_home() -> Path:
    """Where runs live: LSTM_PLAYGROUND_HOME when set, else ~/.lstm_playground."""
    raw = os.environ.get(HOME_VARIABLE, "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_HOME


class RunStore(RunReading, SweepRows, StoredFiles):
    """The store's rows and files; a run's life is written here, its reads, sweeps and files are in the bases."""

    def __init__(self, home: Path | str | None = None):
        self.home = Path(home) if home is not None else store_home()
        self.runs_dir, self.data_dir = self.home / "runs", self.home / "data"
        for folder in (self.home, self.runs_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.home / "runs.sqlite")

    # A run's life: queued → running → completed / stopped_early / diverged / error, or queued → cancelled.

    def create_run(self, workspace: str, config: RunConfig, data_ref: str, data_name: str, reader: str = "csv",
                   data_id: str = "", parent: int | None = None, source: str = "page",
                   trained_by: int | None = None) -> RunRecord:
        """A new run, queued for a worker; or, with `trained_by` (a pid: the CLI training it in-process), running
        from its first moment, so no pool's dispatcher can claim it in between."""
        run_id = uuid.uuid4().hex[:16]
        status, started = ("running", time.time()) if trained_by is not None else ("queued", None)
        with self.db.write() as c:
            number = c.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE workspace = ?",
                               (workspace,)).fetchone()[0]
            reference = None
            if parent is not None:
                reference = c.execute("SELECT config FROM runs WHERE workspace = ? AND number = ?",
                                      (workspace, parent)).fetchone()
            if reference is None:
                reference = c.execute("SELECT config FROM runs WHERE workspace = ? AND data_id = ? AND data_id != '' "
                                      "ORDER BY number DESC LIMIT 1", (workspace, data_id)).fetchone()
                parent = None
            before = RunConfig.from_json(reference["config"]) if reference is not None else None
            name = run_name(number, config, before, data_name)
            c.execute("INSERT INTO runs (id, workspace, number, task, name, config, data_ref, data_name, data_id, "
                      "reader, parent, source, status, created, started, worker_pid, planned_epochs) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (run_id, workspace, number, config.task, name, config.to_json(), data_ref, data_name, data_id,
                       reader, parent, source, status, time.time(), started, trained_by, config.epochs))
        return self.get(run_id)

    def setup(self, run_id: str | None = None) -> dict | None:
        """What a worker needs to prepare a run (reader, data reference and name, config as a dict): this run's, or
        the newest run's of any workspace (a spare worker warms up for it)."""
        where, args = ("WHERE id = ?", (run_id,)) if run_id else ("ORDER BY created DESC, rowid DESC LIMIT 1", ())
        rows = self.db.read(f"SELECT reader, data_ref, data_name, config FROM runs {where}", args)
        if not rows:
            return None
        row = rows[0]
        return {"reader": row["reader"], "data_ref": row["data_ref"], "data_name": row["data_name"],
                "config": json.loads(row["config"])}

    def claim(self, run_id: str, worker_pid: int) -> bool:
        """Mark a queued run as running in this worker; False if it was cancelled or taken meanwhile."""
        with self.db.write() as c:
            done = c.execute("UPDATE runs SET status = 'running', started = ?, worker_pid = ? "
                             "WHERE id = ? AND status = 'queued'", (time.time(), worker_pid, run_id))
            return done.rowcount == 1

    def set_started(self, run_id: str, steps: int, jit_compile: bool) -> None:
        with self.db.write() as c:
            c.execute("UPDATE runs SET steps = ?, jit_compile = ? WHERE id = ?", (steps, int(jit_compile), run_id))

    def add_epoch(self, run_id: str, epoch: int, loss: float, val_loss: float | None, seconds: float,
                  elapsed: float) -> None:
        with self.db.write() as c:
            c.execute("INSERT OR REPLACE INTO epochs (run_id, epoch, loss, val_loss, has_val, seconds, elapsed) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (run_id, epoch, _real(loss), _real(val_loss), int(val_loss is not None), seconds, elapsed))
            c.execute("UPDATE runs SET progress = ? WHERE id = ?",
                      (json.dumps({"epoch": epoch, "step": None, "elapsed": elapsed}), run_id))

    def set_progress(self, run_id: str, epoch: int, step: int, elapsed: float) -> None:
        with self.db.write() as c:
            c.execute("UPDATE runs SET progress = ? WHERE id = ?",
                      (json.dumps({"epoch": epoch, "step": step, "elapsed": elapsed}), run_id))

    def add_event(self, run_id: str, kind: str, payload: dict) -> None:
        """A finding or a language model's sample, in the order they came."""
        with self.db.write() as c:
            seq = c.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE run_id = ?", (run_id,)).fetchone()[0]
            c.execute("INSERT INTO events (run_id, seq, kind, payload) VALUES (?, ?, ?, ?)",
                      (run_id, seq, kind, json.dumps(payload, default=_plain)))

    def add_finding(self, run_id: str, finding: Finding) -> None:
        self.add_event(run_id, "finding", {**finding.to_dict(), "area": finding.area})

    def request_stop(self, run_id: str, reason: str = "stopped by you") -> str | None:
        """Ask a run to stop: a queued run is cancelled at once, a running one stops after its current batch.
        Returns the run's status after the request (None for an unknown run)."""
        with self.db.write() as c:
            c.execute("UPDATE runs SET status = 'cancelled', reason = ?, finished = ? WHERE id = ? AND "
                      "status = 'queued'", (f"cancelled before it started ({reason})", time.time(), run_id))
            c.execute("UPDATE runs SET stop_requested = 1, stop_reason = ? WHERE id = ? AND status = 'running'",
                      (reason, run_id))
            row = c.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row["status"] if row else None

    def stop_reason(self, run_id: str) -> str | None:
        """Why this run was asked to stop, or None while nobody has asked."""
        row = self.db.read("SELECT stop_requested, stop_reason FROM runs WHERE id = ?", (run_id,))
        return (row[0]["stop_reason"] or "stopped by you") if row and row[0]["stop_requested"] else None

    def finish(self, run_id: str, status: str, reason: str = "", best_epoch: int | None = None,
               jit_compile: bool | None = None, metrics: dict | None = None, verdict: str = "") -> bool:
        """The run's last word; False (and nothing written) if it had already ended."""
        with self.db.write() as c:
            done = c.execute(
                "UPDATE runs SET status = ?, reason = ?, best_epoch = ?, jit_compile = COALESCE(?, jit_compile), "
                "metrics = ?, verdict = ?, finished = ? WHERE id = ? AND status IN ('queued', 'running')",
                (status, reason, best_epoch, None if jit_compile is None else int(jit_compile),
                 json.dumps(metrics, default=_plain) if metrics is not None else None, verdict, time.time(), run_id))
            return done.rowcount == 1

    def fail(self, run_id: str, reason: str, finding: Finding | None = None) -> bool:
        """A run that cannot go on: status error with a plain reason; its epochs so far stay."""
        if finding is not None:
            self.add_finding(run_id, finding)
        return self.finish(run_id, "error", reason)

    def set_metrics(self, run_id: str, metrics: dict | None, verdict: str) -> None:
        with self.db.write() as c:
            c.execute("UPDATE runs SET metrics = ?, verdict = ? WHERE id = ?",
                      (json.dumps(metrics, default=_plain) if metrics is not None else None, verdict, run_id))

    def recover(self, alive) -> list[str]:
        """After a restart: runs marked running whose worker is gone failed with the server; returns their ids.
        `alive(pid)` says whether a worker process still exists."""
        lost = [r for r in self.db.read("SELECT id, worker_pid FROM runs WHERE status = 'running'")
                if not r["worker_pid"] or not alive(r["worker_pid"])]
        for row in lost:
            self.finish(row["id"], "error", "the training process stopped unexpectedly: the server was stopped "
                                             "during training")
        return [row["id"] for row in lost]

    # Deleting and pruning.

    def delete(self, workspace: str, run_ids) -> list[str]:
        """Delete these runs of the workspace (a running one is asked to stop first); returns the ids deleted."""
        gone = []
        for run_id in run_ids:
            rows = self.db.read("SELECT status FROM runs WHERE id = ? AND workspace = ?", (run_id, workspace))
            if not rows:
                continue
            if rows[0]["status"] in ACTIVE:
                self.request_stop(run_id, "deleted")
            with self.db.write() as c:
                c.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
            gone.append(run_id)
        return gone

    def prune(self, max_runs: int | None = None, max_age_days: int | None = None,
              max_mb: float | None = None) -> list[str]:
        """Delete the oldest finished runs beyond the store's limits (count, age, then size on disk), then data no
        run uses. Queued and running runs are never pruned."""
        max_runs = max_runs if max_runs is not None else limit("max_stored_runs")
        max_age_days = max_age_days if max_age_days is not None else limit("max_run_age_days")
        max_bytes = (max_mb if max_mb is not None else limit("max_store_mb")) * 1e6
        finished = self.db.read("SELECT id, workspace, created FROM runs WHERE status NOT IN ('queued', 'running') "
                                "ORDER BY created DESC")
        active = len(self.db.read("SELECT id FROM runs WHERE status IN ('queued', 'running')"))
        cutoff = time.time() - max_age_days * 86_400
        doomed = [r for index, r in enumerate(finished)
                  if index + active >= max_runs or r["created"] < cutoff]
        gone = []
        for row in doomed:
            gone += self.delete(row["workspace"], [row["id"]])
        self._drop_unused_data()
        self._prune_sweeps()
        kept = [r for r in finished if r["id"] not in set(gone)]
        while kept and self.size_bytes() > max_bytes:
            row = kept.pop()  # the oldest finished run left
            gone += self.delete(row["workspace"], [row["id"]])
            self._drop_unused_data()
            self._prune_sweeps()
        return gone


def _real(value: float | None) -> float | None:
    # SQLite stores NaN as NULL (read back as NaN, has_val telling it from "no validation"); infinities survive.
    return None if value is None else float(value)



def _plain(value: Any):
    """json.dumps' fallback for numpy numbers and arrays."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)

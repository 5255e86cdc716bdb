"""RunStore: create, grow, finish, read, delete and prune runs; their artifacts; content-addressed data."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from lstm_core.config import RunConfig
from lstm_core.findings import Finding
from lstm_core.limits import limit
from lstm_core.runs import STATUS_WORDS, RunRecord, run_name
from lstm_core.store.db import Database

HOME_VARIABLE = "LSTM_PLAYGROUND_HOME"
DEFAULT_HOME = Path.home() / ".lstm_playground"
ACTIVE = ("queued", "running")
TERMINAL = ("completed", "stopped_early", "diverged", "error", "cancelled")
RUN_COLUMNS = ("id", "workspace", "number", "task", "name", "config", "data_ref", "data_name", "data_id", "reader",
               "parent", "source", "status", "reason", "created", "started", "finished", "planned_epochs", "steps",
               "progress", "best_epoch", "jit_compile", "metrics", "verdict", "stop_requested", "artifacts")

__all__ = ["ACTIVE", "STATUS_WORDS", "TERMINAL", "RunStore", "store_home"]


def store_home() -> Path:
    """Where runs live: LSTM_PLAYGROUND_HOME when set, else ~/.lstm_playground."""
    raw = os.environ.get(HOME_VARIABLE, "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_HOME


class RunStore:
    def __init__(self, home: Path | str | None = None):
        self.home = Path(home) if home is not None else store_home()
        self.runs_dir, self.data_dir = self.home / "runs", self.home / "data"
        for folder in (self.home, self.runs_dir, self.data_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.home / "runs.sqlite")

    # Data, kept once per content.

    def put_data(self, raw: bytes) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        path = self.data_dir / digest
        if not path.exists():
            _write_atomic(path, raw)
        with self.db.write() as c:
            c.execute("INSERT OR IGNORE INTO data (digest, size, created) VALUES (?, ?, ?)",
                      (digest, len(raw), time.time()))
        return digest

    def data_bytes(self, digest: str) -> bytes:
        if len(digest) != 64 or not all(ch in "0123456789abcdef" for ch in digest):
            raise ValueError(f"not a data reference: {digest!r}")
        return (self.data_dir / digest).read_bytes()

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

    def queued(self) -> list[str]:
        """Ids of the runs waiting for a worker, oldest first."""
        return [r["id"] for r in self.db.read("SELECT id FROM runs WHERE status = 'queued' ORDER BY created, rowid")]

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

    def events(self, run_id: str, kind: str) -> list[dict]:
        """The payloads of a run's events of one kind, oldest first."""
        rows = self.db.read("SELECT payload FROM events WHERE run_id = ? AND kind = ? ORDER BY seq", (run_id, kind))
        return [json.loads(row["payload"]) for row in rows]

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

    # Reading.

    def get(self, run_id: str) -> RunRecord | None:
        rows = self.db.read(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE id = ?", (run_id,))
        return self._records(rows)[0] if rows else None

    def list_runs(self, workspace: str, tasks: tuple[str, ...] | None = None) -> list[RunRecord]:
        """The workspace's runs, oldest first; only those of `tasks` when given."""
        rows = self.db.read(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE workspace = ? ORDER BY number",
                            (workspace,))
        if tasks is not None:
            rows = [r for r in rows if r["task"] in tasks]
        return self._records(rows)

    def run_by_number(self, workspace: str, number: int) -> RunRecord | None:
        rows = self.db.read(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE workspace = ? AND number = ?",
                            (workspace, number))
        return self._records(rows)[0] if rows else None

    def status(self, run_id: str) -> str | None:
        rows = self.db.read("SELECT status FROM runs WHERE id = ?", (run_id,))
        return rows[0]["status"] if rows else None

    def _records(self, rows) -> list[RunRecord]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ", ".join("?" * len(ids))
        epochs: dict[str, list] = {i: [] for i in ids}
        for e in self.db.read(f"SELECT run_id, loss, val_loss, has_val, seconds FROM epochs WHERE run_id IN ({marks}) "
                              "ORDER BY run_id, epoch", ids):
            epochs[e["run_id"]].append(e)
        events: dict[str, list] = {i: [] for i in ids}
        for e in self.db.read(f"SELECT run_id, kind, payload FROM events WHERE run_id IN ({marks}) "
                              "ORDER BY run_id, seq", ids):
            events[e["run_id"]].append(e)
        queue = self.queued()
        return [self._record(row, epochs[row["id"]], events[row["id"]], queue) for row in rows]

    def _record(self, row, epochs: list, events: list, queue: list[str]) -> RunRecord:
        history = {"loss": [_number(e["loss"]) for e in epochs],
                   "val_loss": [_number(e["val_loss"]) for e in epochs if e["has_val"]]}
        findings = [_finding(json.loads(e["payload"])) for e in events if e["kind"] == "finding"]
        samples = [json.loads(e["payload"]) for e in events if e["kind"] == "sample"]
        compiled = [json.loads(e["payload"]) for e in events if e["kind"] == "compiled"]
        return RunRecord(
            id=row["number"], name=row["name"], config=RunConfig.from_json(row["config"]), data_id=row["data_id"],
            data_name=row["data_name"], status=row["status"], reason=row["reason"], history=history,
            seconds=float(sum(e["seconds"] for e in epochs)), best_epoch=row["best_epoch"],
            metrics=json.loads(row["metrics"]) if row["metrics"] else None, verdict=row["verdict"],
            findings=findings, parent=row["parent"], key=row["id"], workspace=row["workspace"],
            data_ref=row["data_ref"], reader=row["reader"], source=row["source"],
            epoch_seconds=[e["seconds"] for e in epochs],
            jit_compile=None if row["jit_compile"] is None else bool(row["jit_compile"]), samples=samples,
            compiled_kept=bool(compiled and compiled[-1].get("kept")),
            created=row["created"], started=row["started"], finished=row["finished"],
            planned_epochs=row["planned_epochs"], steps=row["steps"],
            progress=json.loads(row["progress"]) if row["progress"] else None, has_artifacts=bool(row["artifacts"]),
            queue_place=queue.index(row["id"]) + 1 if row["id"] in queue else None,
            stop_requested=bool(row["stop_requested"]))

    # Sweeps: a grid of runs submitted together; each run is an ordinary run, the sweep row only groups them.

    def create_sweep(self, workspace: str, axes: list[dict], runs: list[dict], base: RunConfig) -> str:
        """A new sweep: its axes ([{"setting", "values"}]), its runs ([{"id": run id, "values": {setting: value}}])
        and the setup they vary; returns its id."""
        sweep_id = uuid.uuid4().hex[:16]
        with self.db.write() as c:
            c.execute("INSERT INTO sweeps (id, workspace, created, axes, runs, base) VALUES (?, ?, ?, ?, ?, ?)",
                      (sweep_id, workspace, time.time(), json.dumps(axes), json.dumps(runs), base.to_json()))
        return sweep_id

    def sweep(self, sweep_id: str) -> dict | None:
        """The sweep as stored: id, workspace, created, axes, runs, base (a RunConfig) and stopped."""
        rows = self.db.read("SELECT * FROM sweeps WHERE id = ?", (sweep_id,))
        return _sweep(rows[0]) if rows else None

    def list_sweeps(self, workspace: str) -> list[dict]:
        """The workspace's sweeps, oldest first."""
        rows = self.db.read("SELECT * FROM sweeps WHERE workspace = ? ORDER BY created, rowid", (workspace,))
        return [_sweep(row) for row in rows]

    def mark_sweep_stopped(self, sweep_id: str) -> bool:
        with self.db.write() as c:
            return c.execute("UPDATE sweeps SET stopped = 1 WHERE id = ?", (sweep_id,)).rowcount == 1

    # Artifacts: a folder per run, each file written whole or not at all.

    def run_dir(self, run_id: str) -> Path:
        if not run_id.isalnum():
            raise ValueError(f"not a run id: {run_id!r}")
        return self.runs_dir / run_id

    def write_artifacts(self, run_id: str, files: dict[str, bytes]) -> None:
        folder = self.run_dir(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            _write_atomic(folder / _safe_name(name), content)
        with self.db.write() as c:
            c.execute("UPDATE runs SET artifacts = 1 WHERE id = ?", (run_id,))

    def artifact(self, run_id: str, name: str) -> bytes | None:
        path = self.run_dir(run_id) / _safe_name(name)
        return path.read_bytes() if path.is_file() else None

    def artifact_names(self, run_id: str) -> list[str]:
        folder = self.run_dir(run_id)
        return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if folder.is_dir() else []

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

    def size_bytes(self) -> int:
        """Bytes of the run folders and stored data (the database file itself is left out)."""
        return sum(path.stat().st_size for folder in (self.runs_dir, self.data_dir) if folder.is_dir()
                   for path in folder.rglob("*") if path.is_file())

    def _drop_unused_data(self) -> None:
        used = {r["data_ref"] for r in self.db.read("SELECT DISTINCT data_ref FROM runs")}
        for row in self.db.read("SELECT digest FROM data"):
            if row["digest"] not in used:
                (self.data_dir / row["digest"]).unlink(missing_ok=True)
                with self.db.write() as c:
                    c.execute("DELETE FROM data WHERE digest = ?", (row["digest"],))


    def _prune_sweeps(self) -> None:
        """A sweep goes once none of its runs is left: it only groups them."""
        kept = {r["id"] for r in self.db.read("SELECT id FROM runs")}
        for sweep in self.db.read("SELECT id, runs FROM sweeps"):
            if not any(run["id"] in kept for run in json.loads(sweep["runs"])):
                with self.db.write() as c:
                    c.execute("DELETE FROM sweeps WHERE id = ?", (sweep["id"],))


def _write_atomic(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _safe_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not an artifact name: {name!r}")
    return name


def _real(value: float | None) -> float | None:
    # SQLite stores NaN as NULL (read back as NaN, has_val telling it from "no validation"); infinities survive.
    return None if value is None else float(value)


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _finding(data: dict) -> Finding:
    fields = {k: data[k] for k in ("code", "severity", "title", "detail", "evidence", "fix", "epoch", "area",
                                   "original")
              if k in data}
    return Finding(**fields)


def _sweep(row) -> dict:
    return {"id": row["id"], "workspace": row["workspace"], "created": row["created"],
            "axes": json.loads(row["axes"]), "runs": json.loads(row["runs"]), "base": RunConfig.from_json(row["base"]),
            "stopped": bool(row["stopped"])}


def _plain(value: Any):
    """json.dumps' fallback for numpy numbers and arrays."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)

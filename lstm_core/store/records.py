"""RunReading, RunStore's reads: runs as RunRecords (with their epochs, findings and samples), events, the queue."""

from __future__ import annotations

import json

from lstm_core.config import RunConfig
from lstm_core.findings import Finding
from lstm_core.runs import RunRecord
from lstm_core.store.db import Database

RUN_COLUMNS = ("id", "workspace", "number", "task", "name", "config", "data_ref", "data_name", "data_id", "reader",
               "parent", "source", "status", "reason", "created", "started", "finished", "planned_epochs", "steps",
               "progress", "best_epoch", "jit_compile", "metrics", "verdict", "stop_requested", "artifacts")


class RunReading:
    db: Database

    def queued(self) -> list[str]:
        """Ids of the runs waiting for a worker, oldest first."""
        return [r["id"] for r in self.db.read("SELECT id FROM runs WHERE status = 'queued' ORDER BY created, rowid")]

    def events(self, run_id: str, kind: str) -> list[dict]:
        """The payloads of a run's events of one kind, oldest first."""
        rows = self.db.read("SELECT payload FROM events WHERE run_id = ? AND kind = ? ORDER BY seq", (run_id, kind))
        return [json.loads(row["payload"]) for row in rows]

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
        wrap_up = [json.loads(e["payload"]) for e in events if e["kind"] == "wrap_up"]
        return RunRecord(
            id=row["number"], name=row["name"], config=RunConfig.from_json(row["config"]), data_id=row["data_id"],
            data_name=row["data_name"], status=row["status"], reason=row["reason"], history=history,
            seconds=float(sum(e["seconds"] for e in epochs)), best_epoch=row["best_epoch"],
            metrics=json.loads(row["metrics"]) if row["metrics"] else None, verdict=row["verdict"],
            findings=findings, parent=row["parent"], key=row["id"], workspace=row["workspace"],
            data_ref=row["data_ref"], reader=row["reader"], source=row["source"],
            epoch_seconds=[e["seconds"] for e in epochs],
            jit_compile=None if row["jit_compile"] is None else bool(row["jit_compile"]), samples=samples,
            compiled_kept=bool(compiled and compiled[-1].get("kept")), wrap_up=wrap_up[-1] if wrap_up else None,
            created=row["created"], started=row["started"], finished=row["finished"],
            planned_epochs=row["planned_epochs"], steps=row["steps"],
            progress=json.loads(row["progress"]) if row["progress"] else None, has_artifacts=bool(row["artifacts"]),
            queue_place=queue.index(row["id"]) + 1 if row["id"] in queue else None,
            stop_requested=bool(row["stop_requested"]))


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _finding(data: dict) -> Finding:
    fields = {k: data[k] for k in ("code", "severity", "title", "detail", "evidence", "fix", "epoch", "area",
                                   "original")
              if k in data}
    return Finding(**fields)

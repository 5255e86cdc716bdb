"""SweepRows, RunStore's sweeps: a grid of runs submitted together; each run is an ordinary run, the row groups them."""

from __future__ import annotations

import json
import time
import uuid

from lstm_core.config import RunConfig
from lstm_core.store.db import Database


class SweepRows:
    db: Database

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

    def _prune_sweeps(self) -> None:
        """A sweep goes once none of its runs is left: it only groups them."""
        kept = {r["id"] for r in self.db.read("SELECT id FROM runs")}
        for sweep in self.db.read("SELECT id, runs FROM sweeps"):
            if not any(run["id"] in kept for run in json.loads(sweep["runs"])):
                with self.db.write() as c:
                    c.execute("DELETE FROM sweeps WHERE id = ?", (sweep["id"],))


def _sweep(row) -> dict:
    return {"id": row["id"], "workspace": row["workspace"], "created": row["created"],
            "axes": json.loads(row["axes"]), "runs": json.loads(row["runs"]), "base": RunConfig.from_json(row["base"]),
            "stopped": bool(row["stopped"])}

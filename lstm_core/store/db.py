"""The run store's database: one SQLite file in WAL mode, rows for runs, epochs and events (findings, samples), and
sweeps (a grid of runs trained side by side).

Every process opens its own connection (a worker writes its run, the page and the CLI read any run). Each write is
one transaction, so a process killed at any moment leaves the rows as they were before or after a write, never
half of one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    number INTEGER NOT NULL,
    task TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    data_ref TEXT NOT NULL,
    data_name TEXT NOT NULL,
    data_id TEXT NOT NULL DEFAULT '',
    reader TEXT NOT NULL,
    parent INTEGER,
    source TEXT NOT NULL DEFAULT 'page',
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    planned_epochs INTEGER NOT NULL,
    steps INTEGER,
    progress TEXT,
    best_epoch INTEGER,
    jit_compile INTEGER,
    metrics TEXT,
    verdict TEXT NOT NULL DEFAULT '',
    stop_requested INTEGER NOT NULL DEFAULT 0,
    stop_reason TEXT NOT NULL DEFAULT '',
    worker_pid INTEGER,
    artifacts INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workspace, number)
);
CREATE INDEX IF NOT EXISTS runs_by_workspace ON runs (workspace, number);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, created);
CREATE TABLE IF NOT EXISTS epochs (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    loss REAL,
    val_loss REAL,
    has_val INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL,
    elapsed REAL NOT NULL,
    PRIMARY KEY (run_id, epoch)
);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS data (
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    created REAL NOT NULL,
    axes TEXT NOT NULL,
    runs TEXT NOT NULL,
    base TEXT NOT NULL,
    stopped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sweeps_by_workspace ON sweeps (workspace, created);
"""

# A writer holding the file waits this long for another to finish before giving up.
BUSY_MILLISECONDS = 10_000


class Database:
    """A connection per thread to one SQLite file (sqlite3 connections must stay in the thread that made them)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        # Every statement is IF NOT EXISTS: a store made before a table existed gains it when it is opened.
        self.connection().executescript(SCHEMA)

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # isolation_level=None: no implicit transactions; writes open their own (write()).
            connection = sqlite3.connect(self.path, timeout=BUSY_MILLISECONDS / 1000, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL stays consistent after a crash; only the last commits may be lost on power
            # loss.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute(f"PRAGMA busy_timeout={BUSY_MILLISECONDS}")
            self._local.connection = connection
        return connection

    def read(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.connection().execute(sql, params).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """`with db.write() as c:` runs its statements in one IMMEDIATE transaction: all or nothing."""
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

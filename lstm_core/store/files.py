"""StoredFiles, RunStore's files: uploaded data kept once per content, and a folder of artifacts per run."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from lstm_core.store.db import Database


class StoredFiles:
    """Data under data_dir, named by its SHA-256; a run's artifacts under runs_dir/<run id>."""

    db: Database
    runs_dir: Path
    data_dir: Path

    # Data, kept once per content.

    def put_data(self, raw: bytes) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        path = self.data_dir / digest
        if not path.exists():
            write_atomic(path, raw)
        with self.db.write() as c:
            c.execute("INSERT OR IGNORE INTO data (digest, size, created) VALUES (?, ?, ?)",
                      (digest, len(raw), time.time()))
        return digest

    def data_bytes(self, digest: str) -> bytes:
        if len(digest) != 64 or not all(ch in "0123456789abcdef" for ch in digest):
            raise ValueError(f"not a data reference: {digest!r}")
        return (self.data_dir / digest).read_bytes()

    # Artifacts: a folder per run, each file written whole or not at all.

    def run_dir(self, run_id: str) -> Path:
        if not run_id.isalnum():
            raise ValueError(f"not a run id: {run_id!r}")
        return self.runs_dir / run_id

    def write_artifacts(self, run_id: str, files: dict[str, bytes]) -> None:
        folder = self.run_dir(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            write_atomic(folder / _safe_name(name), content)
        with self.db.write() as c:
            c.execute("UPDATE runs SET artifacts = 1 WHERE id = ?", (run_id,))

    def artifact(self, run_id: str, name: str) -> bytes | None:
        path = self.run_dir(run_id) / _safe_name(name)
        return path.read_bytes() if path.is_file() else None

    def artifact_names(self, run_id: str) -> list[str]:
        folder = self.run_dir(run_id)
        return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if folder.is_dir() else []

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


def write_atomic(path: Path, content: bytes) -> None:
    """Write `path` whole or not at all: a reader meanwhile sees the old file or none, never half of the new one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prune_newest(folder: Path, pattern: str, keep: int) -> list[Path]:
    """Delete all but the `keep` most recently modified files matching `pattern` in `folder` (files being written,
    named with a leading dot, left alone); returns the deleted ones. Safe while other processes prune too."""
    files = []
    for path in folder.glob(pattern):
        try:
            if not path.name.startswith("."):
                files.append((path.stat().st_mtime, path))
        except OSError:
            continue  # deleted by another process meanwhile
    gone = [path for _, path in sorted(files, reverse=True)[keep:]]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _safe_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not an artifact name: {name!r}")
    return name

"""What every job engine shares: runs are queued in, stopped through and read back from the run store. An engine
adds its dispatcher, woken by `_wake()` when there is something new to do."""

from __future__ import annotations

import time

from lstm_core.jobs.processes import remove_scratch_folders, trainer_alive
from lstm_core.store import RunStore


class StoreEngine:
    store: RunStore

    def submit(self, workspace: str, config, data: bytes, data_name: str, reader: str, data_id: str = "",
               parent: int | None = None, source: str = "page") -> str:
        """Queue a run; returns its id at once. The data is stored by content first."""
        digest = self.store.put_data(data)
        record = self.store.create_run(workspace, config, digest, data_name, reader, data_id, parent, source)
        self._wake()
        return record.key

    def stop(self, run_id: str, reason: str = "stopped by you") -> str | None:
        """A queued run is cancelled at once; a running one stops after its current batch."""
        status = self.store.request_stop(run_id, reason)
        self._wake()
        return status

    def status(self, run_id: str) -> str | None:
        return self.store.status(run_id)

    def record(self, run_id: str):
        return self.store.get(run_id)

    def _tidy_store(self) -> None:
        """At start: runs a dead process was training end as stopped, the store is pruned to its limits, and the
        temporary folders of gone workers (local, or Ray's on this machine) are removed."""
        self.store.recover(trainer_alive)
        self.store.prune()
        remove_scratch_folders()
        self._pruned = time.monotonic()

    def _prune_when_due(self, store: RunStore) -> None:
        """The dispatcher's look at the store's limits, once every `prune_every` seconds (`store`: its connection)."""
        if time.monotonic() - self._pruned >= self.prune_every:
            self._pruned = time.monotonic()
            store.prune()

    def _wake(self) -> None:
        raise NotImplementedError

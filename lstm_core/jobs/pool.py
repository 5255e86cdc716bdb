"""The local job engine: a pool of worker processes (forked from a fork server that has imported TensorFlow:
spawning.py) fed from the run store's queue.

One dispatcher thread in the server owns the pool. It keeps one warm spare (a worker with TensorFlow imported,
waiting) while fewer than `size` workers train, hands the oldest queued run to a free worker, replaces workers
that have trained `worker_runs` runs or grown past `worker_memory_mb`, and marks the run of a worker that died as
failed with the reason. Workers and the server speak through multiprocessing Pipes; everything about a run goes
through the store.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from lstm_core.compiled import shape_hint
from lstm_core.config import RunConfig
from lstm_core.jobs.engine_base import StoreEngine
from lstm_core.jobs.processes import describe_exit, remove_scratch_folders
from lstm_core.jobs.spawning import child_environment, worker_context
from lstm_core.jobs.worker import worker_main
from lstm_core.limits import limit
from lstm_core.store import RunStore

# The dispatcher looks at the store's queue at least this often (runs queued by another process are seen too).
POLL_SECONDS = 0.25
# A new spare waits this long after a run starts: its TensorFlow import would take CPU from that run's first epoch.
SPARE_DELAY_SECONDS = 8.0
# The store's limits (count, age, size) are applied at start and then this often, so a server left running for
# months stays within them.
PRUNE_SECONDS = 600.0


@dataclass
class Worker:
    process: multiprocessing.Process
    connection: Connection
    ready: bool = False
    run_id: str | None = None
    runs_done: int = 0
    retiring: bool = False
    started: float = 0.0
    shapes: list[str] = field(default_factory=list)  # shape hints of the models it keeps compiled, newest last

    def kept(self, hint: str) -> None:
        if hint in self.shapes:
            self.shapes.remove(hint)
        self.shapes = [*self.shapes, hint][-limit("compiled_per_worker"):]

    @property
    def idle(self) -> bool:
        return self.run_id is None and not self.retiring


class LocalEngine(StoreEngine):
    """submit / stop / status / events for runs trained by this machine's worker processes."""

    def __init__(self, store: RunStore, size: int | None = None, worker_runs: int | None = None,
                 worker_memory_mb: int | None = None, spare: bool = True, warm_up: bool = True,
                 prune_every: float = PRUNE_SECONDS, claims: Callable[[str], bool] | None = None):
        self.store = store
        self.prune_every = prune_every
        # Which queued runs this engine takes (None: all). A command sharing the store with a running server takes
        # only its own, so it never trains, nor stops when it exits, a run the server's users queued.
        self.claims = claims
        # A new worker traces and compiles the newest run's model (or the default sample's) while it waits.
        self.warm_up = warm_up
        self.size = size or limit("max_concurrent_trainings")
        self.worker_runs = worker_runs or limit("worker_runs")
        self.worker_memory_mb = worker_memory_mb or limit("worker_memory_mb")
        self.spare = spare
        self.workers: list[Worker] = []
        self.replaced: list[dict] = []  # why each worker left: recycled (runs, memory) or died (signal)
        self._context = worker_context()
        self._wake_read, self._wake_write = self._context.Pipe(duplex=False)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._last_assigned = 0.0
        self._tidy_store()
        self._thread = threading.Thread(target=self._dispatch, name="lstm-playground-dispatcher", daemon=True)
        self._thread.start()

    # submit / stop / status / record: StoreEngine's.

    def pool_state(self) -> dict:
        with self._lock:
            return {"size": self.size, "workers": len(self.workers),
                    "training": sum(1 for w in self.workers if w.run_id), "warm": sum(1 for w in self.workers
                                                                                     if w.ready and w.idle),
                    "pids": [w.process.pid for w in self.workers], "replaced": list(self.replaced),
                    "compiled": {w.process.pid: len(w.shapes) for w in self.workers}}

    def worker_pid(self, run_id: str) -> int | None:
        with self._lock:
            return next((w.process.pid for w in self.workers if w.run_id == run_id), None)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the dispatcher and every worker. Runs still training are stopped first, so they end as stopped with
        their epochs and files (a worker that cannot finish in time is killed; the next start marks its run failed)."""
        self._closed.set()
        self._wake()
        self._thread.join(timeout)
        for worker in self.workers:
            if worker.run_id is not None:
                self.store.request_stop(worker.run_id, "the server was shut down")
        for worker in self.workers:
            _send(worker.connection, ("exit",))
        for worker in self.workers:
            worker.process.join(timeout)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout)
        self.workers.clear()
        remove_scratch_folders()

    # The dispatcher.

    def _wake(self) -> None:
        _send(self._wake_write, b"")

    def _dispatch(self) -> None:
        store = RunStore(self.store.home)  # this thread's own connection
        while not self._closed.is_set():
            try:
                self._step(store)
            except Exception as exc:  # the dispatcher must outlive any one bad moment
                print(f"lstm-playground dispatcher: {type(exc).__name__}: {exc}", flush=True)
                time.sleep(POLL_SECONDS)

    def _step(self, store: RunStore) -> None:
        with self._lock:
            handles = [self._wake_read] + [w.connection for w in self.workers] + \
                      [w.process.sentinel for w in self.workers]
        for ready in wait(handles, timeout=POLL_SECONDS):
            if ready is self._wake_read:
                _drain(self._wake_read)
        with self._lock:
            for worker in list(self.workers):
                self._read_messages(worker)
                if not worker.process.is_alive():
                    self._bury(store, worker)
            if self._closed.is_set():
                return
            self._assign(store)
            self._keep_spare()
        self._prune_when_due(store)

    def _read_messages(self, worker: Worker) -> None:
        while True:
            try:
                if not worker.connection.poll():
                    return
                message = worker.connection.recv()
            except (EOFError, OSError):
                return
            if message[0] == "ready":
                worker.ready = True
            elif message[0] == "done":
                _, _, rss_mb = message
                worker.run_id, worker.runs_done = None, worker.runs_done + 1
                why = ("runs" if worker.runs_done >= self.worker_runs else
                       "memory" if rss_mb > self.worker_memory_mb else None)
                if why:
                    worker.retiring = True
                    self.replaced.append({"pid": worker.process.pid, "why": why, "runs": worker.runs_done,
                                          "rss_mb": round(rss_mb)})
                    _send(worker.connection, ("exit",))

    def _bury(self, store: RunStore, worker: Worker) -> None:
        self.workers.remove(worker)
        worker.connection.close()
        remove_scratch_folders()  # its own, and any the helper process left
        code = worker.process.exitcode
        if worker.run_id is not None:
            store.fail(worker.run_id, f"the training process stopped unexpectedly: {describe_exit(code)}")
        if not worker.retiring:
            self.replaced.append({"pid": worker.process.pid, "why": "died", "exit": describe_exit(code),
                                  "run": worker.run_id})

    def _assign(self, store: RunStore) -> None:
        free = [w for w in self.workers if w.ready and w.idle]
        if not free:
            return
        starting = [w for w in self.workers if not w.ready and w.idle]
        for run_id in self._claimable(store):
            if not free:
                return
            hint = shape_hint(store.setup(run_id))
            # A worker that keeps this shape compiled starts the run at steady speed. One still warming up on it
            # (started for this run) is waited for: another would have to compile the shape all over again.
            worker = next((w for w in free if hint in w.shapes), None)
            if worker is None and any(hint in w.shapes for w in starting):
                continue
            worker = worker or free[0]
            if store.claim(run_id, worker.process.pid):
                worker.run_id = run_id
                worker.kept(hint)
                self._last_assigned = time.monotonic()
                _send(worker.connection, ("run", run_id))
                free.remove(worker)

    def _claimable(self, store: RunStore) -> list[str]:
        queued = store.queued()
        return queued if self.claims is None else [run_id for run_id in queued if self.claims(run_id)]

    def _keep_spare(self) -> None:
        """Start workers so that one waits warm (or queued runs have one each), never more than `size` in all."""
        live = [w for w in self.workers if not w.retiring]
        waiting = sum(1 for w in live if w.idle)
        claimable = self._claimable(self.store)
        spare = self.spare and (claimable or time.monotonic() - self._last_assigned >= SPARE_DELAY_SECONDS)
        wanted = len(claimable) + (1 if spare else 0)
        while waiting < wanted and len(live) < self.size:
            # A worker started for a queued run warms up on that run's setup, the one it is about to train (the
            # newest run's is often another shape: a sweep's last); the spare on the newest run's.
            worker = self._start_worker(claimable[waiting] if waiting < len(claimable) else None)
            live.append(worker)
            waiting += 1

    def _start_worker(self, run_id: str | None = None) -> Worker:
        # The worker takes this environment: keep TensorFlow's start-up chatter out of the server's log.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        parent_end, child_end = self._context.Pipe()
        warm = self._warm_setup(run_id) if self.warm_up else None
        process = self._context.Process(target=worker_main, name="lstm-playground-worker", daemon=True,
                                        args=(str(self.store.home), child_end, warm, child_environment(), os.getpid()))
        process.start()
        child_end.close()
        worker = Worker(process, parent_end, started=time.monotonic())
        if warm:
            worker.kept(shape_hint(warm))
        self.workers.append(worker)
        return worker

    def _warm_setup(self, run_id: str | None = None) -> dict | None:
        """This run's setup, else the newest run's, or on a new store the default sample's (what a first visitor
        trains). None for a spare whose shape another worker keeps: compiling it again would take CPU from the runs
        training now, for a shape that worker trains at steady speed next; the spare waits with TensorFlow imported."""
        setup = self.store.setup(run_id) or self.store.setup() or self._default_setup()
        if run_id is None and any(shape_hint(setup) in w.shapes for w in self.workers if not w.retiring):
            return None
        return setup

    def _default_setup(self) -> dict:
        from lstm_core.tasks.forecast.samples import DEFAULT_SAMPLE, SAMPLES, sample_csv

        sample = SAMPLES[DEFAULT_SAMPLE]
        config = RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)
        return {"reader": "csv", "data_ref": self.store.put_data(sample_csv(DEFAULT_SAMPLE)),
                "data_name": f"{DEFAULT_SAMPLE}.csv", "config": config.to_dict()}


def _send(connection: Connection, message) -> None:
    # The other end may be gone; the dispatcher notices through the process sentinel.
    with contextlib.suppress(OSError, ValueError):
        connection.send(message)


def _drain(connection: Connection) -> None:
    while connection.poll():
        try:
            connection.recv()
        except (EOFError, OSError):
            return

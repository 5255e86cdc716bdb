"""The Ray engine: runs trained on a Ray cluster, read back from the app's own run store like any other run.

Same interface as the local pool (submit / stop / status / record / pool_state / close). The data and the store stay
with the app: a run's setup and data's bytes go to a Ray task with `LSTM_PLAYGROUND_RAY_CPUS` CPUs (ray_task.py),
and what it writes comes back through a mailbox actor, replayed on the store by one dispatcher thread here. Queued
runs wait in the store, as with the local pool, until the cluster has CPUs for them, so the page shows their place.
The code travels with each job (Ray's `py_modules`): cluster nodes need only the packages of requirements-ray.txt.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import ray

from lstm_core.jobs.engine_base import StoreEngine
from lstm_core.jobs.pool import POLL_SECONDS, PRUNE_SECONDS
from lstm_core.jobs.ray_reach import listening, plain
from lstm_core.jobs.ray_task import Mailbox, train_on_ray
from lstm_core.limits import limit
from lstm_core.store import RunStore

# Waiting longer than this for the cluster to answer means it has gone.
ANSWER_SECONDS = 60.0
# A call to the cluster that has not returned after this long (ANSWER_SECONDS and a margin) means it is gone, even
# if the call never returns.
STUCK_MARGIN = 15.0
# The cluster's size (it may grow or shrink) is read again this often.
SIZE_SECONDS = 30.0
PACKAGE = Path(__file__).resolve().parents[1]


class RayEngine(StoreEngine):
    """submit / stop / status / events for runs trained on the Ray cluster at `address`."""

    def __init__(self, store: RunStore, address: str | None = None, cpus: float | None = None,
                 claims: Callable[[str], bool] | None = None, prune_every: float = PRUNE_SECONDS,
                 answer_seconds: float = ANSWER_SECONDS):
        self.store = store
        self.address = address  # None: a Ray cluster started on this machine
        self.cpus = cpus or limit("ray_cpus_per_run")
        self.claims = claims
        self.prune_every = prune_every
        self.answer_seconds = answer_seconds
        self.size = 0
        self._sized = 0.0
        self._tasks: dict[str, ray.ObjectRef] = {}
        self._stops_sent: set[str] = set()
        self._lock = threading.Lock()
        self._woken = threading.Event()
        self._closed = threading.Event()
        self._mailbox = None
        self._shut_down_handles: list = []
        self._owns_ray = False
        self._connected = threading.Event()
        self._ever_connected = False
        self.connect_error: str | None = None  # why the first connection failed, when it did
        self._tidy_store()
        self._generation = 0
        self._step_started: float | None = None
        self._thread = threading.Thread(target=self._dispatch, args=(0,), name="lstm-playground-ray-dispatcher",
                                        daemon=True)
        self._thread.start()
        threading.Thread(target=self._watch, name="lstm-playground-ray-watchdog", daemon=True).start()

    # submit / stop / status / record: StoreEngine's.

    def pool_state(self) -> dict:
        with self._lock:
            training = len(self._tasks)
        return {"size": self.size, "workers": training, "training": training, "warm": 0, "pids": [], "replaced": [],
                "compiled": {}, "backend": "ray", "address": self.address or "local"}

    def _wake(self) -> None:
        self._woken.set()

    def reachable(self, timeout: float = 120.0) -> str | None:
        """Wait for the first connection to the cluster; None when it was made, else why it failed."""
        self._connected.wait(timeout)
        if not self._connected.is_set():
            return f"no answer from {self._where()} in {timeout:.0f} s"
        return self.connect_error

    def worker_pid(self, run_id: str) -> int | None:
        return None  # the run trains on the cluster, in no process of this machine

    def close(self, timeout: float = 10.0) -> None:
        """Stop the runs still training (they end as stopped, with their epochs and files), then let go."""
        with self._lock:
            running = list(self._tasks)
        for run_id in running:
            self.store.request_stop(run_id, "the server was shut down")
        self._wake()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._tasks:
                    break
            time.sleep(POLL_SECONDS)
        self._closed.set()
        self._wake()
        self._thread.join(timeout)

    # Talking to the cluster.

    def _connect(self) -> None:
        if not ray.is_initialized():
            if self.address:
                listening(self.address)
            self._owns_ray = True
            # Our code goes with the job; cluster nodes need only the packages.
            runtime_env = {"py_modules": [str(PACKAGE)], "env_vars": {"TF_CPP_MIN_LOG_LEVEL": "2"},
                           "excludes": ["__pycache__", "*.pyc"]}
            ray.init(address=self.address, runtime_env=runtime_env, log_to_driver=False,
                     ignore_reinit_error=True)
        self._mailbox = Mailbox.remote()
        self._resize()
        self._ever_connected = True

    def _resize(self) -> None:
        cpus = ray.cluster_resources().get("CPU", 0)
        self.size = max(1, int(cpus // self.cpus)) if cpus else 0
        self._sized = time.monotonic()

    def _where(self) -> str:
        return f"the Ray cluster at {self.address}" if self.address else "the local Ray cluster"

    # The dispatcher.

    def _dispatch(self, generation: int) -> None:
        # Every call to Ray is made from this thread: one that started Ray and then ended (a page's script run
        # does) left the cluster's answers unread. A dispatcher stuck in a call that never returns (a connection
        # torn down under it) is replaced by the watchdog; `generation` tells it so when it wakes.
        store = RunStore(self.store.home)  # this thread's own connection
        first = True
        while not self._closed.is_set() and generation == self._generation:
            if not first:
                self._woken.wait(POLL_SECONDS)
                self._woken.clear()
            self._step_started = time.monotonic()
            try:
                if first:
                    self._first_connect()
                else:
                    self._step(store)
            except Exception as exc:  # the cluster went away or stopped answering: the runs on it failed
                if generation == self._generation:
                    self._lost(store, exc)
            finally:
                self._step_started = None
                if first:
                    first = False
                    self._connected.set()
            self._prune_when_due(store)

    def _first_connect(self) -> None:
        try:
            self._connect()
        except Exception as exc:  # no cluster now: the first queued run tries again, or fails with the reason
            self.connect_error = plain(exc)
            print(f"lstm-playground: {self._where()} cannot be reached: {self.connect_error}", file=sys.stderr,
                  flush=True)

    def _watch(self) -> None:
        """Fail the runs of a cluster that stopped answering, even when the call waiting for it never returns."""
        store = RunStore(self.store.home)
        while not self._closed.wait(1.0):
            started = self._step_started
            stuck = self.answer_seconds + STUCK_MARGIN
            if started is None or time.monotonic() - started < stuck:
                continue
            self._generation += 1
            self._lost(store, TimeoutError(f"no answer in {stuck:.0f} s"), from_watchdog=True)
            self._step_started = None
            self._thread = threading.Thread(target=self._dispatch, args=(self._generation,), daemon=True,
                                            name="lstm-playground-ray-dispatcher")
            self._thread.start()

    def _step(self, store: RunStore) -> None:
        if self._mailbox is None:
            if not self._claimable(store):
                return
            self._connect()  # the cluster went away before: try again now a run waits for it
        elif not ray.is_initialized():
            # Ray was shut down in this process under the engine: the next call would start or join a cluster of
            # its own accord (Ray's auto-init) and wait there, never answering; the runs on the old one are lost.
            # Their handles are kept, not dropped: one released while Ray is still shutting down ends the process.
            with self._lock:
                self._shut_down_handles.append((self._mailbox, dict(self._tasks)))
            raise ConnectionError("Ray was shut down in this process")
        self._relay_stops(store)
        self._replay(store)
        self._collect_finished(store)
        if time.monotonic() - self._sized >= SIZE_SECONDS:
            self._resize()
        self._start_queued(store)

    def _claimable(self, store: RunStore) -> list[str]:
        queued = store.queued()
        return queued if self.claims is None else [run_id for run_id in queued if self.claims(run_id)]

    def _start_queued(self, store: RunStore) -> None:
        for run_id in self._claimable(store):
            with self._lock:
                if len(self._tasks) >= self.size:
                    return
            setup = store.setup(run_id)
            if setup is None or not store.claim(run_id, os.getpid()):
                continue
            data = store.data_bytes(setup["data_ref"])
            task = train_on_ray.options(num_cpus=self.cpus).remote(self._mailbox, run_id, setup, data)
            with self._lock:
                self._tasks[run_id] = task

    def _relay_stops(self, store: RunStore) -> None:
        with self._lock:
            running = [run_id for run_id in self._tasks if run_id not in self._stops_sent]
        for run_id in running:
            reason = store.stop_reason(run_id)
            if reason is None and store.status(run_id) is None:
                reason = "the run was deleted"
            if reason:
                ray.get(self._mailbox.stop.remote(run_id, reason), timeout=self.answer_seconds)
                self._stops_sent.add(run_id)

    def _replay(self, store: RunStore) -> None:
        """Write what the tasks wrote into this store, under the runs' ids here."""
        for run_id, messages in ray.get(self._mailbox.collect.remote(), timeout=self.answer_seconds).items():
            for name, args, kwargs in messages:
                try:
                    getattr(store, name)(run_id, *args, **kwargs)
                except Exception:  # the run was deleted here meanwhile: its task is told to stop
                    continue

    def _collect_finished(self, store: RunStore) -> None:
        with self._lock:
            tasks = dict(self._tasks)
        if not tasks:
            return
        done, _ = ray.wait(list(tasks.values()), num_returns=len(tasks), timeout=0)
        if not done:
            return
        self._replay(store)  # a task posts its last words before it returns
        for run_id, task in tasks.items():
            if task not in done:
                continue
            try:
                ray.get(task, timeout=self.answer_seconds)
            except ray.exceptions.RayError as exc:
                store.fail(run_id, f"the Ray task training it failed: {plain(exc)}")
            # A task that ended without its last word (killed) leaves the run running: it failed.
            store.fail(run_id, "the Ray task training it ended without reporting an end")
            self._mailbox.forget.remote(run_id)
            with self._lock:
                self._tasks.pop(run_id, None)
                self._stops_sent.discard(run_id)

    def _lost(self, store: RunStore, exc: Exception, from_watchdog: bool = False) -> None:
        with self._lock:
            lost, self._tasks = list(self._tasks), {}
            self._stops_sent.clear()
        reason = f"{self._where()} {'went away' if self._ever_connected else 'cannot be reached'}: {plain(exc)}"
        for run_id in lost:
            store.fail(run_id, reason)
        self._mailbox = None
        self.size = 0
        if self._owns_ray and not from_watchdog:  # a lost cluster's connection is dropped: the next try is afresh
            with contextlib.suppress(Exception):
                ray.shutdown()
        # Without a cluster, queued runs would wait for ever: they end now, with the same reason.
        for run_id in self._claimable(store):
            if store.claim(run_id, os.getpid()):
                store.fail(run_id, reason)


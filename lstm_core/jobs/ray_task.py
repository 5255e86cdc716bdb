"""The cluster's side of the Ray engine: a run trained in a Ray task, its store writes relayed to the app.

A Ray worker has no access to the app's run store (often not even its machine). So the task trains the run with
the same code as a local worker, `execute_run`, against a throwaway store of its own; every write to that store is
also posted, as (method, arguments), to the engine's mailbox actor, and the app replays it on its real store under
the run's real id. A stop asked for in the app travels the other way: the app puts the reason in the mailbox, and
the task writes it into its own store, where the usual stop watcher reads it.

Ray Client (`ray://` addresses, the way a team's server reaches a cluster) has no streaming generators, so the
relay is an actor both sides call.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import defaultdict

import ray

from lstm_core.config import RunConfig
from lstm_core.jobs.processes import remove_scratch_folders, use_scratch_folder
from lstm_core.store import RunStore

# How often the task posts what it wrote, and looks for a stop request.
RELAY_SECONDS = 0.25
# Store methods whose writes the app must see, in the order they happened.
RELAYED = ("set_started", "add_epoch", "set_progress", "add_event", "write_artifacts", "set_metrics", "finish")
_scratch = None  # this Ray worker's temporary folder, once its first task has made it


@ray.remote(num_cpus=0)
class Mailbox:
    """Messages from the runs' tasks to the app, and stop requests from the app to the tasks."""

    def __init__(self):
        self.inbox: dict[str, list] = defaultdict(list)
        self.stops: dict[str, str] = {}

    def post(self, run_id: str, messages: list) -> None:
        self.inbox[run_id].extend(messages)

    def collect(self) -> dict[str, list]:
        taken, self.inbox = dict(self.inbox), defaultdict(list)
        return taken

    def stop(self, run_id: str, reason: str) -> None:
        self.stops[run_id] = reason

    def stop_reason(self, run_id: str) -> str | None:
        return self.stops.get(run_id)

    def forget(self, run_id: str) -> None:
        self.stops.pop(run_id, None)
        self.inbox.pop(run_id, None)


class RelayStore(RunStore):
    """A run store that also keeps every write of RELAYED for the app, in order."""

    def __init__(self, home):
        super().__init__(home)
        self.outbox: list = []
        self._outbox_lock = threading.Lock()

    def take(self) -> list:
        with self._outbox_lock:
            taken, self.outbox = self.outbox, []
        return taken


def _relayed(name: str):
    def write(self, run_id, *args, **kwargs):
        result = getattr(RunStore, name)(self, run_id, *args, **kwargs)
        with self._outbox_lock:
            self.outbox.append((name, args, kwargs))
        return result

    write.__name__ = name
    return write


for _name in RELAYED:
    setattr(RelayStore, _name, _relayed(_name))


@ray.remote(max_retries=0)
def train_on_ray(mailbox, run_id: str, setup: dict, data: bytes) -> str:
    """Train the app's run `run_id` (its setup as RunStore.setup gives it, its data's bytes); returns its status.
    Everything the run writes reaches the app through `mailbox` before this returns."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lstm_core.compiled import keep_compiled
    from lstm_core.jobs.execute import execute_run

    keep_compiled()  # a Ray worker runs many tasks: a second run of a shape skips its compile, as in the local pool
    _use_scratch_folder()
    home = tempfile.mkdtemp(prefix="lstm-playground-ray-")  # inside the worker's folder
    try:
        store = RelayStore(home)
        config = RunConfig.from_dict(setup["config"])
        local = store.create_run("ray", config, store.put_data(data), setup["data_name"], setup["reader"]).key
        store.claim(local, os.getpid())
        done = threading.Event()
        relay = threading.Thread(target=_relay, args=(mailbox, run_id, store, local, done), daemon=True)
        relay.start()
        try:
            status = execute_run(store, local)
        finally:
            done.set()
            relay.join()
        ray.get(mailbox.post.remote(run_id, store.take()))  # the last words, delivered before the task ends
        return status
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _use_scratch_folder() -> None:
    """A Ray worker lives as long as its cluster and ends killed, never through Python's exit: the module file
    TensorFlow's autograph writes for every traced function, and the throwaway store of a task killed mid-run, stayed
    in the node's temporary folder for good. The worker writes them to a folder of its own (as a local worker does),
    and its first task removes the folders of workers that are gone from this node."""
    global _scratch
    if _scratch is None:
        remove_scratch_folders()  # before the switch: it looks in the system's temporary folder
        _scratch = use_scratch_folder()


def _relay(mailbox, run_id: str, store: RelayStore, local: str, done: threading.Event) -> None:
    """Post the task's writes as they come, and turn a stop request from the app into a stop row here."""
    stopped = False
    while not done.wait(RELAY_SECONDS):
        messages = store.take()
        if messages:
            mailbox.post.remote(run_id, messages)
        if not stopped:
            reason = ray.get(mailbox.stop_reason.remote(run_id))
            if reason:
                RunStore(store.home).request_stop(local, reason)
                stopped = True

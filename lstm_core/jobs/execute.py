"""One run, trained inside a worker process: every event goes to the run store as it happens."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from lstm_core.errors import translate
from lstm_core.findings import has_errors
from lstm_core.jobs.processes import started_at, still_running
from lstm_core.jobs.tasks import (
    evaluate_task,
    prepare_from,
    report_findings,
    report_metrics,
    run_outputs,
    runner_for_task,
)
from lstm_core.store import RunStore

# How often a running run looks for a stop request in the store; Keras then stops after its current batch.
STOP_POLL_SECONDS = 0.2
SERVER_STOPPED = "the server stopped during training"
DELETED = "the run was deleted"


class StoreWriter:
    """Listener: the runner's events, written to the store (the page, the CLI and the tests read them there)."""

    def __init__(self, store: RunStore, run_id: str, runner):
        self.store, self.run_id, self.runner = store, run_id, runner

    def __call__(self, kind: str, payload: dict) -> None:
        try:
            self._write(kind, payload)
        except sqlite3.IntegrityError:
            # The run was deleted while it trained: nothing of it is kept, and it stops.
            self.runner.request_stop(DELETED)

    def _write(self, kind: str, payload: dict) -> None:
        if kind == "start":
            self.store.set_started(self.run_id, payload["steps"], self.runner.state.jit_compile)
            self.store.add_event(self.run_id, "compiled", {"xla": self.runner.state.jit_compile,
                                                           "kept": payload.get("kept", False)})
        elif kind == "tick":
            self.store.set_progress(self.run_id, payload["epoch"], payload["step"], payload["elapsed"])
        elif kind == "epoch_end":
            self.store.add_epoch(self.run_id, payload["epoch"], payload["loss"], payload["val_loss"],
                                 payload["seconds"], payload["elapsed"])
            # Keras runs a step before it looks at a stop flag set between epochs: a request the watcher has not
            # seen yet is looked for here, so a stop never costs a whole further epoch.
            reason = self.store.stop_reason(self.run_id)
            if reason and not self.runner.stop_requested:
                self.runner.request_stop(reason)
        elif kind == "finding":
            # The runner keeps Finding objects; the newest one is the one just emitted.
            self.store.add_finding(self.run_id, self.runner.state.findings[-1])
        elif kind == "sample":
            self.store.add_event(self.run_id, "sample", payload)


class StopWatcher:
    """A thread that turns a stop row in the store into the runner's stop flag, whoever wrote the row."""

    def __init__(self, store: RunStore, run_id: str, runner, server: int | None = None):
        self.store, self.run_id, self.runner = store, run_id, runner
        # A worker whose server died (killed, crashed) stops its run, keeping its epochs. A pool's worker is told the
        # server's pid (its parent is the fork server, which outlives the server while workers hold its socket);
        # elsewhere the process that started this one is the one watched.
        self.server = server or os.getppid()
        self.server_started = started_at(self.server)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"stop-watch-{run_id}", daemon=True)

    def __enter__(self) -> StopWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        # Its own store: sqlite3 connections stay in the thread that opened them.
        store = RunStore(self.store.home)
        while not self._done.wait(STOP_POLL_SECONDS):
            reason = store.stop_reason(self.run_id)
            if reason is None and store.status(self.run_id) is None:
                reason = DELETED
            if reason is None and not still_running(self.server, self.server_started):
                reason = SERVER_STOPPED
            if reason:
                self.runner.request_stop(reason)
                return


def execute_run(store: RunStore, run_id: str, server: int | None = None) -> str:
    """Train a claimed run to its end and record everything; returns its final status. Never raises for a run
    that fails: the failure is the run's status, reason and finding. `server`: the pid whose end stops the run
    (default: this process's parent)."""
    record = store.get(run_id)
    if record is None or record.status != "running":
        return record.status if record else "missing"
    try:
        prepared = prepare_from(record.reader, store.data_bytes(record.data_ref), record.data_name, record.config)
    except Exception as exc:  # data that no longer reads is the run's failure, not the worker's
        store.fail(run_id, "the data could not be read again", translate(exc, area="reading the data"))
        return "error"
    if has_errors(prepared.findings):
        for finding in prepared.findings:
            if finding.severity == "error":
                store.add_finding(run_id, finding)
        store.fail(run_id, "the checks found errors in the data or settings")
        return "error"
    try:
        state = train_recorded(store, run_id, prepared, server=server)
    except Exception as exc:  # TensorFlow's errors become the run's finding
        store.fail(run_id, "training failed", translate(exc, area="training"))
        return "error"
    return _finish(store, run_id, prepared, state)


def train_recorded(store: RunStore, run_id: str, prepared, listeners=(), ticks: bool = True,
                   server: int | None = None):
    """Train a claimed run in this process: its events go to the store as they happen and a stop row stops it.
    The worker's path and the CLI's (`train --store`); returns the RunState."""
    runner = runner_for_task(prepared, ticks=ticks, listeners=listeners)
    runner.listeners.append(StoreWriter(store, run_id, runner))
    with StopWatcher(store, run_id, runner, server):
        return runner.run()


def _finish(store: RunStore, run_id: str, prepared, state) -> str:
    report = None
    started = time.monotonic()
    trained = state.model is not None and state.epochs_done > 0 and state.status not in ("diverged", "error")
    if trained:
        try:
            report = evaluate_task(prepared, state.model)
            for finding in report_findings(report, prepared.config):
                store.add_finding(run_id, finding)
        except Exception as exc:  # a model that cannot predict is reported, not raised
            store.add_finding(run_id, translate(exc, area="evaluation"))
    return record_end(store, run_id, prepared, state, report, scoring=time.monotonic() - started)


def record_end(store: RunStore, run_id: str, prepared, state, report, scoring: float | None = None) -> str:
    """A trained run's last word: its artifacts (as a page run writes them), metrics and final status. `scoring`:
    the seconds its report took, kept with the seconds its files took (RunRecord.wrap_up)."""
    if store.status(run_id) is None:
        return "deleted"  # deleted while it trained: no folder is made again
    started = time.monotonic()
    if state.model is not None and state.epochs_done > 0:
        try:
            store.write_artifacts(run_id, run_outputs(prepared, state, report))
        except Exception as exc:
            store.add_finding(run_id, translate(exc, area="saving the run"))
    wrap_up = {"saving": round(time.monotonic() - started, 3)}
    if scoring is not None:
        wrap_up["scoring"] = round(scoring, 3)
    store.add_event(run_id, "wrap_up", wrap_up)
    metrics, verdict = report_metrics(report)
    reason = state.reason
    if state.status == "stopped_early" and reason and reason in (store.stop_reason(run_id), SERVER_STOPPED):
        reason = f"{reason} after {state.epochs_done} epoch(s)"
    store.finish(run_id, state.status, reason, state.best_epoch, state.jit_compile, metrics, verdict)
    return state.status


def wait_for(store: RunStore, run_id: str, timeout: float = 300.0, poll: float = 0.2) -> str:
    """Block until the run has ended (the CLI and the tests); returns its final status."""
    deadline = time.monotonic() + timeout
    while True:
        status = store.status(run_id)
        if status not in ("queued", "running") or time.monotonic() > deadline:
            return status
        time.sleep(poll)

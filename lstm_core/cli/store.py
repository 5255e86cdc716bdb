"""The command line and the run store: `train --store` records its run as it grows, as a page run is recorded;
`runs` lists a workspace's runs; `stop` asks any queued or running run to stop, the page's or the CLI's.

The store is the one at LSTM_PLAYGROUND_HOME (default ~/.lstm_playground), the same the page and its workers use.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from pathlib import Path

from lstm_core.store.workspaces import CLI_WORKSPACE, valid_workspace_id

STORE_COMMANDS = ("runs", "stop")
STOP_REASON = "stopped from the command line"


def workspace_id(value: str) -> str:
    """argparse type: 'cli' or a page's workspace id (from its URL)."""
    if not valid_workspace_id(value):
        raise argparse.ArgumentTypeError(f"not a workspace id: {value!r} (use '{CLI_WORKSPACE}' or the id in a "
                                         "page's URL)")
    return value


def add_store_options(command: argparse.ArgumentParser, what: str = "the run", joins: str = "joins") -> None:
    command.add_argument("--store", action="store_true",
                         help=f"also record {what} in the run store (LSTM_PLAYGROUND_HOME, default "
                              "~/.lstm_playground), where the page's Compare runs and `runs` list it")
    _add_workspace(command, f"with --store: the workspace {what} {joins}")


def add_store_commands(commands) -> None:
    runs = commands.add_parser("runs", help="list a workspace's runs in the run store")
    _add_workspace(runs, "the workspace to list")
    runs.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    stop = commands.add_parser("stop", help="ask a queued or running run (the page's or the CLI's) to stop")
    stop.add_argument("run_id", help="the run's id, as `runs` lists it")
    stop.add_argument("--reason", default=STOP_REASON, help=f"why, shown with the run (default: {STOP_REASON})")
    stop.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _add_workspace(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--workspace", type=workspace_id, default=CLI_WORKSPACE,
                         help=f"{what} (default '{CLI_WORKSPACE}'; a page's id from its URL puts the run beside "
                              "that page's runs)")


def run_store_command(args: argparse.Namespace) -> int:
    from lstm_core.store import RunStore

    store = RunStore()
    return _runs(store, args) if args.command == "runs" else _stop(store, args)


def _runs(store, args: argparse.Namespace) -> int:
    rows = [run_row(record) for record in store.list_runs(args.workspace)]
    if args.json:
        print(json.dumps({"command": "runs", "workspace": args.workspace, "store": str(store.home), "runs": rows},
                         indent=2))
        return 0
    if not rows:
        print(f"no runs in workspace {args.workspace} ({store.home})")
    for row in rows:
        best = "n/a" if row["best_val_loss"] is None else f"{row['best_val_loss']:.4g}"
        # The name starts with the run's number (#3 · …).
        print(f"{row['id']}  {row['status']:<13} {row['epochs']:>3}/{row['planned_epochs']:<3} epochs  "
              f"best val loss {best:<8} {row['source']:<4} {row['name']}")
    return 0


def run_row(record) -> dict:
    """What `runs` shows of a stored run."""
    val = [v for v in record.history["val_loss"] if math.isfinite(v)]
    return {"number": record.id, "id": record.key, "name": record.name, "task": record.config.task,
            "status": record.status, "reason": record.reason, "epochs": record.epochs,
            "planned_epochs": record.planned_epochs, "best_val_loss": min(val) if val else None,
            "source": record.source, "created": record.created}


def _stop(store, args: argparse.Namespace) -> int:
    status = store.request_stop(args.run_id, args.reason)
    if args.json:
        print(json.dumps({"command": "stop", "run_id": args.run_id, "status": status,
                          "stop_requested": status == "running"}, indent=2))
    if status is None:
        print(f"no run {args.run_id!r} in the run store at {store.home}", file=sys.stderr)
        return 1
    if not args.json:
        print({"running": f"run {args.run_id}: asked to stop; it stops after its current batch",
               "cancelled": f"run {args.run_id}: cancelled"}.get(status, f"run {args.run_id} had already ended: "
                                                                        f"{status}"))
    return 0


class Recording:
    """A CLI training kept in the run store as it grows (source "cli"): created running in this process, its
    events written by the worker's own listener, a stop row obeyed, and its artifacts written as a page run's."""

    def __init__(self, store, run_id: str):
        self.store, self.run_id = store, run_id

    @classmethod
    def begin(cls, args: argparse.Namespace, prepared, report: dict) -> Recording | None:
        """With --store: the run created in the store (its data kept by content) and named in the report."""
        if not getattr(args, "store", False):
            return None
        from lstm_core.jobs.tasks import reader_for
        from lstm_core.store import RunStore

        store = RunStore()
        reader = reader_for(prepared.config)
        raw, name, data_id = source_bytes(args.file, reader)
        record = store.create_run(args.workspace, prepared.config, store.put_data(raw), name, reader, data_id,
                                  source="cli", trained_by=os.getpid())
        report["run_id"], report["store"] = record.key, str(store.home)
        return cls(store, record.key)

    def train(self, prepared, listeners: list):
        from lstm_core.jobs.execute import train_recorded

        # No ticks, as in a plain CLI run: Keras need not wait on every batch, and the store grows an epoch at a time.
        return train_recorded(self.store, self.run_id, prepared, listeners, ticks=False)

    def finish(self, prepared, state, result) -> None:
        from lstm_core.jobs.execute import record_end
        from lstm_core.jobs.tasks import report_findings

        for finding in report_findings(result, prepared.config):
            self.store.add_finding(self.run_id, finding)
        record_end(self.store, self.run_id, prepared, state, result)

    def fail(self, reason: str, finding=None) -> None:
        """A run the command could not take to its end (an error, Ctrl-C) ends failed, never left 'running'."""
        from lstm_core.store import ACTIVE

        if self.store.status(self.run_id) in ACTIVE:
            self.store.fail(self.run_id, reason, finding)


def source_bytes(file: str, reader: str) -> tuple[bytes, str, str]:
    """The bytes the command read (a file, or a built-in sample as the page would upload it), their name, and the
    data id the page gives them, so that runs on the same data are named against each other."""
    if not file.startswith("sample:"):
        path = Path(file)
        raw = path.read_bytes()
        return raw, path.name, f"upload:{hashlib.sha256(raw).hexdigest()[:16]}"
    name = file.split(":", 1)[1]
    if reader == "text":
        from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES

        return TEXT_SAMPLES[name].make().encode("utf-8"), f"{name}.txt", f"sample:{name}"
    if reader == "text-csv":
        from lstm_core.tasks.text_classify.samples import text_classify_sample_csv

        return text_classify_sample_csv(name), f"{name}.csv", f"sample:{name}"
    from lstm_core.tasks.forecast.samples import sample_csv
    from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, classification_sample_csv

    raw = classification_sample_csv(name) if name in CLASSIFICATION_SAMPLES else sample_csv(name)
    return raw, f"{name}.csv", f"sample:{name}"

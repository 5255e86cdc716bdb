"""What every task's command does the same way: put the prepared run in the report, train it with a progress log
(recorded in the store under --store), and the exit code the findings give."""

from __future__ import annotations

import argparse
import json
import math
import sys

from lstm_core.cli.store import Recording
from lstm_core.findings import Finding, has_errors

EXIT_OK, EXIT_FINDING, EXIT_USAGE = 0, 1, 2


def checked(args: argparse.Namespace, prepared, report: dict) -> int | None:
    """Put the prepared run's config, findings and data in the report; the exit code when the command ends here
    (`check`, or an error-level finding), else None to go on and train."""
    report["config"] = prepared.config.to_dict()
    report["findings"] = [f.to_dict() for f in prepared.findings]
    report["data"] = prepared.data_summary()
    if args.command == "check" or has_errors(prepared.findings):
        return EXIT_FINDING if has_errors(prepared.findings) else EXIT_OK
    return None


def trained(args: argparse.Namespace, report: dict, prepared, task, log=None):
    """Train the task's prepared run with the progress log (`log`, or the CLI's epoch lines) and put its history,
    status and findings in the report; an exception becomes a translated finding and None. With --store the run is
    recorded as it trains (args.recording), and a stop asked through the store ends it."""
    from lstm_core.errors import translate

    listeners = [log or (json_log if args.json else text_log)]
    args.recording = Recording.begin(args, prepared, report)
    try:
        if args.recording is not None:
            state = args.recording.train(prepared, listeners)
        else:
            state = task.runner(prepared, listeners, ticks=False).run()
    except Exception as exc:
        finding = translate(exc)
        report["findings"].append(finding.to_dict())
        report["stopped"] = "error"
        if args.recording is not None:
            args.recording.fail("training failed", finding)
        return None
    report["history"] = {key: [finite(v) for v in values] for key, values in state.history.items()}
    report["stopped"], report["reason"] = state.status, state.reason
    report["xla"] = bool(state.jit_compile)
    report["findings"].extend(f.to_dict() for f in state.findings)
    return state


def recorded(args: argparse.Namespace, prepared, state, result) -> None:
    """--store: the run's artifacts, metrics and final status, from the same report the command prints."""
    if args.recording is not None:
        args.recording.finish(prepared, state, result)


def exit_code(report: dict) -> int:
    findings = [Finding(f["code"], f["severity"], f["title"], f["detail"]) for f in report["findings"]]
    return EXIT_FINDING if has_errors(findings) else EXIT_OK


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def json_log(kind: str, payload: dict) -> None:
    if kind == "epoch_end":
        print(json.dumps({"event": kind, **payload}, default=str), file=sys.stderr, flush=True)


def text_log(kind: str, payload: dict) -> None:
    if kind == "epoch_end":
        val = f"  val_loss {payload['val_loss']:.5g}" if payload["val_loss"] is not None else ""
        print(f"epoch {payload['epoch']}/{payload['epochs']}  loss {payload['loss']:.5g}{val}  "
              f"{payload['seconds']:.2f}s", file=sys.stderr, flush=True)

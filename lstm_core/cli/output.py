"""The command line's output: one JSON object, or findings and the task's own lines as text."""

from __future__ import annotations

import json

from lstm_core.export import json_plain


def print_report(report: dict, as_json: bool, task=None) -> None:
    """`task` prints its data and metrics lines; None when the command ended before a task was known."""
    if as_json:
        print(json.dumps(report, indent=2, default=json_plain))
        return
    print_findings(report["findings"])
    if task is not None:
        task.print_results(report)
    if "lrs" in report:
        _print_range_test(report)
    if "stopped" in report and "lrs" not in report:
        print(f"stopped: {report['stopped']} {report.get('reason', '')}".rstrip())
    if "xla" in report:
        print(f"training step: {'compiled with XLA' if report['xla'] else 'without XLA'}")
    for label, path in report.get("written", {}).items():
        print(f"wrote {label}: {path}")
    if "run_id" in report:
        print(f"stored as run {report['run_id']} in {report['store']}")


def print_findings(findings: list[dict], fixes: bool = True) -> None:
    for finding in findings:
        print(f"[{finding['severity']}] {finding['code']} {finding['title']}")
        print(f"    {finding['detail']}")
        if fixes and finding.get("fix"):
            print(f"    fix: {json.dumps(finding['fix'])}")


def _print_range_test(report: dict) -> None:
    lrs, losses = report["lrs"], report["losses"]
    print(f"range test: {len(losses)} steps, rates {lrs[0]:.1e} to {lrs[-1]:.1e} ({report['stopped']})")
    if report["suggested_lr"] is None:
        print("no learning rate to suggest (see the findings above)")
    else:
        print(f"suggested learning rate: {report['suggested_lr']:g}  (use it with --lr {report['suggested_lr']:g})")

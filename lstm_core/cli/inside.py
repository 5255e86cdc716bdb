"""`inspect RUN_DIR`: inside a stored run's LSTM from the command line, the arrays the page draws.

RUN_DIR is a run's folder in the run store (HOME/runs/RUN_ID, as `runs` lists the ids); the store is the folder two
levels up. The model is loaded here, in this process (the command line may import TensorFlow).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

INSIDE_COMMAND = "inspect"


def add_inside_command(commands) -> None:
    inspect = commands.add_parser(INSIDE_COMMAND, help="the gates, cell and hidden states of a stored run's LSTM "
                                                      "layers on one test window or passage")
    inspect.add_argument("run_dir", type=Path, help="the run's folder in the run store: HOME/runs/RUN_ID")
    inspect.add_argument("--window", type=int, default=None,
                         help="the test window's index (default: the one with the largest error)")
    inspect.add_argument("--passage", default=None,
                         help="a language model's passage (default: the start of the held-out text)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object on stdout, every array in it")


def run_inside_command(args: argparse.Namespace) -> int:
    from lstm_core.inside.run import NotInspectable, plain

    run_dir = args.run_dir.expanduser().resolve()
    home, run_id = run_dir.parent.parent, run_dir.name
    if not (run_dir / "model.keras").is_file() or not (home / "runs.sqlite").is_file():
        return _fail(args, f"{args.run_dir} is not a trained run's folder in a run store (HOME/runs/RUN_ID with a "
                           "model.keras)")
    from lstm_core.jobs.calls import inside_view

    try:
        result = inside_view(str(home), run_id, args.window, args.passage)
    except (NotInspectable, LookupError) as exc:
        return _fail(args, str(exc))
    report = {"command": INSIDE_COMMAND, "run_id": run_id, "store": str(home), **plain(result)}
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0


def _fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"command": INSIDE_COMMAND, "error": message}))
    print(f"inspect: {message}", file=sys.stderr)
    return 1


def _print(report: dict) -> None:
    if report["kind"] == "window":
        print(f"test window {report['window']} of {report['count']} (largest error: {report['worst']}) · error "
              f"{report['error']:.4g} · recomputed = Keras to {report['agreement']:.1e}")
    else:
        print(f"passage of {report['steps']} tokens · recomputed = Keras to {report['agreement']:.1e}")
    print(f"reference: {report['reference']['text']}")
    for layer in report["saturation"]:
        for direction in layer["directions"]:
            trained, reference = direction["trained"], direction["reference"]
            shares = ", ".join(f"{part} {trained[part]['share']:.0%} (reference {reference[part]['share']:.0%})"
                               for part in ("input", "forget", "output", "cell")
                               if trained[part]["share"] is not None)
            print(f"{layer['name']} {direction['direction']}: saturated {shares}")
    attribution = report.get("attribution")
    if attribution:
        change = attribution["change"]
        top = sorted(range(len(change)), key=lambda t: -abs(change[t] or 0))[:3]
        print("steps that moved the output most (occlusion): " + ", ".join(
            f"step {t + 1} ({change[t]:+.4g} {attribution['unit']})" for t in top))

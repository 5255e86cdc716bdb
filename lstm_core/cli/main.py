"""Command line: the same checks, training and report as the page, printed as text or one JSON object.

`check`, `train` and `lr-find` ask the task registry which task a file is for; the task prepares it, and after the
shared training (cli/running.py) scores it and describes its results.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lstm_core.cli.inside import INSIDE_COMMAND, add_inside_command, run_inside_command
from lstm_core.cli.options import add_config_options, config_or_problem, given_settings
from lstm_core.cli.output import print_report
from lstm_core.cli.running import EXIT_FINDING, EXIT_USAGE, checked, exit_code, recorded, trained
from lstm_core.cli.store import STORE_COMMANDS, add_store_commands, add_store_options, run_store_command
from lstm_core.cli.sweep import SWEEP_COMMAND, add_sweep_command, run_sweep_command
from lstm_core.findings import Finding, ProblemError
from lstm_core.tasks.forecast.backtest import DEFAULT_FOLDS
from lstm_core.tasks.forecast.intervals import DEFAULT_LEVEL
from lstm_core.tasks.forecast.intervals import LEVELS as INTERVAL_LEVELS
from lstm_core.tasks.registry import claiming, task_for


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit code 2, with a one-line hint instead of a traceback
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lstm_core",
                     description="Check a CSV time series for LSTM mistakes, or train an LSTM on it: to forecast "
                                 "it, or to classify its sequences or windows.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in (("check", "run every preflight check, without training"),
                            ("train", "check, then train and report metrics against naive baselines"),
                            ("lr-find", "check, then run a learning-rate range test on a fresh model")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("file", help="a CSV file, or sample:NAME for a built-in sample")
        add_config_options(command)
        command.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        if name == "lr-find":
            _add_range_options(command)
        if name == "train":
            command.add_argument("--out", type=Path, help="write model.keras, config.json, history.csv, metrics.json "
                                                          "and train_script.py here")
            command.add_argument("--forecast-steps", type=int, default=0,
                                 help="also forecast this many steps past the end")
            command.add_argument("--interval-level", type=int, choices=INTERVAL_LEVELS, default=DEFAULT_LEVEL,
                                 help="forecast: the prediction interval's level in %% (default 80)")
            command.add_argument("--backtest", type=int, nargs="?", const=DEFAULT_FOLDS, default=0, metavar="FOLDS",
                                 help="forecast: also train FOLDS more models at earlier origins (rolling origin; "
                                      f"{DEFAULT_FOLDS} when no number is given) and report each fold's scores")
            add_store_options(command)
    add_sweep_command(commands, add_config_options)
    add_store_commands(commands)
    add_inside_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    if args.command in STORE_COMMANDS:
        return run_store_command(args)
    if args.command == INSIDE_COMMAND:
        return run_inside_command(args)
    if args.command == SWEEP_COMMAND:
        return run_sweep_command(args)
    args.recording = None  # set by trained() under --store
    args.resolved_task = None  # the task, once the file is known to be one's
    report: dict = {"command": args.command, "findings": []}
    try:
        code = _run(args, report)
    except ProblemError as problem:
        report["findings"].append(problem.finding.to_dict())
        code = EXIT_USAGE if problem.finding.code in ("DATA001", "DATA002", "CONFIG001") else EXIT_FINDING
    except Exception as exc:  # the boundary: anything unexpected becomes a finding, not a traceback
        from lstm_core.errors import translate

        finding = translate(exc, area="command")
        report["findings"].append(finding.to_dict())
        code = EXIT_FINDING
        if args.recording is not None:
            args.recording.fail(f"the command failed: {finding.title}", finding)
    except KeyboardInterrupt:
        if args.recording is not None:
            args.recording.fail("the command was interrupted")
        raise
    print_report(report, args.json, args.resolved_task)
    return code


def _run(args: argparse.Namespace, report: dict) -> int:
    config = config_or_problem(args)
    prepared = claiming(args.file, config).cli_prepare(args.file, config, given_settings(args))
    # A table given with task "auto" is settled by its layout while it is prepared.
    task = args.resolved_task = task_for(prepared.config)
    done = checked(args, prepared, report)
    if done is not None:
        return done
    if args.command == "lr-find":
        return _lr_find(args, prepared, report, task)
    state = trained(args, report, prepared, task, log=task.cli_log(args.json))
    if state is None:
        return EXIT_FINDING
    result = task.cli_results(args, prepared, state, report)
    if args.out:
        report["written"] = task.write_outputs(args.out, prepared, state, result)
    recorded(args, prepared, state, result)
    return exit_code(report)


def _add_range_options(command: argparse.ArgumentParser) -> None:
    from lstm_core.lr_finder import END_LR, START_LR, STEPS

    command.add_argument("--start-lr", type=float, default=START_LR, help=f"smallest rate tried (default {START_LR:g})")
    command.add_argument("--end-lr", type=float, default=END_LR, help=f"largest rate tried (default {END_LR:g})")
    command.add_argument("--steps", type=int, default=STEPS, help=f"batches, one rate each (default {STEPS})")


def _lr_find(args: argparse.Namespace, prepared, report: dict, task) -> int:
    from lstm_core.lr_finder import find_learning_rate

    if not task.range_test:
        raise ProblemError(Finding("CONFIG001", "error", f"The range test is not made for a {task.label}",
                                   "lr-find runs on CSV forecasts and sequence classifiers. For this file, try a few "
                                   "learning rates side by side: `python -m lstm_core train` with --lr, or "
                                   "the page's \"Try several values\".", area="config"))
    if not 0 < args.start_lr < args.end_lr or args.steps < 2:
        raise ProblemError(Finding("CONFIG001", "error", "The range test's options cannot be used",
                                   f"--start-lr ({args.start_lr:g}) must be above 0 and below --end-lr "
                                   f"({args.end_lr:g}), and --steps ({args.steps}) at least 2.", area="config"))
    test = find_learning_rate(prepared, args.start_lr, args.end_lr, args.steps)
    report.update({key: value for key, value in test.to_dict().items() if key != "findings"})
    report["findings"].extend(f.to_dict() for f in test.findings)
    return exit_code(report)

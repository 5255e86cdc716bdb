"""Command line: the same checks, training and report as the page, printed as text or one JSON object."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

from lstm_core.cli.inside import INSIDE_COMMAND, add_inside_command, run_inside_command
from lstm_core.cli.store import STORE_COMMANDS, Recording, add_store_commands, add_store_options, run_store_command
from lstm_core.cli.sweep import SWEEP_COMMAND, add_sweep_command, run_sweep_command
from lstm_core.config import (
    ACTIVATIONS,
    LABEL_CONFLICTS,
    LAYOUTS,
    LEVELS,
    LOSSES,
    MISSING,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    PADDINGS,
    RESHAPES,
    SCALINGS,
    TASKS,
    TRUNCATIONS,
    ConfigError,
    RunConfig,
)
from lstm_core.findings import Finding, ProblemError, has_errors
from lstm_core.tasks.forecast.backtest import DEFAULT_FOLDS, MAX_FOLDS
from lstm_core.tasks.forecast.intervals import DEFAULT_LEVEL, coverage_findings, forecast_band
from lstm_core.tasks.forecast.intervals import LEVELS as INTERVAL_LEVELS
from lstm_core.tasks.text_classify.cli import run_text_classify, wants_text_classify

EXIT_OK, EXIT_FINDING, EXIT_USAGE = 0, 1, 2

# CLI option → RunConfig field, for the options whose names differ.
OPTION_FIELDS = {"lr": "learning_rate"}


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
        _add_config_options(command)
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
    add_sweep_command(commands, _add_config_options)
    add_store_commands(commands)
    add_inside_command(commands)
    return parser


def _add_config_options(command: argparse.ArgumentParser) -> None:
    add = command.add_argument
    add("--config", type=Path, help="start from a config.json; options below override it")
    add("--task", choices=TASKS, help="default: auto, guessed from the file's layout and columns")
    add("--target", help="the column to predict (default: the last numeric column)")
    add("--reshape", choices=RESHAPES,
        help="melt a table with a row per year (week) and a column per month, quarter or weekday into one dated "
             "series named 'value'; a trailing total column is left out")
    add("--features", help="extra input columns, comma-separated")
    add("--missing", choices=MISSING,
        help="what to do with missing values: none (default) stops with a finding when any are left")
    add("--timesteps", type=int)
    add("--horizon", type=int)
    add("--multi-step", action=argparse.BooleanOptionalAction, default=None,
        help="predict every step 1..horizon")
    add("--difference", action=argparse.BooleanOptionalAction, default=None,
        help="forecast: model the change from row to row, then add it back (for a trend)")
    add("--stride", type=int)
    add("--val-fraction", type=float)
    add("--test-fraction", type=float)
    add("--scaling", choices=SCALINGS)
    add("--layers", type=int)
    add("--units", type=int)
    add("--activation", choices=ACTIVATIONS)
    add("--recurrent-activation", choices=ACTIVATIONS)
    add("--dropout", type=float)
    add("--recurrent-dropout", type=float)
    add("--bidirectional", action=argparse.BooleanOptionalAction, default=None)
    add("--output-units", type=int)
    add("--output-activation", choices=OUTPUT_ACTIVATIONS)
    add("--loss", choices=LOSSES)
    add("--optimizer", choices=OPTIMIZERS)
    add("--lr", type=float, help="learning rate")
    add("--batch-size", type=int)
    add("--epochs", type=int)
    add("--early-stopping", action=argparse.BooleanOptionalAction, default=None)
    add("--patience", type=int)
    add("--season", type=int, help="season length in rows for the seasonal-naive baseline (0: detect)")
    add("--seed", type=int)
    add("--layout", choices=LAYOUTS, help="classification: long (a row per step), wide (a row per sequence) or auto")
    add("--id-column", help="classification, long layout: the column naming each row's sequence")
    add("--order-column", help="classification: sort rows by this column within each sequence")
    add("--label-column", help="classification: the column holding the class")
    add("--label-conflict", choices=LABEL_CONFLICTS,
        help="a label that changes within a sequence: take the last, the majority, or drop the sequence")
    add("--maxlen", type=int, help="common sequence length (default: the 95th percentile of the lengths)")
    add("--pad", choices=PADDINGS, help="pad shorter sequences before (pre) or after (post) their steps")
    add("--truncate", choices=TRUNCATIONS, help="cut longer sequences' start (pre) or end (post)")
    add("--masking", action=argparse.BooleanOptionalAction, default=None, help="skip the padding inside the model")
    add("--min-length", type=int, help="leave out sequences with fewer steps than this")
    add("--text-column", help="text-classify: the column holding the texts")
    add("--level", choices=LEVELS, help="text-lm: predict the next character (default) or the next word")
    add("--vocab-size", type=int, help="text: keep this many most frequent tokens; the rest become one unknown token")
    add("--embedding-dim", type=int, help="text: embedding size (0: one-hot inputs)")
    add("--seed-text", help="text-lm: the text each sample starts from (default: the start of a sentence)")
    add("--temperature", type=float, help="text-lm: sampling temperature (near 0: always the likeliest token)")
    add("--sample-length", type=int, help="text-lm: tokens generated per sample")


CONFIG_OPTIONS = ("task", "target", "reshape", "features", "missing", "timesteps", "horizon", "multi_step",
                  "difference", "stride",
                  "val_fraction", "test_fraction", "scaling", "layers", "units", "activation",
                  "recurrent_activation", "dropout", "recurrent_dropout", "bidirectional", "output_units",
                  "output_activation", "loss", "optimizer", "lr", "batch_size", "epochs", "early_stopping",
                  "patience", "season", "seed", "layout", "id_column", "order_column", "label_column",
                  "label_conflict", "maxlen", "pad", "truncate", "masking", "min_length")
TEXT_OPTIONS = ("text_column", "level", "vocab_size", "embedding_dim", "seed_text", "temperature", "sample_length")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    # Without a config file the task is guessed from the file; a config file says its own task.
    base = RunConfig.from_json(args.config.read_text()) if args.config else RunConfig(task="auto")
    return base.replace(**_explicit(args))


def _explicit(args: argparse.Namespace) -> dict:
    return {OPTION_FIELDS.get(o, o): getattr(args, o) for o in (*CONFIG_OPTIONS, *TEXT_OPTIONS)
            if getattr(args, o) is not None}


def _given(args: argparse.Namespace) -> set[str]:
    """The settings the user chose, on the command line or in a --config file: a sample's defaults yield to them."""
    return set(_explicit(args)) | (set(json.loads(args.config.read_text())) if args.config else set())


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
    _print(report, args.json)
    return code


def _run(args: argparse.Namespace, report: dict) -> int:
    config = _config_or_problem(args)
    from lstm_core.tasks.text_lm.cli import run_text_lm, wants_text_lm

    if wants_text_lm(args.file, config):
        given = _given(args)
        return run_text_lm(args, config, given, report)
    if wants_text_classify(args, config):
        return run_text_classify(args, config, report)
    prepared = prepared_table(args, config)
    done = checked(args, prepared, report)
    if done is not None:
        return done
    if args.command == "lr-find":
        return _lr_find(args, prepared, report)
    if prepared.config.classifies:
        return _train_classifier(args, prepared, report)
    return _train(args, prepared, report)


def prepared_table(args: argparse.Namespace, config: RunConfig):
    """A CSV's prepared run (checks included), as `train` and `sweep` make it: the task resolved from the file, a
    sample's roles and settings where the command line left them open, the target and the season filled in."""
    from lstm_core.data import reshaped
    from lstm_core.tasks.forecast.pipeline import default_config, prepare
    from lstm_core.tasks.forecast.samples import SAMPLES
    from lstm_core.tasks.sequences import prepare_classification, resolve_task

    dataset = reshaped(_load(args.file), config.reshape)
    name = args.file.split(":", 1)[1] if args.file.startswith("sample:") else None
    if name in _classification_samples():
        config = _classification_sample_config(name, config, args)
    config, _ = resolve_task(dataset, config)
    if config.classifies:
        return prepare_classification(dataset, config)
    if name in SAMPLES and config.target is None:
        sample = SAMPLES[name]
        given = _given(args)
        config = config.replace(target=sample.target, features=sample.features, season=config.season or sample.season,
                                **{key: value for key, value in sample.settings.items() if key not in given})
    config = default_config(dataset, config)
    if not config.season:
        from lstm_core.tasks.forecast.profile import read_sampling

        # The page's reading of the data: a weekly file gets season 52, a monthly one 12.
        config = config.replace(season=read_sampling(dataset, config.target).season)
    return prepare(dataset, config)


def _train(args: argparse.Namespace, prepared, report: dict) -> int:
    from lstm_core.jobs.tasks import INTERVAL_STEPS
    from lstm_core.tasks.forecast.pipeline import evaluate, forecast

    state = trained(args, report, prepared)
    if state is None:
        return EXIT_FINDING
    result = None
    if state.status != "diverged":
        # A stored run gets the page's calibrated forecast steps, so the page draws its fan as for its own runs.
        stored = getattr(args, "recording", None) is not None
        result = evaluate(prepared, state.model, future_steps=max(args.forecast_steps, INTERVAL_STEPS * stored))
        report["metrics"] = {"model": result.metrics["model"], "baselines": result.metrics["baselines"]}
        report["verdict"] = result.verdict
        report["data"]["season"] = result.season
        report["ets"] = result.ets or None
        report["findings"] += [f.to_dict() for f in coverage_findings(result.intervals)]
        future = np.zeros(0)
        if args.forecast_steps > 0:
            future = forecast(prepared, state.model, args.forecast_steps)
            report["forecast"] = [float(v) for v in future]
        report["intervals"] = forecast_band(result.intervals, args.interval_level, future)
    report["backtest"] = _backtest(args, prepared) if args.backtest else None
    if args.out:
        report["written"] = _write_outputs(args.out, prepared, state, result)
    recorded(args, prepared, state, result)
    return exit_code(report)


def _backtest(args: argparse.Namespace, prepared) -> dict:
    from lstm_core.tasks.forecast.backtest import plan_folds, run_folds, summarise

    folds, note = plan_folds(prepared, min(max(args.backtest, 1), MAX_FOLDS))
    if not args.json:
        print(f"backtest: {len(folds)} fold(s) to train. {note}".rstrip())
    summary = summarise(folds, run_folds(prepared.dataset, folds))
    return {**summary, "note": note}


def checked(args: argparse.Namespace, prepared, report: dict) -> int | None:
    """Put the prepared run's config, findings and data in the report; the exit code when the command ends here
    (`check`, or an error-level finding), else None to go on and train."""
    report["config"] = prepared.config.to_dict()
    report["findings"] = [f.to_dict() for f in prepared.findings]
    report["data"] = prepared.data_summary()
    if args.command == "check" or has_errors(prepared.findings):
        return EXIT_FINDING if has_errors(prepared.findings) else EXIT_OK
    return None


def trained(args: argparse.Namespace, report: dict, prepared, log=None):
    """Train any task's prepared run with the progress log (`log`, or the CLI's epoch lines) and put its history,
    status and findings in the report; an exception becomes a translated finding and None. With --store the run is
    recorded as it trains (args.recording), and a stop asked through the store ends it."""
    from lstm_core.errors import translate
    from lstm_core.jobs.tasks import runner_for_task

    listeners = [log or (_json_log if args.json else _text_log)]
    args.recording = Recording.begin(args, prepared, report)
    try:
        if args.recording is not None:
            state = args.recording.train(prepared, listeners)
        else:
            state = runner_for_task(prepared, ticks=False, listeners=listeners).run()
    except Exception as exc:
        finding = translate(exc)
        report["findings"].append(finding.to_dict())
        report["stopped"] = "error"
        if args.recording is not None:
            args.recording.fail("training failed", finding)
        return None
    report["history"] = {key: [_finite(v) for v in values] for key, values in state.history.items()}
    report["stopped"], report["reason"] = state.status, state.reason
    report["findings"].extend(f.to_dict() for f in state.findings)
    return state


def recorded(args: argparse.Namespace, prepared, state, result) -> None:
    """--store: the run's artifacts, metrics and final status, from the same report the command prints."""
    if args.recording is not None:
        args.recording.finish(prepared, state, result)


def exit_code(report: dict) -> int:
    return EXIT_FINDING if has_errors([_as_finding(f) for f in report["findings"]]) else EXIT_OK


def _classification_samples() -> dict:
    from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES

    return CLASSIFICATION_SAMPLES


def _classification_sample_config(name: str, config: RunConfig, args: argparse.Namespace) -> RunConfig:
    """The sample's roles and settings, except where the command line (or a config file) says otherwise."""
    sample = _classification_samples()[name]
    given = _given(args)
    defaults = sample.config().to_dict()
    return config.replace(**{key: defaults[key] for key in ("task", *sample.settings, "layout", "label_column",
                                                            "id_column", "order_column", "features")
                             if key not in given})


def _train_classifier(args: argparse.Namespace, prepared, report: dict) -> int:
    from lstm_core.tasks.sequences import evaluate_classifier

    state = trained(args, report, prepared)
    if state is None:
        return EXIT_FINDING
    result = None
    if state.status != "diverged":
        result = evaluate_classifier(prepared, state.model)
        report["metrics"] = result.metrics
        report["verdict"] = result.verdict
    if args.out:
        report["written"] = _write_outputs(args.out, prepared, state, result)
    recorded(args, prepared, state, result)
    return exit_code(report)


# Labels of the written files in the report's "written".
WRITTEN_LABELS = {"model.keras": "model", "config.json": "config", "history.csv": "history",
                  "metrics.json": "metrics", "train_script.py": "script", "preprocessing.json": "preprocessing"}


def _write_outputs(directory: Path, prepared, state, result=None) -> dict:
    from lstm_core.export import export_notes, write_export

    written = write_export(directory, prepared, state, result)
    out = {WRITTEN_LABELS.get(name, name): path for name, path in written.items()}
    for note in export_notes(prepared.config):
        print(note, file=sys.stderr)
    return out


def _add_range_options(command: argparse.ArgumentParser) -> None:
    from lstm_core.lr_finder import END_LR, START_LR, STEPS

    command.add_argument("--start-lr", type=float, default=START_LR, help=f"smallest rate tried (default {START_LR:g})")
    command.add_argument("--end-lr", type=float, default=END_LR, help=f"largest rate tried (default {END_LR:g})")
    command.add_argument("--steps", type=int, default=STEPS, help=f"batches, one rate each (default {STEPS})")


def _lr_find(args: argparse.Namespace, prepared, report: dict) -> int:
    from lstm_core.lr_finder import find_learning_rate

    if not 0 < args.start_lr < args.end_lr or args.steps < 2:
        raise ProblemError(Finding("CONFIG001", "error", "The range test's options cannot be used",
                                   f"--start-lr ({args.start_lr:g}) must be above 0 and below --end-lr "
                                   f"({args.end_lr:g}), and --steps ({args.steps}) at least 2.", area="config"))
    test = find_learning_rate(prepared, args.start_lr, args.end_lr, args.steps)
    report.update({key: value for key, value in test.to_dict().items() if key != "findings"})
    report["findings"].extend(f.to_dict() for f in test.findings)
    return exit_code(report)


def _config_or_problem(args: argparse.Namespace) -> RunConfig:
    try:
        return config_from_args(args)
    except (ConfigError, OSError) as exc:
        raise ProblemError(Finding("CONFIG001", "error", "The settings cannot be used", str(exc),
                                   area="config")) from None


def _load(file: str):
    from lstm_core.data import load_csv
    from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
    from lstm_core.tasks.sequences.samples import classification_sample_csv

    if file.startswith("sample:"):
        name = file.split(":", 1)[1]
        if name in _classification_samples():
            return load_csv(classification_sample_csv(name), f"{name}.csv")
        if name not in SAMPLES:
            raise ProblemError(Finding("DATA002", "error", f"No built-in sample named '{name}'",
                                       f"Built-in samples: {', '.join([*SAMPLES, *_classification_samples()])}.",
                                       area="data"))
        return load_csv(sample_csv(name), f"{name}.csv")
    return load_csv(Path(file))


def _as_finding(data: dict) -> Finding:
    return Finding(data["code"], data["severity"], data["title"], data["detail"])


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _json_log(kind: str, payload: dict) -> None:
    if kind == "epoch_end":
        print(json.dumps({"event": kind, **payload}, default=str), file=sys.stderr, flush=True)


def _text_log(kind: str, payload: dict) -> None:
    if kind == "epoch_end":
        val = f"  val_loss {payload['val_loss']:.5g}" if payload["val_loss"] is not None else ""
        print(f"epoch {payload['epoch']}/{payload['epochs']}  loss {payload['loss']:.5g}{val}  "
              f"{payload['seconds']:.2f}s", file=sys.stderr, flush=True)


def _print(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2, default=_json_default))
        return
    for finding in report["findings"]:
        print(f"[{finding['severity']}] {finding['code']} {finding['title']}")
        print(f"    {finding['detail']}")
        if finding.get("fix"):
            print(f"    fix: {json.dumps(finding['fix'])}")
    text_lm = report.get("config", {}).get("task") == "text-lm"
    if text_lm:
        from lstm_core.tasks.text_lm.cli import print_text_report

        print_text_report(report)
    elif "data" in report:
        data = report["data"]
        if "label_column" in data:
            unit = next(u for u in ("sequences", "texts", "windows") if u in data)
            print(f"data: {data['rows']} rows, label {data['label_column']}, classes {', '.join(data['classes'])}, "
                  f"{unit} {data[unit]}")
        else:
            print(f"data: {data['rows']} rows, target {data['target']}, windows {data['windows']}")
    if "metrics" in report and not text_lm and "accuracy" in report["metrics"]["model"]:
        _print_classification(report)
    elif "metrics" in report and not text_lm:
        _print_forecast_metrics(report["metrics"])
        print(report["verdict"])
        band = report.get("intervals")
        if band and band["coverage"] is not None:
            print(f"{band['level']} % interval covered {band['coverage']:.0f} % of test points "
                  f"(±{band['test_width']:.4g})")
        if report.get("backtest"):
            for name, means in report["backtest"]["mean"].items():
                print(f"backtest mean {name}: MAE {means['mae']:.4g}  MASE {_number(means['mase'])}")
            print(report["backtest"]["verdict"])
    if "lrs" in report:
        _print_range_test(report)
    if "stopped" in report and "lrs" not in report:
        print(f"stopped: {report['stopped']} {report.get('reason', '')}".rstrip())
    for label, path in report.get("written", {}).items():
        print(f"wrote {label}: {path}")
    if "run_id" in report:
        print(f"stored as run {report['run_id']} in {report['store']}")


def _print_forecast_metrics(metrics: dict) -> None:
    """One line a model (the LSTM, then each baseline), then why any "—" could not be computed."""
    rows = {"model": metrics["model"], **metrics["baselines"]}
    for name, values in rows.items():
        print(f"{name}: MAE {values['mae']:.4g}  RMSE {values['rmse']:.4g}  MASE {_number(values.get('mase'))}  "
              f"sMAPE {_pct(values.get('smape'))}  MAPE {_pct(values.get('mape'))}")
    from lstm_core.tasks.forecast.results import UNDEFINED

    for key, label in (("mase", "MASE"), ("smape", "sMAPE"), ("mape", "MAPE")):
        if any(values.get(key) is None for values in rows.values()):
            reason = next((values["undefined"][key] for values in rows.values()
                           if key in values.get("undefined", {})), UNDEFINED[key])
            print(f"{label} —: {reason}")


def _number(value) -> str:
    return "—" if value is None else f"{value:.3g}"


def _print_range_test(report: dict) -> None:
    lrs, losses = report["lrs"], report["losses"]
    print(f"range test: {len(losses)} steps, rates {lrs[0]:.1e} to {lrs[-1]:.1e} ({report['stopped']})")
    if report["suggested_lr"] is None:
        print("no learning rate to suggest (see the findings above)")
    else:
        print(f"suggested learning rate: {report['suggested_lr']:g}  (use it with --lr {report['suggested_lr']:g})")


def _print_classification(report: dict) -> None:
    metrics = report["metrics"]
    model, majority = metrics["model"], metrics["baselines"]["majority"]
    auc = f"  ROC AUC {model['roc_auc']:.3f}" if model.get("roc_auc") is not None else ""
    print(f"model: accuracy {model['accuracy']:.3f}  macro F1 {model['macro_f1']:.3f}{auc}")
    print(f"majority baseline ('{majority['class']}'): accuracy {majority['accuracy']:.3f}")
    for name, scores in model["per_class"].items():
        print(f"  {name}: precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  f1 {scores['f1']:.3f}  "
              f"n {scores['support']}")
    print("confusion (rows actual, columns predicted): " + json.dumps(metrics["confusion"]))
    print(report["verdict"])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} %"


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)

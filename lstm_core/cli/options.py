"""The command line's settings: every RunConfig field as an option, a --config file under them, and what the user
chose (a sample's defaults yield to it)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

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
from lstm_core.findings import Finding, ProblemError

# CLI option → RunConfig field, for the options whose names differ.
OPTION_FIELDS = {"lr": "learning_rate"}


def add_config_options(command: argparse.ArgumentParser) -> None:
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


def given_settings(args: argparse.Namespace) -> set[str]:
    """The settings the user chose, on the command line or in a --config file: a sample's defaults yield to them."""
    return set(_explicit(args)) | (set(json.loads(args.config.read_text())) if args.config else set())


def config_or_problem(args: argparse.Namespace) -> RunConfig:
    try:
        return config_from_args(args)
    except (ConfigError, OSError) as exc:
        raise ProblemError(Finding("CONFIG001", "error", "The settings cannot be used", str(exc),
                                   area="config")) from None

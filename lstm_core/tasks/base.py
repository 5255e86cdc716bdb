"""What every task is: one object the CLI, the job engine, sweeps and the pages ask, instead of testing task names.

A task reads its kind of file, prepares a checked run from it (the task's checks run here), builds the runner that
trains it, scores the trained model against the task's baselines, and describes the result for the CLI and the
export. The shared machinery it leans on stays outside: reading files (lstm_core.data), the runner (train.py), the
monitors, the check engine, the job engine and store, export.

A task's modules import TensorFlow, Keras and statsmodels only inside the functions that train or fit, so the
registry loads all four tasks without them and any page can ask it.
"""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any

from lstm_core.config import RunConfig


class Task:
    # The package under lstm_core/tasks/ and the registry's key.
    name: str = ""
    # The RunConfig.task values this task trains.
    config_tasks: tuple[str, ...] = ()
    # How a stored file is read back: "csv" (a table), "text" (a plain text) or "text-csv" (a CSV of texts).
    reader: str = "csv"
    # In the user's words, for messages.
    label: str = ""
    # `lr-find` (the learning-rate range test) works on this task's prepared runs.
    range_test: bool = False
    # Its report is a plain dict, stored as JSON as it is (else a report dataclass store/codec.py knows).
    report_is_dict: bool = False
    # The test metric a sweep's leaderboard shows against the best baseline: (key in the metrics, label, whether
    # higher is better).
    headline: tuple[str, str, bool] = ("", "", False)

    def __init_subclass__(cls, **identity):
        """A task says who it is in its class line: `class TextLmTask(Task, name="text_lm", reader="text", …)`."""
        super().__init_subclass__()
        for key, value in identity.items():
            if key not in Task.__annotations__:
                raise TypeError(f"{cls.__name__}: {key!r} is not one of a task's attributes")
            setattr(cls, key, value)

    # --- data → prepared run (no TensorFlow) ---
    def read(self, raw: bytes, name: str) -> Any:
        """The task's data from a file's bytes (a Dataset, a TextSource, …); a ProblemError names what is wrong."""
        raise NotImplementedError

    def prepare(self, data: Any, config: RunConfig) -> Any:
        """The checked, prepared run: `.config`, `.findings`, `.ready`, `.data_summary()`."""
        raise NotImplementedError

    # --- training and scoring ---
    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        """The Runner for a prepared run, the monitors attached; jit_compile None: the task's own choice."""
        raise NotImplementedError

    def untrained_model(self, prepared):
        """The network this run trains, with the weights it starts from."""
        raise NotImplementedError

    def load_trained(self, prepared, path):
        """A stored run's saved model, ready for the task's predictions (Keras' safe mode: no code in the file)."""
        import keras

        return keras.saving.load_model(path, safe_mode=True)

    def evaluate(self, prepared, model) -> Any:
        """The report on the held-out part: metrics, baselines, a verdict."""
        raise NotImplementedError

    def report_findings(self, report) -> list:
        """Findings read from a finished report (none unless the task has some)."""
        return []

    def extra_outputs(self, prepared, model) -> dict[str, bytes]:
        """Artifacts a stored run keeps besides the export (a forecast past the end, …)."""
        return {}

    def warm_up(self, prepared) -> bool:
        """Compile this run's shapes in the current process ahead of time; False when the task has nothing to warm."""
        return False

    # --- the command line ---
    # The task's part of it: a module with cli_prepare, cli_results, write_outputs and print_results.
    cli: ModuleType | None = None

    def claims(self, file: str, config: RunConfig) -> bool:
        """Whether `python -m lstm_core … FILE` with this config is this task's (the task asked, or "auto" and the
        file or sample is this task's kind)."""
        return config.task in self.config_tasks

    def cli_prepare(self, file: str, config: RunConfig, given: set[str]):
        """The prepared run for a path or sample:NAME, a sample's settings filling what the user left open."""
        return self.cli.cli_prepare(file, config, given)

    def cli_log(self, as_json: bool):
        """The epoch log the command prints while it trains, or None for the CLI's usual one."""
        return None

    def cli_results(self, args: argparse.Namespace, prepared, state, report: dict):
        """Score the trained run and put the task's keys in the CLI's JSON report; returns the report object."""
        return self.cli.cli_results(args, prepared, state, report)

    def write_outputs(self, directory, prepared, state, result) -> dict[str, str]:
        """`train --out DIR`: the files written, label → path."""
        return self.cli.write_outputs(directory, prepared, state, result)

    def print_results(self, report: dict) -> None:
        """The CLI's text output for the task's data and metrics."""
        self.cli.print_results(report)


def sample_name(file: str) -> str | None:
    """NAME for "sample:NAME", else None."""
    return file.split(":", 1)[1] if file.startswith("sample:") else None

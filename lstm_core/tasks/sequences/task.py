"""The sequence classification task: whole sequences of a long or wide CSV, or the windows of one series, each
given a class, scored against the majority class."""

from __future__ import annotations

from lstm_core.config import CLASSIFY_TASKS, RunConfig
from lstm_core.tasks.base import Task, sample_name


class SequencesTask(Task):
    name = "sequences"
    config_tasks = CLASSIFY_TASKS
    reader = "csv"
    label = "sequence classification"
    range_test = True

    def read(self, raw: bytes, name: str):
        from lstm_core.data import load_csv

        return load_csv(raw, name)

    def prepare(self, data, config: RunConfig):
        from lstm_core.tasks.table import prepare_any

        return prepare_any(data, config)

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        from lstm_core.windowed import runner_for, worth_compiling

        jit = worth_compiling(prepared) if jit_compile is None else jit_compile
        return runner_for(prepared, listeners, ticks=ticks, monitors=monitors, jit_compile=jit)

    def untrained_model(self, prepared):
        from lstm_core.model import build_model

        return build_model(prepared.config, prepared.windows.features, **prepared.windows.model_options)

    def evaluate(self, prepared, model):
        from lstm_core.tasks.sequences.run import evaluate_classifier

        return evaluate_classifier(prepared, model)

    def warm_up(self, prepared) -> bool:
        from lstm_core.windowed import warm_up

        model = warm_up(prepared)
        if model is not None:
            self.evaluate(prepared, model)
        return model is not None

    def claims(self, file: str, config: RunConfig) -> bool:
        from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES

        return config.task in self.config_tasks or sample_name(file) in CLASSIFICATION_SAMPLES

    def cli_prepare(self, file: str, config: RunConfig, given: set[str]):
        from lstm_core.tasks.table import prepare_file

        return prepare_file(file, config, given)

    def cli_results(self, args, prepared, state, report: dict):
        from lstm_core.tasks.sequences.cli import cli_results

        return cli_results(prepared, state, report)

    def write_outputs(self, directory, prepared, state, result) -> dict[str, str]:
        from lstm_core.export import write_table_outputs

        return write_table_outputs(directory, prepared, state, result)

    def print_results(self, report: dict) -> None:
        from lstm_core.tasks.sequences.cli import print_results

        print_results(report)

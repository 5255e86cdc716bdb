"""The text classification task: a CSV of texts and labels → the class of each text, scored against the majority
class, with the misclassified test texts shown."""

from __future__ import annotations

from lstm_core.config import RunConfig
from lstm_core.tasks.base import Task


class TextClassifyTask(Task):
    name = "text_classify"
    config_tasks = ("text-classify",)
    reader = "text-csv"
    label = "text classification"

    def read(self, raw: bytes, name: str):
        from lstm_core.tasks.text_classify.prepare import read_text_csv

        return read_text_csv(raw, name)

    def prepare(self, data, config: RunConfig):
        from lstm_core.tasks.text_classify.prepare import prepare_text_classification

        return prepare_text_classification(data, config)

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        from lstm_core.tasks.text_classify.model import TEXT_JIT, vectorise
        from lstm_core.windowed import runner_for

        if prepared.windows is None:
            vectorise(prepared)
        return runner_for(prepared, listeners, ticks=ticks, monitors=monitors,
                          jit_compile=TEXT_JIT if jit_compile is None else jit_compile)

    def untrained_model(self, prepared):
        from lstm_core.tasks.text_classify.model import vectorise

        data = prepared.windows if prepared.windows is not None else vectorise(prepared)
        return data.build_model(prepared.config)

    def load_trained(self, prepared, path):
        from lstm_core.tasks.text_classify.model import vectorise

        vectorise(prepared)
        model = super().load_trained(prepared, path)
        # The saved model takes raw strings; the trained part behind it is what predict_texts wraps again with
        # this run's vectoriser.
        return model.layers[-1] if model.inputs[0].dtype == "string" else model

    def evaluate(self, prepared, model):
        from lstm_core.tasks.text_classify.model import evaluate_text_classifier

        return evaluate_text_classifier(prepared, model)

    def claims(self, file: str, config: RunConfig) -> bool:
        from lstm_core.tasks.text_classify.cli import wants_text_classify

        return wants_text_classify(file, config)

    def cli_prepare(self, file: str, config: RunConfig, given: set[str]):
        from lstm_core.tasks.text_classify.cli import cli_prepare

        return cli_prepare(file, config, given)

    def cli_results(self, args, prepared, state, report: dict):
        from lstm_core.tasks.text_classify.cli import cli_results

        return cli_results(prepared, state, report)

    def write_outputs(self, directory, prepared, state, result) -> dict[str, str]:
        from lstm_core.tasks.text_classify.cli import write_text_outputs

        return write_text_outputs(directory, prepared, state)

    def print_results(self, report: dict) -> None:
        from lstm_core.tasks.sequences.cli import print_results

        print_results(report)

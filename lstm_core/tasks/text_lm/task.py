"""The language model task: a plain text → the next character or word, scored in bits per character against the
letter frequencies (unigram), with a generated sample after every epoch."""

from __future__ import annotations

from lstm_core.config import RunConfig
from lstm_core.tasks.base import Task, sample_name


class TextLmTask(Task):
    name = "text_lm"
    config_tasks = ("text-lm",)
    reader = "text"
    label = "language model"
    report_is_dict = True

    def read(self, raw: bytes, name: str):
        from lstm_core.tasks.text_lm.corpus import read_text

        return read_text(raw, name)

    def prepare(self, data, config: RunConfig):
        from lstm_core.tasks.text_lm.lm import prepare_text

        return prepare_text(data, config)

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        from lstm_core.tasks.text_lm.lm import runner_for_text

        return runner_for_text(prepared, listeners, ticks=ticks, monitors=monitors,
                               jit_compile=True if jit_compile is None else jit_compile)

    def untrained_model(self, prepared):
        from lstm_core.tasks.text_lm.lm import build_lm

        return build_lm(prepared.config, prepared.corpus.vocab.size)

    def evaluate(self, prepared, model):
        from lstm_core.tasks.text_lm.lm import evaluate_text

        return evaluate_text(prepared, model)

    def claims(self, file: str, config: RunConfig) -> bool:
        from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES

        return config.task == "text-lm" or (config.task == "auto" and sample_name(file) in TEXT_SAMPLES)

    def cli_prepare(self, file: str, config: RunConfig, given: set[str]):
        from lstm_core.tasks.text_lm.cli import cli_prepare

        return cli_prepare(file, config, given)

    def cli_log(self, as_json: bool):
        from lstm_core.tasks.text_lm.cli import json_log, text_log

        return json_log if as_json else text_log

    def cli_results(self, args, prepared, state, report: dict):
        from lstm_core.tasks.text_lm.cli import cli_results

        return cli_results(prepared, state, report)

    def write_outputs(self, directory, prepared, state, result) -> dict[str, str]:
        from lstm_core.tasks.text_lm.cli import write_text_outputs

        return write_text_outputs(directory, prepared, state)

    def print_results(self, report: dict) -> None:
        from lstm_core.tasks.text_lm.cli import print_text_report

        print_text_report(report)

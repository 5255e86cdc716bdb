"""The language model task: a plain text → the next character or word, scored in bits per character against the
letter frequencies (unigram), with a generated sample after every epoch."""

from __future__ import annotations

from lstm_core.config import RunConfig
from lstm_core.tasks.base import Task, sample_name
from lstm_core.tasks.text_lm import cli
from lstm_core.tasks.text_lm.corpus import read_text
from lstm_core.tasks.text_lm.lm import LM_JIT, build_lm, evaluate_text, prepare_text, runner_for_text
from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES


class TextLmTask(Task, name="text_lm", config_tasks=("text-lm",), reader="text", label="language model",
                 headline=("bits_per_char", "bits per character", False), report_is_dict=True):
    read = staticmethod(read_text)
    prepare = staticmethod(prepare_text)
    evaluate = staticmethod(evaluate_text)
    cli = cli

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        return runner_for_text(prepared, listeners, ticks=ticks, monitors=monitors,
                               jit_compile=LM_JIT if jit_compile is None else jit_compile)

    def untrained_model(self, prepared):
        return build_lm(prepared.config, prepared.corpus.vocab.size)

    def claims(self, file: str, config: RunConfig) -> bool:
        return config.task == "text-lm" or (config.task == "auto" and sample_name(file) in TEXT_SAMPLES)

    def cli_log(self, as_json: bool):
        return cli.json_log if as_json else cli.text_log

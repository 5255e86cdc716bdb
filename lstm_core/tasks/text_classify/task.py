"""The text classification task: a CSV of texts and labels → the class of each text, scored against the majority
class, with the misclassified test texts shown."""

from __future__ import annotations

from lstm_core.tasks.base import Task
from lstm_core.tasks.text_classify import cli
from lstm_core.tasks.text_classify.model import TEXT_JIT, evaluate_text_classifier, vectorise
from lstm_core.tasks.text_classify.prepare import prepare_text_classification, read_text_csv
from lstm_core.windowed import runner_for


class TextClassifyTask(Task, name="text_classify", config_tasks=("text-classify",), reader="text-csv",
                       label="text classification", headline=("accuracy", "accuracy", True)):
    read = staticmethod(read_text_csv)
    prepare = staticmethod(prepare_text_classification)
    evaluate = staticmethod(evaluate_text_classifier)
    claims = staticmethod(cli.wants_text_classify)
    cli = cli

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        if prepared.windows is None:
            vectorise(prepared)
        return runner_for(prepared, listeners, ticks=ticks, monitors=monitors,
                          jit_compile=TEXT_JIT if jit_compile is None else jit_compile)

    def untrained_model(self, prepared):
        data = prepared.windows if prepared.windows is not None else vectorise(prepared)
        return data.build_model(prepared.config)

    def load_trained(self, prepared, path):
        vectorise(prepared)
        model = super().load_trained(prepared, path)
        # The saved model takes raw strings; predict_texts puts this run's vectoriser in front of the trained part.
        return model.layers[-1] if model.inputs[0].dtype == "string" else model

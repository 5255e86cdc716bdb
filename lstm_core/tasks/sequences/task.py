"""The sequence classification task: whole sequences of a long or wide CSV, or the windows of one series, each
given a class, scored against the majority class."""

from __future__ import annotations

from lstm_core.config import CLASSIFY_TASKS, RunConfig
from lstm_core.tasks.base import sample_name
from lstm_core.tasks.sequences import cli
from lstm_core.tasks.sequences.run import evaluate_classifier
from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES
from lstm_core.tasks.table import TableTask


class SequencesTask(TableTask, name="sequences", config_tasks=CLASSIFY_TASKS, label="sequence classification",
                    headline=("accuracy", "accuracy", True)):
    evaluate = staticmethod(evaluate_classifier)
    cli = cli

    def claims(self, file: str, config: RunConfig) -> bool:
        return config.task in self.config_tasks or sample_name(file) in CLASSIFICATION_SAMPLES

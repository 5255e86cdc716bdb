"""The task registry: every task the playground trains, one package each, asked by the CLI, the job engine,
sweeps and the pages instead of testing task names. Adding a task is adding its package and one line in TASKS."""

from __future__ import annotations

from lstm_core.config import RunConfig
from lstm_core.tasks.base import Task
from lstm_core.tasks.forecast.task import ForecastTask
from lstm_core.tasks.sequences.task import SequencesTask
from lstm_core.tasks.text_classify.task import TextClassifyTask
from lstm_core.tasks.text_lm.task import TextLmTask

# In the order a file given with task "auto" is offered to them: the first that claims it takes it. The forecast,
# last, takes any table left, and its layout may still make it a classification (tasks.table).
TASKS: tuple[Task, ...] = (TextLmTask(), TextClassifyTask(), SequencesTask(), ForecastTask())


def task_for(config: RunConfig | str) -> Task:
    """The task that trains this config (or RunConfig.task value); "auto" is a table's, settled by its layout."""
    name = config if isinstance(config, str) else config.task
    for task in TASKS:
        if name in task.config_tasks:
            return task
    if name == "auto":
        return task_reading("csv")
    raise ValueError(f"unknown task {name!r}; known: {', '.join(t for task in TASKS for t in task.config_tasks)}")


def task_reading(reader: str) -> Task:
    """The task whose stored files are read this way ("csv", "text", "text-csv")."""
    for task in reversed(TASKS):  # the forecast first among the table tasks: it prepares any table
        if task.reader == reader:
            return task
    raise ValueError(f"unknown reader {reader!r}; known: {', '.join(sorted({task.reader for task in TASKS}))}")


def claiming(file: str, config: RunConfig) -> Task:
    """The task a command line's FILE (a path or sample:NAME) and config are for."""
    return next(task for task in TASKS if task.claims(file, config))


__all__ = ["TASKS", "Task", "claiming", "task_for", "task_reading"]

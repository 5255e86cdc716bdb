"""A CSV table is a forecast or a sequence classification: the two table tasks read files the same way, and "auto"
is settled by the table's layout (sequences.layout.resolve_task) before anything is prepared."""

from __future__ import annotations

from pathlib import Path

from lstm_core.config import RunConfig
from lstm_core.data import Dataset, load_csv, reshaped
from lstm_core.export import write_table_outputs
from lstm_core.findings import Finding, ProblemError
from lstm_core.tasks.base import Task, sample_name
from lstm_core.windowed import runner_for, warm_up, worth_compiling


def prepare_any(dataset: Dataset, config: RunConfig):
    """The prepared run of a table, for either task: a table of month (quarter, weekday) columns is melted first
    when the config asks for it, "auto" is resolved from the guessed layout, then a forecast is prepared by
    forecast.pipeline (Prepared), a classification by sequences.prepare (ClassPrepared)."""
    from lstm_core.tasks.forecast.pipeline import prepare
    from lstm_core.tasks.sequences.layout import resolve_task
    from lstm_core.tasks.sequences.prepare import prepare_classification

    dataset = reshaped(dataset, config.reshape)
    resolved, _ = resolve_task(dataset, config) if config.task in ("auto", "classify-sequences",
                                                                   "classify-windows") else (config, None)
    if resolved.task == "forecast":
        return prepare(dataset, resolved)
    return prepare_classification(dataset, resolved)


def prepare_file(file: str, config: RunConfig, given: set[str]):
    """The command line's prepared run for a CSV path or a table sample: the task resolved from the file, the
    sample's roles and settings where the user left them open (`given`: the settings they chose), the target and
    the season filled in as the page fills them."""
    from lstm_core.tasks.forecast.pipeline import default_config, prepare
    from lstm_core.tasks.forecast.profile import read_sampling
    from lstm_core.tasks.forecast.samples import SAMPLES
    from lstm_core.tasks.sequences.layout import resolve_task
    from lstm_core.tasks.sequences.prepare import prepare_classification
    from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES

    dataset = reshaped(load_table(file), config.reshape)
    name = sample_name(file)
    if name in CLASSIFICATION_SAMPLES:
        defaults = CLASSIFICATION_SAMPLES[name].config().to_dict()
        config = config.replace(**{key: defaults[key] for key in ("task", *CLASSIFICATION_SAMPLES[name].settings,
                                                                  "layout", "label_column", "id_column",
                                                                  "order_column", "features")
                                   if key not in given})
    config, _ = resolve_task(dataset, config)
    if config.classifies:
        return prepare_classification(dataset, config)
    if name in SAMPLES and config.target is None:
        sample = SAMPLES[name]
        config = config.replace(target=sample.target, features=sample.features, season=config.season or sample.season,
                                **{key: value for key, value in sample.settings.items() if key not in given})
    config = default_config(dataset, config)
    if not config.season:
        # The page's reading of the data: a weekly file gets season 52, a monthly one 12.
        config = config.replace(season=read_sampling(dataset, config.target).season)
    return prepare(dataset, config)


def load_table(file: str) -> Dataset:
    """A CSV path, or sample:NAME for a built-in forecast or classification table."""
    from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
    from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, classification_sample_csv

    name = sample_name(file)
    if name is None:
        return load_csv(Path(file))
    if name in CLASSIFICATION_SAMPLES:
        return load_csv(classification_sample_csv(name), f"{name}.csv")
    if name not in SAMPLES:
        raise ProblemError(Finding("DATA002", "error", f"No built-in sample named '{name}'",
                                   f"Built-in samples: {', '.join([*SAMPLES, *CLASSIFICATION_SAMPLES])}.",
                                   area="data"))
    return load_csv(sample_csv(name), f"{name}.csv")


class TableTask(Task, reader="csv", range_test=True):
    """What the two table tasks share: the CSV reader, preparing through the layout, the window runner with XLA
    chosen by the run's size, model.py's network, and the export's files."""

    read = staticmethod(load_csv)
    prepare = staticmethod(prepare_any)
    cli_prepare = staticmethod(prepare_file)
    write_outputs = staticmethod(write_table_outputs)

    def runner(self, prepared, listeners=(), ticks: bool = True, monitors: bool = True,
               jit_compile: bool | None = None):
        jit = worth_compiling(prepared) if jit_compile is None else jit_compile
        return runner_for(prepared, listeners, ticks=ticks, monitors=monitors, jit_compile=jit)

    def untrained_model(self, prepared):
        from lstm_core.model import build_model

        return build_model(prepared.config, prepared.windows.features, **getattr(prepared.windows, "model_options", {}))

    def warm_up(self, prepared) -> bool:
        model = warm_up(prepared)
        if model is not None:
            self.warmed(prepared, model)
        return model is not None

    def warmed(self, prepared, model) -> None:
        """Trace the steps a finished run takes after training (scoring), with the warmed-up model."""
        self.evaluate(prepared, model)

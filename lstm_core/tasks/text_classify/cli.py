"""Text classification's part of the command line: when a file is one, reading it, and its scores in the report (the
same JSON keys as sequence classification, plus the misclassified test texts)."""

from __future__ import annotations

from pathlib import Path

from lstm_core.config import RunConfig
from lstm_core.findings import Finding, ProblemError
from lstm_core.tasks.base import sample_name

# A text classifier's report prints as a sequence classifier's.
from lstm_core.tasks.sequences.cli import print_results  # noqa: F401
from lstm_core.tasks.text_classify.prepare import guess_text_roles, prepare_text_classification, read_text_csv, words
from lstm_core.tasks.text_classify.samples import TEXT_CLASSIFY_SAMPLES, text_classify_sample_csv

# "auto" reads a file as texts to classify when its text column's median text has this many words or more.
MIN_TEXT_WORDS = 3
DISTINCT_SHARE = 0.5


def wants_text_classify(file: str, config: RunConfig) -> bool:
    """--task text-classify, a text sample, or (task auto) a CSV with a column of free text and a label column."""
    name = sample_name(file)
    if config.task == "text-classify" or name in TEXT_CLASSIFY_SAMPLES:
        return True
    if config.task != "auto" or name is not None:
        return False
    try:
        dataset = read_text_csv(Path(file))
    except ProblemError:
        return False  # the usual path reports the file's problem
    roles = guess_text_roles(dataset)
    if roles.text_column is None or roles.label_column is None:
        return False
    texts = dataset.frame[roles.text_column].dropna().head(1000)
    typical = float(texts.map(lambda text: len(words(text))).median()) if len(texts) else 0.0
    # Free text: several words, and (unlike a category or a status message) mostly different from row to row.
    return typical >= MIN_TEXT_WORDS and texts.nunique() >= DISTINCT_SHARE * len(texts)


def cli_prepare(file: str, config: RunConfig, given: set[str]):
    config = config.replace(task="text-classify")
    name = sample_name(file)
    if name is None:
        return prepare_text_classification(read_text_csv(Path(file)), config)
    if name not in TEXT_CLASSIFY_SAMPLES:
        raise ProblemError(Finding("DATA002", "error", f"No text classification sample named '{name}'",
                                   f"Text classification samples: {', '.join(TEXT_CLASSIFY_SAMPLES)}.", area="data"))
    defaults = TEXT_CLASSIFY_SAMPLES[name].config().to_dict()
    config = config.replace(**{k: v for k, v in defaults.items() if k not in given and k != "task"})
    return prepare_text_classification(read_text_csv(text_classify_sample_csv(name), f"{name}.csv"), config)


def cli_results(args, prepared, state, report: dict):
    from lstm_core.tasks.sequences.cli import scored
    from lstm_core.tasks.text_classify.model import evaluate_text_classifier

    result = scored(evaluate_text_classifier, prepared, state, report)
    if result is not None:
        report["misclassified"] = result.mistakes.to_dict(orient="records")
    return result


def write_outputs(directory: Path, prepared, state, result=None) -> dict:
    """model.keras takes raw strings (the vectoriser in front of the trained model); config.json the settings;
    preprocessing.json the classes in output order, the sequence length and the vocabulary."""
    from lstm_core.export import text_preprocessing_json
    from lstm_core.tasks.text_classify.model import inference_model

    directory.mkdir(parents=True, exist_ok=True)
    data = prepared.windows
    paths = {"model": directory / "model.keras", "config": directory / "config.json",
             "preprocessing": directory / "preprocessing.json"}
    inference_model(data, state.model).save(paths["model"])
    paths["config"].write_text(prepared.config.to_json() + "\n")
    paths["preprocessing"].write_text(text_preprocessing_json(data))
    return {key: str(path) for key, path in paths.items()}

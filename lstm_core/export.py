"""Everything needed to keep or reproduce a run: the model, its settings, its curve, its scores and a script.

`export_files` gives name → bytes (the page offers each as a download, and all as a zip); `write_export` writes
them to a directory (the CLI's `train --out`). The standalone `train_script.py` covers forecasts and sequence or
window classification; a classifier's export also carries `preprocessing.json` (what new data needs besides the
model). Any other task is exported without the script, and `export_notes` says so.
"""

from __future__ import annotations

import io
import json
import math
import sys
import tempfile
import zipfile
from pathlib import Path

from lstm_core.model import STEPS_PER_EXECUTION

TEMPLATE = Path(__file__).parent / "templates" / "train_script.py"
SCRIPT_TASKS = ("forecast", "classify-sequences", "classify-windows")
FILE_NAMES = ("model.keras", "config.json", "history.csv", "metrics.json", "train_script.py", "preprocessing.json")
NO_SCRIPT_NOTE = ("The standalone train_script.py covers forecasts and sequence or window classification; this run "
                  "({task}) is exported without it. "
                  "config.json reproduces it in the playground or with `python -m lstm_core train --config`.")


def export_files(prepared, state, report=None) -> dict[str, bytes]:
    """File name → content for a trained run. `report` is its ForecastReport or ClassificationReport, if scored."""
    config = prepared.config
    files = {}
    text_classifier = config.task == "text-classify" and getattr(prepared, "windows", None) is not None
    if state.model is not None:
        # A text classifier is saved with its vectoriser in front: it takes raw strings, as the CLI writes it.
        files["model.keras"] = model_bytes(_text_inference(prepared, state.model) if text_classifier else state.model)
    files["config.json"] = (config.to_json() + "\n").encode()
    files["history.csv"] = history_csv(state)
    files["metrics.json"] = (json.dumps(metrics_of(state, report), indent=2, default=json_plain) + "\n").encode()
    if config.task in SCRIPT_TASKS:
        files["train_script.py"] = train_script(prepared, state.jit_compile).encode()
    if text_classifier:
        files["preprocessing.json"] = text_preprocessing_json(prepared.windows).encode()
    elif config.classifies and getattr(prepared, "windows", None) is not None:
        files["preprocessing.json"] = preprocessing_json(prepared).encode()
    return files


RESHAPE_NOTE = ("This run melted the file's {reshape} columns into one series (reshape = {reshape}); train_script.py "
                "reads its CSV as it is, so give it the melted series: a CSV with the columns date and value.")


def export_notes(config) -> list[str]:
    notes = [] if config.task in SCRIPT_TASKS else [NO_SCRIPT_NOTE.format(task=config.task)]
    if getattr(config, "reshape", "none") != "none":
        notes.append(RESHAPE_NOTE.format(reshape=config.reshape))
    return notes


def write_export(directory: Path, prepared, state, report=None) -> dict[str, str]:
    """Writes every file of `export_files`; returns file name → path written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, content in export_files(prepared, state, report).items():
        path = directory / name
        path.write_bytes(content)
        written[name] = str(path)
    return written


# Labels of the written files in the command line's report ("written").
WRITTEN_LABELS = {"model.keras": "model", "config.json": "config", "history.csv": "history",
                  "metrics.json": "metrics", "train_script.py": "script", "preprocessing.json": "preprocessing"}


def write_table_outputs(directory: Path, prepared, state, report=None) -> dict[str, str]:
    """`train --out DIR` for a forecast or a sequence classifier: the export's files, label → path; what the export
    leaves out is said on stderr."""
    written = write_export(directory, prepared, state, report)
    for note in export_notes(prepared.config):
        print(note, file=sys.stderr)
    return {WRITTEN_LABELS.get(name, name): path for name, path in written.items()}


def export_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def model_bytes(model) -> bytes:
    # Keras saves .keras archives to a path only.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def history_csv(state) -> bytes:
    """epoch, loss, val_loss (empty without validation), seconds: one row per finished epoch."""
    history = state.history
    keys = [k for k in ("loss", "val_loss") if history.get(k)] + [k for k in history if k not in ("loss", "val_loss")]
    lines = [",".join(["epoch", *keys, "seconds"])]
    for index in range(state.epochs_done):
        cells = [str(index + 1)]
        for key in keys:
            values = history[key]
            cells.append(_cell(values[index]) if index < len(values) else "")
        cells.append(_cell(state.epoch_seconds[index]) if index < len(state.epoch_seconds) else "")
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def metrics_of(state, report) -> dict:
    out = {"status": state.status, "reason": state.reason, "epochs": state.epochs_done,
           "best_epoch": state.best_epoch, "findings": [f.to_dict() for f in state.findings]}
    if report is not None:
        metrics = report.metrics() if callable(report.metrics) else report.metrics
        out.update({"model": metrics["model"], "baselines": metrics["baselines"], "verdict": report.verdict})
        if "confusion" in metrics:
            out["confusion"] = metrics["confusion"]
        if getattr(report, "intervals", None):
            # Per level: the test part's ± width and coverage, and a width per step of the forecast past the end.
            out["intervals"] = report.intervals
        if getattr(report, "ets", None):
            out["ets"] = report.ets
    return out


def preprocessing_json(prepared) -> str:
    """What new data needs besides a classifier: the classes in code order, the scaler, the length and padding."""
    data = prepared.windows
    return json.dumps({"classes": list(data.classes), "features": data.feature_names,
                       "scaling": data.scaler.method, "offset": data.scaler.offset.tolist(),
                       "scale": data.scaler.scale.tolist(), "maxlen": data.maxlen,
                       "pad_value": data.pad_value, "masking": data.masking}, indent=2, default=json_plain) + "\n"


def text_preprocessing_json(data) -> str:
    """What a text classifier's user needs besides the model: the classes in output order, the length, and the
    vocabulary (so the words it has never seen can be named without loading the model)."""
    return json.dumps({"input": "one raw string per row, shape (texts, 1)", "classes": list(data.classes),
                       "maxlen": data.maxlen, "vocabulary_size": len(data.vocabulary),
                       "standardize": "lower_and_strip_punctuation", "vocabulary": list(data.vocabulary)},
                      indent=2) + "\n"


def _text_inference(prepared, model):
    from lstm_core.tasks.text_classify.model import inference_model

    return inference_model(prepared.windows, model)


def train_script(prepared, jit_compile: bool = True) -> str:
    """The standalone script with the run's settings and the way its file was read written in at the top."""
    config, dataset = prepared.config, prepared.dataset
    if config.task not in SCRIPT_TASKS:
        raise ValueError(NO_SCRIPT_NOTE.format(task=config.task))
    reading = {"delimiter": dataset.delimiter, "decimal": dataset.decimal,
               "encoding": "utf-8-sig" if dataset.encoding == "utf-8" else dataset.encoding,
               "time_column": dataset.time_column}
    names = _SCRIPT_SETTINGS + (_CLASSIFY_SETTINGS if config.classifies else ())
    settings = {key: value for key, value in config.to_dict().items() if key in names}
    text = TEMPLATE.read_text()
    text = _swap(text, "CONFIG = {}  # replaced by the run's settings when exported", "CONFIG = " + _literal(settings))
    text = _swap(text, "READING = {}  # replaced when exported", "READING = " + _literal(reading))
    text = _swap(text, "JIT_COMPILE = True", f"JIT_COMPILE = {bool(jit_compile)}")
    return _swap(text, "STEPS_PER_EXECUTION = 32", f"STEPS_PER_EXECUTION = {STEPS_PER_EXECUTION}")


# The settings the script reads; a classifier's roles and padding would only be noise at the top of a forecast's.
_SCRIPT_SETTINGS = ("task", "target", "features", "missing", "timesteps", "horizon", "multi_step", "difference",
                    "stride", "val_fraction", "test_fraction", "scaling", "layers", "units", "activation",
                    "recurrent_activation", "dropout", "recurrent_dropout", "bidirectional", "output_units",
                    "output_activation", "loss", "optimizer", "learning_rate", "batch_size", "epochs",
                    "early_stopping", "patience", "seed")
_CLASSIFY_SETTINGS = ("layout", "id_column", "order_column", "label_column", "label_conflict", "maxlen", "pad",
                      "truncate", "masking", "min_length")


def _literal(values: dict) -> str:
    """A readable, editable Python dict: one setting a line."""
    lines = [f"    {key!r}: {value!r}," for key, value in values.items()]
    return "{\n" + "\n".join(lines) + "\n}"


def _swap(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"the script template should hold {old!r} once")
    return text.replace(old, new)


def _cell(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else "nan"


def json_plain(value):
    """JSON's `default` for numpy scalars, sets and tuples; anything else as its text."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)

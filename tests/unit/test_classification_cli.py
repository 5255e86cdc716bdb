"""The command line on classification files, run as a user runs it: a subprocess, real files, one JSON object."""

from __future__ import annotations

import json
import math
import subprocess

from lstm_core.config import RunConfig

EXIT_OK, EXIT_FINDING = 0, 1
TINY = ("--epochs", "3", "--units", "8", "--batch-size", "8")


def report_of(result: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def codes(report: dict, severity: str = "error") -> list[str]:
    return [f["code"] for f in report["findings"] if f["severity"] == severity]


def assert_classification_metrics(report: dict, classes: list[str], test_examples: int) -> dict:
    metrics = report["metrics"]
    model, majority = metrics["model"], metrics["baselines"]["majority"]
    assert 0 <= model["accuracy"] <= 1 and 0 <= majority["accuracy"] <= 1
    assert majority["class"] in classes
    assert metrics["confusion"]["classes"] == classes
    counts = metrics["confusion"]["counts"]
    assert len(counts) == len(classes) and sum(map(sum, counts)) == test_examples
    assert set(model["per_class"]) == set(classes)
    assert all(set(scores) == {"precision", "recall", "f1", "support"} for scores in model["per_class"].values())
    assert "baseline" in report["verdict"]
    assert all(math.isfinite(v) for v in report["history"]["loss"])
    return model


def test_train_long_sequences_with_the_task_guessed(cli, data_file):
    result = cli("train", data_file("classification/long_shapes.csv"), *TINY, "--json")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    report = report_of(result)
    config = report["config"]
    assert (config["task"], config["layout"], config["id_column"], config["order_column"], config["label_column"]) == (
        "classify-sequences", "long", "sequence", "step", "label")
    data = report["data"]
    assert data["sequences"] == {"train": 18, "val": 6, "test": 6}
    assert data["classes"] == ["fall", "flat", "rise"]
    assert data["label_mapping"] == {"fall": 0, "flat": 1, "rise": 2}
    model = assert_classification_metrics(report, ["fall", "flat", "rise"], 6)
    assert "roc_auc" not in model
    assert report["stopped"] == "completed" and len(report["history"]["loss"]) == 3
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith('{"event"')]
    assert [e["epoch"] for e in events] == [1, 2, 3]


def test_train_a_wide_ragged_file_writes_model_config_and_preprocessing(cli, data_file, tmp_path):
    out = tmp_path / "run"
    result = cli("train", data_file("classification/wide_ragged.csv"), *TINY, "--missing", "interpolate",
                 "--maxlen", "16", "--pad", "post", "--truncate", "post", "--json", "--out", out)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    report = report_of(result)
    assert report["config"]["layout"] == "wide"
    lengths = report["data"]["lengths"]
    assert (lengths["maxlen"], lengths["min"], lengths["max"], lengths["ragged"]) == (16, 12, 20, True)
    assert lengths["pad_value"] < 0
    model = assert_classification_metrics(report, ["1", "2"], 6)
    assert model["roc_auc"] is None or 0 <= model["roc_auc"] <= 1
    saved = RunConfig.from_json((out / "config.json").read_text())
    assert (saved.maxlen, saved.pad, saved.truncate, saved.task) == (16, "post", "post", "classify-sequences")
    preprocessing = json.loads((out / "preprocessing.json").read_text())
    assert preprocessing["classes"] == ["1", "2"] and preprocessing["maxlen"] == 16
    assert preprocessing["pad_value"] == lengths["pad_value"]

    import keras

    loaded = keras.saving.load_model(out / "model.keras")
    assert tuple(loaded.input_shape) == (None, 16, 1) and tuple(loaded.output_shape) == (None, 1)


def test_train_per_window_labels(cli, data_file):
    result = cli("train", data_file("classification/windows_updown.csv"), "--task", "classify-windows",
                 "--timesteps", "10", *TINY, "--json")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    report = report_of(result)
    assert report["config"]["label_column"] == "label" and report["config"]["features"] == ["value"]
    assert report["data"]["windows"] == {"train": 200, "val": 35, "test": 35}
    model = assert_classification_metrics(report, ["down", "up"], 35)
    assert 0 <= model["roc_auc"] <= 1


def test_a_changing_label_exits_1_naming_the_ids_and_a_choice_clears_it(cli, data_file):
    path = data_file("classification/long_conflicts.csv")
    report = report_of(blocked := cli("check", path, "--json"))
    assert blocked.returncode == EXIT_FINDING
    finding = next(f for f in report["findings"] if f["code"] == "DATA021")
    assert finding["severity"] == "error" and finding["evidence"]["ids"] == [2, 4, 6]
    assert finding["fix"] == {"label_conflict": "last"}
    report = report_of(cli("check", path, "--label-conflict", "drop", "--json"))
    assert "DATA021" not in codes(report)
    # Left: a ×3, b ×2. Each class is cut on its own: a → 1 / 1 / 1, b → 1 train / 1 test.
    assert report["data"]["sequences"] == {"train": 2, "val": 1, "test": 2}


def test_a_role_the_file_cannot_fill_exits_1_with_data019(cli, data_file):
    result = cli("check", data_file("classification/long_shapes.csv"), "--label-column", "colour", "--json")
    assert result.returncode == EXIT_FINDING
    assert codes(report_of(result)) == ["DATA019"]


def test_a_classification_sample_checks_as_text(cli):
    result = cli("check", "sample:gestures")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "data: " in result.stdout and "label gesture" in result.stdout
    assert "sequences {'train': 168, 'val': 36, 'test': 36}" in result.stdout

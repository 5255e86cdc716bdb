"""Text classification from the command line, run as a user runs it: a subprocess, real files, one JSON object."""

from __future__ import annotations

import json
import subprocess

import numpy as np

EXIT_OK, EXIT_FINDING = 0, 1


def report_of(result: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def test_train_the_sample_prints_the_classification_keys_and_saves_a_raw_text_model(cli, tmp_path):
    result = cli("train", "sample:customer_messages", "--epochs", "3", "--maxlen", "16", "--json", "--out", tmp_path)
    report = report_of(result)
    assert result.returncode == EXIT_OK, report["findings"]
    assert report["config"]["task"] == "text-classify" and report["config"]["maxlen"] == 16
    assert report["config"]["text_column"] == "message" and report["config"]["vocab_size"] == 1000
    metrics = report["metrics"]
    assert metrics["model"]["accuracy"] > metrics["baselines"]["majority"]["accuracy"]
    assert metrics["confusion"]["classes"] == ["billing", "delivery", "technical"]
    assert sum(map(sum, metrics["confusion"]["counts"])) == report["data"]["texts"]["test"]
    assert len(report["history"]["loss"]) == 3 and "baseline" in report["verdict"]
    assert all(set(row) == {"row", "text", "true", "predicted", "probability"} for row in report["misclassified"])
    assert report["data"]["lengths"]["maxlen"] == 16
    import keras
    import tensorflow as tf

    model = keras.models.load_model(report["written"]["model"])
    probabilities = np.asarray(model.predict(tf.constant([["I was charged twice, please refund the fee"]]),
                                             verbose=0))
    classes = json.loads((tmp_path / "preprocessing.json").read_text())["classes"]
    assert classes[int(np.argmax(probabilities))] == "billing"
    assert json.loads((tmp_path / "config.json").read_text())["task"] == "text-classify"


def test_check_guesses_the_task_and_roles_of_a_csv_of_texts(cli, data_file):
    result = cli("check", data_file("text/reviews_quoted.csv"), "--json")
    report = report_of(result)
    assert report["config"]["task"] == "text-classify"
    assert (report["config"]["text_column"], report["config"]["label_column"]) == ("review", "sentiment")
    found = {f["code"] for f in report["findings"]}
    assert {"TEXT010", "TEXT011", "DATA027"} <= found  # a missing label, an empty text, too few per class
    assert result.returncode == EXIT_OK  # warnings only: checking succeeded


def test_a_column_that_is_not_there_is_a_finding_not_a_traceback(cli, data_file):
    result = cli("check", data_file("text/reviews_quoted.csv"), "--task", "text-classify", "--text-column", "body")
    assert result.returncode == EXIT_FINDING
    assert "Traceback" not in result.stderr and "DATA019" in result.stdout and "review_id, review" in result.stdout

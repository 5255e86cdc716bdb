"""`python -m lstm_core` on text: the JSON a language-model run prints, what --out writes, and bad files."""

from __future__ import annotations

import json


def test_train_on_the_built_in_text_prints_bits_samples_and_history(cli, tmp_path):
    out = tmp_path / "run"
    done = cli("train", "sample:tales_small", "--task", "text-lm", "--level", "char", "--epochs", "1",
               "--sample-length", "60", "--seed-text", "The king ", "--temperature", "0.7", "--json", "--out", out)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["config"]["task"] == "text-lm" and report["config"]["seed_text"] == "The king "
    model, unigram = report["metrics"]["model"], report["metrics"]["baselines"]["unigram"]
    assert 0 < model["bits_per_char"] < unigram["bits_per_char"]
    assert len(report["samples"]) == 2 and all(len(text) == 60 for text in report["samples"])
    assert [s["epoch"] for s in report["samples_by_epoch"]] == [0, 1]
    assert len(report["history"]["loss"]) == len(report["history"]["val_loss"]) == 1
    assert report["data"]["vocabulary"]["most_common"][0][0] == " "
    assert report["stopped"] == "completed" and "traceback" not in done.stderr.lower()
    assert (out / "model.keras").stat().st_size > 0
    assert json.loads((out / "config.json").read_text())["task"] == "text-lm"
    assert " " in json.loads((out / "vocabulary.json").read_text())["tokens"]


def test_check_a_binary_file_exits_1_with_a_finding(cli, tmp_path):
    picture = tmp_path / "holiday.txt"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    done = cli("check", picture, "--task", "text-lm", "--json")
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["code"] == "TEXT002" and "PNG" in finding["detail"]


def test_check_a_word_level_text_reports_its_vocabulary(cli, tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("The cat sat on the mat. The dog sat on the log. " * 300, encoding="utf-8")
    done = cli("check", text, "--task", "text-lm", "--level", "word", "--timesteps", "6", "--vocab-size", "5")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "TEXT007" in done.stdout and "vocabulary 5" in done.stdout
    missing = cli("check", tmp_path / "nowhere.txt", "--task", "text-lm")
    assert missing.returncode == 2 and "Cannot open" in missing.stdout

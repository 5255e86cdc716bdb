"""The command line, run as a user runs it: a real subprocess, real files, exit codes and one JSON object."""

from __future__ import annotations

import json
import math
import re
import subprocess

import pytest

from lstm_core.config import RunConfig

EXIT_OK, EXIT_FINDING, EXIT_USAGE = 0, 1, 2


def report_of(result: subprocess.CompletedProcess) -> dict:
    """stdout must be exactly one JSON object: json.loads fails on anything printed around it."""
    report = json.loads(result.stdout)
    assert isinstance(report, dict)
    return report


def codes(report: dict) -> list[str]:
    return [finding["code"] for finding in report["findings"]]


def test_check_on_a_good_csv_exits_0_with_findings_and_data(cli, data_file):
    result = cli("check", data_file("hourly.csv"), "--timesteps", "12", "--json")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    report = report_of(result)
    assert {"findings", "data", "config"} <= set(report)
    assert not [f for f in report["findings"] if f["severity"] == "error"]
    data = report["data"]
    assert data["rows"] == 200
    assert data["target"] == "load_mw"
    assert data["time_column"] == "timestamp"
    # 200 rows → 140 / 30 / 30; a 12-step window with horizon 1 leaves rows - 12 windows in each part.
    assert data["windows"] == {"train": 128, "val": 18, "test": 18}
    assert report["config"]["timesteps"] == 12
    assert "Traceback" not in result.stderr


def test_check_prints_readable_text_without_json(cli, data_file):
    result = cli("check", data_file("hourly.csv"), "--timesteps", "12")
    assert result.returncode == EXIT_OK
    assert "data: 200 rows, target load_mw" in result.stdout


def test_check_with_too_long_a_window_exits_1_with_data007(cli, data_file):
    result = cli("check", data_file("hourly.csv"), "--timesteps", "150", "--json")
    assert result.returncode == EXIT_FINDING
    report = report_of(result)
    assert "DATA007" in codes(report)
    finding = next(f for f in report["findings"] if f["code"] == "DATA007")
    assert finding["severity"] == "error"
    assert finding["evidence"]["rows_needed"] == 151


@pytest.mark.parametrize(("name", "code"), [("empty.csv", "DATA001"), ("binary.csv", "DATA002")])
def test_check_on_an_unreadable_file_exits_2_naming_it(cli, data_file, name, code):
    result = cli("check", data_file(name), "--json")
    assert result.returncode == EXIT_USAGE
    report = report_of(result)
    assert codes(report) == [code]
    assert name in report["findings"][0]["title"]
    assert "Traceback" not in result.stderr


def test_check_on_a_missing_file_exits_2(cli, tmp_path):
    result = cli("check", tmp_path / "nowhere.csv", "--json")
    assert result.returncode == EXIT_USAGE
    assert codes(report_of(result)) == ["DATA002"]


@pytest.mark.parametrize("args", [
    ["check", "sample:noisy_seasonal", "--bogus"],
    ["check", "sample:noisy_seasonal", "--units", "lots"],
    ["check", "sample:noisy_seasonal", "--scaling", "robust"],
    ["check"],
    ["fly", "sample:noisy_seasonal"],
])
def test_a_bad_option_exits_2_with_a_usage_line_and_no_traceback(cli, args):
    result = cli(*args)
    assert result.returncode == EXIT_USAGE
    assert "error:" in result.stderr
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("settings", "field"), [
    ({"unitz": 8}, "unitz"),
    ({"epochs": "inf"}, "epochs"),
    ({"epochs": 0}, "epochs"),
])
def test_an_unusable_config_file_exits_2_naming_the_setting(cli, tmp_path, settings, field):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(settings))
    result = cli("check", "sample:noisy_seasonal", "--config", path, "--json")
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    report = report_of(result)
    assert codes(report) == ["CONFIG001"]
    assert field in report["findings"][0]["detail"]
    assert "Traceback" not in result.stderr


def test_options_override_the_config_file(cli, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(RunConfig(timesteps=10, units=4).to_json())
    report = report_of(cli("check", "sample:noisy_seasonal", "--config", path, "--timesteps", "20", "--json"))
    assert report["config"]["timesteps"] == 20
    assert report["config"]["units"] == 4


def test_train_prints_every_models_scale_free_metrics_as_text_and_why_one_is_missing(cli, tmp_path):
    result = cli("train", "sample:noisy_seasonal", "--epochs", "1", "--units", "4", "--out", tmp_path / "run")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    lines = {line.split(":")[0]: line for line in result.stdout.splitlines() if ": MAE " in line}
    assert set(lines) == {"model", "persistence", "seasonal_naive", "ets"}
    for line in lines.values():
        assert re.search(r"MASE \d[\d.]*  sMAPE \d[\d.]* %  MAPE —$", line), line
    # The series crosses zero, so MAPE is "—" for every model: the reason is given once, in words.
    assert "MAPE —: MAPE cannot be computed on this test part" in result.stdout
    assert "MASE —" not in result.stdout and "None" not in result.stdout
    assert "training step: without XLA" in result.stdout.splitlines(), "one epoch ends sooner without XLA"


def test_train_a_sample_writes_model_and_config(cli, tmp_path):
    out = tmp_path / "run"
    # A new interpreter, as a user's shell starts it: the other tests' commands fork with TensorFlow imported.
    result = cli("train", "sample:noisy_seasonal", "--epochs", "2", "--units", "8", "--forecast-steps", "3",
                 "--interval-level", "95", "--backtest", "1", "--json", "--out", out, fresh=True)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    report = report_of(result)
    assert report["stopped"] == "completed"
    assert len(report["history"]["loss"]) == 2
    assert len(report["history"]["val_loss"]) == 2
    assert all(math.isfinite(v) for v in report["history"]["loss"])
    assert report["metrics"]["model"]["mae"] > 0
    assert report["metrics"]["baselines"]["persistence"]["mae"] > 0
    assert "seasonal_naive" in report["metrics"]["baselines"]
    assert "baseline" in report["verdict"]
    assert len(report["forecast"]) == 3 and all(math.isfinite(v) for v in report["forecast"])
    for scores in [report["metrics"]["model"], report["metrics"]["baselines"]["ets"]]:
        assert scores["mase"] > 0 and 0 < scores["smape"] < 200
    assert report["ets"]["form"].startswith("ETS (")
    band = report["intervals"]
    assert band["level"] == 95 and 0 <= band["coverage"] <= 100
    assert [round(u - f, 9) for u, f in zip(band["upper"], report["forecast"], strict=True)] == \
        [round(f - lo, 9) for lo, f in zip(band["lower"], report["forecast"], strict=True)]
    assert all(w > 0 for w in band["widths"])
    backtest = report["backtest"]
    assert [fold["fold"] for fold in backtest["folds"]] == [1] and backtest["finished"] == 1
    assert {row["model"] for row in backtest["rows"]} == {"LSTM", "persistence", "seasonal naive", "ETS"}
    assert backtest["mean"]["LSTM"]["folds"] == 1 and backtest["verdict"].startswith("Over the folds")
    # Epoch events go to stderr as JSON lines, so stdout stays one object.
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith('{"event"')]
    assert [e["epoch"] for e in events] == [1, 2]

    assert (out / "model.keras").is_file()
    saved = RunConfig.from_json((out / "config.json").read_text())
    assert saved == RunConfig.from_dict(report["config"])
    assert (saved.units, saved.epochs, saved.target) == (8, 2, "value")
    assert set(report["written"]) == {"model", "config", "history", "metrics", "script"}
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "history.csv", "metrics.json", "model.keras",
                                                     "train_script.py"]
    history = (out / "history.csv").read_text().splitlines()
    assert history[0] == "epoch,loss,val_loss,seconds" and len(history) == 3
    assert float(history[2].split(",")[1]) == report["history"]["loss"][1]
    assert json.loads((out / "metrics.json").read_text())["model"] == report["metrics"]["model"]

    import keras

    model = keras.saving.load_model(out / "model.keras", safe_mode=True)
    assert tuple(model.input_shape) == (None, saved.timesteps, 1)

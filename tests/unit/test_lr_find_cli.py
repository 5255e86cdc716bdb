"""`python -m lstm_core lr-find` and `train --out`, run as a user runs them: a subprocess, real files."""

from __future__ import annotations

import json

import pytest

EXIT_OK, EXIT_USAGE = 0, 2


def test_lr_find_prints_the_curve_and_a_suggestion_as_json(cli):
    result = cli("lr-find", "sample:noisy_seasonal", "--units", "8", "--steps", "120", "--json")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert {"suggested_lr", "lrs", "losses", "findings"} <= set(report)
    assert len(report["lrs"]) == 120 and 0 < len(report["losses"]) <= 120
    assert report["lrs"][0] < report["suggested_lr"] < report["lrs"][-1]
    assert report["config"]["units"] == 8
    assert "Traceback" not in result.stderr


def test_lr_find_text_form_names_the_suggestion(cli):
    result = cli("lr-find", "sample:noisy_seasonal", "--units", "8", "--steps", "60", "--start-lr", "1e-10",
                 "--end-lr", "1e-9")
    assert result.returncode == EXIT_OK, result.stderr
    assert "TRAIN202" in result.stdout and "no learning rate to suggest" in result.stdout


def test_lr_find_with_a_backwards_range_exits_2(cli):
    result = cli("lr-find", "sample:noisy_seasonal", "--start-lr", "1", "--end-lr", "0.1", "--json")
    assert result.returncode == EXIT_USAGE
    report = json.loads(result.stdout)
    assert report["findings"][0]["code"] == "CONFIG001" and "--start-lr" in report["findings"][0]["detail"]



@pytest.mark.parametrize("sample", ["sample:tales", "sample:customer_messages"])
def test_lr_find_on_a_text_stops_with_a_clear_finding_before_anything_trains(sample, capsys):
    from lstm_core.cli.main import main

    assert main(["lr-find", sample, "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    finding = report["findings"][-1]
    assert finding["code"] == "CONFIG001" and "range test" in finding["title"]
    assert "Try several values" in finding["detail"] and "lrs" not in report and "history" not in report

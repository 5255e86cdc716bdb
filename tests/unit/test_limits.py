"""Server limits: each enforced with a message naming the limit and its environment variable; the training-slot
cap; and runs seeded per run, so concurrent sessions never reseed each other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.findings import Finding, ProblemError
from lstm_core.limits import DEFAULTS, DESCRIPTIONS, LimitError, env_name, how_to_change, limit
from lstm_core.tasks.forecast.pipeline import prepare
from lstm_core.tasks.forecast.samples import sample_csv

AWKWARD = Path(__file__).resolve().parents[1] / "data" / "awkward"
SERIES = AWKWARD / "tab_separated.csv"  # 60 rows × 2 columns


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"expected one {code}, got {[f.code for f in findings]}"
    return matching[0]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def noisy(config: RunConfig):
    return prepare(load_csv(sample_csv("noisy_seasonal"), "noisy_seasonal.csv"), config)


def test_every_limit_is_described_and_read_from_its_variable(monkeypatch):
    assert set(DEFAULTS) == set(DESCRIPTIONS)
    for name in DEFAULTS:
        assert limit(name) == DEFAULTS[name]
        monkeypatch.setenv(env_name(name), "7")
        assert limit(name) == 7
        assert env_name(name) in how_to_change(name) and "7" in how_to_change(name)


@pytest.mark.parametrize("raw", ["lots", "0", "-3"])
def test_a_limit_set_to_nonsense_is_refused_with_its_name(monkeypatch, raw):
    monkeypatch.setenv("LSTM_PLAYGROUND_MAX_ROWS", raw)
    with pytest.raises(LimitError, match="LSTM_PLAYGROUND_MAX_ROWS"):
        limit("max_rows")


@pytest.mark.parametrize(("variable", "value", "code"), [("MAX_ROWS", "50", "LIMIT001"),
                                                         ("MAX_COLUMNS", "1", "LIMIT002"),
                                                         ("MAX_CELLS", "100", "LIMIT003")])
def test_a_csv_over_a_size_limit_is_refused_with_the_way_to_raise_it(monkeypatch, variable, value, code):
    assert load_csv(SERIES).rows == 60
    monkeypatch.setenv(f"LSTM_PLAYGROUND_{variable}", value)
    with pytest.raises(ProblemError) as raised:
        load_csv(SERIES)
    finding = raised.value.finding
    assert finding.code == code and finding.severity == "error"
    assert SERIES.name in finding.title
    assert f"LSTM_PLAYGROUND_{variable}" in finding.detail and value in finding.detail


def test_a_model_over_the_weight_limit_blocks_training_and_the_fix_fits_it():
    config = RunConfig(target="value", layers=3, units=512, bidirectional=True, timesteps=24, epochs=2)
    finding = only(noisy(config).findings, "LIMIT004")
    assert finding.severity == "error"
    assert finding.evidence["params"] > limit("max_params") == finding.evidence["limit"]
    assert "LSTM_PLAYGROUND_MAX_PARAMS" in finding.detail
    fixed = noisy(config.replace(**finding.fix))
    assert "LIMIT004" not in codes(fixed.findings)
    assert finding.fix["units"] > 64  # the fix keeps as much of the model as fits


def test_a_model_within_the_weight_limit_is_not_flagged():
    assert "LIMIT004" not in codes(noisy(RunConfig(target="value", timesteps=24)).findings)


def test_values_beyond_float32_are_an_error_before_training():
    finding = only(prepare(load_csv(AWKWARD / "huge_values.csv"), RunConfig(timesteps=6)).findings, "DATA031")
    assert finding.severity == "error" and finding.evidence["peaks"]["value"] > 1e299


def test_large_but_computable_values_are_not_flagged():
    frame_bytes = "step,value\n" + "\n".join(f"{i},{(i % 12) * 1e20}" for i in range(60))
    findings = prepare(load_csv(frame_bytes.encode(), "big.csv"), RunConfig(timesteps=6)).findings
    assert "DATA031" not in codes(findings)


def test_epochs_over_the_servers_limit_are_refused_on_the_command_line():
    # The epochs bound is read when the program starts, as on a server: a fresh process with the variable set.
    env = {**os.environ, "LSTM_PLAYGROUND_MAX_EPOCHS": "10", "PYTHONPATH": str(Path(__file__).parents[2])}
    process = subprocess.run([sys.executable, "-m", "lstm_core", "check", "sample:noisy_seasonal", "--epochs", "20",
                              "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert process.returncode == 2
    finding = json.loads(process.stdout)["findings"][0]
    assert finding["code"] == "CONFIG001"
    assert "LSTM_PLAYGROUND_MAX_EPOCHS" in finding["detail"] and "10" in finding["detail"]


def test_a_run_past_the_time_limit_stops_and_keeps_its_model(monkeypatch, recorder):
    from lstm_core.tasks.forecast.pipeline import train

    monkeypatch.setenv("LSTM_PLAYGROUND_MAX_TRAIN_SECONDS", "1")
    prepared = noisy(RunConfig(target="value", timesteps=24, units=8, epochs=500, early_stopping=False))
    assert prepared.ready
    state = train(prepared, [recorder], monitors=False, jit_compile=False)
    finding = only(state.findings, "LIMIT005")
    assert state.status == "stopped_early" and "time limit" in state.reason
    assert state.model is not None and 1 <= state.epochs_done < 500
    assert len(state.history["loss"]) == state.epochs_done
    assert "LSTM_PLAYGROUND_MAX_TRAIN_SECONDS" in finding.detail
    assert finding.epoch == state.epochs_done
    assert "finding" in recorder.kinds()


def test_a_run_within_the_time_limit_is_not_stopped(tiny_run):
    state, _ = tiny_run
    assert state.status == "completed" and "LIMIT005" not in codes(state.findings)


def test_the_seed_is_the_runs_own_not_the_process_wide_one():
    import keras

    from lstm_core.model import build_model

    config = RunConfig(units=8, timesteps=6, bidirectional=True, seed=3)
    keras.utils.set_random_seed(1)
    first = build_model(config, 2).get_weights()
    keras.utils.set_random_seed(2)  # another session starting its own run
    second = build_model(config, 2).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    forward, backward = first[0], first[3]
    assert not np.array_equal(forward, backward), "the backward LSTM starts from its own weights"
    other = build_model(config.replace(seed=4), 2).get_weights()
    assert not np.array_equal(first[0], other[0])


def test_two_runs_training_at_once_learn_what_each_learns_alone():
    from lstm_core.tasks.forecast.pipeline import train

    configs = [RunConfig(target="value", timesteps=12, units=6, epochs=3, seed=seed, early_stopping=False,
                         batch_size=64) for seed in (1, 2)]
    prepared = [noisy(config) for config in configs]
    alone = [train(p, monitors=False, jit_compile=False).history["loss"] for p in prepared]
    together: list = [None, None]

    def run(index: int) -> None:
        together[index] = train(prepared[index], monitors=False, jit_compile=False).history["loss"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert alone[0] != alone[1]
    for solo, shared in zip(alone, together, strict=True):
        assert shared == pytest.approx(solo, rel=1e-5)


def test_every_limit_is_documented_with_its_variable():
    root = Path(__file__).resolve().parents[2]
    for document in ("README.md", "docs/security.md"):
        text = (root / document).read_text()
        assert [name for name in DEFAULTS if env_name(name) not in text] == [], document

"""Export of a trained run: every file, the config round trip, and a standalone script that trains the same run."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.export import export_files, export_notes, export_zip, write_export
from lstm_core.tasks.forecast.pipeline import evaluate, prepare, train
from lstm_core.tasks.forecast.samples import sample_csv

# Same seed, same machine, same thread settings: Keras gives the same float32 losses; allow a few float32 ulps.
LOSS_TOLERANCE = 1e-6


def test_every_file_of_a_forecast_run(tiny_run, noisy_prepared, tmp_path):
    state, _ = tiny_run
    report = evaluate(noisy_prepared, state.model)
    written = write_export(tmp_path, noisy_prepared, state, report)
    assert set(written) == {"model.keras", "config.json", "history.csv", "metrics.json", "train_script.py"}
    assert RunConfig.from_json((tmp_path / "config.json").read_text()) == noisy_prepared.config
    rows = list(csv.DictReader(io.StringIO((tmp_path / "history.csv").read_text())))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert [float(r["loss"]) for r in rows] == state.history["loss"]
    assert [float(r["val_loss"]) for r in rows] == state.history["val_loss"]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["model"]["mae"] == pytest.approx(report.metrics["model"]["mae"])
    assert set(metrics["baselines"]) == set(report.metrics["baselines"]) and metrics["verdict"] == report.verdict
    assert metrics["status"] == state.status and metrics["epochs"] == 2
    assert metrics["intervals"]["levels"]["80"]["width"] == pytest.approx(report.intervals["levels"][80]["width"])
    assert metrics["baselines"]["ets"]["mase"] == pytest.approx(report.metrics["baselines"]["ets"]["mase"])

    import keras

    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    x = np.ascontiguousarray(noisy_prepared.windows.x_test[:16], dtype="float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), state.model.predict(x, verbose=0), rtol=1e-6)


def test_the_zip_holds_the_same_files(tiny_run, noisy_prepared):
    state, _ = tiny_run
    files = export_files(noisy_prepared, state)
    with zipfile.ZipFile(io.BytesIO(export_zip(files))) as archive:
        assert sorted(archive.namelist()) == sorted(files)
        assert archive.read("config.json") == files["config.json"]
    # Without a report the metrics still say how the run ended.
    assert json.loads(files["metrics.json"])["status"] == state.status


def test_the_script_uses_only_keras_numpy_and_pandas(tiny_run, noisy_prepared):
    state, _ = tiny_run
    script = export_files(noisy_prepared, state)["train_script.py"].decode()
    tree = ast.parse(script)
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"argparse", "os", "sys", "numpy", "pandas", "keras"}
    # The settings sit at the top, readable and editable: one line each.
    assert "    'units': 8," in script and "    'target': 'value'," in script


def test_the_exported_script_trains_the_same_run(tmp_path):
    # monthly_sales: a date column, differencing, a feature-free trend; the script must redo all of it.
    dataset = load_csv(sample_csv("monthly_sales"), "monthly_sales.csv")
    config = RunConfig(target="sales", difference=True, timesteps=12, units=8, epochs=3, season=12)
    prepared = prepare(dataset, config)
    assert prepared.ready
    state = train(prepared)
    assert state.status == "completed"
    write_export(tmp_path, prepared, state)
    (tmp_path / "sales.csv").write_bytes(sample_csv("monthly_sales"))
    result = subprocess.run([sys.executable, "train_script.py", "sales.csv", "--out", "again.csv"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 3  loss" in result.stdout
    rows = list(csv.DictReader(io.StringIO((tmp_path / "again.csv").read_text())))
    assert len(rows) == 3
    np.testing.assert_allclose([float(r["loss"]) for r in rows], state.history["loss"], rtol=LOSS_TOLERANCE)
    np.testing.assert_allclose([float(r["val_loss"]) for r in rows], state.history["val_loss"], rtol=LOSS_TOLERANCE)
    # The script computes the run's 80 % interval again: the same width from the validation errors, the same coverage.
    entry = evaluate(prepared, state.model).intervals["levels"][80]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("80 % interval")]
    width, covered = re.fullmatch(r"80 % interval: \+/-(\S+), covered (\S+) % of test points", line).groups()
    assert float(width) == pytest.approx(entry["width"], rel=1e-4)
    assert float(covered) == pytest.approx(entry["coverage"], abs=0.05)


def test_the_script_stops_with_a_message_on_a_file_without_the_target(tiny_run, noisy_prepared, tmp_path):
    state, _ = tiny_run
    write_export(tmp_path, noisy_prepared, state)
    (tmp_path / "other.csv").write_text("a,b\n1,2\n3,4\n")
    result = subprocess.run([sys.executable, "train_script.py", "other.csv"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "lacks column(s) value" in result.stderr and "Traceback" not in result.stderr


def run_script(folder, data_name: str) -> list[dict]:
    result = subprocess.run([sys.executable, "train_script.py", data_name, "--out", "again.csv"], cwd=folder,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return list(csv.DictReader(io.StringIO((folder / "again.csv").read_text())))


def test_the_script_trains_the_same_classifier_from_a_long_file(data_file, tmp_path):
    from lstm_core.tasks.sequences import train_classifier
    from lstm_core.tasks.table import prepare_any

    # Long layout: rows out of order within each sequence (an order column), text labels, two features.
    path = data_file("classification/long_shapes.csv")
    prepared = prepare_any(load_csv(path), RunConfig(task="auto", units=4, epochs=3, missing="interpolate"))
    assert prepared.ready and (prepared.config.task, prepared.config.layout) == ("classify-sequences", "long")
    # Without XLA (a shorter test): the script must then compile without it too, as the run did.
    state = train_classifier(prepared, jit_compile=False)
    files = write_export(tmp_path, prepared, state)
    assert {"train_script.py", "preprocessing.json"} <= set(files)
    assert "JIT_COMPILE = False" in (tmp_path / "train_script.py").read_text()
    (tmp_path / "shapes.csv").write_bytes(path.read_bytes())
    rows = run_script(tmp_path, "shapes.csv")
    np.testing.assert_allclose([float(r["loss"]) for r in rows], state.history["loss"], rtol=LOSS_TOLERANCE)


def test_a_wide_classifier_export_has_its_preprocessing(data_file):
    from lstm_core.tasks.sequences import train_classifier
    from lstm_core.tasks.table import prepare_any

    dataset = load_csv(data_file("classification/wide_ragged.csv"))
    prepared = prepare_any(dataset, RunConfig(task="auto", units=4, epochs=1, missing="interpolate", maxlen=16))
    assert prepared.ready and prepared.config.layout == "wide"
    state = train_classifier(prepared, monitors=False, jit_compile=False)
    files = export_files(prepared, state)
    assert set(files) == {"model.keras", "config.json", "history.csv", "metrics.json", "train_script.py",
                          "preprocessing.json"}
    preprocessing = json.loads(files["preprocessing.json"])
    assert preprocessing["classes"] == list(prepared.classes) and preprocessing["maxlen"] == 16
    script = files["train_script.py"].decode()
    assert "    'layout': 'wide'," in script and "    'maxlen': 16," in script
    assert export_notes(prepared.config) == []


def test_a_task_the_script_does_not_cover_is_exported_without_it():
    assert "exported without it" in export_notes(RunConfig(task="text-lm"))[0]
    assert export_notes(RunConfig()) == []

"""Classification on the Playground page through AppTest: the samples, a real upload in long format, label conflicts,
the error lab's broken head, and real (small) Keras runs scored against the majority class."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from appdriver import open_from_lab
from appdriver import train as train_run
from streamlit.testing.v1 import AppTest

from lstm_core.tasks.forecast.samples import CLASSIFICATION_SAMPLES

APP = Path(__file__).resolve().parents[2] / "app.py"
DATA = Path(__file__).resolve().parent / "data"
# Above the fixture's timeout: the first click on Train in the process imports TensorFlow and compiles with XLA.
TIMEOUT = 240
SPLITS = ["train", "val", "test"]
SUMMARY = re.compile(r"No problems found\. classify (sequences|windows): (\d+) train · (\d+) validation · (\d+) test "
                     r"\w+, (\d+) classes, (\d+) steps × (\d+) feature\(s\)\.")
ACCURACY = re.compile(r"^Accuracy ([\d.]+)% · majority baseline \((.+?)\) ([\d.]+)%( · ROC AUC ([\d.]+))?$")
# labels_change.csv (tests/app/data/make_classification_files.py): 40 sequences, odd ids "steady", even "drifting";
# ids 3, 8 and 13 start "steady" and end "drifting".
CHANGING = "3, 8, 13"


def text(markdown: str) -> str:
    """What the user reads: no bold markers and no escapes (the page escapes markdown in names from the file)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def numbers(array) -> np.ndarray:
    """A plotly data array from the spec: a nested list, or plotly's typed array {"dtype", "bdata", "shape"}."""
    if isinstance(array, dict):
        values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        shape = [int(n) for n in str(array.get("shape", len(values))).split(",")]
        return values.reshape(shape)
    return np.asarray(array)


def charts(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def findings(at: AppTest, kind: str) -> dict[str, str]:
    """Finding boxes of one kind drawn by the page's renderer ("**CODE** · title…"), by code, as the user reads them.
    The sidebar's one-line flags ("CODE: title — see the checks") are left out."""
    boxes = [box.value for box in getattr(at, kind) if box.value.startswith("**")]
    return {box.split("**")[1]: text(box) for box in boxes}


def fix_button(at: AppTest, code: str):
    [button] = [b for b in at.button if b.key and b.key.startswith("fix-") and b.key.endswith(code)]
    return button


def summary(at: AppTest) -> dict:
    [line] = [m for m in (text(s.value) for s in at.success) if SUMMARY.search(m)]
    task, train, val, test, classes, steps, features = SUMMARY.search(line).groups()
    return {"task": f"classify-{task}", "train": int(train), "val": int(val), "test": int(test),
            "classes": int(classes), "steps": int(steps), "features": int(features)}


def class_counts(at: AppTest) -> pd.DataFrame:
    """The "Examples per class in each split" table: classes down, train / val / test across."""
    [table] = [d.value for d in at.dataframe if d.value.index.name == "class" and "train" in d.value.columns]
    return table


def status_line(at: AppTest) -> str:
    [line] = [text(m.value) for m in at.markdown if m.value.startswith("**Training")]
    return line


def accuracy_line(at: AppTest) -> tuple[float, str, float, float | None]:
    [line] = [text(m.value) for m in at.markdown if m.value.startswith("**Accuracy")]
    found = ACCURACY.match(line)
    assert found, line
    auc = float(found.group(5)) if found.group(5) else None
    return float(found.group(1)), found.group(2), float(found.group(3)), auc


def verdict(at: AppTest) -> str:
    [found] = [text(b.value) for b in [*at.success, *at.warning] if "majority-class baseline" in b.value]
    return found


def train(at: AppTest, epochs: int) -> AppTest:
    at.number_input(key="cfg.epochs").set_value(epochs).run()
    assert not at.button(key="train").disabled, findings(at, "error")
    return train_run(at)


def fresh() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str) -> AppTest:
    at.radio(key="source").set_value("Upload a CSV").run()
    at.file_uploader(key="upload").set_value((name, (DATA / name).read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def sample_facts(name: str) -> tuple[list[str], pd.Series | None]:
    """The sample's class names (sorted, as the page encodes them) and, for long layouts, each sequence's length."""
    sample = CLASSIFICATION_SAMPLES[name]
    frame = sample.make()
    classes = sorted(map(str, frame[sample.label_column].unique()))
    lengths = frame.groupby(sample.id_column).size() if sample.id_column else None
    return classes, lengths


@pytest.mark.parametrize(("name", "task"), [
    ("shapes", "classify-sequences"),
    ("machine_faults", "classify-sequences"),
    ("gestures", "classify-sequences"),
    ("market_regimes", "classify-windows"),
])
def test_a_classification_sample_sets_its_task_and_shows_classes_per_split(name, task):
    at = fresh()
    assert at.radio(key="cfg.task").value == "forecast"

    at.selectbox(key="sample").set_value(name).run()

    assert not at.exception, at.exception
    assert at.radio(key="cfg.task").value == task
    assert findings(at, "error") == {} and findings(at, "warning") == {}
    shown = summary(at)
    classes, lengths = sample_facts(name)
    assert shown["task"] == task and shown["classes"] == len(classes)
    table = class_counts(at)
    assert list(table.columns) == SPLITS
    assert sorted(map(str, table.index)) == classes
    # Every class in every split (stratified), and the table adds up to the counts in the summary line.
    assert (table > 0).all().all(), table
    assert table.sum().to_dict() == {split: shown[split] for split in SPLITS}
    if lengths is not None and task == "classify-sequences":
        assert table.to_numpy().sum() == len(lengths)
    if name == "gestures":
        histogram = charts(at)["Sequence lengths"]
        assert sorted(numbers(histogram["data"][0]["x"]).tolist()) == sorted(lengths.tolist())
        assert lengths.min() == 15 and lengths.max() == 60
        [maxlen_line] = histogram["layout"]["shapes"]
        assert maxlen_line["x0"] == shown["steps"] and lengths.min() < shown["steps"] <= lengths.max()
    if task == "classify-windows":
        assert "Sequence lengths" not in charts(at)


def test_train_shapes_and_read_the_scores():
    at = fresh()
    at.selectbox(key="sample").set_value("shapes").run()
    test_count = summary(at)["test"]
    assert class_counts(at)["test"].sum() == test_count

    train(at, epochs=4)

    assert status_line(at).startswith("Training completed · 4 epoch(s) in ")
    accuracy, majority, baseline, auc = accuracy_line(at)
    assert auc is None  # ROC AUC is for two classes only
    assert accuracy > baseline
    said = verdict(at)
    assert said.startswith("The LSTM beat the majority-class baseline")
    assert f"{accuracy:.1f}%" in said and f"{baseline:.1f}%" in said and f"'{majority}'" in said

    classes = sorted(map(str, class_counts(at).index))
    matrix = charts(at)["Confusion matrix (test part)"]
    z = numbers(matrix["data"][0]["z"])
    assert z.shape == (3, 3) and z.sum() == test_count
    assert list(matrix["data"][0]["x"]) == classes and list(matrix["data"][0]["y"]) == classes
    # The accuracy printed is the diagonal of the matrix drawn.
    assert abs(100 * np.trace(z) / z.sum() - accuracy) < 0.05

    [scores] = [d.value for d in at.dataframe if d.value.index.name == "class" and "f1" in d.value.columns]
    assert sorted(map(str, scores.index)) == classes
    assert {"precision", "recall", "f1"} <= set(scores.columns)
    assert scores["support"].sum() == test_count
    assert scores[["precision", "recall", "f1"]].apply(lambda c: c.between(0, 1)).all().all()
    # The run can be downloaded, with what new data needs besides the model.
    assert [b.label for b in at.get("download_button")] == [
        "model.keras", "config.json", "history.csv", "metrics.json", "train_script.py", "preprocessing.json",
        "all (lstm_run.zip)"]


def test_upload_long_sequences_guess_train_and_classify_new_ones():
    at = upload(fresh(), "sequences_long.csv")

    assert at.radio(key="cfg.task").value == "classify-sequences"
    roles = {field: at.selectbox(key=f"cfg.{field}").value
             for field in ("layout", "id_column", "order_column", "label_column")}
    assert roles == {"layout": "long", "id_column": "id", "order_column": "step", "label_column": "label"}
    shown = summary(at)
    assert shown["train"] + shown["val"] + shown["test"] == 60
    assert (shown["classes"], shown["steps"], shown["features"]) == (2, 20, 1)

    train(at, epochs=3)

    assert status_line(at).startswith("Training completed · 3 epoch(s) in ")
    accuracy_line(at)
    assert at.file_uploader(key="predict_upload").value is None
    assert "predict_download" not in [b.key for b in at.get("download_button")]

    # The same sequences without their labels: what a user brings to be classified.
    labelled = pd.read_csv(DATA / "sequences_long.csv")
    new = labelled.drop(columns="label").to_csv(index=False).encode()
    at.file_uploader(key="predict_upload").set_value(("new_sequences.csv", new, "text/csv")).run()

    assert not at.exception, at.exception
    assert findings(at, "error") == {}
    [download] = [b for b in at.get("download_button") if b.key == "predict_download"]
    assert download.label.startswith("Download the predictions")
    [table] = [d.value for d in at.dataframe if "predicted" in d.value.columns]
    assert list(table.columns) == ["id", "predicted", "p_drifting", "p_steady"]
    assert sorted(table["id"].astype(int)) == sorted(labelled["id"].unique())
    probabilities = table[["p_drifting", "p_steady"]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4) and (probabilities >= 0).all()
    assert (table["predicted"] == np.where(probabilities[:, 0] > probabilities[:, 1], "drifting", "steady")).all()


@pytest.mark.parametrize("how", ["apply the fix", "choose last"])
def test_a_label_that_changes_within_a_sequence_blocks_training_until_resolved(how):
    at = upload(fresh(), "labels_change.csv")
    assert at.radio(key="cfg.task").value == "classify-sequences"
    errors = findings(at, "error")
    assert list(errors) == ["DATA021"], errors
    assert errors["DATA021"].startswith("DATA021 · The label changes within 3 sequence(s)")
    assert f"Sequence(s) {CHANGING} hold more than one label" in errors["DATA021"]
    assert at.button(key="train").disabled

    if how == "apply the fix":
        button = fix_button(at, "DATA021")
        assert button.label == "Apply fix: label_conflict → last"
        button.click().run()
    else:
        at.selectbox(key="cfg.label_conflict").set_value("last").run()

    assert not at.exception, at.exception
    assert at.selectbox(key="cfg.label_conflict").value == "last"
    assert findings(at, "error") == {}
    assert not at.button(key="train").disabled
    # Now a note, not an error: each of the three took its last label, "drifting".
    note = findings(at, "info")["DATA021"]
    assert "took each one's last label" in note
    counts = class_counts(at).sum(axis=1).to_dict()
    assert counts == {"drifting": 22, "steady": 18}, counts


def test_sigmoid_head_on_three_classes_from_the_lab_is_fixed_and_trains():
    at = open_from_lab(fresh(), "open-sigmoid_three_classes")
    assert at.selectbox(key="sample").value == "shapes"
    assert at.radio(key="cfg.task").value == "classify-sequences"
    assert at.number_input(key="cfg.output_units").value == 1
    errors = findings(at, "error")
    assert list(errors) == ["ARCH011"], errors
    assert "1 unit(s) for 3 classes" in errors["ARCH011"]
    train_button = at.button(key="train")
    assert train_button.disabled and train_button.help == "Resolve the errors above first."

    fix_button(at, "ARCH011").click().run()

    assert not at.exception, at.exception
    assert findings(at, "error") == {}
    assert at.number_input(key="cfg.output_units").value == 0  # back to auto: one unit per class
    train(at, epochs=2)
    assert status_line(at).startswith("Training completed · 2 epoch(s) in ")
    accuracy, _, baseline, _ = accuracy_line(at)
    assert accuracy > baseline
    assert verdict(at).startswith("The LSTM beat the majority-class baseline")
    z = numbers(charts(at)["Confusion matrix (test part)"]["data"][0]["z"])
    assert z.shape == (3, 3)


def test_the_guess_button_restores_the_roles():
    at = upload(fresh(), "sequences_long.csv")
    at.selectbox(key="cfg.id_column").set_value("value").run()
    at.selectbox(key="cfg.label_column").set_value("value").run()
    assert list(findings(at, "error")) == ["DATA019"], findings(at, "error")
    assert at.button(key="train").disabled

    at.button(key="use_guess").click().run()

    assert not at.exception, at.exception
    roles = {field: at.selectbox(key=f"cfg.{field}").value for field in ("id_column", "order_column", "label_column")}
    assert roles == {"id_column": "id", "order_column": "step", "label_column": "label"}
    assert findings(at, "error") == {}
    assert summary(at)["classes"] == 2 and not at.button(key="train").disabled


def test_numeric_labels_get_a_confusion_matrix_with_one_tick_per_class():
    labelled = pd.read_csv(DATA / "sequences_long.csv")
    numeric = labelled.assign(label=(labelled["label"] == "drifting").astype(int)).to_csv(index=False).encode()
    at = fresh()
    at.radio(key="source").set_value("Upload a CSV").run()
    at.file_uploader(key="upload").set_value(("zero_one.csv", numeric, "text/csv")).run()
    assert at.radio(key="cfg.task").value == "classify-sequences"
    train(at, epochs=2)
    layout = charts(at)["Confusion matrix (test part)"]["layout"]
    for axis in ("xaxis", "yaxis"):
        assert layout[axis]["type"] == "category"
        assert layout[axis]["tickvals"] == ["0", "1"] and layout[axis]["ticktext"] == ["0", "1"]

"""The Text classification page through AppTest: the sample's roles and checks, a fix applied in place, a real
(small) training in a worker watched live and stopped, its stored results, a typed sentence classified, a reload."""

from __future__ import annotations

import json
import time
from pathlib import Path

from appdriver import RUN_TIMEOUT, finish, shown_record
from streamlit.testing.v1 import AppTest

from lstm_core.store import RunStore

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGE = "pages/4_Text_classification.py"
SHOWN = "text_shown_run"


def open_page(new_app):
    at = new_app()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def boxes(at, kind: str) -> list[str]:
    return [box.value for box in getattr(at, kind)]


def titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_the_sample_is_checked_with_its_roles_and_length_histogram(new_app):
    at = open_page(new_app)
    assert at.selectbox(key="text.text_column").value == "message"
    assert at.selectbox(key="text.label_column").value == "department"
    assert boxes(at, "success")[0].startswith("No problems found: 316 train · 67 validation · 67 test texts, 3 classes")
    [histogram] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert histogram["layout"]["title"]["text"] == "Text lengths in words"
    assert "maxlen 17" in histogram["layout"]["annotations"][0]["text"]


def test_a_fix_is_applied_in_place(new_app):
    at = open_page(new_app)
    at.number_input(key="text.maxlen").set_value(3).run()
    assert any(box.startswith("**TEXT015**") for box in boxes(at, "warning"))
    [fix] = [b for b in at.button if b.key and b.key.startswith("fix-") and b.key.endswith("TEXT015")]
    fix.click().run()
    assert at.number_input(key="text.maxlen").value == 0
    assert not any("TEXT015" in box for box in boxes(at, "warning"))


def test_a_run_trains_live_in_a_worker_is_stopped_then_classifies_a_sentence_and_survives_a_reload(new_app):
    at = open_page(new_app)
    at.number_input(key="text.epochs").set_value(60).run()
    at.number_input(key="text.patience").set_value(60).run()
    at.button(key="text_train").click().run()
    assert not at.exception, at.exception
    run_id = at.session_state[SHOWN]
    store = RunStore()
    deadline = time.monotonic() + RUN_TIMEOUT
    while store.get(run_id).epochs < 4:
        assert store.get(run_id).active and time.monotonic() < deadline, store.get(run_id).status
        time.sleep(0.1)

    # While it trains, the page draws the live loss curve from the store, with a stop button.
    at.run()
    assert not at.exception, at.exception
    assert "Loss per epoch" in titles(at)
    [stop] = [b for b in at.button if b.label == "Stop training"]
    stop.click().run()
    finish(at, SHOWN)
    record = shown_record(at, SHOWN)
    assert record.status == "stopped_early" and 4 <= record.epochs < 60
    assert record.reason == f"stopped by you after {record.epochs} epoch(s)"
    [status] = [m.value for m in at.markdown if "epoch(s) in" in m.value]
    assert "without XLA (compiling the masked LSTM costs more than it saves)" in status, status

    preprocessing = json.loads(store.artifact(record.key, "preprocessing.json"))
    assert preprocessing["classes"] == ["billing", "delivery", "technical"] and "parcel" in preprocessing["vocabulary"]
    assert store.artifact(record.key, "model.keras")

    # The results come from the stored run: its final curve, scores, confusion matrix and mistakes.
    [loss] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
              if json.loads(c.proto.spec)["layout"]["title"]["text"] == "Loss per epoch"]
    assert len(loss["data"][0]["y"]) == record.epochs
    verdict = boxes(at, "success")[-1]
    assert verdict.startswith("The LSTM beat the majority-class baseline"), boxes(at, "warning")
    assert any(m.value.startswith("**Accuracy") for m in at.markdown)
    assert "Confusion matrix (test part)" in titles(at)
    mistakes = [d.value for d in at.dataframe if "predicted" in d.value.columns and "text" in d.value.columns]
    none = any(c.value.startswith("None: every test text") for c in at.caption)
    assert none or list(mistakes[0].columns) == ["row", "text", "true", "predicted", "probability"]
    assert none or (mistakes[0]["true"] != mistakes[0]["predicted"]).all()

    # The sentence box classifies with the stored model in the helper process, and names the words it never saw.
    at.text_input(key="text_sentence").set_value("my parcel has not arrived and the courier lost it zyxwv").run()
    assert not at.exception, at.exception
    [predicted] = [m.value for m in at.markdown if m.value.startswith("Predicted: **")]
    assert predicted.startswith("Predicted: **delivery**") and "unknown to the model" in predicted
    unknown = predicted.split("unknown to the model")[1]
    assert "zyxwv" in unknown and "courier" not in unknown and "parcel" not in unknown
    assert titles(at)[-1] == "Class probabilities"
    [probabilities] = [d.value for d in at.dataframe if "p_billing" in d.value.columns]
    assert list(probabilities.columns) == ["predicted", "p_billing", "p_delivery", "p_technical"]
    assert abs(float(probabilities.iloc[0, 1:].sum()) - 1.0) < 1e-4

    # A reload (a new session on the same workspace URL) shows the same run's results.
    again = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    again.query_params["ws"] = at.session_state["workspace_id"]
    again.run()
    again.switch_page(PAGE).run()
    assert not again.exception, again.exception
    assert any(record.name in m.value.replace("\\", "") for m in again.markdown)
    assert "Loss per epoch" in titles(again) and "Confusion matrix (test part)" in titles(again)


def test_an_upload_gets_its_roles_guessed_and_its_rows_named(new_app, data_file):
    at = open_page(new_app)
    at.radio(key="text_source").set_value("Upload a CSV").run()
    path = data_file("text/reviews_quoted.csv")
    at.file_uploader(key="text_upload").set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="text.text_column").value == "review"
    assert at.selectbox(key="text.label_column").value == "sentiment"
    warnings = boxes(at, "warning")
    assert any(w.startswith("**TEXT010**") and "Row(s) 6" in w for w in warnings), warnings
    assert any(w.startswith("**TEXT011**") for w in warnings)
    at.selectbox(key="text.text_column").set_value("stars").run()
    assert any(e.startswith("**TEXT016**") for e in boxes(at, "error"))
    assert at.button(key="text_train").disabled

"""The Text classification page through AppTest: the sample's roles and checks, a fix applied in place, a real
(small) training scored against the majority class, and a typed sentence classified."""

from __future__ import annotations

import json

PAGE = "pages/4_Text_classification.py"


def open_page(new_app):
    at = new_app()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def boxes(at, kind: str) -> list[str]:
    return [box.value for box in getattr(at, kind)]


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


def test_train_the_sample_then_classify_a_typed_sentence(new_app):
    at = open_page(new_app)
    at.number_input(key="text.epochs").set_value(4).run()
    at.button(key="text_train").click().run()
    assert not at.exception, at.exception
    verdict = boxes(at, "success")[-1]
    assert verdict.startswith("The LSTM beat the majority-class baseline"), boxes(at, "warning")
    assert any(m.value.startswith("**Accuracy") for m in at.markdown)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert "Confusion matrix (test part)" in titles
    mistakes = [d.value for d in at.dataframe if "predicted" in d.value.columns and "text" in d.value.columns]
    none = any(c.value.startswith("None: every test text") for c in at.caption)
    assert none or list(mistakes[0].columns) == ["row", "text", "true", "predicted", "probability"]
    assert none or (mistakes[0]["true"] != mistakes[0]["predicted"]).all()
    at.text_input(key="text_sentence").set_value("my parcel has not arrived and the courier lost it").run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("Predicted: **delivery**") for m in at.markdown)
    chart = [json.loads(c.proto.spec) for c in at.get("plotly_chart")][-1]
    assert chart["layout"]["title"]["text"] == "Class probabilities"
    probabilities = at.dataframe[-1].value
    assert list(probabilities.columns) == ["predicted", "p_billing", "p_delivery", "p_technical"]
    assert abs(float(probabilities.iloc[0, 1:].sum()) - 1.0) < 1e-4


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

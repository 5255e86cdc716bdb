"""The Text generation page in Streamlit's AppTest: vocabulary, checks with fixes, live training, samples, generate."""

from __future__ import annotations

import json


def open_page(new_app):
    at = new_app()
    at.switch_page("pages/3_Text_generation.py").run()
    assert not at.exception, at.exception
    return at


def test_train_two_epochs_on_the_sample_shows_samples_the_baseline_and_generates(new_app):
    at = open_page(new_app)
    at.selectbox(key="lm_sample").set_value("tales_small").run()
    assert "vocabulary" in " ".join(m.value for m in at.markdown)
    at.number_input(key="cfg.lm.epochs").set_value(2).run()
    at.button(key="lm_train").click().run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "before training" in text and "after epoch 2" in text
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace.get("name") for trace in spec["data"]]
    assert "unigram baseline" in names and "validation" in names
    at.text_input(key="lm_gen_seed").set_value("The king ")
    at.number_input(key="lm_gen_length").set_value(25)
    next(b for b in at.button if b.label == "Generate").click().run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("**The king** ") for m in at.markdown)


def test_an_upload_that_is_not_text_is_explained_in_place_and_a_fix_applies(new_app):
    at = open_page(new_app)
    at.radio(key="lm_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="lm_upload").set_value(("holiday.txt", b"\x89PNG\r\n\x1a\n" + bytes(300), "text/plain")).run()
    assert not at.exception, at.exception
    assert any("TEXT002" in e.value and "PNG" in e.value for e in at.error)
    assert at.button(key="lm_train").disabled
    at = open_page(new_app)
    at.number_input(key="cfg.lm.timesteps").set_value(3).run()
    assert any("TEXT005" in e.value for e in at.warning)
    next(b for b in at.button if b.label.startswith("Apply fix: timesteps")).click().run()
    assert at.number_input(key="cfg.lm.timesteps").value == 40
    assert not any("TEXT005" in e.value for e in at.warning)

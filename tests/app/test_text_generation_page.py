"""The Text generation page in Streamlit's AppTest: vocabulary, checks with fixes, a run trained in a worker and
read back from the run store, samples shown verbatim, generation in the helper process, and a reload."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from appdriver import shown_record, train
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGE = "pages/3_Text_generation.py"
SHOWN = "lm_shown_run"
# Markdown would turn these into a list, emphasis and a heading; shown verbatim they stay as typed.
MARKUP_TEXT = "".join(f"  * the {animal} ran _{place}_ today\n# note {n} about the {animal}\n"
                      for n, (animal, place) in enumerate(zip(["fox", "dog", "cat", "owl", "hen"] * 60,
                                                              ["home", "away", "by the river"] * 100, strict=False)))


def open_page(at: AppTest) -> AppTest:
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def fresh(workspace: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    if workspace:
        at.query_params["ws"] = workspace
    return open_page(at)


def texts(at, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def test_the_sample_summary_counts_characters_once():
    at = fresh()
    at.selectbox(key="lm_sample").set_value("tales_small").run()
    [summary] = [m for m in texts(at, "markdown") if "vocabulary" in m]
    assert summary.count("characters") == 1, summary
    at.radio(key="cfg.lm.level").set_value("word").run()
    [summary] = [m for m in texts(at, "markdown") if "vocabulary" in m]
    assert "characters ·" in summary and " words ·" in summary, summary


def test_a_run_trains_in_a_worker_its_samples_show_verbatim_it_generates_and_survives_a_reload():
    tensorflow_before = "tensorflow" in sys.modules
    at = fresh()
    at.radio(key="lm_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="lm_upload").set_value(("notes.txt", MARKUP_TEXT.encode(), "text/plain")).run()
    for field, value in (("timesteps", 16), ("units", 8), ("epochs", 1), ("sample_length", 120)):
        at.number_input(key=f"cfg.lm.{field}").set_value(value).run()
    at.text_input(key="cfg.lm.seed_text").set_value("  * the fox ").run()
    assert not at.exception, at.exception
    train(at, key="lm_train", shown_key=SHOWN)

    record = shown_record(at, SHOWN)
    assert record.status == "completed" and record.config.units == 8 and record.config.task == "text-lm"
    assert [s["epoch"] for s in record.samples] == [0, 1]
    # Every sample starts from the seed: an indent and a list marker, which Markdown would swallow.
    assert all(s["seed"] == "  * the fox " for s in record.samples)
    shown = texts(at, "code")
    for sample in record.samples:
        assert sample["seed"] + sample["text"] in shown
    assert not any("the fox ran" in m for m in texts(at, "markdown")), "a sample was drawn as Markdown"
    captions = " ".join(texts(at, "caption"))
    assert "before training" in captions and "after epoch 1" in captions
    # The status line says how the step was compiled: a language model trains without XLA (slower with it on a CPU).
    [status] = [m for m in texts(at, "markdown") if "epoch(s) in" in m]
    assert "1 epoch(s)" in status and "without XLA (it runs a language model slower on a CPU)" in status, status
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace.get("name") for trace in spec["data"]]
    assert "unigram baseline" in names and "validation" in names
    assert any("bits per character on the validation text" in box for box in texts(at, "success") +
               texts(at, "warning"))

    # The generate box writes with the stored model, in the helper process.
    at.text_input(key="lm_gen_seed").set_value("  * the fox ")
    at.number_input(key="lm_gen_length").set_value(25)
    next(b for b in at.button if b.label == "Generate").click().run()
    assert not at.exception, at.exception
    written = [c for c in texts(at, "code") if c.startswith("  * the fox ") and c not in shown]
    assert len(written) == 1 and len(written[0]) == len("  * the fox ") + 25, written
    assert tensorflow_before or "tensorflow" not in sys.modules, "the page's process imported TensorFlow"

    # Changed settings apply to the next run; the results stay those of this run, and say so.
    at.number_input(key="cfg.lm.units").set_value(12).run()
    assert any("units 8 (the sidebar now says 12)" in box for box in texts(at, "info"))

    again = fresh(at.session_state["workspace_id"])
    assert [c for c in texts(again, "code") if c.startswith(record.samples[0]["seed"])]
    assert any(record.name in m.replace("\\", "") for m in texts(again, "markdown"))


def test_an_upload_that_is_not_text_is_explained_in_place_and_a_fix_applies():
    at = fresh()
    at.radio(key="lm_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="lm_upload").set_value(("holiday.txt", b"\x89PNG\r\n\x1a\n" + bytes(300), "text/plain")).run()
    assert not at.exception, at.exception
    assert any("TEXT002" in e.value and "PNG" in e.value for e in at.error)
    assert at.button(key="lm_train").disabled
    at = fresh()
    at.number_input(key="cfg.lm.timesteps").set_value(3).run()
    assert any("TEXT005" in e.value for e in at.warning)
    next(b for b in at.button if b.label.startswith("Apply fix: timesteps")).click().run()
    assert at.number_input(key="cfg.lm.timesteps").value == 40
    assert not any("TEXT005" in e.value for e in at.warning)

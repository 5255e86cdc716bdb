"""Awkward files dropped on the Playground page: each is explained in place and the page keeps running; markup in a
file shows as text; a run waits for a free training slot and gives it back."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.slots import training_slots

AWKWARD = Path(__file__).resolve().parents[1] / "data" / "awkward"


def page_text(at: AppTest) -> str:
    """Everything the page shows in boxes, captions and markdown, with the page's markdown escapes removed."""
    parts = [e.value for kind in ("error", "warning", "info", "success", "caption", "markdown")
             for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts).replace("**", ""))


def drop(at: AppTest, upload, name: str) -> AppTest:
    upload(at, name, (AWKWARD / name).read_bytes())
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("name", "code", "kind"), [
    ("empty.csv", "DATA001", "error"),
    ("workbook_renamed.csv", "DATA002", "error"),
    ("text_only.csv", "DATA003", "error"),
    ("missing_markers.csv", "DATA006", "error"),
    ("huge_values.csv", "DATA031", "error"),
    ("currency_percent.csv", "DATA107", "info"),
])
def test_an_awkward_upload_is_explained_in_place(app, upload, name, code, kind):
    drop(app, upload, name)
    shown = [box.value for box in getattr(app.main, kind)]
    assert any(f"**{code}**" in value for value in shown), shown
    if kind == "error":
        assert app.button(key="train").disabled
    # The page still works: switching back to a sample checks it cleanly.
    app.radio(key="source").set_value("Built-in sample").run()
    assert not app.exception and not app.main.error


def test_markup_in_a_file_is_shown_as_text(app, upload):
    drop(app, upload, "html_script.csv")
    assert "<script>alert(1)</script>" in app.selectbox(key="cfg.target").options
    for element in app.markdown:
        # Every < from the file reaches the markdown escaped, so it renders as a character, not a tag.
        assert not re.search(r"(?<!\\)<(script|img|b)\b", element.value), element.value
    assert not app.exception


def test_a_run_waits_for_a_free_training_slot_and_gives_it_back(app):
    slots = training_slots()
    held = 0
    while slots.try_acquire():  # other users' runs take every slot
        held += 1
    assert held == slots.size

    def free_one_once_someone_waits() -> None:
        while slots.waiting == 0:
            threading.Event().wait(0.05)
        slots.release()

    helper = threading.Thread(target=free_one_once_someone_waits, daemon=True)
    helper.start()
    try:
        for field, value in (("epochs", 1), ("units", 4)):
            app.number_input(key=f"cfg.{field}").set_value(value)
        app.run()
        app.button(key="train").click().run()
        helper.join(timeout=60)
        assert not app.exception, app.exception
        assert "for a free training slot" in page_text(app)
        assert app.session_state["run"].status == "completed"
        assert slots.running == held - 1  # the page's run gave its slot back
    finally:
        for _ in range(slots.running):
            slots.release()

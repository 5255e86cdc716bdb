"""The Playground page driven through Streamlit's AppTest: real CSV files, real checks, real (tiny) Keras runs."""

from __future__ import annotations

import base64
import io
import json
import math
import re
import zipfile

import numpy as np
import pytest
from appdriver import shown_record
from appdriver import train as train_run
from streamlit.testing.v1 import AppTest

# The default sample: 1,200 rows, 15 % validation and 15 % test → 840 / 180 / 180 rows; a 24-step window with
# horizon 1 needs 25 rows, so each part yields rows − 24 windows.
SAMPLE_WINDOWS = "Windows: 816 train · 156 validation · 156 test, each 24 steps × 1 feature(s)."
SECTIONS = ["1 · Data", "2 · Checks before training", "3 · Train"]


def text(markdown: str) -> str:
    """What the user reads: no bold markers, and no escapes (the page escapes markdown in file and column names)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def numbers(array) -> list[float]:
    """A plotly data array from the spec: a plain list, or plotly's typed array {"dtype", "bdata": base64}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def boxes(at: AppTest, kind: str) -> list[str]:
    """Boxes in the page itself; the sidebar repeats a one-line flag beside the settings (see sidebar_flags)."""
    return [text(box.value) for box in getattr(at.main, kind)]


def sidebar_flags(at: AppTest) -> list[str]:
    return [box.value for box in [*at.sidebar.error, *at.sidebar.warning]]


def charts(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def trace(spec: dict, name: str) -> dict:
    [found] = [t for t in spec["data"] if t.get("name") == name]
    return found


def fix_buttons(at: AppTest, code: str) -> list:
    return [b for b in at.button if b.key.startswith("fix-") and b.key.endswith(code)]


def status_line(at: AppTest) -> str:
    [line] = [text(m.value) for m in at.markdown if m.value.startswith("**Training")]
    return line


def settings(at: AppTest, **values) -> AppTest:
    for field, value in values.items():
        widget = at.selectbox(key=f"cfg.{field}") if isinstance(value, str) else at.number_input(key=f"cfg.{field}")
        widget.set_value(value)
    return at.run()


def train(at: AppTest) -> AppTest:
    assert not at.button(key="train").disabled, boxes(at, "error")
    return train_run(at)


def lstm_parameters(units: int, inputs: int = 1) -> int:
    """Weights of one LSTM layer (4 gates) and its 1-unit dense head."""
    return 4 * units * (inputs + units + 1) + units + 1


def model_parameters(at: AppTest) -> int:
    [label] = [e.label for e in at.expander if e.label.startswith("Model:")]
    return int(re.search(r"([\d,]+) parameters", label).group(1).replace(",", ""))


def test_opens_on_the_sample_with_no_problems(app):
    assert [s.value for s in app.subheader] == SECTIONS
    assert app.radio(key="source").value == "Built-in sample"
    assert app.selectbox(key="cfg.target").value == "value"
    assert boxes(app, "error") == [] and boxes(app, "warning") == []
    [success] = boxes(app, "success")
    assert success.startswith("No problems found.") and SAMPLE_WINDOWS in success
    assert "1,200 rows" in text(app.markdown[0].value)
    assert len(numbers(trace(charts(app)["Raw series"], "value")["y"])) == 1200
    assert not app.button(key="train").disabled


def test_upload_pick_target_and_train_two_epochs(app, upload):
    upload(app, "daily_sales.csv")
    assert not app.exception, app.exception
    assert "daily_sales.csv · 300 rows · time column: date" in text(app.markdown[0].value)
    target = app.selectbox(key="cfg.target")
    assert target.options == ["temperature", "sales"] and target.value == "sales"
    settings(app, target="temperature", epochs=2, units=4)
    assert numbers(trace(charts(app)["Raw series"], "temperature")["y"])[:2] == [13.22, 15.16]
    assert boxes(app, "error") == []

    train(app)

    assert [s.value for s in app.subheader] == [*SECTIONS, "4 · Results"]
    status = status_line(app)
    assert status.startswith("Training completed · ") and " 2 epoch(s) in " in status
    wrap_up = shown_record(app).wrap_up
    assert f" · results {sum(wrap_up.values()):.1f} s after the last epoch" in status, status
    loss = trace(charts(app)["Loss per epoch"], "train loss")
    assert numbers(loss["x"]) == [1, 2] and all(math.isfinite(v) for v in numbers(loss["y"]))
    assert shown_record(app).config.target == "temperature"

    shown = next(d.value for d in app.dataframe if d.value.index.name == "model")
    table = shown.replace("—", "nan").astype("float64")
    assert {"LSTM", "persistence"} <= set(table.index)
    assert list(table.columns) == ["MAE", "RMSE", "MASE", "sMAPE %", "MAPE %"]
    assert table.notna().all().all() and (table >= 0).all().all()
    [verdict] = [v for v in boxes(app, "success") + boxes(app, "warning") if "baseline" in v or "ETS beat" in v]
    assert f"{table.loc['LSTM', 'MAE']:.4g}" in verdict
    assert f"{table.drop(index='LSTM')['MAE'].min():.4g}" in verdict
    # Last, so the checks above still report when the results part further down raises.
    assert not app.exception, app.exception


def _workbook() -> bytes:
    """An Excel file saved under a .csv name: a zip archive, so binary from its first bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "code", "title"), [
    ("empty.csv", None, "DATA001", "empty.csv is empty"),
    ("sales_export.csv", _workbook(), "DATA002", "sales_export.csv is not a text CSV"),
    ("no_numbers.csv", None, "DATA003", "no_numbers.csv has no numeric column"),
], ids=["empty", "binary", "no-numeric-column"])
def test_bad_upload_is_explained_and_the_page_recovers(app, upload, name, content, code, title):
    upload(app, name, content)

    assert not app.exception, app.exception
    [error] = boxes(app, "error")
    assert error.startswith(f"{code} · {title}")
    assert [s.value for s in app.subheader] == ["1 · Data", "3 · Train"]
    assert app.button(key="train").disabled

    upload(app, "daily_sales.csv")
    assert boxes(app, "error") == [] and "2 · Checks before training" in [s.value for s in app.subheader]

    app.radio(key="source").set_value("Built-in sample").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="cfg.target").value == "value"
    assert any(SAMPLE_WINDOWS in s for s in boxes(app, "success"))
    assert not app.button(key="train").disabled


def test_missing_values_block_training_until_the_fix_is_applied(app, upload):
    upload(app, "daily_sales_gaps.csv")
    assert app.selectbox(key="cfg.missing").value == "none"
    assert "(4 in these columns)" in app.selectbox(key="cfg.missing").label
    [error] = boxes(app, "error")
    assert error.startswith("DATA006 · Missing values would reach the model") and "4 empty" in error
    assert app.button(key="train").disabled
    [fix] = fix_buttons(app, "DATA006")
    assert fix.label == "Apply fix: missing → interpolate"

    fix.click().run()

    assert not app.exception, app.exception
    assert app.session_state["cfg.missing"] == "interpolate"
    assert app.selectbox(key="cfg.missing").value == "interpolate"
    assert not any("DATA006" in e for e in boxes(app, "error"))
    assert fix_buttons(app, "DATA006") == []
    assert not app.button(key="train").disabled
    assert any(t.value.startswith("Fix applied: missing → interpolate") for t in app.toast)


def test_timesteps_too_large_for_the_split_and_its_fix(app):
    # 180 validation and test rows cannot hold a 200 + 1 row window.
    settings(app, timesteps=200)
    [error] = boxes(app, "error")
    assert error.startswith("DATA007 · Too few rows for the window") and "200 + 1 = 201 rows" in error
    assert [flag.split(":")[0] for flag in sidebar_flags(app)] == ["DATA007"]
    assert app.button(key="train").disabled
    [fix] = fix_buttons(app, "DATA007")
    assert fix.label == "Apply fix: timesteps → 89"

    fix.click().run()

    assert not app.exception, app.exception
    assert app.number_input(key="cfg.timesteps").value == 89
    assert boxes(app, "error") == []
    assert sidebar_flags(app) == []
    assert not app.button(key="train").disabled
    assert any("each 89 steps" in s for s in boxes(app, "success"))


def test_each_browser_session_keeps_its_own_run(new_app):
    first, second = new_app(), new_app()
    settings(first, epochs=2, units=4)
    settings(second, epochs=1, units=8)

    train(first)
    second.run()
    assert "4 · Results" not in [s.value for s in second.subheader]

    train(second)
    first.run()

    for at, epochs, units in ((first, 2, 4), (second, 1, 8)):
        assert not at.exception, at.exception
        assert f" {epochs} epoch(s) in " in status_line(at)
        assert numbers(trace(charts(at)["Loss per epoch"], "train loss")["x"]) == list(range(1, epochs + 1))
        assert model_parameters(at) == lstm_parameters(units)
        assert shown_record(at).config.units == units


def test_multi_step_forecast_on_the_auto_head_and_the_arch001_fix(app):
    # "Output units (0 = auto)": predicting steps 1…3 needs 3 output units, which auto should give.
    app.checkbox(key="cfg.multi_step").check()
    settings(app, horizon=3)
    assert boxes(app, "error") == []

    settings(app, output_units=1)
    [error] = boxes(app, "error")
    assert error.startswith("ARCH001 · Output layer has 1 units but each target is 3 wide")
    [fix] = fix_buttons(app, "ARCH001")

    fix.click().run()

    assert not app.exception, app.exception
    assert boxes(app, "error") == []
    assert not app.button(key="train").disabled


def test_pressing_train_again_during_a_run_keeps_the_first(app):
    """A second Train while a run trains starts (or queues) a second run; the first trains to its end too."""
    from lstm_core.jobs import wait_for
    from lstm_core.store import RunStore

    # The server's most epochs: it must still train when the second run has ended, however slow the machine (a loaded
    # one once finished 200 epochs while the second run waited for a worker).
    settings(app, epochs=1000, units=4)
    app.checkbox(key="cfg.early_stopping").set_value(False)
    app.button(key="train").click().run()
    first = app.session_state["shown_run"]
    settings(app, epochs=1)
    assert "another run" in app.button(key="train").help
    train(app)
    second = app.session_state["shown_run"]
    assert second != first and shown_record(app).config.epochs == 1
    store = RunStore()
    assert store.get(first).active, "the first run goes on"
    # The page says so where the Train button is, not only in its tooltip.
    assert any(store.get(first).name in box.value and "still training" in box.value for box in app.info), \
        [box.value for box in app.info]
    store.request_stop(first, "stopped by the test")
    assert wait_for(store, first, timeout=120) == "stopped_early"
    assert [r.key for r in store.list_runs(app.session_state["workspace_id"])] == [first, second]

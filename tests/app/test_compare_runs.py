"""Run history through the pages: two runs on the Compare page, "change one thing", deleting, and shared links."""

from __future__ import annotations

import json
from pathlib import Path

from appdriver import finish, shown_record
from streamlit.testing.v1 import AppTest

from lstm_core.runs import changed_settings
from lstm_core.store import RunStore

APP = Path(__file__).resolve().parents[2] / "app.py"

COMPARE = "pages/5_Compare_runs.py"


def history(at):
    return RunStore().list_runs(at.session_state["workspace_id"])


def without_workspace(params) -> dict:
    return {k: v for k, v in dict(params).items() if k != "ws"}


def runs_table(at):
    [table] = [d.value for d in at.dataframe if "run" in d.value.columns]
    return table


def overlay(at) -> dict:
    [spec] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return spec


def change(at, where: str, setting: str, value):
    if at.selectbox(key=f"change.{where}.setting").value != setting:
        at.selectbox(key=f"change.{where}.setting").set_value(setting).run()
    [field] = [w for w in [*at.number_input, *at.selectbox] if w.key and w.key.startswith(f"change.{where}.value.")]
    field.set_value(value).run()
    at.button(key=f"change.{where}.go").click().run()
    runs = history(at)
    return finish(at) if runs and runs[-1].active else at


def test_compare_page_explains_how_to_get_runs(app):
    app.switch_page(COMPARE).run()
    assert not app.exception, app.exception
    [info] = app.info
    assert info.value.startswith("No runs yet in this workspace. Train on the Playground")
    assert not app.get("plotly_chart")


def test_runs_compared_changed_one_thing_at_a_time_and_deleted(app):
    app.number_input(key="cfg.epochs").set_value(1)
    app.number_input(key="cfg.units").set_value(4).run()
    app.button(key="train").click().run()
    finish(app)

    change(app, "playground", "units", 8)

    assert not app.exception, app.exception
    first, second = history(app)
    assert changed_settings(first.config, second.config) == ["units"]
    assert (first.config.units, second.config.units) == (4, 8) and second.parent == first.id
    assert second.name == "#2 · units 8" and second.status == "completed" and second.epochs == 1

    app.switch_page(COMPARE).run()
    assert not app.exception, app.exception
    table = runs_table(app)
    assert list(table["run"]) == ["#1 · noisy_seasonal.csv", "#2 · units 8"]
    assert list(table["units"]) == [4, 8] and list(table["ticked"]) == [True, True]
    # Only the differing setting is listed between the run's own columns and its scores.
    assert list(table.columns[:7]) == ["ticked", "run", "data", "status", "epochs trained", "units", "best val loss"]
    assert table["test MAE"].notna().all() and table["vs baseline %"].notna().all()
    traces = overlay(app)["data"]
    assert [(t["name"], t["line"]["dash"]) for t in traces] == [
        ("#1 · noisy_seasonal.csv · train", "solid"), ("#1 · noisy_seasonal.csv · validation", "dash"),
        ("#2 · units 8 · train", "solid"), ("#2 · units 8 · validation", "dash")]
    assert traces[0]["line"]["color"] == traces[1]["line"]["color"] != traces[2]["line"]["color"]
    assert "type" not in overlay(app)["layout"].get("yaxis", {})
    app.checkbox(key="compare.log").check().run()
    assert overlay(app)["layout"]["yaxis"]["type"] == "log"

    # From the Compare page: the run goes back to the Playground, trains, and both show here again.
    app.selectbox(key="compare.base").set_value(2).run()
    change(app, "compare", "learning_rate", 0.01)
    assert not app.exception, app.exception
    third = history(app)[-1]
    assert changed_settings(second.config, third.config) == ["learning_rate"] and third.parent == 2
    assert shown_record(app).config == third.config

    app.switch_page(COMPARE).run()
    app.multiselect(key="compare.picked").set_value([1]).run()
    app.button(key="compare.delete").click().run()
    assert not app.exception, app.exception
    assert [r.name for r in history(app)] == ["#2 · units 8", "#3 · learning_rate 0.01"]
    assert list(runs_table(app)["run"]) == ["#2 · units 8", "#3 · learning_rate 0.01"]
    assert not RunStore().run_dir(first.key).exists(), "a deleted run's files go with it"

    # Other data loaded since: "change one thing" says so and starts nothing.
    app.switch_page("app.py").run()
    app.selectbox(key="sample").set_value("monthly_sales").run()
    app.switch_page(COMPARE).run()
    change(app, "compare", "units", 16)
    assert not app.exception, app.exception
    assert len(history(app)) == 2
    [warning] = [w.value for w in app.warning]
    assert "trained on noisy_seasonal.csv, which is not the data loaded in the Playground now" in warning


def test_a_link_opens_with_its_settings_and_its_sample():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"sample": "monthly_sales", "target": "sales", "season": "12", "difference": "true",
                            "units": "64", "learning_rate": "0.01", "bidirectional": "true"})
    at.run()

    assert not at.exception, at.exception
    assert at.selectbox(key="sample").value == "monthly_sales"
    assert at.number_input(key="cfg.units").value == 64 and at.number_input(key="cfg.learning_rate").value == 0.01
    assert at.checkbox(key="cfg.bidirectional").value and at.checkbox(key="cfg.difference").value
    assert not [w for w in at.warning if "link" in w.value]
    [code] = at.code
    assert code.value.endswith("?sample=monthly_sales&target=sales&difference=true&units=64&bidirectional=true"
                               "&learning_rate=0.01&season=12")

    at.number_input(key="cfg.epochs").set_value(3).run()
    assert at.query_params["epochs"] == "3" and at.query_params["units"] == "64" and len(at.query_params["ws"]) >= 22


def test_a_bad_link_warns_and_keeps_what_it_can():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"sample": "noisy_seasonal", "target": "nope", "units": "5000", "colour": "red",
                            "layers": "2", "dropout": "lots"})
    at.run()

    assert not at.exception, at.exception
    [warning] = [w.value.replace("\\", "") for w in at.warning]
    assert warning.startswith("Some of this link's settings could not be used and were ignored")
    for problem in ("colour: not a setting", "units = 5000 is outside [1, 1024]", "dropout: cannot read 'lots'",
                    "the sample 'noisy_seasonal' has no column 'nope'"):
        assert problem in warning
    assert at.number_input(key="cfg.layers").value == 2 and at.number_input(key="cfg.units").value == 32
    assert at.selectbox(key="cfg.target").value == "value"
    assert not at.button(key="train").disabled
    # The address bar now holds the setup actually loaded; the warning goes once the user changes it.
    assert without_workspace(at.query_params) == {"sample": "noisy_seasonal", "target": "value", "layers": "2"}
    at.number_input(key="cfg.units").set_value(16).run()
    assert not [w for w in at.warning if "link" in w.value] and at.query_params["units"] == "16"


def test_a_link_made_on_an_upload_asks_for_the_file_and_keeps_its_columns(upload):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"target": "temperature", "units": "8"})
    at.run()
    assert at.radio(key="source").value == "Upload a CSV"
    assert without_workspace(at.query_params) == {"target": "temperature", "units": "8"}

    upload(at, "daily_sales.csv")

    assert not at.exception, at.exception
    # The file's own guess would be "sales", its last numeric column: the link's choice wins.
    assert at.selectbox(key="cfg.target").value == "temperature"
    assert at.number_input(key="cfg.units").value == 8

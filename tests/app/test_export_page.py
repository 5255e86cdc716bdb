"""The Playground's range test, export buttons and settings file, driven through AppTest with tiny real models."""

from __future__ import annotations

import json

import pytest
from appdriver import train
from streamlit.testing.v1 import AppTest

from lstm_core.config import RunConfig
from lstm_core.store import RunStore

EXPORTED = ["model.keras", "config.json", "history.csv", "metrics.json", "train_script.py", "all (lstm_run.zip)"]


def charts(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def small(at: AppTest, **values) -> AppTest:
    for field, value in {"units": 8, **values}.items():
        at.number_input(key=f"cfg.{field}").set_value(value)
    return at.run()


def load_settings(at: AppTest, content: bytes, name: str = "config.json") -> AppTest:
    return at.file_uploader(key="settings_file").set_value((name, content, "application/json")).run()


def test_find_a_learning_rate_and_use_it(app):
    at = small(app)
    at.button(key="lr_find").click().run()
    assert not at.exception, at.exception
    spec = charts(at)["Loss vs learning rate"]
    assert spec["layout"]["xaxis"]["type"] == "log"
    assert {t["name"] for t in spec["data"]} == {"loss per batch", "smoothed"}
    suggestion = at.session_state["lr_test"]["test"].suggested_lr
    assert suggestion is not None
    # The suggestion is marked on the chart, and one click puts it in the sidebar's learning rate.
    assert any(shape["x0"] == suggestion for shape in spec["layout"]["shapes"])
    assert at.number_input(key="cfg.learning_rate").value == pytest.approx(0.001)
    at.button(key="lr_use").click().run()
    assert at.number_input(key="cfg.learning_rate").value == pytest.approx(suggestion)
    assert at.button(key="lr_use").disabled  # the rate in use is the suggestion now


def test_download_buttons_after_training(app):
    at = small(app, epochs=2)
    train(at)
    labels = [button.label for button in at.get("download_button")]
    assert labels == EXPORTED
    store, run_id = RunStore(), at.session_state["shown_run"]
    files = {name: store.artifact(run_id, name) for name in EXPORTED if name in store.artifact_names(run_id)}
    assert list(files) == EXPORTED[:-1]
    saved = RunConfig.from_json(files["config.json"].decode())
    assert (saved.units, saved.epochs, saved.target) == (8, 2, "value")
    assert files["history.csv"].decode().splitlines()[0] == "epoch,loss,val_loss,seconds"
    assert "mae" in json.loads(files["metrics.json"])["model"]


def test_a_good_settings_file_sets_the_widgets(app):
    content = json.dumps({"units": 12, "learning_rate": 0.005, "timesteps": 20, "target": "sales"}).encode()
    at = load_settings(app, content)
    assert not at.exception, at.exception
    assert at.number_input(key="cfg.units").value == 12
    assert at.number_input(key="cfg.timesteps").value == 20
    assert at.number_input(key="cfg.learning_rate").value == pytest.approx(0.005)
    [message] = [box.value for box in at.sidebar.success]
    assert message.startswith("Loaded 3 settings from config.json")
    assert "target 'sales'" in message  # not a column of the sample: the target stays "value"
    assert at.selectbox(key="cfg.target").value == "value"


@pytest.mark.parametrize(("content", "said"), [
    (b"units = 12", "not valid JSON"),
    (b'{"name": "my-app", "version": "1.0.0"}', "another tool"),
    (b'{"units": 12, "unitz": 3}', "unknown setting(s): unitz"),
    (b'{"units": 5000}', "units = 5000 is outside [1, 1024]"),
])
def test_a_bad_settings_file_changes_nothing_and_says_why(app, content, said):
    at = load_settings(app, content)
    assert not at.exception, at.exception
    [message] = [box.value for box in at.sidebar.error]
    assert "config.json was not loaded, nothing changed" in message and said in message
    assert at.number_input(key="cfg.units").value == RunConfig().units

"""The Playground's "Try several values": the Error lab's learning-rate sweep trained for real in the job engine's
workers (four values, eight epochs of a 16-unit LSTM on the machine runs), its view read back from the store; and
refused grids that train nothing."""

from __future__ import annotations

import json
import time

import pytest
from appdriver import open_from_lab
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, RUN_TIMEOUT

SWEEP_TIMEOUT = 300
KEY = "playground.sweep."


def open_lab_sweep(new_app) -> AppTest:
    return open_from_lab(new_app(), "open-sweep-lr_sweep")


def wait_for_sweep(sweep_id: str):
    from lstm_core.store import RunStore
    from lstm_core.sweeps.state import sweep_state

    deadline = time.monotonic() + SWEEP_TIMEOUT
    while time.monotonic() < deadline:
        state = sweep_state(RunStore(), sweep_id)
        if not state.active:
            return state
        time.sleep(1.0)
    pytest.fail(f"sweep {sweep_id} did not end in {SWEEP_TIMEOUT} s")


def chart(at: AppTest, title: str) -> dict:
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if title in str(spec["layout"].get("title", {}).get("text", "")):
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def boxes(at: AppTest) -> list[str]:
    """The boxes' text as a user reads it (the page escapes markdown characters)."""
    return [box.value.replace("\\", "") for box in (*at.error, *at.warning, *at.info, *at.success)]


def test_a_learning_rate_sweep_shows_every_curve_flags_the_bad_rates_and_hands_over_the_best(new_app):
    at = open_lab_sweep(new_app)
    assert at.selectbox(key="sample").value == "machine_faults"
    assert at.selectbox(key=KEY + "setting1").value == "learning_rate"
    assert at.text_input(key=KEY + "values1").value == "1e-4, 1e-3, 1e-2, 1, 10"
    # The swept setting's own box does not matter to the sweep; the best run's value replaces it below.
    at.number_input(key="cfg.learning_rate").set_value(0.002).run()
    at.text_input(key=KEY + "values1").set_value("1e-4, 1e-2, 1, 10").run()
    assert any("**4 runs**" in m.value and "learning rate 1e-4, 0.01, 1, 10" in m.value for m in at.markdown)
    assert any("seed 42" in c.value and "differ only in the swept" in c.value for c in at.caption)
    start = at.button(key=KEY + "start")
    assert start.label == "Start sweep (4 runs)" and not start.disabled
    start.click().run()
    assert not at.exception, at.exception
    sweep_id = at.session_state["sweep_shown"]["playground"]
    state = wait_for_sweep(sweep_id)
    at.run()
    assert not at.exception, at.exception

    curves = chart(at, "Validation loss per epoch")
    lines = [trace for trace in curves["data"] if trace["mode"] == "lines+markers"]
    assert [line["name"].split(" · ")[0] for line in lines] == ["1e-4", "0.01", "1", "10"]
    assert all(len(line["x"]) >= 2 for line in lines)
    assert len({line["line"]["color"] for line in lines}) == 4, "each value its own colour"
    assert curves["layout"]["yaxis"]["type"] == "log"
    # Ticks labelled in full across the span of the curves: from the healthy run's (below 1) to the diverged run's
    # (above 2; how far above differs between runs, so the top tick is read off the curves).
    values = [y for line in lines for y in line["y"] if y]
    low, high = min(values), max(values)
    ticks, labels = curves["layout"]["yaxis"]["tickvals"], curves["layout"]["yaxis"]["ticktext"]
    assert low < 0.5 and high > 2, (low, high)
    assert {"0.5", "1", "2"} <= set(labels), labels
    assert len(ticks) >= 3 and all(low / 1.05 <= tick <= high * 1.05 for tick in ticks), (ticks, low, high)
    assert [float(label) for label in labels] == pytest.approx(ticks), "each label the tick's number, in full"
    flagged = {trace["name"].split(" · ")[0]: set(trace["text"]) for trace in curves["data"]
               if trace["mode"] == "markers+text"}
    assert "TRAIN103" in flagged["1e-4"], flagged
    assert "TRAIN102" in flagged["1"] and "TRAIN102" in flagged["10"], flagged
    assert "0.01" not in flagged

    summary = next(text for text in boxes(at) if "best:" in text)
    assert "≥ 1 diverged (TRAIN102)" in summary and "1e-4 stalled (TRAIN103)" in summary, summary
    assert "best: 0.01, validation loss" in summary, summary
    assert state.best is not None and state.best.values == {"learning_rate": 0.01}

    table = next(frame.value for frame in at.dataframe if "findings" in frame.value.columns)
    assert table["learning rate"].iloc[0] == "0.01" and list(table[""]) == ["★", "", "", ""]
    assert list(table["status"]) == ["healthy", "stalled", "diverged", "diverged"], "diverged runs rank last"
    by_rate = {row["learning rate"]: row for _, row in table.iterrows()}
    assert by_rate["1e-4"]["status"] == "stalled" and "TRAIN103" in by_rate["1e-4"]["findings"]
    assert by_rate["10"]["status"] == "diverged" and "TRAIN102" in by_rate["10"]["findings"]
    against = next(column for column in table.columns if column.startswith("test accuracy vs "))
    assert by_rate["0.01"][against].endswith("✓"), "the healthy run beats the majority class"
    parallel = chart(at, "Settings → score")
    assert parallel["data"][0]["type"] == "parcoords"
    labels = [d["label"] for d in parallel["data"][0]["dimensions"]]
    # The score's axis goes logarithmic when the best losses span a decade (how far the diverged runs climb before
    # they stop differs between machines).
    scores = [run.best_val_loss for run in state.runs if run.best_val_loss]
    from ui.sweep_charts import LOG_SPAN

    wide = max(scores) / min(scores) >= LOG_SPAN
    assert labels == ["learning rate (log)", "best validation loss" + (" (log)" if wide else "")], scores
    assert len(parallel["data"][0]["line"]["color"]) == 4

    at.toggle(key=f"{KEY}log.{sweep_id}").set_value(False).run()
    assert chart(at, "Validation loss per epoch")["layout"]["yaxis"].get("type") != "log"

    assert at.number_input(key="cfg.learning_rate").value == 0.002
    assert at.button(key=f"{KEY}best.{sweep_id}").label == "Use the best settings (learning rate 0.01)"
    at.button(key=f"{KEY}best.{sweep_id}").click().run()
    assert not at.exception, at.exception
    assert at.number_input(key="cfg.learning_rate").value == 0.01
    assert at.number_input(key="cfg.epochs").value == 8, "only the swept setting changes"

    # A reload: a new session on the same workspace finds the sweep again, and the single-run view ignores its runs.
    again = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    again.query_params["ws"] = at.query_params["ws"][0] if isinstance(at.query_params["ws"], list) \
        else at.query_params["ws"]
    again.run()
    assert not again.exception, again.exception
    assert any("best: 0.01" in text for text in boxes(again))
    assert len([t for t in chart(again, "Validation loss per epoch")["data"] if t["mode"] == "lines+markers"]) == 4
    assert not any(m.value.startswith("**Change one thing**") for m in again.markdown), "a sweep run is no single run"


@pytest.mark.parametrize(("values", "code", "words"), [
    ("1e-5..10:17", "SWEEP007", "LSTM_PLAYGROUND_MAX_SWEEP_RUNS"),
    ("1e-3, 0.001, 1e-2", "SWEEP003", "twice"),
    ("1e-3, -1", "SWEEP002", "learning_rate = -1"),
])
def test_a_refused_grid_shows_its_finding_in_place_and_trains_nothing(new_app, values, code, words):
    from lstm_core.store import RunStore

    at = new_app()
    at.text_input(key=KEY + "values1").set_value(values).run()
    assert not at.exception, at.exception
    refused = [box.value.replace("\\", "") for box in at.error if box.value.startswith(f"**{code}**")]
    assert refused and words in refused[0], [box.value for box in at.error]
    assert at.button(key=KEY + "start").disabled
    assert at.button(key=KEY + "start").label == "Start sweep"
    workspace = at.session_state["workspace_id"]
    assert RunStore().list_sweeps(workspace) == [] and RunStore().list_runs(workspace) == []


@pytest.mark.parametrize(("page", "where", "offered"), [
    ("pages/3_Text_generation.py", "lm", {"learning rate", "units", "timesteps", "batch size"}),
    ("pages/4_Text_classification.py", "text_page", {"learning rate", "units", "patience", "batch size"}),
])
def test_the_text_pages_offer_their_own_settings_and_count_the_runs(new_app, page, where, offered):
    at = new_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    choices = set(at.selectbox(key=f"{where}.sweep.setting1").options)  # as the user reads them
    assert offered <= choices and "activation" not in choices, choices
    at.text_input(key=f"{where}.sweep.values1").set_value("1e-3..1e-1:3").run()
    assert any("**3 runs**" in m.value and "learning rate 1e-3, 0.01, 0.1" in m.value for m in at.markdown)
    assert at.button(key=f"{where}.sweep.start").label == "Start sweep (3 runs)"
    at.selectbox(key=f"{where}.sweep.setting2").set_value("units").run()
    assert at.text_input(key=f"{where}.sweep.values2").value == "8, 16, 32, 64"
    at.text_input(key=f"{where}.sweep.values2").set_value("8, 16, 32, 64, 128, 256").run()
    refused = [box.value for box in at.error if box.value.startswith("**SWEEP007**")]
    assert refused and "18 runs" in refused[0]
    assert at.button(key=f"{where}.sweep.start").disabled


def test_stop_sweep_cancels_the_queued_run_and_stops_the_training_ones(new_app):
    from lstm_core.store import RunStore

    at = new_app()
    # The server's most epochs: no run can end on its own while the second worker starts (a loaded machine once
    # trained all 200 of the first run's epochs before the second run's first, and the third run took its place).
    at.number_input(key="cfg.epochs").set_value(1000).run()
    at.checkbox(key="cfg.early_stopping").uncheck().run()
    at.selectbox(key=KEY + "setting1").set_value("units").run()
    at.text_input(key=KEY + "values1").set_value("4, 6, 8").run()
    at.button(key=KEY + "start").click().run()
    sweep_id = at.session_state["sweep_shown"]["playground"]
    store = RunStore()
    ids = [run["id"] for run in store.sweep(sweep_id)["runs"]]
    deadline = time.monotonic() + 120
    while not all((store.get(i).epochs or 0) >= 1 for i in ids[:2]):
        assert time.monotonic() < deadline, "two runs did not start training"
        time.sleep(0.5)
    at.run()
    assert store.get(ids[2]).status == "queued", "the pool trains two runs at a time"
    assert "runs finished" in next(text for text in boxes(at) if "no run has finished yet" in text)
    at.button(key=f"{KEY}stop.{sweep_id}").click().run()
    assert not at.exception, at.exception
    state = wait_for_sweep(sweep_id)
    assert [run.status for run in state.runs] == ["stopped_early", "stopped_early", "cancelled"]
    assert all(run.epochs < 1000 for run in state.runs)
    at.run()
    assert any(text.endswith("(the sweep was stopped)") for text in boxes(at)), boxes(at)
    table = next(frame.value for frame in at.dataframe if "findings" in frame.value.columns)
    assert sorted(table["status"]) == ["cancelled", "stopped early", "stopped early"]
    assert not [b for b in at.button if b.key == f"{KEY}stop.{sweep_id}"], "no Stop button once the sweep ended"


def test_a_text_classification_sweep_trains_and_hands_its_best_rate_to_the_page(new_app):
    at = new_app()
    at.switch_page("pages/4_Text_classification.py").run()
    at.number_input(key="text.epochs").set_value(2).run()
    at.text_input(key="text_page.sweep.values1").set_value("1e-4, 1e-2").run()
    at.button(key="text_page.sweep.start").click().run()
    assert not at.exception, at.exception
    sweep_id = at.session_state["sweep_shown"]["text_page"]
    state = wait_for_sweep(sweep_id)
    assert [run.status for run in state.runs] == ["completed", "completed"], [r.reason for r in state.runs]
    at.run()
    lines = [t for t in chart(at, "Validation loss per epoch")["data"] if t["mode"] == "lines+markers"]
    assert [line["name"].split(" · ")[0] for line in lines] == ["1e-4", "0.01"]
    assert all(len(line["x"]) == 2 for line in lines)
    best = state.best.values["learning_rate"]
    at.button(key=f"text_page.sweep.best.{sweep_id}").click().run()
    assert at.number_input(key="text.learning_rate").value == best
    # The page's single-run view leaves the sweep's runs to the sweep: no single run's results drawn for them.
    assert "4 · Results" not in [header.value for header in at.subheader]

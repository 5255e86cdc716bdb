"""The forecast's intervals and backtest on the Playground page: the fan, the coverage sentence, the fold table."""

from __future__ import annotations

import json
import re
import time

from appdriver import RUN_TIMEOUT, finish, shown_record
from appdriver import train as train_run
from streamlit.testing.v1 import AppTest


def charts(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def band(spec: dict, name: str) -> dict:
    [found] = [t for t in spec["data"] if t.get("name") == name and t.get("fill") == "tonexty"]
    return found


def coverage_line(at: AppTest) -> str:
    [line] = [m.value for m in at.markdown if "interval covered" in m.value]
    return line


def test_intervals_fan_coverage_and_a_backtest_through_the_page(app):
    for field, value in {"epochs": 2, "units": 4}.items():
        app.number_input(key=f"cfg.{field}").set_value(value)
    train_run(app.run())
    record = shown_record(app)
    # Before a backtest, the verdict on top is the test part's alone.
    assert not any(box.value.startswith("Over the folds") for box in [*app.success, *app.warning])

    # The coverage sentence at the default level, and the test part's shaded band at that level.
    line = coverage_line(app)
    match = re.fullmatch(r"80 % interval covered (\d+) % of test points \(±([\d.e+-]+) in the target's units, "
                         r"from 156 validation errors\)\.", line)
    assert match, line
    specs = charts(app)
    assert band(specs["Test part: predicted vs actual (original units)"], "80 % interval")
    # The forecast past the end carries the fan: per-step widths that are not all the same.
    fan = band(specs["Forecast past the end of the data"], "80 % interval")
    assert fan["x"] and len(set(map(str, fan["y"]))) > 1

    # A 95 % interval is wider: it covers at least as many test points.
    app.radio(key="interval_level").set_value(95).run()
    wider = re.search(r"covered (\d+) %", coverage_line(app))
    assert coverage_line(app).startswith("95 % interval covered")
    assert int(wider.group(1)) >= int(match.group(1))

    # The backtest: its cost stated before it starts, one fold (cheap), then the fold table with its mean rows.
    app.number_input(key="backtest_folds").set_value(1).run()
    assert any(c.value.startswith("1 more training, about ") for c in app.caption)
    app.button(key="backtest_run").click().run()
    assert not app.exception, app.exception
    from lstm_core.jobs import wait_for
    from lstm_core.store import RunStore

    store = RunStore()
    [batch] = store.events(record.key, "backtest")
    assert wait_for(store, batch["runs"][0], timeout=RUN_TIMEOUT) == "completed"
    app.run()
    assert not app.exception, app.exception
    [table] = [d.value for d in app.dataframe if "fold" in d.value.columns]
    assert list(table.columns) == ["fold", "model", "MAE", "RMSE", "MASE", "sMAPE %"]
    assert set(table["fold"]) == {"1", "mean"}
    assert {"LSTM", "persistence", "seasonal naive", "ETS"} <= set(table["model"])
    # Drawn as text: a number, or "—" with its reason below; never "None".
    assert (table["MASE"].astype(float) > 0).all() and "None" not in table.to_string()
    # The verdict on top is now the folds', the one test slice's after it; the backtest's own box below.
    verdicts = [box.value for box in [*app.success, *app.warning] if box.value.startswith("Over the folds")]
    assert len(verdicts) == 2 and verdicts[0].endswith(f"On the test part alone: {record.verdict}"), verdicts
    assert verdicts[1] == verdicts[0].split(" On the test part alone: ")[0]
    assert "Backtest: each fold's test part" in charts(app)
    # The page still shows the run that was backtested, not its fold.
    assert shown_record(app).key == record.key


def wait_until(condition) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_backtest_shows_its_progress_and_stops_scoring_no_half_trained_fold(app):
    from lstm_core.jobs import engine
    from lstm_core.store import RunStore

    # As many epochs as a run may have: no fold can end on its own while the test watches the first (with 60, a warm
    # worker finished two folds while a cold one still compiled the first).
    for field, value in {"epochs": 1000, "units": 4}.items():
        app.number_input(key=f"cfg.{field}").set_value(value)
    app.checkbox(key="cfg.early_stopping").set_value(False)
    # The run itself is stopped after two epochs (it keeps its results); its folds would train 1000 epochs each.
    app.run().button(key="train").click().run()
    store = RunStore()
    run_id = app.session_state["shown_run"]
    wait_until(lambda: store.get(run_id).epochs >= 2)
    engine().stop(run_id)
    finish(app)
    record = shown_record(app)
    app.number_input(key="backtest_folds").set_value(3).run()
    app.button(key="backtest_run").click().run()
    [batch] = store.events(record.key, "backtest")
    wait_until(lambda: store.get(batch["runs"][0]).epochs >= 2)
    app.run()
    assert not app.exception, app.exception
    [bar] = [p for p in app.get("progress") if "Backtest:" in p.proto.text]
    assert re.match(r"Backtest: 0 of 3 folds done · Run #\d+ · epoch \d+/1000 · ", bar.proto.text), bar.proto.text
    assert app.button(key="backtest_stop") and not [b for b in app.button if b.key == "backtest_run"]

    app.button(key="backtest_stop").click().run()
    assert not app.exception, app.exception
    wait_until(lambda: not any(store.get(r).active for r in batch["runs"]))
    statuses = [store.get(r).status for r in batch["runs"]]
    assert statuses[0] == "stopped_early" and set(statuses[1:]) <= {"cancelled", "stopped_early"}, statuses
    assert "backtest stopped by you" in store.get(batch["runs"][0]).reason
    app.run()
    assert not app.exception, app.exception
    # A fold stopped half-way is not scored (its model is half-trained): no fold finished, so there is no table and
    # no fold verdict on top, and the backtest can be run again.
    assert not [d for d in app.dataframe if "fold" in d.value.columns]
    assert any(w.value == "No fold of the last backtest finished, so there are no scores." for w in app.warning)
    assert not any(box.value.startswith("Over the folds") for box in [*app.success, *app.warning])
    assert not app.button(key="backtest_run").disabled

"""The forecast's intervals and backtest on the Playground page: the fan, the coverage sentence, the fold table."""

from __future__ import annotations

import json
import re

from appdriver import RUN_TIMEOUT, shown_record
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
    assert any(box.value.startswith("Over the folds") for box in [*app.success, *app.warning])
    assert "Backtest: each fold's test part" in charts(app)
    # The page still shows the run that was backtested, not its fold.
    assert shown_record(app).key == record.key

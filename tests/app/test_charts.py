"""The figures the pages draw, checked on their plotly specs: whole epochs on the loss chart's axis, marker labels
that never sit on each other."""

from __future__ import annotations

import json

from ui.charts import loss_chart


def spec(figure) -> dict:
    return json.loads(figure.to_json())


def labels(layout: dict) -> dict[str, tuple[float, float]]:
    return {a["text"]: (a["x"], a["y"]) for a in layout.get("annotations", [])}


def test_a_run_that_diverges_at_epoch_1_has_one_tick_and_two_separate_labels():
    layout = spec(loss_chart({"loss": [2.6e9], "val_loss": [3.1e9]}, markers=[{"epoch": 1, "code": "TRAIN102"}],
                             best_epoch=1))["layout"]
    axis = layout["xaxis"]
    assert axis["range"] == [0.5, 1.5] and axis["tick0"] == 1 and axis["dtick"] == 1 and axis["tickformat"] == "d"
    shown = labels(layout)
    assert set(shown) == {"TRAIN102", "best"}
    (x1, y1), (x2, y2) = shown["TRAIN102"], shown["best"]
    assert x1 == x2 == 1 and abs(y1 - y2) >= 0.08  # stacked, one row apart: "TRAIN102best" no more


def test_labels_far_apart_share_the_top_row_and_long_runs_get_whole_epoch_ticks():
    layout = spec(loss_chart({"loss": [1.0 / (e + 1) for e in range(200)]},
                             markers=[{"epoch": 3, "code": "TRAIN104"}, {"epoch": 5, "code": "TRAIN105"}],
                             best_epoch=150))["layout"]
    shown = labels(layout)
    assert shown["TRAIN104"][1] == shown["best"][1] == 1 and shown["TRAIN105"][1] < 1
    assert layout["xaxis"]["dtick"] == 20 and layout["xaxis"]["range"] == [0.5, 200.5]


def test_the_live_chart_spans_the_epochs_planned():
    layout = spec(loss_chart({"loss": [0.5, 0.4]}, epochs=30))["layout"]
    assert layout["xaxis"]["range"] == [0.5, 30.5] and layout["xaxis"]["dtick"] == 5


def test_the_live_view_reads_the_time_left_from_the_stored_progress():
    """What decides whether the live view watches a run's last second closely (ui/live.py)."""
    import math

    from lstm_core.config import RunConfig
    from lstm_core.runs import RunRecord
    from ui.live import progress_of, seconds_left

    record = RunRecord(id=4, name="#4", config=RunConfig(), data_id="d", data_name="d.csv", status="running",
                       planned_epochs=10, steps=20, started=0.0)
    assert math.isinf(seconds_left(record)) and progress_of(record)[0] == 0.0, "nothing done: no estimate"
    record.progress = {"epoch": 6, "step": 10, "elapsed": 5.5}  # half of epoch 6: 5.5 of 10 epochs in 5.5 s
    assert seconds_left(record) == 4.5
    done, text = progress_of(record)
    assert done == 0.55 and text == "Run #4 · epoch 6/10 · 6 s · about 4 s left"

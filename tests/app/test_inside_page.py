"""Inside the LSTM on the pages, through AppTest: closed it computes nothing; opened it draws the gates of the worst
test window (or a passage), the saturation table, the layer picker and, for text, the units and the coloured text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from appdriver import open_from_lab, train
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"
# Quotes, digits, spaces and line breaks, so that every class of characters has units to rank.
STORY = "".join(f'The {animal} said "I have {n} eggs" on day {n * 7 % 31}.\n'
                for n, animal in enumerate(["fox", "hen", "owl", "cat"] * 40))
HEATMAPS = {"input gate i", "forget gate f", "output gate o", "cell state c", "hidden state h"}


def charts(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs if "title" in spec["layout"]}


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_playground_section_opens_on_the_worst_window_and_follows_the_pickers():
    tensorflow_before = "tensorflow" in sys.modules
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    for field, value in (("units", 5), ("epochs", 2), ("layers", 2), ("timesteps", 12)):
        at.number_input(key=f"cfg.{field}").set_value(value)
    at.run()
    train(at)
    toggle = at.toggle(key="inside_open")
    assert toggle.value is False and "Inside the LSTM" not in charts(at)
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    figure = charts(at)["Inside the LSTM"]
    heatmaps = [t for t in figure["data"] if t["type"] == "heatmap"]
    assert {t["name"] for t in heatmaps} == HEATMAPS
    assert len(heatmaps[0]["z"]) == 5 and len(heatmaps[0]["z"][0]) == 12  # units × steps
    assert [t["type"] for t in figure["data"]].count("bar") == 1  # the occlusion under the window
    assert "(the largest)" in captions(at) and "Occlusion" in captions(at)
    table = at.dataframe[-1].value if at.dataframe else None
    [saturation] = [d.value for d in at.dataframe if "reference" in d.value.columns]
    assert list(saturation[""]) == ["input gate", "forget gate", "output gate", "tanh(cell)"]
    assert table is not None
    # What the reference is, in words: this healthy run itself, or the same setup trained at Adam's default rate.
    assert ("Reference: this run itself" in captions(at)
            or "Reference: the same setup trained at learning rate 0.001 for 2 epochs." in captions(at)), captions(at)
    # The second layer, then window 0 by its index.
    at.selectbox(key="inside_layer").set_value(1).run()
    at.radio(key="inside_pick").set_value("a test window by its index").run()
    assert not at.exception, at.exception
    assert "Test window 0 of" in captions(at)
    # Ordered by activity, the top unit of the hidden-state heatmap is the most active one.
    at.radio(key="inside_order").set_value("activity").run()
    hidden = next(t for t in charts(at)["Inside the LSTM"]["data"] if t.get("name") == "hidden state h")
    activity = np.nanmean(np.abs(np.array(hidden["z"], dtype=float)), axis=1)
    assert activity[0] == activity.max()
    assert ("tensorflow" in sys.modules) == tensorflow_before  # the helper process did the work


def test_the_text_page_colours_a_passage_by_a_unit_and_ranks_units():
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.switch_page("pages/3_Text_generation.py").run()
    at.radio(key="lm_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="lm_upload").set_value(("story.txt", STORY.encode(), "text/plain")).run()
    for field, value in (("timesteps", 12), ("units", 6), ("epochs", 1), ("sample_length", 20)):
        at.number_input(key=f"cfg.lm.{field}").set_value(value)
    at.run()
    train(at, key="lm_train", shown_key="lm_shown_run")
    at.toggle(key="lm_inside_open").set_value(True).run()
    assert not at.exception, at.exception
    assert "The passage coloured by unit" in " ".join(charts(at))
    passage = 'The owl said "I have 7 eggs" on day 3.\nThe cat said "I have 12 eggs" on day 8.\nThe hen.\nThe fox'
    at.text_area(key="lm_inside_passage").set_value(passage).run()
    assert not at.exception, at.exception
    [ranked] = [d.value for d in at.dataframe if "effect" in d.value.columns]
    assert {"spaces", "quotes", "digits", "line breaks"} <= set(ranked["characters"])
    figure = charts(at)["Inside the LSTM"]
    assert len(figure["data"][0]["x"]) == len(passage)
    at.number_input(key="lm_inside_unit").set_value(2).run()
    [text] = [spec for title, spec in charts(at).items() if title.startswith("The passage coloured by unit 2")]
    cells = [c for row in text["data"][0]["text"] for c in row if c]
    assert "".join(cells).replace("↵", "\n").replace("␣", " ") == passage


def test_the_error_labs_learning_rate_scenario_opens_the_section_on_its_trained_run():
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    open_from_lab(at, "open-lr_too_high")
    for field, value in (("units", 8), ("epochs", 3)):
        at.number_input(key=f"cfg.{field}").set_value(value)
    at.run()
    train(at)
    assert not at.exception, at.exception
    # Open without a click, whatever became of the run (a learning rate of 10 may end it as diverged).
    assert at.toggle(key="inside_open").value is True
    [saturation] = [d.value for d in at.dataframe if "reference" in d.value.columns]
    percent = {row[""]: (float(row["saturated"].rstrip("%")), float(row["reference"].rstrip("%")))
               for _, row in saturation.iterrows()}
    gates = [percent[g] for g in ("input gate", "forget gate", "output gate")]
    assert max(after for after, _ in gates) > 50 and max(reference for _, reference in gates) < 5, percent
    # The reference is a healthy run: the same setup at Adam's default rate, trained in the helper for its 3 epochs.
    assert "Reference: the same setup trained at learning rate 0.001 for 3 epochs." in captions(at), captions(at)
    story = " ".join(box.value for box in at.warning)
    assert "The same setup trained at learning rate 0.001 is not saturated" in story
    assert "learning rate of 10 pushed" in story


def test_a_classification_run_opens_the_section_on_its_least_confident_window():
    """The shapes sample on the Playground: a sequence classifier, its worst test sequence inside."""
    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    at.selectbox(key="sample").set_value("shapes").run()
    assert at.radio(key="cfg.task").value == "classify-sequences"
    for field, value in (("units", 4), ("epochs", 2)):
        at.number_input(key=f"cfg.{field}").set_value(value)
    at.run()
    train(at)
    toggle = at.toggle(key="inside_open")
    assert toggle.value is False and "Inside the LSTM" not in charts(at)
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    figure = charts(at)["Inside the LSTM"]
    heatmaps = [t for t in figure["data"] if t["type"] == "heatmap"]
    assert {t["name"] for t in heatmaps} == HEATMAPS
    assert len(heatmaps[0]["z"]) == 4  # one row a unit
    assert [t["type"] for t in figure["data"]].count("bar") == 1  # the occlusion under the sequence
    assert "1 − probability of the true class" in captions(at) and "(the largest)" in captions(at)
    assert "matches Keras' own output" in captions(at) and "Reference: " in captions(at)
    [saturation] = [d.value for d in at.dataframe if "reference" in d.value.columns]
    assert list(saturation[""]) == ["input gate", "forget gate", "output gate", "tanh(cell)"]

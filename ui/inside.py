"""Inside the LSTM, on a trained run's results: the gates and states of a window (or a passage), their saturation
against a healthy reference run of the same setup, the steps that moved the prediction, and for text the units that
track something. Computed in the helper process (the page never imports TensorFlow), cached per run and choice, and
only once the section is opened."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.checks.training_checks import LR_HIGH
from lstm_core.config import INSPECTED_TASKS
from lstm_core.errors import translate
from lstm_core.inside.capture import NotInspectable
from lstm_core.inside.gates import GATES, UNTRAINED, saturation_cause, saturation_story, unit_order
from lstm_core.jobs.calls import inside_view, model_calls

from .findings import plain
from .inside_charts import inside_figure, passage_figure
from .workspace import run_store

TITLE = "Inside the LSTM"
INSIDE_OPEN = "inside_open"  # the Playground's toggle; the Error lab sets it for the learning-rate scenarios
ORDERS = {"unit": "unit number", "activity": "activity (mean |value|)", "change": "change over time"}
WINDOW_PICKS = ("the test window with the largest error", "a test window by its index")
PARTS_SHOWN = {"input": "input gate", "forget": "forget gate", "output": "output gate", "cell": "tanh(cell)"}


@st.cache_data(max_entries=16, show_spinner=False)
def _view(home: str, run_id: str, finished: float | None, window: int | None, passage: str | None) -> dict:
    """One stored run's inside view (a finished run never changes: its id and end time key it)."""
    return model_calls().run(inside_view, home, run_id, window, passage)


def inside_section(record, key: str = "inside") -> None:
    """The section under a run's results; closed, it draws one toggle and computes nothing."""
    if not record.has_artifacts or record.config.task not in INSPECTED_TASKS:
        return
    text = record.config.task == "text-lm"
    opened = st.toggle(f"**{TITLE}**: the gates, cell and hidden state of {'a passage' if text else 'a window'}, and "
                       "how saturated they are", key=f"{key}_open")  # the Playground's is INSIDE_OPEN
    if not opened:
        return
    window, passage = (None, _passage_choice(key)) if text else (_window_choice(key), None)
    try:
        with st.spinner("Reading the trained weights and recomputing every step (the first time for these data and "
                        "settings, a healthy reference run is trained too: up to a minute)…"):
            result = _view(str(run_store().home), record.key, record.finished, window, passage)
    except NotInspectable as exc:
        st.info(str(exc))
        return
    except Exception as exc:  # shown in place, never a traceback
        st.error(translate(exc, area="looking inside the LSTM").detail)
        return
    if not text:
        _window_caption(result, record)
    layer, direction = _layer_choice(result, key)
    order = _order_choice(result, layer, direction, key)
    _saturation_part(result, record, layer, direction)
    st.plotly_chart(inside_figure(result, layer, direction, order), width="stretch", key=f"{key}_chart")
    _explain(result)
    if text:
        _text_part(result, layer, direction, key)


def window_from_chart(event, key: str = "inside") -> None:
    """A point clicked on the predicted-vs-actual chart (its index is the test window's) becomes the window shown;
    the same click seen again on a later rerun changes nothing, so the index box stays the user's."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    if not points:
        return
    index = int(points[0].get("point_index", points[0].get("point_number", 0)))
    if st.session_state.get(f"{key}_clicked") == index:
        return
    st.session_state[f"{key}_clicked"] = index
    st.session_state[f"{key}_pick"] = WINDOW_PICKS[1]
    st.session_state[f"{key}_window"] = index


def _window_choice(key: str) -> int | None:
    left, right = st.columns([2, 1])
    pick = left.radio("Window", WINDOW_PICKS, key=f"{key}_pick", horizontal=True,
                      help="A click on a point of the predicted-vs-actual chart picks its window.")
    if pick == WINDOW_PICKS[1]:
        st.session_state.setdefault(f"{key}_window", 0)  # a click on the chart may have set it already
        return int(right.number_input("Test window (0 = the first)", 0, 10**6, key=f"{key}_window"))
    return None


def _passage_choice(key: str) -> str | None:
    typed = st.text_area("Passage (empty: the start of the held-out text)", key=f"{key}_passage", height=80,
                         max_chars=600)
    return typed or None


def _window_caption(result: dict, record) -> None:
    config = record.config
    what = (f"error {result['error']:.4g} ({config.target}{' change' if config.difference else ''})"
            if config.task == "forecast" else f"1 − probability of the true class {result['error']:.2f}")
    worst = " (the largest)" if result["window"] == result["worst"] else f" (the largest is window {result['worst']})"
    st.caption(f"Test window {result['window']} of {result['count']} · {what}{worst}.")


def _layer_choice(result: dict, key: str) -> tuple[int, int]:
    layers = result["layers"]
    left, right = st.columns(2)
    layer = 0
    if len(layers) > 1:
        layer = left.selectbox("Layer", range(len(layers)), key=f"{key}_layer",
                               format_func=lambda i: f"{i + 1}: {layers[i]['name']}")
    directions = layers[layer]["directions"]
    direction = 0
    if len(directions) > 1:
        direction = right.radio("Direction", range(len(directions)), key=f"{key}_direction", horizontal=True,
                                format_func=lambda i: directions[i]["direction"])
    return layer, direction


def _order_choice(result: dict, layer: int, direction: int, key: str) -> np.ndarray:
    by = st.radio("Order the units by", list(ORDERS), key=f"{key}_order", horizontal=True,
                  format_func=ORDERS.get, help="Activity and change are read off the hidden state; the most active "
                                               "unit goes on top of every heatmap.")
    hidden = np.asarray(result["layers"][layer]["directions"][direction]["hidden"], dtype="float64")
    return unit_order(hidden[np.asarray(result["kept"], dtype=bool)], by)


def saturation_table(shares: dict, reference: dict) -> pd.DataFrame:
    rows = []
    for part, label in PARTS_SHOWN.items():
        trained, before = shares[part], reference[part]
        if trained["share"] is None:
            continue
        rows.append({"": label, "saturated": f"{trained['share']:.0%}",
                     "near 0": f"{trained['low']:.0%}" if part in GATES else "",
                     "near 1": f"{trained['high']:.0%}" if part in GATES else "",
                     "reference": f"{before['share']:.0%}"})
    return pd.DataFrame(rows)


def _saturation_part(result: dict, record, layer: int, direction: int) -> None:
    entry = result["saturation"][layer]["directions"][direction]
    shares, reference = entry["trained"], entry["reference"]
    about = result["reference"]
    st.markdown("**Saturation at a glance** · gate values within 0.02 of 0 or 1, and tanh(cell) beyond ±0.99, on "
                f"{'the passage' if result['kind'] == 'passage' else 'up to 64 test windows'}, next to a healthy "
                "reference on the same data.")
    st.caption(f"Reference: {about['text']}.")
    if about["kind"] == UNTRAINED:
        st.warning(f"The healthy reference could not be trained ({about['failure']}): the *reference* column is the "
                   "same network untrained.", icon="⚠️")
    st.dataframe(saturation_table(shares, reference), hide_index=True, width="content")
    fired = next((f.epoch for f in record.findings if f.code == "TRAIN109"), None)
    high_rate = LR_HIGH.get(result["optimizer"], 0.01)
    story = saturation_story(shares, reference, result["learning_rate"], high_rate, fired, about["kind"],
                             about["learning_rate"])
    if story and saturation_cause(reference, result["learning_rate"], high_rate, fired, about["kind"]) is None:
        st.info(" ".join(story), icon="ℹ️")
    elif story:
        st.warning(" ".join(story), icon="⚠️")
    else:
        st.success("No gate is saturated: the gates work in their curved middle, where gradients pass.", icon="✅")


def _explain(result: dict) -> None:
    notes = ["Recomputed in numpy from the trained weights (Keras' gate order i, f, c, o), step by step from a zero "
             "state."]
    if "agreement" in result:
        notes.append(f"The recomputed first layer matches Keras' own output to {result['agreement']:.1e}.")
    if result.get("attribution"):
        notes.append("Occlusion: each step is replaced in turn by the training mean and the window predicted again; "
                     "the bar is how far the output moved. Chosen over integrated gradients because gradients are "
                     "exactly what saturated gates flatten, and because the bar reads in the output's own units.")
    if result["kind"] == "passage":
        notes.append("The passage is read as one sequence, longer than the training windows, as the model would "
                     "read a long text.")
    st.caption(" ".join(notes))


def _text_part(result: dict, layer: int, direction: int, key: str) -> None:
    if result.get("unknown"):
        st.warning("Not in the model's vocabulary, left out: " + plain(", ".join(repr(t) for t in result["unknown"])))
    responses = result["responses"][layer][direction]
    units = result["layers"][layer]["directions"][direction]["units"]
    ranked = [(name, entry) for name, entries in responses.items() for entry in entries[:3]]
    if ranked:
        st.markdown("**Units that respond** to spaces, quotes, line breaks and digits (effect: the difference of the "
                    "unit's mean on those characters and elsewhere, in units of its spread over the passage)")
        st.dataframe(pd.DataFrame([{"characters": name, "unit": entry["unit"], "effect": round(entry["effect"], 2),
                                    "how many": entry["count"]} for name, entry in ranked]),
                     hide_index=True, width="content")
    best = ranked[0][1]["unit"] if ranked else 0
    unit = int(st.number_input(f"Unit to colour the passage by (0 to {units - 1})", 0, units - 1, best,
                               key=f"{key}_unit"))
    hidden = np.asarray(result["layers"][layer]["directions"][direction]["hidden"], dtype="float64")
    st.plotly_chart(passage_figure(result["tokens"], hidden, unit), width="stretch", key=f"{key}_text")

"""The sweep form: one or two settings to vary and their values, checked into a plan as they are typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from lstm_core.limits import limit
from lstm_core.sweeps.grid import LIMIT_NAME, SWEEP_SETTINGS, plan_grid, show_value

from .findings import plain, render_findings

SHOWN = "sweep_shown"        # {page: sweep id}: the sweep each page shows ("" = none until the next start)
USED = "sweep_used"          # {page: values} just taken from a sweep's best run, to say so once
NONE = "none"
# What the values box holds when a setting is picked: a sensible first grid for it.
STARTING_VALUES = {"learning_rate": "1e-4..1:5", "units": "8, 16, 32, 64", "layers": "1, 2, 3",
                   "batch_size": "16, 32, 64, 128", "epochs": "10, 20, 40", "timesteps": "12, 24, 48",
                   "dropout": "0, 0.2, 0.4", "recurrent_dropout": "0, 0.2, 0.4", "optimizer": "adam, rmsprop, sgd",
                   "activation": "tanh, relu", "recurrent_activation": "sigmoid, hard_sigmoid", "patience": "3, 5, 10"}


@dataclass(frozen=True)
class SweepPage:
    """What a page tells the section: its name (widget keys), its tasks, the settings it offers, and how a run's
    values become its current setup (the page's own widget keys)."""

    where: str
    tasks: tuple[str, ...]
    settings: tuple[str, ...]
    apply: Callable[[dict], None]

    def key(self, name: str) -> str:
        return f"{self.where}.sweep.{name}"


def sweepable(fields) -> tuple[str, ...]:
    """The sweepable settings among a page's fields, in the sweeps' order."""
    return tuple(s for s in SWEEP_SETTINGS if s in fields)


def preset(where: str, setting: str, values: str) -> None:
    """Fill the section's boxes from elsewhere (the Error lab) before the page draws them; show no older sweep."""
    st.session_state[f"{where}.sweep.setting1"] = setting
    st.session_state[f"{where}.sweep.values1"] = values
    st.session_state[f"{where}.sweep.setting2"] = NONE
    st.session_state[f"{where}.sweep.values2"] = ""
    st.session_state[f"{where}.sweep.open"] = True
    st.session_state.setdefault(SHOWN, {})[where] = ""


def grid_form(page: SweepPage, base):
    """The settings and values boxes; the plan they make (None while the values box is empty)."""
    st.caption("Train the current setup at several values of one or two settings, side by side, and see which "
               "works. A list (16, 32, 64) or, for numbers, a log range LOW..HIGH:COUNT (1e-5..10:5 is five values "
               "from 1e-5 to 10).")
    for number, setting in ((1, "learning_rate" if "learning_rate" in page.settings else page.settings[0]),
                            (2, NONE)):
        st.session_state.setdefault(page.key(f"setting{number}"), setting)
        st.session_state.setdefault(page.key(f"values{number}"), STARTING_VALUES.get(setting, ""))
    first, values1, second, values2 = st.columns([2, 3, 2, 3])
    setting1 = first.selectbox("Setting to vary", page.settings, key=page.key("setting1"), on_change=_starting_values,
                               args=(page, 1), format_func=_setting_name)
    text1 = values1.text_input("Values to try", key=page.key("values1"), placeholder="1e-4, 1e-3, 1e-2 or 1e-5..10:5")
    others = [NONE, *(s for s in page.settings if s != setting1)]
    if st.session_state.get(page.key("setting2")) not in others:
        st.session_state[page.key("setting2")] = NONE
    setting2 = second.selectbox("Second setting (optional)", others, key=page.key("setting2"),
                                on_change=_starting_values, args=(page, 2), format_func=_setting_name)
    text2 = values2.text_input("Its values", key=page.key("values2"), disabled=setting2 == NONE)
    texts = [f"{setting1}={text1}"] + ([f"{setting2}={text2}"] if setting2 != NONE else [])
    if not text1.strip() or (setting2 != NONE and not text2.strip()):
        st.caption("Type the values to try.")
        return None
    if base is None:
        st.caption("Resolve the errors above first: every run of a sweep starts from the current setup.")
        return None
    plan = plan_grid(base, texts)
    if plan.findings:
        render_findings(plan.findings, key=page.key("grid"), fixable=False)
        return plan
    grid = " × ".join(f"{axis.setting.replace('_', ' ')} {', '.join(map(show_value, axis.values))}"
                      for axis in plan.axes)
    st.markdown(f"**{plan.size} runs** · {plain(grid)} · at most {limit(LIMIT_NAME)} runs a sweep")
    st.caption(plan.seed_note)
    return plan


def _setting_name(setting: str) -> str:
    return "— (one setting)" if setting == NONE else setting.replace("_", " ")


def _starting_values(page: SweepPage, number: int) -> None:
    setting = st.session_state.get(page.key(f"setting{number}"))
    st.session_state[page.key(f"values{number}")] = STARTING_VALUES.get(setting, "")

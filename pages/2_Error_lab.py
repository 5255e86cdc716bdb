"""Error lab: ready-made broken runs. Each shows its flag and explanation; one click opens it in the Playground."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Error lab · LSTM Playground", page_icon="🧪", layout="wide")
st.title("Error lab")
st.caption("Classic LSTM mistakes, one click each. Open one in the Playground, see the flag and its explanation, "
           "press Apply fix, and train again.")

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.data import load_csv  # noqa: E402
from lstm_core.findings import ProblemError  # noqa: E402
from lstm_core.lab import SCENARIOS, SWEEP_SCENARIOS, Scenario, SweepScenario  # noqa: E402
from lstm_core.sweeps.grid import show_value  # noqa: E402
from lstm_core.tasks.table import prepare_any  # noqa: E402
from ui.findings import plain, render_findings  # noqa: E402
from ui.inside import INSIDE_OPEN  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.runs import SHOWN  # noqa: E402
from ui.state import DATA_ID, freeze_imported, keep_settings, set_widgets  # noqa: E402
from ui.sweep_form import preset  # noqa: E402

freeze_imported()
keep_settings()
WHEN = {"before": "caught before training", "during": "shows in the loss curve while training",
        "sweep": "shows when several runs train side by side"}


@st.cache_data(show_spinner=False)
def preflight(name: str) -> list:
    scenario = SCENARIOS[name]
    dataset = load_csv(scenario.csv(), f"{scenario.sample}.csv")
    try:
        return prepare_any(dataset, scenario.config()).findings
    except ProblemError as problem:
        return [problem.finding]


def open_in_playground(scenario: Scenario) -> None:
    config = scenario.config()
    st.session_state["source"] = "Built-in sample"
    st.session_state["sample"] = scenario.sample
    st.session_state[DATA_ID] = f"sample:{scenario.sample}"
    set_widgets(config.to_dict())
    # The Playground shows no earlier run's results under the scenario's settings until it is trained.
    st.session_state[SHOWN] = ""
    # A scenario best seen from inside opens that section of the results, ready for the run to come.
    st.session_state[INSIDE_OPEN] = bool(scenario.inside)
    st.switch_page("app.py")


def changed_settings(scenario: Scenario) -> str:
    defaults = RunConfig().to_dict()
    return ", ".join(f"{k} = {v}" for k, v in scenario.broken.items() if defaults.get(k) != v)


def card(scenario: Scenario) -> None:
    with st.container(border=True):
        st.markdown(f"#### {plain(scenario.title)}")
        st.caption(f"Sample: {scenario.sample_title} · changed: {changed_settings(scenario)} · "
                   f"{WHEN[scenario.when]}")
        st.write(scenario.story)
        findings = [f for f in preflight(scenario.name) if f.severity != "info"]
        render_findings(findings, key=f"lab-{scenario.name}", fixable=False)
        if scenario.when == "during":
            st.caption("Press Train in the Playground to watch the flag appear on the loss chart.")
        if scenario.inside:
            st.markdown(f"🔬 {plain(scenario.inside)} The Playground opens that section under the results.")
        if st.button("Open in the Playground", key=f"open-{scenario.name}", type="primary"):
            open_in_playground(scenario)


def open_sweep(scenario: SweepScenario) -> None:
    """The scenario's setup in the Playground, its "Try several values" filled in and open, ready to start."""
    st.session_state["source"] = "Built-in sample"
    st.session_state["sample"] = scenario.sample
    st.session_state[DATA_ID] = f"sample:{scenario.sample}"
    set_widgets(scenario.config().to_dict())
    st.session_state[SHOWN] = ""
    st.session_state[INSIDE_OPEN] = False
    preset("playground", scenario.setting, scenario.values)
    st.switch_page("app.py")


def sweep_card(scenario: SweepScenario) -> None:
    with st.container(border=True):
        st.markdown(f"#### {plain(scenario.title)}")
        outcomes = ", ".join(f"{show_value(value)} {outcome}" for value, outcome in scenario.expect.items())
        st.caption(f"Sample: {scenario.sample_title} · a sweep of {scenario.setting.replace('_', ' ')} over "
                   f"{scenario.values} · {WHEN['sweep']}")
        st.write(scenario.story)
        st.markdown(f"What it shows, measured here: {plain(outcomes)}.")
        st.caption("Opens the Playground with the values filled in under Train › Try several values: press Start "
                   "sweep and watch the runs side by side.")
        if st.button("Open as a sweep in the Playground", key=f"open-sweep-{scenario.name}", type="primary"):
            open_sweep(scenario)


def main() -> None:
    page_links()
    for scenario in SCENARIOS.values():
        card(scenario)
    st.subheader("Side by side")
    for scenario in SWEEP_SCENARIOS.values():
        sweep_card(scenario)


main()

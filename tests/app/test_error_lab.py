"""The Error lab page: every scenario shows its flag, opens in the Playground, and its fixes clear it there."""

from __future__ import annotations

import pytest

from lstm_core.lab import SCENARIOS


def open_lab(new_app):
    at = new_app()
    at.switch_page("pages/2_Error_lab.py").run()
    assert not at.exception, at.exception
    return at


def codes_shown(at) -> set[str]:
    boxes = [*at.error, *at.warning]
    return {box.value.split("**")[1] for box in boxes if box.value.startswith("**")}


def test_the_lab_shows_every_scenario_with_its_flag(new_app):
    at = open_lab(new_app)
    shown = codes_shown(at)
    for scenario in SCENARIOS.values():
        assert set(scenario.expect) <= shown, scenario.name
    assert {b.key for b in at.button} >= {f"open-{name}" for name in SCENARIOS}
    # The sweep card writes its learning rates as the sweep's own values box does (1e-4, not 0.0001).
    shows = [m.value for m in at.markdown if m.value.startswith("What it shows, measured here:")]
    assert shows == ["What it shows, measured here: 1e-4 stalled, 0.01 healthy, 1 diverged, 10 diverged."], shows


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_scenario_opens_in_the_playground_and_its_fixes_clear_the_flags(new_app, name):
    scenario = SCENARIOS[name]
    at = open_lab(new_app)
    at.button(key=f"open-{name}").click().run()
    # AppTest keeps the page it was pointed at; a browser follows st.switch_page by itself.
    at.switch_page("app.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="sample").value == scenario.sample
    assert set(scenario.expect) <= codes_shown(at)
    for _ in range(5):
        fixes = [b for b in at.button if b.key and b.key.startswith("fix-")]
        if not fixes:
            break
        fixes[0].click().run()
    assert codes_shown(at) == set(), codes_shown(at)
    assert not at.button(key="train").disabled


def test_the_learning_rate_scenarios_point_inside_the_lstm_and_open_it(new_app):
    at = open_lab(new_app)
    told = [m.value for m in at.markdown if m.value.startswith("🔬")]
    assert len(told) == 2 and all("Inside the LSTM" in line for line in told)
    assert "pinned at 0 or 1" in told[0]
    at.button(key="open-lr_too_high").click().run()
    assert at.session_state["inside_open"] is True
    at.switch_page("pages/2_Error_lab.py").run()
    at.button(key="open-unscaled").click().run()
    assert at.session_state["inside_open"] is False

"""The Error lab's sweep scenario trained for real through the job engine's workers: every value the lab promises an
outcome for shows it (stagnation, health, divergence), each flagged by its monitor, and the summary says so."""

from __future__ import annotations

import time

import pytest

from lstm_core.jobs import LocalEngine
from lstm_core.lab import SWEEP_SCENARIOS
from lstm_core.store import RunStore, new_workspace_id
from lstm_core.sweeps.grid import parse_axis, plan_grid
from lstm_core.sweeps.outcomes import DIVERGED, STALLED
from lstm_core.sweeps.state import submit_sweep, sweep_state

pytestmark = pytest.mark.xdist_group("test_lab_sweep")
CODES = {"stalled": STALLED, "diverged": DIVERGED}


@pytest.mark.parametrize("name", sorted(SWEEP_SCENARIOS))
def test_the_sweep_scenario_shows_what_the_lab_promises(name, tmp_path):
    scenario = SWEEP_SCENARIOS[name]
    plan = plan_grid(scenario.config(), scenario.grid())
    assert plan.ok, [f.to_dict() for f in plan.findings]
    assert set(scenario.expect) <= set(parse_axis(scenario.grid()[0]).values)
    assert {"stalled", "healthy", "diverged"} <= set(scenario.expect.values())
    engine = LocalEngine(RunStore(tmp_path / "home"), size=2, warm_up=False)
    try:
        sweep_id = submit_sweep(engine, new_workspace_id(), plan, scenario.csv(), f"{scenario.sample}.csv", "csv",
                                f"sample:{scenario.sample}")
        deadline = time.monotonic() + 300
        while (state := sweep_state(engine.store, sweep_id)).active:
            assert time.monotonic() < deadline, "the sweep did not end"
            time.sleep(0.5)
    finally:
        engine.close()
    runs = {run.values[scenario.setting]: run for run in state.runs}
    for value, outcome in scenario.expect.items():
        run = runs[value]
        assert run.outcome == outcome, (value, run.status, run.codes, run.curve)
        if outcome in CODES:
            assert set(run.codes) & set(CODES[outcome]), (value, run.codes)
            assert any(mark["code"] in CODES[outcome] for mark in run.marks), run.marks
            assert run.epochs < scenario.config().epochs, "the monitor ends a hopeless run early"
    assert state.best is not None and scenario.expect[state.best.values[scenario.setting]] == "healthy"
    assert "diverged (TRAIN102)" in state.summary and "stalled (TRAIN103)" in state.summary, state.summary

"""Sweeps: one or two settings tried at several values, every combination a run trained side by side."""

# The CLI's sweep command imports these from the package.
from lstm_core.sweeps.grid import SWEEP_SETTINGS, plan_grid, show_value
from lstm_core.sweeps.outcomes import SweepRun, SweepState
from lstm_core.sweeps.state import stop_sweep, submit_sweep, sweep_state

__all__ = ["SWEEP_SETTINGS", "SweepRun", "SweepState", "plan_grid", "show_value", "stop_sweep", "submit_sweep",
           "sweep_state"]

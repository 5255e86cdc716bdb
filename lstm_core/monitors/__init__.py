"""Runtime monitors: listeners on the runner that read the curve as it grows, report findings and stop hopeless runs.

Importing the modules registers their monitors; `attach_monitors(runner)` puts them on a Runner before it runs.
"""

from __future__ import annotations

from lstm_core.monitors import curve_monitors, gradient_monitors  # noqa: F401
from lstm_core.monitors.engine import Curve, Facts, Probe, facts_for, registered_monitors
from lstm_core.monitors.hub import MonitorHub, attach_monitors

__all__ = ["Curve", "Facts", "MonitorHub", "Probe", "attach_monitors", "facts_for", "registered_monitors"]

"""The listener that runs the runtime monitors on a Runner: after every epoch, and once when the run ends."""

from __future__ import annotations

import time

from lstm_core.findings import Finding
from lstm_core.monitors.engine import Curve, Facts, Probe, RuntimeMonitor, facts_for, finite, registered_monitors
from lstm_core.monitors.gradient_monitors import PROBE_BUDGET, GradientProbe


class MonitorHub:
    """Reads the runner's growing history, reports each finding once, and stops the run when one says so."""

    def __init__(self, runner, monitors: dict[str, RuntimeMonitor] | None = None, probe: bool = True,
                 probe_budget: float = PROBE_BUDGET):
        self.runner = runner
        self.facts: Facts = facts_for(runner.config, runner.windows)
        self.monitors = list((monitors if monitors is not None else registered_monitors()).values())
        has_windows = len(runner.windows.x_train) > 0
        self.probe = (GradientProbe(runner.config, runner.windows, self.facts.loss, probe_budget)
                      if probe and has_windows else None)
        self.probes: list[Probe] = []
        self.fired: dict[str, Finding] = {}
        self.stopped_by: str | None = None
        # Wall time spent in the monitors, probe included: the bench compares it with the training time.
        self.seconds = 0.0

    def __call__(self, kind: str, payload: dict) -> None:
        started = time.perf_counter()
        if kind == "epoch_end":
            self._after_epoch()
        elif kind == "stopped":
            self._after_run()
        self.seconds += time.perf_counter() - started

    def curve(self, finished: bool = False) -> Curve:
        history = self.runner.state.history
        return Curve(list(history["loss"]), list(history["val_loss"]), list(self.probes), finished)

    def _after_epoch(self) -> None:
        if self.stopped_by:
            return
        curve = self.curve()
        self._run(curve, lambda m: m.when == "epoch" and not m.uses_probe)
        if not self.stopped_by and finite(curve.loss) and self._look(curve.epoch):
            self._run(self.curve(), lambda m: m.when == "epoch" and m.uses_probe)

    def _after_run(self) -> None:
        state = self.runner.state
        if self.stopped_by or state.status in ("diverged", "error") or not state.epochs_done:
            return
        epoch = state.epochs_done
        # One more look at the final weights, unless this epoch already had one.
        looked = bool(self.probes) and self.probes[-1].epoch == epoch
        if finite(state.history["loss"]) and not looked and self._look(epoch):
            self._run(self.curve(finished=True), lambda m: m.when == "epoch" and m.uses_probe)
        self._run(self.curve(finished=True), lambda m: m.when == "end")

    def _look(self, epoch: int) -> bool:
        model = self.runner.state.model
        if self.probe is None or model is None or not self.probe.affordable(sum(self.runner.state.epoch_seconds)):
            return False
        probe = self.probe.measure(model, epoch)
        if probe is not None:
            self.probes.append(probe)
        return probe is not None

    def _run(self, curve: Curve, wanted) -> None:
        for monitor in self.monitors:
            if self.stopped_by or monitor.code in self.fired or not wanted(monitor):
                continue
            finding = monitor.check(curve, self.facts)
            if finding is not None:
                self._report(monitor, finding)

    def _report(self, monitor: RuntimeMonitor, finding: Finding) -> None:
        self.fired[monitor.code] = finding
        self.runner.add_finding(finding)
        if monitor.stops:
            self.stopped_by = monitor.code
            title = finding.title[0].lower() + finding.title[1:]
            self.runner.request_stop(f"{title} at epoch {finding.epoch} ({finding.code})", status=monitor.stops)


def attach_monitors(runner, probe: bool = True, probe_budget: float = PROBE_BUDGET) -> MonitorHub:
    """Put the default monitors first among the runner's listeners, so a finding reaches the page with its epoch."""
    hub = MonitorHub(runner, probe=probe, probe_budget=probe_budget)
    runner.listeners.insert(0, hub)
    return hub

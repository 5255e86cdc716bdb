"""A listener that redraws a loss chart and progress bar as a runner's events arrive in the page's own process."""

from __future__ import annotations

import time

from . import charts
from .findings import plain

# Redraw the chart at most this often: drawing costs page time, never training time.
REDRAW_SECONDS = 0.3
ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


class LiveView:
    """Listener: draws progress and the growing loss curve into placeholders made before fit starts."""

    def __init__(self, progress, chart, epochs: int, notes=None):
        self.progress, self.chart, self.epochs, self.notes = progress, chart, epochs, notes
        self.steps = 1
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        # Runtime findings as they arrive: listed beside the chart and marked on it at their epoch.
        self.findings: list[dict] = []

    def __call__(self, kind: str, payload: dict) -> None:
        if kind == "start":
            self.steps = max(1, payload["steps"])
            self.started = time.monotonic()
        elif kind == "tick":
            done = (payload["epoch"] - 1 + min(payload["step"] / self.steps, 1.0)) / self.epochs
            self._progress(done, f"Epoch {payload['epoch']}/{self.epochs}")
        elif kind == "epoch_end":
            self._epoch_end(payload)
        elif kind == "finding":
            self._finding(payload)

    def _epoch_end(self, payload: dict) -> None:
        self.history["loss"].append(payload["loss"])
        if payload["val_loss"] is not None:
            self.history["val_loss"].append(payload["val_loss"])
        epoch = payload["epoch"]
        self._progress(epoch / self.epochs, f"Epoch {epoch}/{self.epochs} · loss {payload['loss']:.4g}")
        now = time.monotonic()
        # A finding arrives just before its epoch's curve point: draw both together, whatever the throttle says.
        fresh_finding = any(f.get("epoch") == epoch for f in self.findings)
        if now - self.last_draw >= REDRAW_SECONDS or epoch == self.epochs or fresh_finding:
            self.last_draw = now
            markers = [{"epoch": f["epoch"], "code": f["code"]} for f in self.findings if f.get("epoch")]
            self.chart.plotly_chart(charts.loss_chart(self.history, self.epochs, markers=markers), width="stretch")

    def _finding(self, payload: dict) -> None:
        self.findings.append(payload)
        if self.notes is not None:
            self.notes.markdown("\n\n".join(
                f"{ICONS.get(f['severity'], '')} **{f['code']}** · epoch {f.get('epoch', '?')}  \n{plain(f['title'])}"
                for f in self.findings))

    def _progress(self, done: float, text: str) -> None:
        elapsed = time.monotonic() - self.started
        eta = f" · about {elapsed / done * (1 - done):.0f} s left" if done > 0.02 else ""
        self.progress.progress(min(max(done, 0.0), 1.0), text=f"{text} · {elapsed:.0f} s{eta}")

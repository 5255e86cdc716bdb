"""Live training on the page: a listener that redraws the loss chart and progress bar as events arrive."""

from __future__ import annotations

import time

import streamlit as st

from lstm_core.classify import ClassPrepared, evaluate_classifier
from lstm_core.errors import translate
from lstm_core.pipeline import Prepared, evaluate, runner_for
from lstm_core.slots import training_slots

from . import charts
from .findings import plain
from .runs import record_run
from .state import REPORT, RUN, RUN_PREPARED

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


class WaitingNote:
    """While every training slot of the server is taken: says so, with a way to give up waiting."""

    def __init__(self):
        self.text = self.cancel = None
        self.started = time.monotonic()

    def __call__(self, running: int) -> None:
        if self.text is None:
            self.text, self.cancel = st.empty(), st.empty()
            self.cancel.button("Cancel waiting", key="cancel_training_wait",
                               help="Gives up the place in the queue; nothing is trained.")
        self.text.info(f"Waiting for a free training slot ({running} running)… "
                       f"{time.monotonic() - self.started:.0f} s so far; training starts by itself.")

    def done(self) -> None:
        if self.text is not None:
            self.cancel.empty()
            self.text.caption(f"Waited {time.monotonic() - self.started:.0f} s for a free training slot.")


def train_live(prepared: Prepared) -> None:
    """Train once one of the server's training slots is free; the slot is given back however the run ends."""
    waiting = WaitingNote()
    with training_slots().hold(on_wait=waiting):
        waiting.done()
        _train_live(prepared)


def _train_live(prepared: Prepared) -> None:
    # Ticks let the progress bar move, and a Stop click land, within an epoch.
    runner = runner_for(prepared, ticks=True)
    release_previous_model()
    # Kept in the session before fit: if a click interrupts the run, its model and curve survive.
    st.session_state[RUN] = runner.state
    st.session_state[RUN_PREPARED] = prepared
    st.session_state.pop(REPORT, None)
    stop_slot = st.empty()
    stop_slot.button("Stop training", key="stop_training",
                     help="Ends the run now; the model and the curve so far are kept.")
    progress = st.progress(0.0, text="Building and compiling the model (the first epoch includes compilation)…")
    chart_column, notes_column = st.columns([3, 1])
    chart, notes = chart_column.empty(), notes_column.empty()
    runner.listeners.append(LiveView(progress, chart, prepared.config.epochs, notes))
    try:
        runner.run()
    except Exception as exc:  # the page's boundary: TensorFlow's errors become a finding
        runner.state.status = "error"
        runner.state.reason = "training failed"
        runner.state.findings.append(translate(exc))
    for slot in (stop_slot, progress, chart, notes):
        slot.empty()
    finish_run()
    record_run()


def release_previous_model() -> None:
    """Let the replaced run's model go now: Streamlit keeps the previous value of every session key until the
    next script run, and a model with its compiled functions weighs tens of megabytes."""
    previous = st.session_state.get(RUN)
    if previous is not None:
        previous.model = None


def finish_interrupted_run() -> None:
    """A run still marked running at the start of a script run was cut short by a click: keep what it learnt."""
    state = st.session_state.get(RUN)
    if state is not None and state.status == "running":
        state.status = "stopped_early"
        state.reason = f"stopped by you after {state.epochs_done} epoch(s)"
        finish_run()
        record_run()


def finish_run() -> None:
    state, prepared = st.session_state[RUN], st.session_state[RUN_PREPARED]
    # No finished epoch means no trained weights worth scoring.
    if state.model is None or state.status in ("diverged", "error") or state.epochs_done == 0:
        return
    try:
        score = evaluate_classifier if isinstance(prepared, ClassPrepared) else evaluate
        st.session_state[REPORT] = score(prepared, state.model)
    except Exception as exc:  # a model that cannot predict is reported, not raised
        state.findings.append(translate(exc, area="evaluation"))

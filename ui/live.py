"""The live view of a queued or training run, drawn from the run store by a fragment that redraws on a timer.

The run trains in a worker process: a click, a page change or a reload never touches it. When the fragment sees
the run has ended, it reruns the whole page once, which then draws the results.
"""

from __future__ import annotations

import time

import streamlit as st

from lstm_core.jobs import engine

from . import charts
from .findings import plain

# Streamlit runs a full garbage collection after every rerun, fragments included; with no TensorFlow in the page's
# process that costs little, and training runs in other processes.
LIVE_SECONDS = 1.0
# How often the last second of a run is looked at.
END_POLL_SECONDS = 0.1
ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


def live_run(run_id: str, where: str, extra=None) -> None:
    """Draw the run while it is queued or training. `extra(record)` draws a task's own part (samples, …)."""
    st.caption("The run trains on the server: you can change settings (they apply to the next run), go to another "
               "page, reload or close the tab — it goes on, and this page picks it up again.")
    _live(run_id, where, extra)


@st.fragment(run_every=LIVE_SECONDS)
def _live(run_id: str, where: str, extra) -> None:
    record = engine().store.get(run_id)
    if record is None or not record.active:
        # Ended (or deleted) since the page drew: redraw the whole page once, now with the results.
        st.rerun(scope="app")
        return
    if record.status == "queued":
        _queued(record, where)
    else:
        _training(record, where)
    if extra is not None:
        extra(record)
    if record.status == "running" and seconds_left(record) < LIVE_SECONDS and _ends_within(run_id, LIVE_SECONDS):
        # A run about to end is watched closely: its results are drawn as soon as they are stored, not up to a
        # whole timer tick later.
        st.rerun(scope="app")


def _ends_within(run_id: str, seconds: float) -> bool:
    store, deadline = engine().store, time.monotonic() + seconds
    while time.monotonic() < deadline:
        if store.status(run_id) not in ("queued", "running"):  # ended, or deleted (None)
            return True
        time.sleep(END_POLL_SECONDS)
    return False


def _queued(record, where: str) -> None:
    state = engine().pool_state()
    left, right = st.columns([4, 1])
    left.info(f"**Run #{record.id} is queued: place {record.queue_place or 1}.** Every training worker is busy "
              f"({state['training']} of {state['size']} training); it starts by itself when one frees.")
    right.button("Cancel this run", key=f"{where}.cancel.{record.key}", on_click=_stop,
                 args=(record.key, "cancelled by you"), help="Takes it out of the queue; nothing is trained.")


def _training(record, where: str) -> None:
    left, right = st.columns([4, 1])
    right.button("Stop training", key=f"{where}.stop.{record.key}", on_click=_stop, args=(record.key, "stopped by you"),
                 disabled=record.stop_requested,
                 help="Ends the run after its current batch; the model and the curve so far are kept.")
    done, text = progress_of(record)
    left.progress(done, text=text)
    chart, notes = st.columns([3, 1])
    markers = [{"epoch": f.epoch, "code": f.code} for f in record.findings if f.epoch]
    if record.epochs:
        chart.plotly_chart(charts.loss_chart(record.history, record.planned_epochs, markers=markers),
                           width="stretch")
    runtime = [f for f in record.findings if f.epoch]
    if runtime:
        notes.markdown("\n\n".join(f"{ICONS.get(f.severity, '')} **{f.code}** · epoch {f.epoch}  \n{plain(f.title)}"
                                   for f in runtime))


def seconds_left(record) -> float:
    """The training's seconds left, from its progress so far (infinite before the first epoch or tick)."""
    done, elapsed = _done(record)
    return elapsed / done * (1 - done) if done > 0 else float("inf")


def _done(record) -> tuple[float, float]:
    planned = max(record.planned_epochs, 1)
    progress = record.progress or {}
    elapsed = progress.get("elapsed") or (time.time() - record.started if record.started else 0.0)
    if progress.get("step") and record.steps:
        done = (progress["epoch"] - 1 + min(progress["step"] / record.steps, 1.0)) / planned
    else:
        done = record.epochs / planned
    return min(max(done, 0.0), 1.0), elapsed


def progress_of(record) -> tuple[float, str]:
    """(share done, "Epoch 4/30 · loss 0.12 · 5 s · about 30 s left") from the run's stored progress."""
    planned = max(record.planned_epochs, 1)
    progress = record.progress or {}
    if not record.epochs and not progress:
        return 0.0, f"Run #{record.id}: building and compiling the model (the first epoch includes compilation)…"
    done, elapsed = _done(record)
    loss = f" · loss {record.history['loss'][-1]:.4g}" if record.epochs else ""
    eta = f" · about {seconds_left(record):.0f} s left" if done > 0.02 else ""
    stopping = " · stopping…" if record.stop_requested else ""
    epoch = min(progress.get("epoch") or record.epochs, planned)
    return done, f"Run #{record.id} · epoch {epoch}/{planned}{loss} · {elapsed:.0f} s{eta}{stopping}"


def _stop(run_id: str, reason: str) -> None:
    engine().stop(run_id, reason)

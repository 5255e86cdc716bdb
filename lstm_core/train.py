"""The runner: Keras fit with callbacks that emit events to listeners, and a stop flag."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_core.batches import contiguous, shuffled_batches
from lstm_core.compiled import forget
from lstm_core.config import RunConfig
from lstm_core.findings import Finding
from lstm_core.limits import how_to_change, limit
from lstm_core.model import build_model, compile_model
from lstm_core.validation import validating

Listener = Callable[[str, dict], None]
# Seconds between "tick" events inside an epoch: often enough for a progress bar, rare enough to cost nothing.
TICK_SECONDS = 0.5


@dataclass
class RunState:
    """A run as it grows: the page keeps this object, so a stopped run keeps its model and curve."""

    config: RunConfig
    history: dict[str, list[float]] = field(default_factory=lambda: {"loss": [], "val_loss": []})
    epoch_seconds: list[float] = field(default_factory=list)
    status: str = "pending"  # pending | running | completed | stopped_early | diverged | error
    reason: str = ""
    findings: list[Finding] = field(default_factory=list)
    model: Any = None
    jit_compile: bool = True
    compiled_kept: bool = False  # the compiled step came from an earlier run of the same shape (compiled.py)
    best_epoch: int | None = None

    @property
    def epochs_done(self) -> int:
        return len(self.history["loss"])


class Runner:
    def __init__(self, config: RunConfig, windows, listeners: list[Listener] | tuple = (),
                 jit_compile: bool = True, ticks: bool = False):
        self.config = config
        # "tick" events inside an epoch need a per-batch hook, which makes Keras wait for every step: opt-in.
        self.ticks = ticks
        self.windows = windows
        self.listeners = list(listeners)
        self.state = RunState(config=config, jit_compile=jit_compile)
        self._stop_reason = ""
        self._halt = None  # the training data's stop switch (halting), once fit has started
        # Read per run, so an operator's change applies to the next run without a restart of the page.
        self.max_seconds = limit("max_train_seconds")

    def request_stop(self, reason: str = "stopped by the user", status: str = "stopped_early") -> None:
        """Stop after the current batch; safe to call from any listener or thread, even before fit starts.

        A runtime monitor that finds the run diverging passes status="diverged": the run ends with that status.
        """
        self._stop_reason = reason
        if status != "stopped_early":
            self.state.status, self.state.reason = status, reason
        if self.state.model is not None:
            self.state.model.stop_training = True
        if self._halt is not None:
            self._halt.assign(True)

    @property
    def stop_requested(self) -> bool:
        return bool(self._stop_reason)

    def add_finding(self, finding: Finding) -> None:
        """A runtime finding: kept with the run and emitted at once, so the page can show it and mark its epoch."""
        self.state.findings.append(finding)
        self.emit("finding", finding.to_dict())

    def emit(self, kind: str, payload: dict) -> None:
        for listener in self.listeners:
            listener(kind, payload)

    def run(self) -> RunState:
        import keras

        state, config, w = self.state, self.config, self.windows
        self._build()
        state.status = "running"
        x_train, y_train = contiguous(w.x_train), contiguous(w.y_train)
        validated = len(w.x_val) > 0
        # Validation first: the emitter and early stopping read its val_loss from the epoch's logs.
        callbacks = [validating(contiguous(w.x_val), contiguous(w.y_val))] if validated else []
        callbacks.append(_emitter(self))
        if config.early_stopping and validated:
            callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                                           restore_best_weights=True))
        self.emit("start", {"epochs": config.epochs, "steps": math.ceil(len(x_train) / config.batch_size),
                            "samples": len(x_train), "kept": state.compiled_kept})

        def fit() -> None:
            # A fresh order generator per fit: a retry without XLA replays the same batches from the first epoch.
            batches, follow_epochs = shuffled_batches(x_train, y_train, config.batch_size, config.seed)
            state.model.fit(self.halting(batches), epochs=config.epochs, verbose=0,
                            callbacks=[follow_epochs, *callbacks], shuffle=False)  # the dataset shuffles itself

        self._fit_or_retry(fit)
        self._finish(callbacks)
        return state

    def _fit_or_retry(self, fit: Callable[[], None], before_retry: Callable[[], None] = lambda: None) -> None:
        """fit(), and again on a fresh model without XLA if XLA refuses a layer option ("… on XLA_CPU_JIT")."""
        try:
            fit()
        except Exception as exc:
            if not self.state.jit_compile or self.state.epochs_done or "XLA" not in str(exc):
                raise
            forget(self.state.model)
            self.state.jit_compile = False
            before_retry()
            self._build()
            fit()

    def halting(self, batches):
        """The training batches, ending at once when a stop is asked for.

        Keras trains STEPS_PER_EXECUTION batches in one compiled call and reads `stop_training` only between calls
        (up to a whole epoch on the samples); the call's loop ends early when the data does. A switch read as each
        batch is taken makes a stop end the run within one batch, and costs a variable read a batch.
        """
        import tensorflow as tf

        # Data that ends before Keras knows its length is how a halt looks to Keras, and it says so once a run.
        warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)
        self._halt = tf.Variable(self.stop_requested, trainable=False, dtype=tf.bool, name="halt")
        halt = self._halt
        # tf.data would put a prefetch after the switch, and batches taken ahead would train after a stop.
        options = tf.data.Options()
        options.experimental_optimization.inject_prefetch = False
        # tf.data's autotuning thread held up each new epoch: the last epoch's iterator, dropped as the next one
        # starts, waits for its threads, and that one wakes on its own schedule (0.4-1.4 s at the start of about
        # half the second epochs measured). A gather a batch needs no tuning; the steady speed is the same.
        options.autotune.enabled = False
        return batches.take_while(lambda *batch: tf.logical_not(halt)).with_options(options)

    def _build(self) -> None:
        """A fresh, seeded, compiled model: a retry without XLA starts from the same weights.

        The seeds live in the model's initialisers and dropout layers (model.py) and in the shuffle
        (shuffled_batches), never in keras.utils.set_random_seed: that one is process-wide, and another user's run
        starting would reseed this one mid-way.
        """
        # A classifier's data says its classes, sequence length and pad value; windows for a forecast say none.
        options = getattr(self.windows, "model_options", {})
        # Data whose network is not model.py's (token ids through an embedding) brings its own builder.
        build = getattr(self.windows, "build_model", None)
        model = build(self.config) if build else build_model(self.config, self.windows.features, **options)
        self.state.model, kept = compile_model(model, self.config, jit_compile=self.state.jit_compile,
                                               n_classes=options.get("n_classes"))
        # Whether the compiled step came from an earlier run of this shape in this worker (it then starts at speed).
        self.state.compiled_kept = kept

    def _finish(self, callbacks) -> None:
        state = self.state
        if state.status == "running":
            stopped_by_patience = any(getattr(c, "stopped_epoch", 0) for c in callbacks)
            if self._stop_reason:
                state.status, state.reason = "stopped_early", self._stop_reason
            elif stopped_by_patience:
                state.status = "stopped_early"
                state.reason = f"validation loss stopped improving for {self.config.patience} epochs"
            else:
                state.status = "completed"
        val = state.history["val_loss"]
        if val and all(math.isfinite(v) for v in val):
            state.best_epoch = int(np.argmin(val)) + 1
        self.emit("stopped", {"status": state.status, "reason": state.reason, "epochs": state.epochs_done})


def _emitter(runner: Runner):
    import keras

    class EventEmitter(keras.callbacks.Callback):
        """Turns Keras hooks into runner events; holds no UI."""

        def __init__(self):
            super().__init__()
            self._epoch_started = 0.0
            self._run_started = time.monotonic()
            self._last_tick = 0.0
            self._steps_before = 0

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_started = time.monotonic()
            self._steps_before = self._steps()
            # fit() clears stop_training when it starts, so a stop asked for before then is applied here.
            if runner.stop_requested:
                self.model.stop_training = True

        def _steps(self) -> int:
            return int(self.model.optimizer.iterations.numpy())

        def on_epoch_end(self, epoch, logs=None):
            if runner.stop_requested and self._steps() == self._steps_before:
                return  # halted before its first batch: this epoch never trained, and is not one
            record_epoch(runner, epoch, logs or {}, time.monotonic() - self._epoch_started,
                         time.monotonic() - self._run_started)
            if runner.state.status == "diverged":
                self.model.stop_training = True
            stop_at_time_limit(runner, time.monotonic() - self._run_started)

    class TickingEmitter(EventEmitter):
        def on_train_batch_end(self, batch, logs=None):
            now = time.monotonic()
            if now - self._last_tick >= TICK_SECONDS:
                self._last_tick = now
                stop_at_time_limit(runner, now - self._run_started)
                runner.emit("tick", {"epoch": runner.state.epochs_done + 1, "step": batch + 1,
                                     "elapsed": now - self._run_started})

    return TickingEmitter() if runner.ticks else EventEmitter()


def stop_at_time_limit(runner: Runner, elapsed: float) -> None:
    """A run past the server's wall-time limit stops with a finding; its model and curve so far are kept."""
    if elapsed <= runner.max_seconds or runner.stop_requested:
        return
    epochs = runner.state.epochs_done
    runner.add_finding(Finding(
        "LIMIT005", "warning", f"Stopped at the server's time limit of {runner.max_seconds:,} s",
        f"The run trained for {elapsed:.0f} s ({epochs} of {runner.config.epochs} epochs). This server stops a run "
        "after that long so that one user cannot hold a training slot for everyone else. The model and the curve "
        "so far are kept. Train fewer epochs or a smaller model, or use the command line on your own machine. "
        f"{how_to_change('max_train_seconds')}",
        evidence={"seconds": round(elapsed, 1), "limit": runner.max_seconds, "epochs_done": epochs},
        fix=None, epoch=max(epochs, 1), area="training"))
    runner.request_stop(f"the server's time limit of {runner.max_seconds:,} s was reached")


def record_epoch(runner: Runner, epoch: int, logs: dict, seconds: float, elapsed: float) -> None:
    state = runner.state
    loss = float(logs.get("loss", float("nan")))
    val_loss = float(logs["val_loss"]) if "val_loss" in logs else None
    state.history["loss"].append(loss)
    if val_loss is not None:
        state.history["val_loss"].append(val_loss)
    state.epoch_seconds.append(seconds)
    runner.emit("epoch_end", {"epoch": epoch + 1, "loss": loss, "val_loss": val_loss, "seconds": seconds,
                              "elapsed": elapsed, "epochs": runner.config.epochs})
    if not math.isfinite(loss) or (val_loss is not None and not math.isfinite(val_loss)):
        state.status = "diverged"
        state.reason = f"the loss became {loss} at epoch {epoch + 1}"

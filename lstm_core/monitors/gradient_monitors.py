"""A look inside the model on one fixed training batch — gradient norms and saturated units — and the monitors on it.

The probe runs the model eagerly under tf.GradientTape on the same 64 training windows each time, so its numbers are
comparable from epoch to epoch. Eager costs tens of milliseconds a look but nothing to set up (tracing a tf.function
costs 0.2–0.6 s once, more than the whole budget of a short run), and the probe looks only while its total cost stays
within PROBE_BUDGET of the training time so far: every epoch when epochs take seconds; in a short run once it has
trained long enough to afford a look (for the samples' default model, about 4 s: a few epochs after the first), then
again when the budget allows and at the end.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from lstm_core.config import INSPECTED_TASKS
from lstm_core.findings import Finding
from lstm_core.monitors.engine import Curve, Facts, Probe, as_evidence, monitor

PROBE_WINDOWS = 64
# Share of the training time the probe may use; the curve monitors cost microseconds, so all monitors stay under 3 %.
PROBE_BUDGET = 0.025
# Before the first look, its cost is guessed per time step and recurrent layer (eager, fwd + bwd, measured ~2.5 ms);
# the first look at a fresh model costs about 1.6x a later one (100 ms against 60 for the default model).
PROBE_SECONDS_PER_STEP = 0.0025
FIRST_LOOK_FACTOR = 1.6
# TRAIN107: a global gradient norm above 100 — 20–100× the clip norms commonly used (1–5); healthy sample runs stay
# below 3.
EXPLODING_NORM = 100.0
# TRAIN108: the first recurrent layer gets under 1/10,000 of the gradient (or the whole norm is under 1e-7) while
# the loss on the batch is still at least half the zero-skill level.
VANISHING_SHARE = 1e-4
VANISHING_NORM = 1e-7
VANISHING_LEVEL = 0.5
# TRAIN109: at least 5 % of the LSTM outputs have |h| > 0.99, where tanh passes back less than 2 % of a gradient;
# healthy sample runs have none.
SATURATION_LEVEL = 0.99
SATURATION_SHARE = 0.05
# Activations whose outputs saturate near ±1 (or 1): only for them is |h| > 0.99 a sign of saturation.
SATURATING = ("tanh", "sigmoid", "softsign")


class GradientProbe:
    """Measures loss, global gradient norm, the first recurrent layer's norm and saturated outputs on one batch."""

    def __init__(self, config, windows, loss: str, budget: float = PROBE_BUDGET):
        self.budget = budget
        rows = len(windows.x_train)
        index = np.unique(np.linspace(0, rows - 1, min(rows, PROBE_WINDOWS)).round().astype(int))
        self.x = np.ascontiguousarray(windows.x_train[index], dtype="float32")
        self.y = np.ascontiguousarray(windows.y_train[index], dtype="float32")
        self.loss_name = loss
        self.saturating = config.activation in SATURATING
        directions = 2 if config.bidirectional else 1
        self.estimate = FIRST_LOOK_FACTOR * PROBE_SECONDS_PER_STEP * config.timesteps * config.layers * directions
        self.spent = 0.0
        self.failed: str | None = None
        self._model = None
        self._view = None
        self._first_layer_variables: list = []

    def affordable(self, training_seconds: float) -> bool:
        return self.failed is None and self.spent + self.estimate <= self.budget * training_seconds

    def measure(self, model, epoch: int) -> Probe | None:
        started = time.perf_counter()
        # An LSTM cell draws its dropout masks even when not training, which moves its seed state: a look must leave
        # that state as it found it, or whether the probe could afford a look would change the run's later masks.
        seeds = [v for v in model.variables if v.path.endswith("seed_generator_state")]
        saved = [np.array(v.numpy()) for v in seeds]
        try:
            probe = self._measure(model, epoch)
        except Exception as exc:  # a look that fails must never stop training; the probe just stops looking
            self.failed = f"{type(exc).__name__}: {exc}"[:300]
            probe = None
        finally:
            for variable, value in zip(seeds, saved, strict=True):
                variable.assign(value)
        seconds = time.perf_counter() - started
        self.spent += seconds
        self.estimate = seconds
        return probe if probe is None else replace(probe, seconds=seconds)

    def _measure(self, model, epoch: int) -> Probe:
        import keras
        import tensorflow as tf

        if model is not self._model:
            self._bind(model)
        loss_function = keras.losses.get(self.loss_name)
        with tf.GradientTape() as tape:
            *hidden, predicted = self._view(self.x, training=False)
            target = tf.constant(self.y)
            if self.y.size == int(np.prod(predicted.shape)):  # (N,) targets against (N, 1) outputs, as fit does
                target = tf.reshape(target, tf.shape(predicted))
            loss = tf.reduce_mean(loss_function(target, predicted))
        variables = model.trainable_variables
        gradients = tape.gradient(loss, variables)
        first_ids = {id(v) for v in self._first_layer_variables}
        pairs = [(v, g) for v, g in zip(variables, gradients, strict=True) if g is not None]
        norm = float(tf.linalg.global_norm([g for _, g in pairs]))
        first = float(tf.linalg.global_norm([g for v, g in pairs if id(v) in first_ids] or [tf.zeros(1)]))
        saturated = None
        if self.saturating and hidden:
            flat = np.concatenate([np.abs(np.asarray(h)).ravel() for h in hidden])
            saturated = float(np.mean(flat > SATURATION_LEVEL))
        return Probe(epoch, float(loss), norm, first, saturated)

    def _bind(self, model) -> None:
        import keras

        recurrent = [layer for layer in model.layers
                     if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        self._view = keras.Model(inputs, [*(layer.output for layer in recurrent), model.outputs[0]])
        self._first_layer_variables = list(recurrent[0].trainable_variables) if recurrent else []
        self._model = model


def _probe_of_this_epoch(curve: Curve) -> Probe | None:
    probe = curve.last_probe
    return probe if probe is not None and probe.epoch == curve.epoch and math.isfinite(probe.loss) else None


def _finding(code: str, title: str, detail: str, curve: Curve, evidence: dict, fix: dict | None) -> Finding:
    return Finding(code, "warning", title, detail, evidence=evidence, fix=fix, epoch=curve.epoch, area="training")


def _scaling_or(facts: Facts, otherwise: dict | None) -> dict | None:
    return {"scaling": "standard"} if facts.unscaled_and_large else otherwise


@monitor("TRAIN107", uses_probe=True)
def exploding_gradients(curve: Curve, facts: Facts):
    probe = _probe_of_this_epoch(curve)
    if probe is None or (math.isfinite(probe.gradient_norm) and probe.gradient_norm <= EXPLODING_NORM):
        return None
    cause = (f"Scaling is off and the inputs reach {facts.max_abs_input:.4g}, so the errors and their gradients are "
             "as large as the data." if facts.unscaled_and_large else
             "A learning rate 10× lower keeps the weights from being thrown this far.")
    return _finding(
        "TRAIN107", "Exploding gradients",
        f"At epoch {curve.epoch} the gradient norm on a fixed batch of training windows is "
        f"{probe.gradient_norm:.4g}, over {EXPLODING_NORM:g} (healthy runs stay below about 3). Each step then throws "
        f"the weights far from where they were. {cause}",
        curve, {"gradient_norm": as_evidence(probe.gradient_norm), "limit": EXPLODING_NORM, "batch_loss": probe.loss},
        _scaling_or(facts, facts.lower_rate()))


def vanishing(probe: Probe) -> bool:
    share = probe.first_layer_norm / probe.gradient_norm if probe.gradient_norm > 0 else 0.0
    return probe.gradient_norm < VANISHING_NORM or share < VANISHING_SHARE


@monitor("TRAIN108", uses_probe=True)
def vanishing_gradients(curve: Curve, facts: Facts):
    probe = _probe_of_this_epoch(curve)
    if probe is None or not math.isfinite(probe.gradient_norm) or not vanishing(probe):
        return None
    if facts.zero_skill is not None and probe.loss < VANISHING_LEVEL * facts.zero_skill:
        return None
    config = facts.config
    if facts.unscaled_and_large:
        fix, cause = {"scaling": "standard"}, (f"Scaling is off and the inputs reach {facts.max_abs_input:.4g}: "
                                               "the gates are pinned at 0 or 1 and pass nothing back.")
    elif config.activation != "tanh" or config.recurrent_activation != "sigmoid":
        fix = {"activation": "tanh", "recurrent_activation": "sigmoid"}
        cause = "The LSTM's usual tanh / sigmoid activations keep gradients flowing."
    elif config.layers > 1:
        fix, cause = {"layers": config.layers - 1}, "Fewer stacked layers give the gradient a shorter way back."
    else:
        fix, cause = None, "Check the scaling of the inputs and the learning rate."
    share = probe.first_layer_norm / probe.gradient_norm if probe.gradient_norm > 0 else 0.0
    return _finding(
        "TRAIN108", "Vanishing gradients: the LSTM has stopped learning",
        f"At epoch {curve.epoch} the first LSTM layer receives {share:.2g} of the gradient (norm "
        f"{probe.first_layer_norm:.3g} of {probe.gradient_norm:.3g}) while the loss is still "
        f"{probe.loss:.4g}: only the layers near the output still learn. {cause}",
        curve, {"gradient_norm": probe.gradient_norm, "first_layer_norm": probe.first_layer_norm,
                "first_layer_share": share, "limit_share": VANISHING_SHARE, "batch_loss": probe.loss}, fix)


def see_inside(config) -> str:
    """Where the user sees which gates are pinned, for the tasks that have the view (ui/inside.py)."""
    if config.task not in INSPECTED_TASKS:
        return ""
    return (" To see which gates are pinned, open \"Inside the LSTM\" under the run's results: it shows the share "
            "of gate values at 0 or 1 next to a healthy run of the same setup.")


@monitor("TRAIN109", uses_probe=True)
def saturated_units(curve: Curve, facts: Facts):
    probe = _probe_of_this_epoch(curve)
    if probe is None or probe.saturated_share is None or probe.saturated_share < SATURATION_SHARE:
        return None
    config = facts.config
    if facts.unscaled_and_large:
        fix, cause = {"scaling": "standard"}, (f"Scaling is off and the inputs reach {facts.max_abs_input:.4g}, "
                                               "which drives the gates to their limits.")
    elif facts.rate_is_high:
        fix, cause = facts.lower_rate(), "The learning rate is high enough to throw the weights to extremes."
    else:
        fix, cause = None, "Scale the inputs and keep the learning rate in the usual range."
    return _finding(
        "TRAIN109", "Saturated LSTM units",
        f"At epoch {curve.epoch} {probe.saturated_share:.0%} of the LSTM outputs on a fixed batch are within 1 % "
        f"of ±1 (limit {SATURATION_SHARE:.0%}). There the activation is flat: those units pass almost no gradient "
        f"back and stop learning. {cause}{see_inside(config)}",
        curve, {"saturated_share": probe.saturated_share, "limit": SATURATION_SHARE, "level": SATURATION_LEVEL},
        fix)

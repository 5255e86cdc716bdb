"""Monitors that read only the loss curve: NaN, divergence, stagnation, oscillation, overfitting, underfitting.

Losses are Keras' epoch values: `loss` is the mean over the epoch's batches, `val_loss` is measured at its end. Levels
are compared with the zero-skill loss of Facts, in the scaled units the model sees. Thresholds are module constants,
documented with their reasons in docs/checks.md.
"""

from __future__ import annotations

import math
from itertools import pairwise
from statistics import median

from lstm_core.checks.training_checks import LR_HIGH
from lstm_core.config import LIMITS
from lstm_core.findings import Finding
from lstm_core.monitors.engine import Curve, Facts, as_evidence, finite, monitor

CROSS_ENTROPY = ("binary_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy")
# LSTM cell activations without a bound: the cell output can grow step after step.
UNBOUNDED_ACTIVATIONS = ("relu", "elu", "linear")

# TRAIN102: loss above 10x what an untrained model starts at; or 3x its first epoch; or two rises in a row adding
# up to 25 %; or three alternating jumps of 2x or more — those three only while above the zero-skill level; or, at a
# learning rate above the optimiser's "very high" mark (TRAIN001), no better than 90 % of zero skill after 3 epochs.
EXPLODE_FACTOR, ABOVE_FIRST_FACTOR = 10.0, 3.0
RISE_EPOCHS, RISE_TOTAL = 2, 1.25
SWING_WINDOW, SWING_RATIO = 4, 2.0
COLLAPSE_EPOCHS, COLLAPSE_LEVEL = 3, 0.9
# TRAIN103: for 5 epochs every loss stayed within a 1 % band while at or above half the zero-skill level; or, above
# the zero-skill level, its pace would need more than 200 epochs just to get down to that level.
STALL_EPOCHS = 5
STALL_CHANGE = 0.01
STALL_LEVEL = 0.5
STALL_HORIZON = 200
# TRAIN104: over the last 6 epochs the train loss changed direction at least 3 times, with a median step of 10 %.
OSCILLATION_EPOCHS = 6
OSCILLATION_TURNS = 3
OSCILLATION_STEP = 0.10
# A swinging loss that still gets somewhere (net fall ≥ this share of the distance it travels) is noise on a descent,
# not an optimiser overshooting: small data sets with a few batches an epoch draw such curves at a sound rate.
OSCILLATION_PROGRESS = 0.4
# TRAIN105: validation loss rose 4 epochs in a row to 10 % above its best while the train loss fell. (Three rises
# happen early in healthy runs of the trending monthly_sales sample, before the validation loss falls again.)
OVERFIT_RISES = 4
OVERFIT_MARGIN = 1.10
# TRAIN106: after at least 5 epochs, train and best validation loss are both still above 80 % of zero skill.
UNDERFIT_LEVEL = 0.8
UNDERFIT_MIN_EPOCHS = 5


def _finding(code: str, severity: str, title: str, detail: str, curve: Curve, evidence: dict,
             fix: dict | None) -> Finding:
    return Finding(code, severity, title, detail, evidence=evidence, fix=fix, epoch=curve.epoch, area="training")


def _g(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _nan_or_inf(value: float) -> str:
    return "NaN" if math.isnan(value) else "infinite"


def _last_val(curve: Curve) -> float | None:
    return curve.val_loss[-1] if len(curve.val_loss) == curve.epoch and curve.val_loss else None


def suspects(facts: Facts) -> list[tuple[str, str, dict]]:
    """Likely causes of a blown-up loss, most likely first: (cause, why, fix)."""
    config = facts.config
    found = []
    if facts.loss in CROSS_ENTROPY:
        found.append(("head", f"the loss {facts.loss} is for classes, not for numbers to forecast", {"loss": None}))
    if facts.unscaled_and_large:
        found.append(("data", f"scaling is off and the inputs reach {facts.max_abs_input:.4g}",
                      {"scaling": "standard"}))
    if facts.rate_is_high:
        found.append(("learning rate", f"learning_rate {config.learning_rate:g} is above the usual range for "
                      f"{config.optimizer} (up to {LR_HIGH[config.optimizer]:g})", facts.lower_rate()))
    if config.activation in UNBOUNDED_ACTIVATIONS:
        found.append(("head", f"the LSTM activation '{config.activation}' has no bound, so the cell output can "
                      "grow at every step", {"activation": "tanh"}))
    if config.head()[1] != "linear":
        found.append(("head", f"the output activation '{config.head()[1]}' is not linear",
                      {"output_activation": None}))
    if not found:
        found.append(("learning rate", "the data are scaled and the head is ordinary, so steps too large for this "
                      "model are the usual cause", facts.lower_rate()))
    return found


@monitor("TRAIN101", stops="diverged")
def non_finite_loss(curve: Curve, facts: Facts):
    values = {"loss": curve.loss[-1], "val_loss": _last_val(curve)}
    bad = {name: value for name, value in values.items() if value is not None and not math.isfinite(value)}
    if not bad:
        return None
    found = suspects(facts)
    cause, why, fix = found[0]
    others = "; ".join(f"{c}: {w}" for c, w, _ in found[1:])
    what = " and ".join(f"{name} became {_nan_or_inf(value)}" for name, value in bad.items())
    return _finding(
        "TRAIN101", "error", f"The loss became {_nan_or_inf(next(iter(bad.values())))}",
        f"At epoch {curve.epoch} the {what}. The weights are no longer numbers, so nothing more can be learnt; the "
        f"curve so far is kept. Likely cause — {cause}: {why}." + (f" Also suspect: {others}." if others else ""),
        curve, {"loss": as_evidence(values["loss"]), "val_loss": as_evidence(values["val_loss"]), "likely_cause": cause,
                "suspects": [c for c, _, _ in found], "learning_rate": facts.config.learning_rate,
                "scaling": facts.config.scaling, "max_abs_input": facts.max_abs_input}, fix)


def swinging(values: list[float], ratio: float) -> bool:
    """Every step changes direction and each jump is at least `ratio` times (up or down)."""
    steps = [b - a for a, b in pairwise(values)]
    alternate = all(a * b < 0 for a, b in pairwise(steps))
    big = all(max(a, b) >= ratio * min(a, b) for a, b in pairwise(values))
    return len(steps) >= 2 and alternate and big


def divergence_rule(curve: Curve, facts: Facts) -> tuple[str, str] | None:
    """(rule, plain explanation) when the finite curve is diverging, else None."""
    loss = curve.loss
    now = loss[-1]
    zero = facts.zero_skill
    above_zero = zero is None or now > zero
    if facts.start_level is not None and now > EXPLODE_FACTOR * facts.start_level:
        return "exploded", (f"the loss {now:.4g} is over {EXPLODE_FACTOR:g}× the {facts.start_level:.4g} an "
                            "untrained model starts near")
    if len(loss) >= 2 and above_zero and now > ABOVE_FIRST_FACTOR * loss[0]:
        return "above_first", f"the loss {now:.4g} is over {ABOVE_FIRST_FACTOR:g}× its first epoch's {loss[0]:.4g}"
    recent = loss[-RISE_EPOCHS - 1:]
    if (len(loss) > RISE_EPOCHS and above_zero and all(b > a for a, b in pairwise(recent))
            and recent[-1] >= RISE_TOTAL * recent[0]):
        return "rising", (f"the loss rose {RISE_EPOCHS} epochs in a row, from {recent[0]:.4g} to {now:.4g}, while "
                          f"worse than always predicting the mean ({_g(zero)})")
    window = loss[-SWING_WINDOW:]
    if (len(loss) >= SWING_WINDOW and (zero is None or sum(window) / len(window) > zero)
            and swinging(window, SWING_RATIO)):
        return "swinging", (f"the loss jumps up and down by {SWING_RATIO:g}× or more every epoch "
                            f"({', '.join(f'{v:.3g}' for v in window)})")
    if (zero is not None and facts.rate_is_very_high and len(loss) >= COLLAPSE_EPOCHS
            and min(loss[-2:]) >= COLLAPSE_LEVEL * zero):
        return "stuck_at_mean", (f"at learning rate {facts.config.learning_rate:g}, far above the usual range, "
                                 f"the loss {now:.4g} is still no better than always "
                                 f"predicting the mean ({zero:.4g}): the steps have thrown the LSTM's weights to "
                                 "extremes where it only outputs the average")
    return None


@monitor("TRAIN102", stops="diverged")
def divergence(curve: Curve, facts: Facts):
    if not finite(curve.loss):
        return None
    found = divergence_rule(curve, facts)
    if found is None:
        return None
    rule, why = found
    data_hint = (f" Scaling is off and the inputs reach {facts.max_abs_input:.4g}: scaling \"standard\" helps too."
                 if facts.unscaled_and_large else "")
    return _finding(
        "TRAIN102", "error", "The loss is diverging",
        f"At epoch {curve.epoch} {why}. The optimiser's steps are too large for this model, so more epochs only "
        f"make it worse (the loss need not become NaN for that). Try a learning rate 10× lower.{data_hint}",
        curve, {"rule": rule, "loss": curve.loss[-1], "first_loss": curve.loss[0], "zero_skill": facts.zero_skill,
                "start_level": facts.start_level, "recent": curve.loss[-SWING_WINDOW:],
                "learning_rate": facts.config.learning_rate}, facts.lower_rate())


def stagnation_rule(curve: Curve, facts: Facts) -> tuple[str, dict] | None:
    loss = curve.loss
    if len(loss) <= STALL_EPOCHS or not finite(loss[-STALL_EPOCHS - 1:]) or loss[-STALL_EPOCHS - 1] <= 0:
        return None
    window = loss[-STALL_EPOCHS - 1:]
    before, now = window[0], window[-1]
    change = (before - now) / before
    # The band, not just the two ends: a loss bouncing around a slow descent can end where it began.
    band = (max(window) - min(window)) / max(window)
    zero = facts.zero_skill
    reference, level = (zero, STALL_LEVEL) if zero else (loss[0], 0.8)
    evidence = {"loss": now, "loss_before": before, "epochs": STALL_EPOCHS, "relative_change": change,
                "band": band, "zero_skill": zero}
    if now >= level * reference and band < STALL_CHANGE:
        return "flat", evidence
    if zero and now > zero:
        pace = -math.log(1 - change) / STALL_EPOCHS if 0 < change < 1 else 0.0
        needed = math.log(now / zero) / pace if pace > 0 else math.inf
        if needed > STALL_HORIZON:
            return "crawl", {**evidence, "epochs_to_zero_skill": needed if math.isfinite(needed) else None}
    return None


@monitor("TRAIN103", stops="stopped_early")
def stagnation(curve: Curve, facts: Facts):
    found = stagnation_rule(curve, facts)
    if found is None:
        return None
    rule, evidence = found
    change = evidence["relative_change"]
    if rule == "flat":
        what = (f"the loss stayed within {evidence['band']:.2%} for {STALL_EPOCHS} epochs and is still "
                f"{evidence['loss']:.4g}, no better than {STALL_LEVEL:.0%} of always predicting the mean "
                f"({_g(facts.zero_skill)})")
    else:
        what = (f"the loss is {evidence['loss']:.4g}, above the {_g(facts.zero_skill)} of always predicting the "
                f"mean, and fell only {change:.2%} in {STALL_EPOCHS} epochs: at that pace it would take more than "
                f"{STALL_HORIZON} epochs just to get there")
    if facts.unscaled_and_large:
        fix, remedy = {"scaling": "standard"}, (f"Scaling is off and the inputs reach {facts.max_abs_input:.4g}: the "
                                               "gates saturate and the steps are tiny against such values. Scale them.")
    else:
        fix = facts.higher_rate()
        remedy = f"The steps are too small to get anywhere: raise the learning rate to {fix['learning_rate']:g}."
    return _finding("TRAIN103", "warning", "Training is not getting anywhere",
                    f"At epoch {curve.epoch} {what}. {remedy}", curve,
                    {"rule": rule, **evidence, "learning_rate": facts.config.learning_rate}, fix)


def oscillation_stats(values: list[float]) -> tuple[int, float]:
    """(direction changes, median step relative to the mean level) over `values`."""
    steps = [b - a for a, b in pairwise(values)]
    turns = sum(1 for a, b in pairwise(steps) if a * b < 0)
    level = sum(values) / len(values)
    return turns, (median(abs(s) for s in steps) / level if level > 0 and steps else 0.0)


@monitor("TRAIN104")
def oscillation(curve: Curve, facts: Facts):
    window = curve.loss[-OSCILLATION_EPOCHS:]
    if len(window) < OSCILLATION_EPOCHS or not finite(window):
        return None
    turns, step = oscillation_stats(window)
    if turns < OSCILLATION_TURNS or step < OSCILLATION_STEP:
        return None
    travelled = sum(abs(b - a) for a, b in pairwise(window))
    progress = (window[0] - window[-1]) / travelled if travelled > 0 else 0.0
    if progress >= OSCILLATION_PROGRESS:
        return None
    return _finding(
        "TRAIN104", "warning", "The loss goes up and down from epoch to epoch",
        f"Over the last {OSCILLATION_EPOCHS} epochs the train loss changed direction {turns} times, by a typical "
        f"{step:.0%} each epoch. The optimiser overshoots the minimum it is heading for; a learning rate 10× lower "
        "usually gives a steady descent.",
        curve, {"recent": window, "direction_changes": turns, "median_step": step, "net_progress": progress,
                "learning_rate": facts.config.learning_rate}, facts.lower_rate())


@monitor("TRAIN105")
def overfitting(curve: Curve, facts: Facts):
    val, loss = curve.val_loss, curve.loss
    if len(val) != len(loss) or len(val) <= OVERFIT_RISES or not finite(val + loss):
        return None
    recent_val, recent_loss = val[-OVERFIT_RISES - 1:], loss[-OVERFIT_RISES - 1:]
    rising = all(b > a for a, b in pairwise(recent_val))
    best = min(val)
    if not (rising and recent_loss[-1] < recent_loss[0] and recent_val[-1] >= OVERFIT_MARGIN * best):
        return None
    gaps = [v - t for v, t in zip(recent_val, recent_loss, strict=False)]
    config = facts.config
    if not config.early_stopping:
        fix, remedy = {"early_stopping": True}, "Turn on early stopping: it keeps the weights of the best epoch."
    elif config.dropout < 0.2:
        fix, remedy = {"dropout": 0.2}, "Add dropout 0.2 so the model cannot lean on single windows."
    else:
        fix, remedy = {"units": max(4, config.units // 2)}, "Use fewer units: the model has room to memorise."
    return _finding(
        "TRAIN105", "warning", "Validation loss rising while training loss falls: overfitting",
        f"For the last {OVERFIT_RISES} epochs the validation loss rose, to {recent_val[-1]:.4g} "
        f"({recent_val[-1] / best - 1:.0%} above its best, {best:.4g}), while the training loss kept falling. The "
        f"model is learning the training windows by heart rather than the pattern. {remedy}",
        curve, {"val_loss": recent_val, "loss": recent_loss, "gap": gaps, "best_val_loss": best}, fix)


@monitor("TRAIN106", when="end")
def underfitting(curve: Curve, facts: Facts):
    zero, val_zero = facts.zero_skill, facts.val_zero_skill
    if zero is None or curve.epoch < UNDERFIT_MIN_EPOCHS or not finite(curve.loss):
        return None
    has_val = bool(curve.val_loss) and val_zero is not None and finite(curve.val_loss)
    best_val = min(curve.val_loss) if has_val else None
    if curve.loss[-1] < UNDERFIT_LEVEL * zero or (has_val and best_val < UNDERFIT_LEVEL * val_zero):
        return None
    config = facts.config
    still_falling = len(curve.loss) >= 2 and curve.loss[-1] < 0.99 * curve.loss[-2]
    if still_falling and curve.epoch >= config.epochs:
        fix = {"epochs": min(int(LIMITS["epochs"][1]), config.epochs * 2)}
        remedy = "The loss was still falling when the epochs ran out: train for longer."
    elif config.units < 128:
        fix, remedy = {"units": config.units * 2}, "Give the model more units to hold the pattern."
    else:
        fix = {"timesteps": config.timesteps * 2}
        remedy = "Give each window more history (at least one full season)."
    return _finding(
        "TRAIN106", "warning", "The model learnt little more than the average",
        f"After {curve.epoch} epochs the training loss is {curve.loss[-1]:.4g} and the best validation loss "
        f"{_g(best_val)}, both above {UNDERFIT_LEVEL:.0%} of what always predicting the training mean scores "
        f"({zero:.4g} train, {_g(val_zero)} validation). {remedy} A longer window or more units also help; if "
        "the series is mostly noise, no model will do much better.",
        curve, {"loss": curve.loss[-1], "best_val_loss": best_val, "zero_skill": zero,
                "val_zero_skill": val_zero, "level": UNDERFIT_LEVEL}, fix)

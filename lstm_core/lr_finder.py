"""The learning-rate range test: train a fresh copy of the model while the rate grows, and read the loss curve.

Rule for the suggestion (Smith 2015, "Cyclical learning rates"; the fast.ai "steepest" point): the loss is smoothed
with an exponential moving average (bias-corrected, as Adam corrects its moments), its slope is taken against
log10(rate), and the suggestion is the rate where the smoothed loss falls fastest, among the points that lie before
the minimum, at least a quarter of the way down from the starting loss to the minimum, and at a rate of at most a tenth
of the rate at the minimum (the minimum sits at the edge of blowing up). When no point lies that low, the steepest
falling point before the minimum is taken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lstm_core.findings import Finding

START_LR = 1e-7
END_LR = 1.0
STEPS = 200
# Weight of the past in the moving average: 0.9 averages about the last 10 steps.
SMOOTHING = 0.9
# The test stops once the smoothed loss passes this multiple of its best so far.
DIVERGE_FACTOR = 4.0
# Fewer recorded steps than this cannot show a fall and a rise: TRAIN203.
MIN_STEPS = 20
# The smoothed loss must fall at least this share below its start to count as falling: else TRAIN202.
MIN_DROP = 0.1
# The first steps of the average rest on few losses (about 1 / (1 - SMOOTHING)); the suggestion never comes from them.
SKIP_START = 10
# The starting loss: the median of the raw losses over this share of the steps (at least SKIP_START of them).
START_SHARE = 0.1
# A suggestion must lie this share of the way down from the start to the minimum: the noise of the flat start has
# steep little slopes of its own, and must not pass for the descent.
DESCENT_SHARE = 0.25


@dataclass
class RangeTest:
    """The curve of one range test and what it suggests; `suggested_lr` is None when the curve gives no answer."""

    suggested_lr: float | None
    lrs: list[float]
    losses: list[float | None]
    smoothed: list[float | None]
    findings: list[Finding] = field(default_factory=list)
    stopped: str = "completed"  # completed | diverged (the loss passed DIVERGE_FACTOR × its best, or not finite)
    jit_compile: bool = True

    @property
    def suggested_index(self) -> int | None:
        if self.suggested_lr is None:
            return None
        return int(np.argmin(np.abs(np.log(self.lrs) - math.log(self.suggested_lr))))

    def to_dict(self) -> dict:
        return {"suggested_lr": self.suggested_lr, "lrs": self.lrs, "losses": self.losses,
                "smoothed": self.smoothed, "findings": [f.to_dict() for f in self.findings],
                "stopped": self.stopped}


def find_learning_rate(prepared, start_lr: float = START_LR, end_lr: float = END_LR, steps: int = STEPS,
                       jit_compile: bool = True) -> RangeTest:
    """Run the range test on a fresh, seeded model for `prepared` (a forecast's Prepared or a ClassPrepared).

    The model is built anew for the test and thrown away: a model the user has trained is never touched.
    """
    if not 0 < start_lr < end_lr:
        raise ValueError(f"the range must grow: start {start_lr:g} must be above 0 and below end {end_lr:g}")
    steps = max(2, int(steps))
    lrs = np.geomspace(start_lr, end_lr, steps)
    try:
        losses, jit = _record(prepared, lrs, jit_compile), jit_compile
    except Exception as exc:
        # XLA refuses a few layer options; the same test runs without it, as training does.
        if not jit_compile or "XLA" not in str(exc):
            raise
        losses, jit = _record(prepared, lrs, False), False
    return read_curve(lrs.tolist(), losses, prepared.config.learning_rate, jit)


def _record(prepared, lrs: np.ndarray, jit_compile: bool) -> list[float]:
    """The loss at every rate: the model's initialisers and the batch order carry the run's seed (never the
    process-wide one, which another user's run may reset)."""
    from lstm_core.compiled import compile_built
    from lstm_core.model import build_model

    config, data = prepared.config, prepared.windows
    options = getattr(data, "model_options", {})
    model = build_model(config, data.features, **options)
    _, _, loss = config.head(options.get("n_classes"))
    # One batch a step, so every loss belongs to one rate (several steps an execution would average rates).
    compile_built(model, _optimizer(config, float(lrs[0])), loss=loss, jit_compile=jit_compile)
    x = np.ascontiguousarray(data.x_train, dtype="float32")
    y = np.ascontiguousarray(data.y_train, dtype="float32")
    batch = min(config.batch_size, len(x))
    order = _batches(len(x), batch, len(lrs), config.seed)
    losses: list[float] = []
    best = math.inf
    average = 0.0
    for step, (lr, index) in enumerate(zip(lrs, order, strict=False)):
        model.optimizer.learning_rate.assign(float(lr))
        logs = model.train_on_batch(x[index], y[index], return_dict=True)
        # train_on_batch keeps a running mean across calls; reset it so each loss is this batch's alone.
        model.reset_metrics()
        value = float(logs["loss"])
        losses.append(value)
        if not math.isfinite(value):
            break
        average = SMOOTHING * average + (1 - SMOOTHING) * value
        smoothed = average / (1 - SMOOTHING ** (step + 1))
        best = min(best, smoothed)
        if step >= SKIP_START and smoothed > DIVERGE_FACTOR * best:
            break
    return losses


def _optimizer(config, learning_rate: float):
    import keras

    kinds = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    return kinds[config.optimizer](learning_rate=learning_rate)


def _batches(samples: int, batch: int, steps: int, seed: int) -> list[np.ndarray]:
    """`steps` batches of training windows, each pass over the data in a fresh seeded order."""
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        order = rng.permutation(samples)
        out.extend(order[start:start + batch] for start in range(0, samples - batch + 1, batch))
    return out[:steps]


def smooth(losses: list[float], weight: float = SMOOTHING) -> list[float]:
    """Exponential moving average with bias correction; stops at the first loss that is not a number."""
    out, average = [], 0.0
    for step, value in enumerate(losses):
        if not math.isfinite(value):
            break
        average = weight * average + (1 - weight) * value
        out.append(average / (1 - weight ** (step + 1)))
    return out


def read_curve(lrs: list[float], losses: list[float], current_lr: float | None = None,
               jit_compile: bool = True) -> RangeTest:
    """The suggestion and findings of a recorded curve (a pure function: the tests feed it curves directly too).

    `lrs` are the rates planned; `losses` those recorded, fewer when the test stopped early because the loss blew up.
    """
    smoothed = smooth(losses)
    finite = len(smoothed)
    stopped = "completed" if finite == len(losses) and len(losses) == len(lrs) else "diverged"
    lrs = lrs[: len(losses)]
    test = RangeTest(None, [float(v) for v in lrs], [_number(v) for v in losses],
                     [float(v) for v in smoothed] + [None] * (len(losses) - finite), stopped=stopped,
                     jit_compile=jit_compile)
    if finite == 0:
        test.findings.append(_nan_at_once(losses, lrs, current_lr))
        return test
    if finite < MIN_STEPS:
        test.findings.append(_too_short(finite, lrs))
        return test
    values, rates = np.asarray(smoothed), np.asarray(lrs[:finite])
    lowest = int(np.argmin(values))
    start = float(np.median(losses[: max(SKIP_START, int(finite * START_SHARE))]))
    if values[lowest] > (1 - MIN_DROP) * start:
        test.findings.append(_never_falls(values, rates, start))
        return test
    slope = np.gradient(values, np.log10(rates))
    steps = np.arange(finite)
    below = values <= start - DESCENT_SHARE * (start - values[lowest])
    falling = steps[(steps >= SKIP_START) & (steps <= lowest) & (slope < 0) & below]
    capped = falling[rates[falling] <= rates[lowest] / 10]
    pick = capped if len(capped) else falling
    if not len(pick):
        test.findings.append(_never_falls(values, rates, start))
        return test
    best = int(pick[np.argmin(slope[pick])])
    test.suggested_lr = float(f"{rates[best]:.2g}")
    if lowest >= finite - 1 and stopped == "completed":
        test.findings.append(_still_falling(rates))
    return test


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _finding(code: str, title: str, detail: str, evidence: dict, fix: dict | None = None,
             severity: str = "warning") -> Finding:
    return Finding(code, severity, title, detail, evidence=evidence, fix=fix, area="training")


def _nan_at_once(losses: list[float], lrs: list[float], current_lr: float | None) -> Finding:
    return _finding(
        "TRAIN201", "The loss was not a number from the first step",
        f"At the smallest rate tried ({lrs[0]:.1e}) the loss was already {losses[0]}, so no rate can help: the "
        "model cannot produce a finite loss on this data. Usual causes are inputs or targets far too large "
        "(turn scaling on) or a loss that does not fit the task. The checks above name the likely one.",
        {"first_loss": str(losses[0]), "start_lr": lrs[0], "learning_rate": current_lr})


def _too_short(finite: int, lrs: list[float]) -> Finding:
    return _finding(
        "TRAIN203", f"The test ended after {finite} steps: too few to read",
        f"The loss blew up (or stopped being a number) by the rate {lrs[finite - 1]:.1e}, after {finite} steps; "
        f"a suggestion needs at least {MIN_STEPS} steps showing the loss fall before it rises. Start the range "
        "lower, or check the scaling and the loss.",
        {"steps": finite, "min_steps": MIN_STEPS, "last_lr": lrs[finite - 1]})


def _never_falls(values: np.ndarray, rates: np.ndarray, start: float) -> Finding:
    return _finding(
        "TRAIN202", "The loss never clearly fell: no rate to suggest",
        f"Across the rates {rates[0]:.1e} to {rates[-1]:.1e} the loss started near {start:.4g} and its smoothed curve "
        f"reached at best "
        f"{values.min():.4g}, less than a {MIN_DROP:.0%} fall. Either the range is too narrow or too low to move "
        "the weights, or the model cannot learn from these windows (too few, too noisy, or a target unrelated to "
        "the inputs). Widen the range, or look at the data and window checks.",
        {"start_loss": float(start), "best_loss": float(values.min()), "min_drop": MIN_DROP,
         "lr_range": [float(rates[0]), float(rates[-1])]})


def _still_falling(rates: np.ndarray) -> Finding:
    return _finding(
        "TRAIN204", "The loss was still falling at the top of the range",
        f"The smoothed loss was lowest at the largest rate tried ({rates[-1]:.1e}); the suggestion is the steepest "
        "fall seen, but a larger rate may work as well. Widen the range upwards to see where the loss turns.",
        {"end_lr": float(rates[-1])}, severity="info")

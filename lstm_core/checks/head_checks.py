"""Checks on a classifier's output head: units, activation and loss against its K classes (labels 0 … K−1)."""

from __future__ import annotations

from itertools import combinations

from lstm_core.checks.engine import CheckContext, ClassFacts, register
from lstm_core.findings import Finding

CROSS_ENTROPY = ("binary_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy")
REGRESSION_LOSSES = ("mse", "mae", "huber")
PROBABILITY_ACTIVATIONS = ("sigmoid", "softmax")
HEAD_FIELDS = ("output_units", "output_activation", "loss")


def _head(ctx: CheckContext) -> tuple[int, int, str, str] | None:
    """(K, units, activation, loss) for a classifier whose classes are known, else None (the check skips)."""
    if not ctx.config.classifies or not ctx.n_classes or ctx.n_classes < 2:
        return None
    units, activation, loss = ctx.config.head(ctx.n_classes)
    return ctx.n_classes, units, activation, loss


def _evidence(classes: int, units: int, activation: str, loss: str) -> dict:
    return {"classes": classes, "output_units": units, "output_activation": activation, "loss": loss}


@register("ARCH009")
def units_do_not_match_classes(ctx: CheckContext):
    head = _head(ctx)
    if head is None:
        return
    classes, units, activation, loss = head
    if units < 2 or (loss == "binary_crossentropy" and classes > 2):
        return  # one unit is ARCH010 / ARCH011 / ARCH012's; binary cross-entropy on K > 2 is ARCH012's
    if loss == "binary_crossentropy":
        needed, why = 1, "binary cross-entropy takes one probability per sequence (of the second class)"
    elif (activation == "softmax" or loss in ("sparse_categorical_crossentropy", "categorical_crossentropy")) and (
            units != classes and not (loss == "sparse_categorical_crossentropy" and units < classes)):
        needed, why = classes, "a softmax head gives one probability per class"
    else:
        return
    yield Finding(
        "ARCH009", "error", f"Output layer has {units} units for {classes} classes",
        f"The labels are {classes} classes; {why}, so it needs {needed} unit(s). With {units}, Keras either fails "
        "on the shapes mid-training or trains units that stand for no class. Leave the output units on auto.",
        evidence={**_evidence(classes, units, activation, loss), "needed": needed},
        fix=head_fix(ctx, ("output_units", "output_activation", "loss")), area="model")


@register("ARCH010")
def single_unit_softmax(ctx: CheckContext):
    head = _head(ctx)
    if head is None or head[1] != 1 or head[2] != "softmax":
        return
    classes, units, activation, loss = head
    yield Finding(
        "ARCH010", "error", "Softmax over one unit always outputs 1.0",
        "Softmax divides each output by the sum of all outputs; over a single unit that is 1.0 for every sequence, "
        f"so the model cannot prefer any of the {classes} classes and its gradient is zero. Use sigmoid for one unit "
        f"(two classes) or {classes} softmax units.",
        evidence=_evidence(classes, units, activation, loss),
        fix=head_fix(ctx, ("output_activation", "output_units")), area="model")


@register("ARCH011")
def sparse_labels_beyond_units(ctx: CheckContext):
    head = _head(ctx)
    if head is None:
        return
    classes, units, activation, loss = head
    if loss != "sparse_categorical_crossentropy" or units >= classes:
        return
    yield Finding(
        "ARCH011", "error", f"Sparse categorical cross-entropy with {units} unit(s) for {classes} classes",
        f"The loss reads each label as the index of an output unit; labels run up to {classes - 1} but the head has "
        f"{units} unit(s). Keras fails deep inside fit with \"Received a label value of {classes - 1} which is "
        f"outside the valid range of [0, {units})\". Use {classes} softmax units, or for two classes one sigmoid "
        "unit with binary cross-entropy.",
        evidence=_evidence(classes, units, activation, loss),
        fix=head_fix(ctx, ("output_units", "output_activation", "loss")), area="model")


@register("ARCH012")
def binary_loss_on_many_classes(ctx: CheckContext):
    head = _head(ctx)
    if head is None:
        return
    classes, units, activation, loss = head
    if loss != "binary_crossentropy" or classes <= 2:
        return
    yield Finding(
        "ARCH012", "error", f"Binary cross-entropy on {classes} classes",
        f"Binary cross-entropy expects labels 0 or 1; these run from 0 to {classes - 1}. Keras accepts them without "
        "a word and trains on a loss that means nothing for labels above 1. Use sparse categorical cross-entropy "
        f"with {classes} softmax units.",
        evidence=_evidence(classes, units, activation, loss),
        fix=head_fix(ctx, ("loss", "output_units", "output_activation")), area="model")


@register("ARCH013")
def cross_entropy_without_probabilities(ctx: CheckContext):
    head = _head(ctx)
    if head is None:
        return
    classes, units, activation, loss = head
    if loss not in CROSS_ENTROPY or activation in PROBABILITY_ACTIVATIONS:
        return
    yield Finding(
        "ARCH013", "error", f"A {activation} output with {loss}",
        f"Cross-entropy takes probabilities, but a {activation} output is not one (the loss is not told the outputs "
        "are logits, from_logits=False). Keras clips the outputs into (0, 1) without a word: the gradient vanishes "
        "outside that range and the model learns little. Use sigmoid for one unit, softmax for several.",
        evidence=_evidence(classes, units, activation, loss), fix=head_fix(ctx, ("output_activation",)),
        area="model")


@register("ARCH014")
def one_hot_loss_on_integer_labels(ctx: CheckContext):
    head = _head(ctx)
    if head is None or head[3] != "categorical_crossentropy":
        return
    classes, units, activation, loss = head
    yield Finding(
        "ARCH014", "error", "Categorical cross-entropy needs one-hot labels",
        f"The labels are class numbers 0 … {classes - 1}, one per sequence; categorical cross-entropy expects a "
        f"row of {classes} zeros and ones per sequence, so Keras stops on the shapes (target (N,), output "
        f"(N, {units})). Sparse categorical cross-entropy is the same loss for class numbers.",
        evidence=_evidence(classes, units, activation, loss), fix=head_fix(ctx, ("loss",)), area="model")


@register("ARCH015")
def regression_loss_on_classes(ctx: CheckContext):
    head = _head(ctx)
    if head is None or head[3] not in REGRESSION_LOSSES:
        return
    classes, units, activation, loss = head
    binary = classes == 2 and units == 1
    if binary:
        detail = (f"{loss} on a single probability does train (it is the Brier score for mse), but it learns more "
                  "slowly than binary cross-entropy and its loss is not comparable with other runs.")
    else:
        detail = (f"{loss} treats the class numbers 0 … {classes - 1} as amounts, as if class 2 were twice class 1, "
                  f"and with {units} outputs against one label Keras broadcasts or stops on the shapes.")
    yield Finding(
        "ARCH015", "warning" if binary else "error", f"Regression loss {loss} on class labels",
        f"{detail} Classification needs a cross-entropy loss.",
        evidence=_evidence(classes, units, activation, loss), fix=head_fix(ctx, ("loss", "output_activation")),
        area="model")


HEAD_CHECKS = (units_do_not_match_classes, single_unit_softmax, sparse_labels_beyond_units,
               binary_loss_on_many_classes, cross_entropy_without_probabilities, one_hot_loss_on_integer_labels,
               regression_loss_on_classes)


def head_fix(ctx: CheckContext, preferred: tuple[str, ...]) -> dict | None:
    """The smallest patch that puts head settings back on auto and leaves a probability head (one sigmoid unit, or
    softmax over several) with no head finding: one field (in the order given), then two, then all three. The full
    auto head is always such a head, so some patch works."""
    if isinstance(ctx, _NoFix):
        return None
    chosen = [f for f in preferred if getattr(ctx.config, f) is not None]
    chosen += [f for f in HEAD_FIELDS if f not in chosen and getattr(ctx.config, f) is not None]
    for size in range(1, len(chosen) + 1):
        for fields in combinations(chosen, size):
            patch = dict.fromkeys(fields)
            patched = ctx.config.replace(**patch)
            units, activation, _ = patched.head(ctx.n_classes)
            # Only a head that outputs probabilities: one sigmoid unit, or softmax over several.
            if activation == ("sigmoid" if units == 1 else "softmax") and not head_findings(patched, ctx.n_classes):
                return patch
    return None


def head_findings(config, n_classes: int) -> list[Finding]:
    """Every head finding for this config and K classes (no data needed): what the page can show as the user edits
    the head, and what head_fix tries patches against."""
    names = tuple(str(i) for i in range(n_classes))
    ctx = CheckContext(config=config, classes=ClassFacts(classes=names, split_counts={}))
    found: list[Finding] = []
    for check in HEAD_CHECKS:
        found.extend(check(_NoFix(ctx)) or [])
    return found


class _NoFix(CheckContext):
    """A context whose findings skip computing their own fix (head_fix calls head_findings, not itself again)."""

    def __init__(self, ctx: CheckContext):
        super().__init__(config=ctx.config, classes=ctx.classes)

"""Checks on a classifier's output head: units, activation and loss against its K classes (labels 0 … K−1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from itertools import combinations
from typing import NamedTuple

from lstm_core.checks.engine import CheckContext, ClassFacts, register
from lstm_core.findings import Finding

CROSS_ENTROPY = ("binary_crossentropy", "sparse_categorical_crossentropy", "categorical_crossentropy")
REGRESSION_LOSSES = ("mse", "mae", "huber")
PROBABILITY_ACTIVATIONS = ("sigmoid", "softmax")
HEAD_FIELDS = ("output_units", "output_activation", "loss")


class Head(NamedTuple):
    """A classifier's K classes and its output head with auto filled in: what every head check looks at."""

    classes: int
    units: int
    activation: str
    loss: str

    def evidence(self) -> dict:
        return {"classes": self.classes, "output_units": self.units, "output_activation": self.activation,
                "loss": self.loss}


def head_check(code: str):
    """Register a check of a classifier's head: it is given the Head, and skipped while the classes are unknown."""

    def decorate(function: Callable[[CheckContext, Head], Iterable[Finding]]):
        @register(code)
        @wraps(function)
        def check(ctx: CheckContext):
            if not ctx.config.classifies or not ctx.n_classes or ctx.n_classes < 2:
                return ()
            return function(ctx, Head(ctx.n_classes, *ctx.config.head(ctx.n_classes)))

        return check

    return decorate


def _finding(ctx: CheckContext, head: Head, code: str, title: str, detail: str, fix_first: tuple[str, ...],
             severity: str = "error", **evidence) -> Finding:
    """A head finding: the head (and any more `evidence`) as evidence, and as fix the smallest patch back to auto,
    trying the fields in `fix_first` first."""
    return Finding(code, severity, title, detail, evidence={**head.evidence(), **evidence},
                   fix=head_fix(ctx, fix_first), area="model")


@head_check("ARCH009")
def units_do_not_match_classes(ctx: CheckContext, head: Head):
    classes, units, loss = head.classes, head.units, head.loss
    if units < 2 or (loss == "binary_crossentropy" and classes > 2):
        return  # one unit is ARCH010 / ARCH011 / ARCH012's; binary cross-entropy on K > 2 is ARCH012's
    if loss == "binary_crossentropy":
        needed, why = 1, "binary cross-entropy takes one probability per sequence (of the second class)"
    elif (head.activation == "softmax" or loss in ("sparse_categorical_crossentropy", "categorical_crossentropy")) and (
            units != classes and not (loss == "sparse_categorical_crossentropy" and units < classes)):
        needed, why = classes, "a softmax head gives one probability per class"
    else:
        return
    yield _finding(
        ctx, head, "ARCH009", f"Output layer has {units} units for {classes} classes",
        f"The labels are {classes} classes; {why}, so it needs {needed} unit(s). With {units}, Keras either fails "
        "on the shapes mid-training or trains units that stand for no class. Leave the output units on auto.",
        ("output_units", "output_activation", "loss"), needed=needed)


@head_check("ARCH010")
def single_unit_softmax(ctx: CheckContext, head: Head):
    if head.units == 1 and head.activation == "softmax":
        yield _finding(
            ctx, head, "ARCH010", "Softmax over one unit always outputs 1.0",
            "Softmax divides each output by the sum of all outputs; over a single unit that is 1.0 for every "
            f"sequence, so the model cannot prefer any of the {head.classes} classes and its gradient is zero. Use "
            f"sigmoid for one unit (two classes) or {head.classes} softmax units.",
            ("output_activation", "output_units"))


@head_check("ARCH011")
def sparse_labels_beyond_units(ctx: CheckContext, head: Head):
    classes, units = head.classes, head.units
    if head.loss == "sparse_categorical_crossentropy" and units < classes:
        yield _finding(
            ctx, head, "ARCH011", f"Sparse categorical cross-entropy with {units} unit(s) for {classes} classes",
            f"The loss reads each label as the index of an output unit; labels run up to {classes - 1} but the head "
            f"has {units} unit(s). Keras fails deep inside fit with \"Received a label value of {classes - 1} which "
            f"is outside the valid range of [0, {units})\". Use {classes} softmax units, or for two classes one "
            "sigmoid unit with binary cross-entropy.",
            ("output_units", "output_activation", "loss"))


@head_check("ARCH012")
def binary_loss_on_many_classes(ctx: CheckContext, head: Head):
    if head.loss == "binary_crossentropy" and head.classes > 2:
        yield _finding(
            ctx, head, "ARCH012", f"Binary cross-entropy on {head.classes} classes",
            f"Binary cross-entropy expects labels 0 or 1; these run from 0 to {head.classes - 1}. Keras accepts them "
            "without a word and trains on a loss that means nothing for labels above 1. Use sparse categorical "
            f"cross-entropy with {head.classes} softmax units.",
            ("loss", "output_units", "output_activation"))


@head_check("ARCH013")
def cross_entropy_without_probabilities(ctx: CheckContext, head: Head):
    activation = head.activation
    if head.loss in CROSS_ENTROPY and activation not in PROBABILITY_ACTIVATIONS:
        yield _finding(
            ctx, head, "ARCH013", f"A {activation} output with {head.loss}",
            f"Cross-entropy takes probabilities, but a {activation} output is not one (the loss is not told the "
            "outputs are logits, from_logits=False). Keras clips the outputs into (0, 1) without a word: the "
            "gradient vanishes outside that range and the model learns little. Use sigmoid for one unit, softmax "
            "for several.",
            ("output_activation",))


@head_check("ARCH014")
def one_hot_loss_on_integer_labels(ctx: CheckContext, head: Head):
    if head.loss == "categorical_crossentropy":
        yield _finding(
            ctx, head, "ARCH014", "Categorical cross-entropy needs one-hot labels",
            f"The labels are class numbers 0 … {head.classes - 1}, one per sequence; categorical cross-entropy "
            f"expects a row of {head.classes} zeros and ones per sequence, so Keras stops on the shapes (target "
            f"(N,), output (N, {head.units})). Sparse categorical cross-entropy is the same loss for class numbers.",
            ("loss",))


@head_check("ARCH015")
def regression_loss_on_classes(ctx: CheckContext, head: Head):
    classes, units, loss = head.classes, head.units, head.loss
    if loss not in REGRESSION_LOSSES:
        return
    binary = classes == 2 and units == 1
    if binary:
        detail = (f"{loss} on a single probability does train (it is the Brier score for mse), but it learns more "
                  "slowly than binary cross-entropy and its loss is not comparable with other runs.")
    else:
        detail = (f"{loss} treats the class numbers 0 … {classes - 1} as amounts, as if class 2 were twice class 1, "
                  f"and with {units} outputs against one label Keras broadcasts or stops on the shapes.")
    yield _finding(
        ctx, head, "ARCH015", f"Regression loss {loss} on class labels",
        f"{detail} Classification needs a cross-entropy loss.", ("loss", "output_activation"),
        "warning" if binary else "error")


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

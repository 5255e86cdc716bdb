"""Checks on the classes and the sequences: labels that change, sequences left out, ragged lengths, class counts."""

from __future__ import annotations

import numpy as np

from lstm_core.checks.engine import CheckContext, listed, register
from lstm_core.findings import Finding

# A common length that cuts more than this share of the sequences (or texts) throws away much of what they hold.
TRUNCATED_SHARE = 0.25
# Fewer sequences (or windows) of a class than this and its test scores rest on one or two examples.
MIN_CLASS_SEQUENCES = 10
# The largest class holding more than this many times the sequences of the smallest: imbalanced.
IMBALANCE_RATIO = 4.0


@register("DATA021")
def label_changes_within_sequences(ctx: CheckContext):
    conflicts = ctx.classes.conflicts if ctx.classes is not None else {}
    if not conflicts:
        return
    choice = ctx.config.label_conflict
    ids = list(conflicts)
    shown = listed(ids)
    evidence = {"ids": ids, "labels": conflicts, "label_conflict": choice,
                "choices": ["last", "majority", "drop"]}
    if choice == "none":
        example = ", ".join(map(str, conflicts[ids[0]]))
        yield Finding(
            "DATA021", "error", f"The label changes within {len(ids)} sequence(s)",
            f"Sequence(s) {shown} hold more than one label (e.g. {ids[0]}: {example}). A sequence gets one class: "
            "choose its last label, its most common one, or drop those sequences.",
            evidence=evidence, fix={"label_conflict": "last"}, area="data")
        return
    done = {"last": "took each one's last label", "majority": "took each one's most common label",
            "drop": "left them out"}[choice]
    yield Finding(
        "DATA021", "info", f"The label changed within {len(ids)} sequence(s): {done}",
        f"Sequence(s) {shown} hold more than one label; as chosen, the playground {done}.",
        evidence=evidence, area="data")


@register("DATA022")
def sequences_left_out(ctx: CheckContext):
    facts = ctx.classes
    if facts is None:
        return
    short, unlabelled = facts.left_out.get("short", {}), facts.left_out.get("unlabelled", [])
    without_id = facts.left_out.get("rows_without_id", 0)
    if not short and not unlabelled and not without_id:
        return
    unit = "sequence" if facts.lengths is not None else "window"
    parts = []
    if short:
        steps = listed(f"{i} ({n} step{'s' if n != 1 else ''})" for i, n in short.items())
        parts.append(f"{len(short)} shorter than min_length = {ctx.config.min_length}: {steps}")
    if unlabelled:
        parts.append(f"{len(unlabelled)} with no label: {listed(unlabelled)}")
    if without_id:
        parts.append(f"{without_id} row(s) with an empty '{ctx.config.id_column}' belong to no sequence")
    yield Finding(
        "DATA022", "warning", f"{len(short) + len(unlabelled)} {unit}(s) left out"
        + (f", {without_id} row(s) without an id" if without_id else ""),
        f"{'; '.join(parts)}. A {unit} with (almost) no steps, or no class, has nothing to teach; they take no part "
        "in training or scoring. Lower min_length to keep short ones, fill in the missing labels or ids.",
        evidence={"short": short, "unlabelled": unlabelled, "rows_without_id": without_id,
                  "min_length": ctx.config.min_length}, area="data")


@register("DATA023")
def ragged_without_padding(ctx: CheckContext):
    facts = ctx.classes
    shorter = _shorter_than_maxlen(facts)
    if not shorter or ctx.config.pad != "none":
        return
    yield Finding(
        "DATA023", "error", f"{shorter} sequence(s) are shorter than the common length, and padding is off",
        f"Lengths run from {int(facts.lengths.min())} to {int(facts.lengths.max())} steps; the model takes one "
        f"length, {facts.maxlen}. The shorter sequences must be padded (and the padding masked) to form one "
        "(sequences, steps, features) array. Turn padding on.",
        evidence={**_length_evidence(facts), "shorter": shorter}, fix={"pad": "pre"}, area="windows")


@register("DATA024")
def heavy_truncation(ctx: CheckContext):
    facts = ctx.classes
    if facts is None or facts.lengths is None or not len(facts.lengths):
        return
    yield from truncation_findings(
        "DATA024", ctx.config, facts.lengths, facts.maxlen, _length_evidence(facts), unit="sequences", step="steps",
        kept="end" if ctx.config.truncate == "pre" else "start",
        why="If the class shows anywhere in a sequence, it may be cut away.", auto="the lengths")


@register("DATA025")
def padding_without_mask(ctx: CheckContext):
    facts = ctx.classes
    padded = _shorter_than_maxlen(facts)
    if not padded or ctx.config.masking or ctx.config.pad == "none":
        return
    yield Finding(
        "DATA025", "warning", f"Padding of {padded} sequence(s) is fed to the LSTM as data",
        "With masking off, the pad value is read like any measurement: the model can learn a sequence's length "
        "from it instead of its shape, and a short sequence's final state is mostly about padding. Turn masking on.",
        evidence={**_length_evidence(facts), "padded": padded}, fix={"masking": True}, area="windows")


@register("DATA026")
def single_class(ctx: CheckContext):
    facts = ctx.classes
    if facts is None:
        return
    present = facts.present()
    if len(present) >= 2:
        return
    yield Finding(
        "DATA026", "error", f"Only one class: {', '.join(present) or 'none'}",
        f"Every labelled {'sequence' if facts.lengths is not None else 'window'} has the same class, so there is "
        "nothing to tell apart and any model scores 100 %. Check the label column.",
        evidence={"counts": present, "label_column": ctx.config.label_column}, area="data")


@register("DATA027")
def too_few_per_class(ctx: CheckContext):
    facts = ctx.classes
    if facts is None or len(facts.present()) < 2:
        return  # one class is DATA026's
    unit = "sequence" if facts.stratified else "window"
    used = [p for p, fraction in (("val", ctx.config.val_fraction), ("test", ctx.config.test_fraction)) if fraction]
    totals = facts.counts()
    train = facts.split_counts.get("train", {})
    no_train = [c for c in facts.classes if totals[c] and not train.get(c)]
    missing = {p: [c for c in facts.classes if totals[c] and not facts.split_counts.get(p, {}).get(c)] for p in used}
    missing = {p: names for p, names in missing.items() if names}
    few = {c: n for c, n in totals.items() if 0 < n < MIN_CLASS_SEQUENCES}
    single = [c for c, n in totals.items() if n == 1] if facts.stratified and used else []
    if not (no_train or missing or few):
        return
    error = bool(no_train or single)
    problems = []
    if single:
        problems.append(f"class(es) {_names(single)} have a single {unit}: it cannot be both learnt and tested")
    if no_train:
        problems.append(f"class(es) {_names(no_train)} never occur in the training part, so the model cannot learn "
                        "them")
    for part, names in missing.items():
        problems.append(f"the {part} part has no {unit} of {_names(names)}")
    if few:
        problems.append(f"fewer than {MIN_CLASS_SEQUENCES} {unit}s of {_names(few)}")
    how = ("The split is stratified: each class is cut train / validation / test on its own." if facts.stratified
           else "The split is chronological, so a class that only occurs late lands in one part.")
    yield Finding(
        "DATA027", "error" if error else "warning", f"Too few {unit}s of some classes for the split",
        f"{'; '.join(problems).capitalize()}. {how} Scores for such a class rest on one or two examples, or on "
        f"none. Add {unit}s of those classes, or merge rare classes.",
        evidence={"split_counts": facts.split_counts, "few": few, "missing": missing, "not_in_train": no_train,
                  "single": single, "minimum": MIN_CLASS_SEQUENCES, "stratified": facts.stratified}, area="data")


@register("DATA028")
def class_imbalance(ctx: CheckContext):
    counts = ctx.classes.present() if ctx.classes is not None else {}
    if len(counts) < 2:
        return
    largest, smallest = max(counts, key=counts.get), min(counts, key=counts.get)
    ratio = counts[largest] / counts[smallest]
    if ratio <= IMBALANCE_RATIO:
        return
    share = counts[largest] / sum(counts.values())
    yield Finding(
        "DATA028", "warning", f"Imbalanced classes: '{largest}' has {ratio:.1f}× the examples of '{smallest}'",
        f"Always answering '{largest}' is already right {share:.0%} of the time, so a high accuracy can hide a model "
        f"that never finds '{smallest}'. Judge the run by the per-class recall and against the majority baseline.",
        evidence={"counts": counts, "ratio": round(ratio, 2), "limit": IMBALANCE_RATIO,
                  "majority_share": round(share, 4)}, area="data")


def truncation(lengths: np.ndarray, maxlen: int) -> tuple[int, float, float]:
    """At `maxlen`: how many sequences (or texts) are cut, their share, and the share of all steps lost."""
    cut = lengths > maxlen
    return int(cut.sum()), float(cut.mean()), float((lengths[cut] - maxlen).sum() / lengths.sum())


def truncation_findings(code: str, config, lengths: np.ndarray, maxlen: int, length_evidence: dict, *, unit: str,
                        step: str, kept: str, why: str, auto: str):
    """DATA024 and TEXT015: a warning when maxlen cuts more than TRUNCATED_SHARE of the `unit` (sequences, texts),
    worded in their `step`s; `kept` is the part each cut one keeps, `auto` what maxlen on auto is the 95th
    percentile of."""
    cut, share, lost = truncation(lengths, maxlen)
    if share <= TRUNCATED_SHARE:
        return
    yield Finding(
        code, "warning", f"maxlen = {maxlen} cuts {share:.0%} of the {unit}",
        f"{cut} of {len(lengths)} {unit} are longer than {maxlen} {step} and keep only their {kept}: {lost:.0%} of "
        f"all {step} never reach the model. {why} Leave maxlen on auto (the 95th percentile of {auto}) or raise it.",
        evidence={**length_evidence, "truncated": cut, "share": round(share, 4), f"{step}_lost_share": round(lost, 4),
                  "limit": TRUNCATED_SHARE},
        fix={"maxlen": None} if config.maxlen is not None else None, area="windows")


def _shorter_than_maxlen(facts) -> int:
    """How many sequences are shorter than the common length (padding fills them up); 0 without sequences."""
    if facts is None or facts.lengths is None:
        return 0
    return int((facts.lengths < facts.maxlen).sum())


def _length_evidence(facts) -> dict:
    lengths = facts.lengths
    return {"maxlen": facts.maxlen, "min_length": int(lengths.min()), "max_length": int(lengths.max()),
            "median_length": float(np.median(lengths)), "sequences": len(lengths)}


def _names(names) -> str:
    return ", ".join(f"'{n}'" for n in names)

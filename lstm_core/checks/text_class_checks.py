"""Checks on texts to classify: labels, empty or numeric texts, the vocabulary and the sequence length against the
texts. Class counts, imbalance and the split are the class checks' (DATA026-DATA028), fed the same ClassFacts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lstm_core.checks.class_checks import truncation_findings
from lstm_core.checks.engine import CheckContext, listed, register
from lstm_core.findings import Finding

# Row numbers a finding's evidence holds at the most.
EVIDENCE_ROWS = 200
# Labels with more distinct values than this share of the labelled rows (or more than MAX_CLASSES) are free text.
FREE_TEXT_LABEL_SHARE = 0.5
MAX_CLASSES = 50
# A text column whose values are all different and at most one token long holds ids, not text.
ID_TOKENS = 1
# More than this share of the kept vocabulary seen once in the training texts: each such word's embedding is
# learnt from a single example.
RARE_VOCABULARY_SHARE = 0.5
# More than this share of the training tokens out of the vocabulary (mapped to one [UNK] token): too small.
OOV_SHARE = 0.2
# The vocabulary the fix for a too-small one keeps: enough words to cover this share of the training tokens.
COVERAGE = 0.95
# More than this share of all steps padding: maxlen is far longer than most texts.
PADDING_SHARE = 0.75
# More than this share of the test texts also in the training texts, word for word: the score flatters.
DUPLICATE_SHARE = 0.1
# The vectoriser keeps two codes for itself: 0 for padding, 1 for words out of the vocabulary.
RESERVED_TOKENS = 2


@dataclass
class TextFacts:
    """What the text checks look at: computed once from the file, without TensorFlow."""

    text_column: str
    label_column: str
    rows: int
    text_is_numeric: bool = False
    distinct_texts: int = 0
    longest_tokens: int = 0
    distinct_labels: int = 0
    labelled: int = 0
    guessed_text: str | None = None
    guessed_label: str | None = None
    unlabelled_rows: list = field(default_factory=list)  # 1-based data row numbers
    empty_rows: list = field(default_factory=list)
    # Token counts of the texts that are kept (labelled, not empty), and the common length chosen.
    lengths: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))
    maxlen: int = 1
    # Training texts' words, most frequent first: the counts the vocabulary is cut from.
    train_word_counts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))
    # Test (and validation) texts that also occur in the training texts, once standardised.
    duplicates: dict = field(default_factory=dict)  # part → count
    part_sizes: dict = field(default_factory=dict)


@dataclass
class TextCheckContext(CheckContext):
    text: TextFacts | None = None

    @property
    def unit(self) -> str:
        return "texts"

    @property
    def feature_count(self) -> int:
        """What the LSTM reads per step: the embedding (or a one-hot vocabulary)."""
        return self.config.embedding_dim or self.config.vocab_size


def _facts(ctx: CheckContext) -> TextFacts | None:
    return getattr(ctx, "text", None) if ctx.config.task == "text-classify" else None


def _rows_left_out(code: str, rows: str, column: str, title: str, detail: str):
    """A check that warns of the TextFacts `rows` the classifier leaves out (unlabelled, empty), naming them and the
    `column` at fault; title and detail are filled in with {count}, {column} and {rows}."""

    @register(code)
    def check(ctx: CheckContext):
        facts = _facts(ctx)
        found = getattr(facts, rows) if facts is not None else []
        if not found:
            return
        name = getattr(facts, column)
        yield Finding(
            code, "warning", title.format(count=len(found), column=name),
            detail.format(rows=listed(found)),
            evidence={"rows": found[:EVIDENCE_ROWS], "count": len(found), column: name}, area="data")

    return check


missing_labels = _rows_left_out(
    "TEXT010", "unlabelled_rows", "label_column", "{count} row(s) have no label in '{column}'",
    "Row(s) {rows} (counted from 1 below the header) have an empty label cell. A text without a class cannot be "
    "learnt from or scored, so they are left out. Fill in their labels to use them.")
empty_texts = _rows_left_out(
    "TEXT011", "empty_rows", "text_column", "{count} empty text(s) in '{column}'",
    "Row(s) {rows} hold no word once lower-cased and stripped of punctuation. The model would see only padding for "
    "them, so they are left out. Fill them in, or check the text column.")


@register("TEXT012")
def vocabulary_too_large(ctx: CheckContext):
    counts = _word_counts(ctx)
    if counts is None:
        return
    kept = min(ctx.config.vocab_size - RESERVED_TOKENS, len(counts))
    if kept <= 0:
        return
    once = int((counts[:kept] == 1).sum())
    share = once / kept
    if share <= RARE_VOCABULARY_SHARE:
        return
    repeated = int((counts >= 2).sum())
    yield Finding(
        "TEXT012", "warning", f"vocab_size = {ctx.config.vocab_size:,} keeps {once:,} words seen only once",
        f"{share:.0%} of the {kept:,} words the vocabulary would keep occur in a single training text. Each one gets "
        f"its own {ctx.config.embedding_dim}-number embedding learnt from that one example: the model memorises "
        "those texts instead of learning what the classes share. Keep the words seen at least twice.",
        evidence={"vocab_size": ctx.config.vocab_size, "kept_words": kept, "seen_once": once,
                  "share": round(share, 4), "limit": RARE_VOCABULARY_SHARE, "seen_twice_or_more": repeated,
                  "training_words": len(counts)},
        fix={"vocab_size": max(repeated + RESERVED_TOKENS, RESERVED_TOKENS + 1)}, area="data")


@register("TEXT013")
def vocabulary_too_small(ctx: CheckContext):
    counts = _word_counts(ctx)
    if counts is None:
        return
    kept = max(ctx.config.vocab_size - RESERVED_TOKENS, 0)
    total = int(counts.sum())
    unknown = int(counts[kept:].sum())
    share = unknown / total if total else 0.0
    if share <= OOV_SHARE:
        return
    covering = int(np.searchsorted(np.cumsum(counts), COVERAGE * total) + 1)
    yield Finding(
        "TEXT013", "warning", f"vocab_size = {ctx.config.vocab_size:,} leaves {share:.0%} of the words unknown",
        f"The training texts use {len(counts):,} different words; a vocabulary of {ctx.config.vocab_size:,} (two "
        f"codes are padding and [UNK]) maps {unknown:,} of their {total:,} words to one [UNK] token, so texts that "
        f"differ in those words look alike to the model. {covering + RESERVED_TOKENS:,} keeps "
        f"{COVERAGE:.0%} of the words.",
        evidence={"vocab_size": ctx.config.vocab_size, "training_words": len(counts), "tokens": total,
                  "unknown_tokens": unknown, "share": round(share, 4), "limit": OOV_SHARE},
        fix={"vocab_size": min(covering, len(counts)) + RESERVED_TOKENS}, area="data")


@register("TEXT014")
def mostly_padding(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or not len(facts.lengths):
        return
    kept = np.minimum(facts.lengths, facts.maxlen)
    share = 1.0 - float(kept.sum()) / (len(kept) * facts.maxlen)
    if share <= PADDING_SHARE:
        return
    median = float(np.median(facts.lengths))
    yield Finding(
        "TEXT014", "warning", f"maxlen = {facts.maxlen} is mostly padding: {share:.0%} of all steps",
        f"Half the texts have {median:g} words or fewer, but every text is padded to {facts.maxlen} steps. Masking "
        "skips the padding, yet each step still costs time, so an epoch runs several times slower than it needs "
        "to. Leave maxlen on auto (the 95th percentile of the text lengths).",
        evidence={**_length_evidence(facts), "padding_share": round(share, 4), "limit": PADDING_SHARE},
        fix={"maxlen": None} if ctx.config.maxlen is not None else None, area="windows")


@register("TEXT015")
def heavy_truncation(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or not len(facts.lengths):
        return
    yield from truncation_findings(
        "TEXT015", ctx.config, facts.lengths, facts.maxlen, _length_evidence(facts), unit="texts", step="words",
        kept=f"first {facts.maxlen}", why="A class told by the end of a text is cut away.", auto="the text lengths")


@register("TEXT016")
def text_column_not_text(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or not facts.rows:
        return
    ids = facts.distinct_texts == facts.rows and facts.longest_tokens <= ID_TOKENS and facts.rows > 1
    if not (facts.text_is_numeric or ids):
        return
    what = "numbers" if facts.text_is_numeric else "one different word per row, like ids"
    other = facts.guessed_text if facts.guessed_text not in (None, facts.text_column) else None
    hint = f" '{other}' looks like the text column." if other else " Pick the column that holds the texts."
    yield Finding(
        "TEXT016", "error", f"'{facts.text_column}' holds {what}, not text",
        f"A text classifier learns from the words of each text; '{facts.text_column}' has {facts.distinct_texts} "
        f"distinct value(s) of at most {facts.longest_tokens} word(s) in {facts.rows} rows.{hint}",
        evidence={"text_column": facts.text_column, "numeric": facts.text_is_numeric,
                  "distinct": facts.distinct_texts, "longest_words": facts.longest_tokens, "rows": facts.rows},
        fix={"text_column": other} if other else None, area="data")


@register("TEXT017")
def labels_are_free_text(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.labelled < 4:
        return
    share = facts.distinct_labels / facts.labelled
    if share <= FREE_TEXT_LABEL_SHARE and facts.distinct_labels <= MAX_CLASSES:
        return
    other = facts.guessed_label if facts.guessed_label not in (None, facts.label_column) else None
    hint = f" '{other}' looks like the label column." if other else " Pick the column that holds the classes."
    yield Finding(
        "TEXT017", "error", f"'{facts.label_column}' has {facts.distinct_labels} different labels in "
        f"{facts.labelled} rows",
        f"Nearly every row has its own label, so each class has one or two texts: nothing can be learnt or "
        f"tested. A label column holds a few classes (at most {MAX_CLASSES}), each on many rows.{hint}",
        evidence={"label_column": facts.label_column, "distinct": facts.distinct_labels,
                  "labelled_rows": facts.labelled, "share": round(share, 4), "limit": FREE_TEXT_LABEL_SHARE,
                  "max_classes": MAX_CLASSES},
        fix={"label_column": other} if other else None, area="data")


@register("TEXT018")
def duplicates_across_split(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None:
        return
    shares = {part: n / facts.part_sizes[part] for part, n in facts.duplicates.items()
              if n and facts.part_sizes.get(part)}
    if not shares or shares.get("test", 0.0) <= DUPLICATE_SHARE:
        return
    yield Finding(
        "TEXT018", "warning", f"{shares['test']:.0%} of the test texts also occur in training",
        f"{facts.duplicates['test']} of {facts.part_sizes['test']} test texts are, once lower-cased and stripped "
        "of punctuation, the same as a training text. The model is scored partly on texts it has learnt by heart, "
        "so the test accuracy flatters it. Remove the repeated rows from the file.",
        evidence={"duplicates": facts.duplicates, "part_sizes": facts.part_sizes, "limit": DUPLICATE_SHARE},
        area="data")


@register("TEXT019")
def one_hot_words(ctx: CheckContext):
    if ctx.config.task != "text-classify" or ctx.config.embedding_dim:
        return
    yield Finding(
        "TEXT019", "error", f"embedding_dim = 0: one-hot words of a {ctx.config.vocab_size:,}-word vocabulary",
        "The text classifier reads words through an embedding; without one each step would be a vector of "
        f"{ctx.config.vocab_size:,} zeros and a single one, and the first LSTM layer alone would need "
        f"{4 * ctx.config.units * ctx.config.vocab_size:,} input weights. An embedding of 32 numbers per word "
        "learns which words behave alike.",
        evidence={"embedding_dim": 0, "vocab_size": ctx.config.vocab_size}, fix={"embedding_dim": 32},
        area="model")


def _word_counts(ctx: CheckContext) -> np.ndarray | None:
    """The training texts' word counts, most frequent first; None when there are none."""
    facts = _facts(ctx)
    return facts.train_word_counts if facts is not None and len(facts.train_word_counts) else None


def _length_evidence(facts: TextFacts) -> dict:
    lengths = facts.lengths
    return {"maxlen": facts.maxlen, "min_words": int(lengths.min()), "max_words": int(lengths.max()),
            "median_words": float(np.median(lengths)), "texts": len(lengths)}

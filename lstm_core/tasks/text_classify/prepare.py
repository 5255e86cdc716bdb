"""Text classification from a CSV: which column holds the texts and which the labels (a guess with a reason), the
words of each text, the stratified split, and every check, all without TensorFlow. Vectorising, the model and
training are in classify_model.py; TensorFlow loads only there."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_core.checks import ClassFacts, run_checks
from lstm_core.checks.text_class_checks import MAX_CLASSES, TextCheckContext, TextFacts
from lstm_core.config import RunConfig
from lstm_core.data import Dataset, load_csv
from lstm_core.findings import Finding, ProblemError, has_errors
from lstm_core.limits import how_to_change, limit
from lstm_core.tasks.sequences.labels import LabelEncoder, label_values
from lstm_core.tasks.sequences.shaping import auto_maxlen, class_counts, length_percentile, stratified_split

PARTS = ("train", "val", "test")
# Keras' TextVectorization default ("lower_and_strip_punctuation", then split on whitespace), so the lengths and
# vocabulary the checks count before TensorFlow loads are the ones the vectoriser will produce.
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
LABEL_HINTS = ("label", "labels", "class", "category", "topic", "intent", "sentiment", "tag", "target", "y",
               "department", "type", "kind")
# A label column has at most this share of distinct values among its filled cells.
LABEL_SHARE = 0.5


def words(text) -> list[str]:
    """The tokens the vectoriser makes of a text: lower-cased, punctuation stripped, split on whitespace."""
    return _PUNCTUATION.sub("", str(text).lower()).split()


def read_text_csv(source: bytes | str | Path, name: str | None = None) -> Dataset:
    """A CSV of texts and labels; unlike a time series it may hold no numeric column at all."""
    return load_csv(source, name, require_numeric=False)


@dataclass(frozen=True)
class TextRoles:
    """The guessed text and label columns, with the reason in one sentence."""

    text_column: str | None
    label_column: str | None
    reason: str

    def patch(self) -> dict:
        return {"task": "text-classify", "text_column": self.text_column, "label_column": self.label_column}

    def to_dict(self) -> dict:
        return asdict(self)


def guess_text_roles(dataset: Dataset) -> TextRoles:
    """Text: the string column with the longest typical value. Label: a column with few distinct values (a name
    like "label" or "category" first, then the fewest values)."""
    frame = dataset.frame
    strings = [c for c in dataset.other_columns if c != dataset.time_column]
    typical = {c: float(frame[c].dropna().astype(str).str.len().median() or 0) for c in strings
               if frame[c].notna().any()}
    text = max(typical, key=typical.get) if typical else None
    candidates = {}
    for column in frame.columns:
        if column in (text, dataset.time_column):
            continue
        values = frame[column].dropna()
        distinct = values.nunique()
        if 2 <= distinct <= MAX_CLASSES and distinct <= LABEL_SHARE * max(len(values), 1):
            candidates[column] = distinct
    label = min(candidates, key=lambda c: (_hinted(c) is False, candidates[c])) if candidates else None
    if text is None:
        reason = "No column holds text: every column is numeric or a date."
    elif label is None:
        reason = (f"'{text}' holds the longest texts (median {typical[text]:.0f} characters), but no other column "
                  "has few enough distinct values to be a label.")
    else:
        reason = (f"'{text}' holds the longest texts (median {typical[text]:.0f} characters); '{label}' has "
                  f"{candidates[label]} distinct values, so it reads as the class label.")
    return TextRoles(text, label, reason)


def _hinted(column: str) -> bool:
    parts = set(re.split(r"[^a-z]+", str(column).lower()))
    return bool(parts & set(LABEL_HINTS))


@dataclass
class TextPrepared:
    """A text classification run before training: resolved config, guess, findings and the split texts.

    `windows` (classify_model.TextData) is filled by vectorise() when training starts: it needs TensorFlow.
    """

    dataset: Dataset
    config: RunConfig
    roles: TextRoles
    encoder: LabelEncoder
    findings: list[Finding] = field(default_factory=list)
    texts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # kept texts, file order
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))  # their 1-based row numbers
    codes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))
    parts: dict[str, np.ndarray] = field(default_factory=dict)  # part → indices into the kept texts
    lengths: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))  # words per kept text
    maxlen: int = 1
    split_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    facts: TextFacts | None = None
    windows: object = None

    @property
    def ready(self) -> bool:
        return not has_errors(self.findings) and len(self.texts) > 0

    @property
    def classes(self) -> tuple[str, ...]:
        return self.encoder.names

    def counts(self) -> dict[str, int]:
        return {part: len(self.parts.get(part, ())) for part in PARTS}

    def part_texts(self, part: str) -> np.ndarray:
        return self.texts[self.parts[part]]

    def length_summary(self) -> dict:
        """The numbers beside the text-length histogram, in words (tokens)."""
        lengths = self.lengths
        if not len(lengths):
            return {}
        kept = np.minimum(lengths, self.maxlen)
        return {"texts": len(lengths), "min": int(lengths.min()), "max": int(lengths.max()),
                "median": float(np.median(lengths)), "p95": length_percentile(lengths, 95), "maxlen": self.maxlen,
                "truncated": int((lengths > self.maxlen).sum()),
                "truncated_share": round(float((lengths > self.maxlen).mean()), 4),
                "padding_share": round(1.0 - float(kept.sum()) / (len(kept) * self.maxlen), 4)}

    def data_summary(self) -> dict:
        config, facts = self.config, self.facts
        return {"task": config.task, "rows": self.dataset.rows, "columns": list(self.dataset.frame.columns),
                "text_column": config.text_column, "label_column": config.label_column, "texts": self.counts(),
                "classes": list(self.classes), "label_mapping": self.encoder.mapping(),
                "class_counts": self.split_counts, "lengths": self.length_summary(),
                "vocabulary": {"training_words": len(facts.train_word_counts) if facts else 0,
                               "vocab_size": config.vocab_size},
                "left_out": {"unlabelled": facts.unlabelled_rows if facts else [],
                             "empty": facts.empty_rows if facts else []},
                "guess": self.roles.to_dict()}


def resolve_roles(dataset: Dataset, config: RunConfig) -> tuple[RunConfig, TextRoles]:
    """Fill the text and label columns the user left on auto from the guess; DATA019 for a role no column plays."""
    roles = guess_text_roles(dataset)
    text, label = config.text_column or roles.text_column, config.label_column or roles.label_column
    columns = [str(c) for c in dataset.frame.columns]
    listed = ", ".join(columns)
    if text is None:
        _role_problem("No text column", f"{roles.reason} Columns: {listed}. Pick the column holding the texts.",
                      roles, config)
    if label is None:
        _role_problem("No label column", f"{roles.reason} Columns: {listed}. Pick the column holding each text's "
                      "class.", roles, config)
    for role, column in (("text", text), ("label", label)):
        if column not in columns:
            _role_problem(f"The {role} column '{column}' is not in {dataset.name}", f"Columns: {listed}.", roles,
                          config)
    if text == label:
        _role_problem("One column plays two roles", f"'{text}' cannot be both the text and the label.", roles,
                      config)
    return config.replace(task="text-classify", text_column=text, label_column=label), roles


def _role_problem(title: str, detail: str, roles: TextRoles, config: RunConfig) -> None:
    # The fix is the guess, where it differs from what was chosen.
    fix = {k: v for k, v in (("text_column", roles.text_column), ("label_column", roles.label_column))
           if v and v != getattr(config, k)}
    raise ProblemError(Finding("DATA019", "error", title, detail, evidence={"guess": roles.to_dict()},
                               fix=fix or None, area="data"))


def prepare_text_classification(dataset: Dataset, config: RunConfig) -> TextPrepared:
    """Resolve the roles, read the words of every text, split by class and run every check."""
    config, roles = resolve_roles(dataset, config)
    most = limit("max_classify_texts")
    if dataset.rows > most:
        raise ProblemError(Finding(
            "DATA019", "error", f"{dataset.name} has {dataset.rows:,} rows; the text classifier reads {most:,}",
            f"Use a sample of the rows. {how_to_change('max_classify_texts')}",
            evidence={"rows": dataset.rows, "limit": most}, area="data"))
    frame = dataset.frame
    column = frame[config.text_column]
    raw = column.where(column.notna(), "").astype(str).to_numpy(dtype=object)
    tokens = [words(text) for text in raw]
    counts = np.array([len(t) for t in tokens], dtype="int64")
    labels = label_values(frame[config.label_column])
    labelled = np.array([value is not None for value in labels], dtype=bool)
    kept = labelled & (counts > 0)
    encoder = LabelEncoder.fit(labels[kept])
    codes = encoder.encode(labels[kept])
    parts = stratified_split(codes, config.val_fraction, config.test_fraction, config.seed) if kept.any() else {
        p: np.empty(0, dtype="int64") for p in PARTS}
    lengths = counts[kept]
    maxlen = config.maxlen or auto_maxlen(lengths)
    kept_tokens = [t for t, k in zip(tokens, kept, strict=True) if k]
    split_counts = {part: class_counts(codes[index], encoder.names) for part, index in parts.items()}
    facts = _text_facts(dataset, config, roles, raw, counts, labels, labelled, lengths, maxlen, kept_tokens, parts)
    classes = ClassFacts(encoder.names, split_counts, stratified=True)
    context = TextCheckContext(config=config, rows=int(kept.sum()), window_counts={p: len(parts[p]) for p in PARTS},
                               classes=classes, text=facts)
    findings = list(dataset.notes) + run_checks(context)
    rows = np.flatnonzero(kept) + 1
    return TextPrepared(dataset, config, roles, encoder, findings, raw[kept], rows, codes, parts, lengths, maxlen,
                        split_counts, facts)


def _text_facts(dataset: Dataset, config: RunConfig, roles: TextRoles, raw: np.ndarray, counts: np.ndarray,
                labels: np.ndarray, labelled: np.ndarray, lengths: np.ndarray, maxlen: int, kept_tokens: list,
                parts: dict) -> TextFacts:
    frame = dataset.frame
    numeric = bool(pd.api.types.is_numeric_dtype(frame[config.text_column]))
    train_words = Counter(word for i in parts["train"] for word in kept_tokens[i])
    standard = [" ".join(t) for t in kept_tokens]
    seen = {standard[i] for i in parts["train"]}
    duplicates = {part: sum(standard[i] in seen for i in parts[part]) for part in ("val", "test")}
    present = [value for value in labels if value is not None]
    filled = raw[frame[config.text_column].notna().to_numpy()]
    return TextFacts(
        text_column=config.text_column, label_column=config.label_column, rows=len(raw), text_is_numeric=numeric,
        distinct_texts=len(set(filled)), longest_tokens=int(counts.max()) if len(counts) else 0,
        distinct_labels=len(set(present)), labelled=len(present), guessed_text=roles.text_column,
        guessed_label=roles.label_column,
        unlabelled_rows=(np.flatnonzero(~labelled) + 1).tolist(),
        empty_rows=(np.flatnonzero(labelled & (counts == 0)) + 1).tolist(), lengths=lengths, maxlen=maxlen,
        train_word_counts=np.array(sorted(train_words.values(), reverse=True), dtype="int64"),
        duplicates=duplicates, part_sizes={p: len(parts[p]) for p in PARTS})


__all__ = ["TextPrepared", "TextRoles", "guess_text_roles", "prepare_text_classification",
           "read_text_csv", "resolve_roles", "words"]

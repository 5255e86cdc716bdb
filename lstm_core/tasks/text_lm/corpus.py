"""Plain text for a language model: reading an upload, tokens, the vocabulary and the split by position.

Reading never raises for bad content: a binary file, empty text or text over the size limit is described on the
returned TextSource, and the preflight checks (checks/text_lm_checks.py) turn that into findings with their fixes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lstm_core.findings import Finding, ProblemError
from lstm_core.limits import limit

# Leading bytes of the binary formats people upload by mistake, with the name we give them.
MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx document, which are ZIP archives)"), (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"), (b"BZh", "a bzip2 archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
)
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
# Control characters other than tab and newlines above this share mean the bytes are not text in any encoding.
CONTROL_SHARE = 0.01
# The word-level out-of-vocabulary token, and how a character outside a capped character vocabulary is shown.
OOV_WORD, OOV_CHAR = "<unk>", "\ufffd"
WORD_PATTERN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]|\n")
NO_SPACE_BEFORE = set(".,;:!?)]}'\n")


@dataclass(frozen=True)
class TextSource:
    """An uploaded (or built-in) text as read: decoded text, or the reason it cannot be used."""

    name: str
    text: str
    encoding: str = "utf-8"
    size_bytes: int = 0
    # Set when the file is not text: what it looks like ("a PNG image", "binary bytes (NUL)", ...).
    binary: str | None = None
    # Characters in the file; when over the limit only the first `limit` characters are kept in `text`.
    chars: int = 0
    char_limit: int = 0
    notes: tuple[Finding, ...] = ()

    @property
    def too_long(self) -> bool:
        return self.chars > self.char_limit


def read_text(source: bytes | str | Path, name: str | None = None) -> TextSource:
    """Decode a .txt upload: UTF-8 (a BOM is dropped), UTF-16 with a BOM, else cp1252 / latin-1 with a note."""
    if isinstance(source, Path):
        name = name or source.name
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise ProblemError(Finding("DATA002", "error", f"Cannot open {name}", f"{exc.strerror or exc}. Check "
                                       "the path and that the file is readable.", area="data")) from None
    elif isinstance(source, str):
        raw = source.encode("utf-8")
    else:
        raw = bytes(source)
    name = name or "upload.txt"
    char_limit = limit("max_text_chars")
    kind = binary_kind(raw)
    if kind:
        return TextSource(name, "", "binary", len(raw), binary=kind, char_limit=char_limit)
    text, encoding = decode(raw)
    if encoding not in ("utf-8", "utf-16") and _control_share(text) > CONTROL_SHARE:
        return TextSource(name, "", encoding, len(raw), binary="bytes that are not text in any common encoding",
                          char_limit=char_limit)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    notes = ()
    if encoding not in ("utf-8", "utf-16"):
        notes = (Finding("DATA101", "info", f"Read {name} as {encoding}",
                         f"The file is not valid UTF-8; it was decoded as {encoding} (Windows Western). If accented "
                         "letters look wrong in the vocabulary, save the file as UTF-8 and upload it again.",
                         evidence={"encoding": encoding}, area="data"),)
    return TextSource(name, text[:char_limit], encoding, len(raw), chars=len(text), char_limit=char_limit, notes=notes)


def binary_kind(raw: bytes) -> str | None:
    for magic, kind in MAGIC:
        if raw.startswith(magic):
            return kind
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with its byte-order mark: NUL bytes are expected
    if b"\x00" in raw[:65536]:
        return "binary bytes (NUL), as an image, archive or program has"
    return None


def decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in FALLBACK_ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1", errors="replace"), "latin-1"  # latin-1 maps every byte; kept for clarity


def _control_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls / len(sample)


def tokenize(text: str, level: str) -> list[str]:
    """Characters, or lower-cased words and punctuation marks (a newline is a token too)."""
    if level == "char":
        return list(text)
    return WORD_PATTERN.findall(text.lower())


def join_tokens(tokens: list[str], level: str) -> str:
    if level == "char":
        return "".join(tokens)
    out = []
    for token in tokens:
        glue = not out or out[-1] == "\n" or token[0] in NO_SPACE_BEFORE
        out.append(token if glue else " " + token)
    return "".join(out)


@dataclass
class Vocabulary:
    """Index → token, most frequent first; an out-of-vocabulary token at index 0 when the vocabulary was capped."""

    level: str
    tokens: list[str]
    counts: list[int]
    oov: str | None = None
    # Distinct tokens in the text before the cap, and the share of the text's tokens outside the vocabulary.
    distinct: int = 0
    oov_share: float = 0.0
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {token: i for i, token in enumerate(self.tokens)}

    @property
    def size(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: list[str]) -> np.ndarray:
        unknown = self.index.get(self.oov, -1) if self.oov else -1
        dtype = "uint16" if self.size < 2**16 else "int32"
        ids = np.fromiter((self.index.get(t, unknown) for t in tokens), dtype="int64", count=len(tokens))
        return ids[ids >= 0].astype(dtype)

    def unknown(self, tokens: list[str]) -> list[str]:
        """Tokens of `tokens` that are not in the vocabulary, each once, in order of appearance."""
        return list(dict.fromkeys(t for t in tokens if t not in self.index))

    def decode(self, ids) -> str:
        return join_tokens([self.tokens[int(i)] for i in ids], self.level)

    def most_common(self, n: int = 20) -> list[tuple[str, int]]:
        return [(t, c) for t, c in zip(self.tokens, self.counts, strict=True) if t != self.oov][:n]

    def show(self, token: str) -> str:
        """A token as a person can read it in a table: whitespace named."""
        return {" ": "␣ (space)", "\n": "↵ (new line)", "\t": "⇥ (tab)"}.get(token, token)


def build_vocabulary(tokens: list[str], level: str, vocab_size: int) -> Vocabulary:
    counts = Counter(tokens)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) <= vocab_size:
        return Vocabulary(level, [t for t, _ in ranked], [c for _, c in ranked], distinct=len(ranked))
    kept, dropped = ranked[:vocab_size - 1], ranked[vocab_size - 1:]
    oov = OOV_WORD if level == "word" else OOV_CHAR
    missing = sum(c for _, c in dropped)
    return Vocabulary(level, [oov] + [t for t, _ in kept], [missing] + [c for _, c in kept], oov=oov,
                      distinct=len(ranked), oov_share=missing / max(len(tokens), 1))


@dataclass
class Corpus:
    """The text as integer ids, its vocabulary and where validation starts (the last part, by position)."""

    source: TextSource
    level: str
    vocab: Vocabulary
    ids: np.ndarray
    val_start: int
    # Share of distinct tokens seen only once, and the mean characters a token stands for (for bits per char).
    singleton_share: float
    chars_per_token: float

    @property
    def train_ids(self) -> np.ndarray:
        return self.ids[:self.val_start]

    @property
    def val_ids(self) -> np.ndarray:
        return self.ids[self.val_start:]

    def window_counts(self, timesteps: int) -> dict[str, int]:
        """Windows of `timesteps` tokens plus the next one that fit wholly inside each part."""
        return {"train": max(0, len(self.train_ids) - timesteps), "val": max(0, len(self.val_ids) - timesteps)}


def build_corpus(source: TextSource, level: str, vocab_size: int, val_fraction: float) -> Corpus:
    tokens = tokenize(source.text, level)
    vocab = build_vocabulary(tokens, level, vocab_size)
    ids = vocab.encode(tokens)
    counts = Counter(tokens)
    singletons = sum(1 for c in counts.values() if c == 1) / max(len(counts), 1)
    val_start = split_position(len(ids), val_fraction)
    chars_per_token = len(source.text) / max(len(tokens), 1)
    return Corpus(source, level, vocab, ids, val_start, singletons, chars_per_token)


def split_position(n_tokens: int, val_fraction: float) -> int:
    return n_tokens - round(n_tokens * val_fraction)

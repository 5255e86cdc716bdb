"""Bits per token and per character: a loss in the units a reader compares, and the unigram baseline's."""

from __future__ import annotations

import math

import numpy as np

from lstm_core.tasks.text_lm.corpus import Corpus

LN2 = math.log(2)


def unigram_bits(corpus: Corpus, timesteps: int) -> dict:
    """Bits per token (and per character) of predicting every token by its frequency in the training part."""
    vocab_size = corpus.vocab.size
    counts = np.bincount(corpus.train_ids, minlength=vocab_size).astype("float64") + 1.0  # add-one: none is 0
    log2_p = np.log2(counts / counts.sum())
    targets = corpus.val_ids[timesteps:]
    train_targets = corpus.train_ids[timesteps:]
    bits = float(-log2_p[targets].mean()) if len(targets) else float("nan")
    train_bits = float(-log2_p[train_targets].mean()) if len(train_targets) else float("nan")
    return per_char(bits, corpus) | {"train_bits_per_token": train_bits}


def per_char(bits_per_token: float, corpus: Corpus) -> dict:
    out = {"bits_per_token": bits_per_token, "bits_per_char": bits_per_token / corpus.chars_per_token}
    if corpus.level == "word":
        out["perplexity"] = float(2 ** bits_per_token)
    return out

"""Text from a trained language model: its seed and lead-in, seeded temperature sampling (greedy near 0)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from lstm_core.tasks.text_lm.corpus import Corpus, Vocabulary, tokenize

# At or below this temperature the likeliest token is taken: sampling that cold is greedy in all but name.
GREEDY_BELOW = 0.1
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


@dataclass
class Generated:
    text: str
    # The seed as the model received it (known tokens only), and the seed's tokens it has never seen.
    seed: str
    unknown: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "seed": self.seed, "unknown": self.unknown}


def pick(probabilities: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One token id: the likeliest when cold, else drawn from the probabilities sharpened or flattened by T."""
    p = np.asarray(probabilities, dtype="float64")
    if temperature < GREEDY_BELOW:
        return int(np.argmax(p))
    logits = np.log(np.clip(p, 1e-12, None)) / temperature
    logits -= logits.max()
    weights = np.exp(logits)
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def seed_ids(vocab: Vocabulary, seed_text: str, timesteps: int, fallback: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The window the model starts from: the seed's known tokens, left-filled from `fallback` when too short."""
    tokens = tokenize(seed_text, vocab.level)
    unknown = vocab.unknown(tokens)
    ids = vocab.encode(tokens).astype("int32")
    if len(ids) < timesteps:
        ids = np.concatenate([np.asarray(fallback, dtype="int32")[-(timesteps - len(ids)):], ids])
    return ids[-timesteps:], unknown


def generate(model, vocab: Vocabulary, seed_text: str, length: int, temperature: float, timesteps: int,
             fallback: np.ndarray, seed: int = 0) -> Generated:
    """`length` tokens after `seed_text`; the same seed and settings give the same text."""
    rng = np.random.default_rng(seed)
    window, unknown = seed_ids(vocab, seed_text, timesteps, fallback)
    known_seed = vocab.decode(vocab.encode(tokenize(seed_text, vocab.level)))
    window = window.reshape(1, -1).copy()
    produced: list[int] = []
    for _ in range(length):
        probabilities = np.asarray(model.predict_on_batch(window))[0]
        token = pick(probabilities, temperature, rng)
        produced.append(token)
        window = np.roll(window, -1, axis=1)
        window[0, -1] = token
    return Generated(vocab.decode(produced), known_seed, unknown)


def real_word_share(text: str, words: set[str]) -> float:
    """Share of the words written (runs of letters) that are real words of `words`; 0 when none are written."""
    written = WORD.findall(text.lower())
    return sum(1 for w in written if w in words) / len(written) if written else 0.0


def sentence_end(corpus: Corpus, timesteps: int) -> int:
    """The first place after `timesteps` tokens of training text where a sentence has just ended."""
    ids, index = corpus.train_ids, corpus.vocab.index
    enders = {index[t] for t in (".", "\n") if t in index}
    space = index.get(" ")
    for end in range(max(timesteps, 2), len(ids)):
        if ids[end - 1] in enders or (ids[end - 1] == space and ids[end - 2] in enders):
            return end
    return min(timesteps, len(ids))


def context_before_sentence(corpus: Corpus, timesteps: int) -> np.ndarray:
    """`timesteps` tokens of training text ending where a sentence ends: the lead-in a short seed is put after."""
    end = sentence_end(corpus, timesteps)
    return corpus.train_ids[max(0, end - timesteps):end].astype("int32")


def default_seed(corpus: Corpus, timesteps: int) -> str:
    """The first few words of a sentence from the training text, for an empty seed."""
    end = sentence_end(corpus, timesteps)
    return corpus.vocab.decode(corpus.train_ids[end:end + (12 if corpus.level == "char" else 3)])

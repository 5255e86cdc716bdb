"""Built-in texts for the language model, generated in code from small grammars with fixed seeds.

Each is a few hundred real English words in simple sentences: regular enough that a small LSTM learns words and
word order within seconds on two CPU cores, varied enough that memorising is no shortcut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lstm_core.tasks.text_lm.corpus import TextSource, read_text


@dataclass(frozen=True)
class TextSample:
    name: str
    title: str
    description: str
    make: Callable[[], str]
    # RunConfig settings of the sample's default run (page and CLI).
    settings: dict = field(default_factory=dict)

    def source(self) -> TextSource:
        return read_text(self.make().encode("utf-8"), f"{self.name}.txt")


ANIMALS = ("fox", "dog", "cat", "bird", "horse", "rabbit", "mouse", "wolf", "bear", "owl", "goat", "duck", "frog",
           "deer", "sheep", "lion", "tiger", "fish", "crow", "hen")
PEOPLE = ("farmer", "girl", "boy", "king", "queen", "baker", "sailor", "teacher", "doctor", "child", "woman", "man",
          "miller", "hunter", "painter", "singer", "soldier", "stranger", "friend", "mother")
THINGS = ("apple", "stone", "book", "coat", "lamp", "bread", "cup", "boat", "letter", "key", "song", "basket",
          "candle", "ring", "hat", "map", "drum", "rope", "bell", "cake")
PLACES = ("river", "forest", "garden", "village", "hill", "road", "house", "field", "market", "bridge", "lake",
          "valley", "castle", "barn", "shore", "meadow", "town", "well", "cave", "mill")
ADJECTIVES = ("old", "young", "little", "big", "quiet", "happy", "tired", "brave", "clever", "kind", "red", "green",
              "small", "tall", "gentle", "hungry", "lazy", "bright", "dark", "wise", "cold", "warm", "strange",
              "proud", "busy", "lucky", "careful", "sleepy", "golden", "silver")
WALK_VERBS = ("walked", "ran", "went", "hurried", "wandered", "came", "rode", "jumped", "flew", "crept")
SEE_VERBS = ("saw", "found", "watched", "liked", "followed", "helped", "called", "met", "heard", "loved", "visited",
             "carried", "painted", "took", "wanted", "gave", "lost", "kept", "made", "brought")
REST_VERBS = ("slept", "sang", "waited", "laughed", "rested", "smiled", "danced", "cried", "listened", "played")
PREPOSITIONS = ("to", "into", "across", "along", "over", "through", "past", "toward", "around", "behind")
WHERE = ("by", "near", "in", "at", "under", "beside", "on")
ADVERBS = ("slowly", "quickly", "quietly", "happily", "again", "early", "late", "together", "alone", "often")
TIMES = ("one morning", "in the evening", "that night", "after dinner", "before the rain", "on sunday",
         "in the spring", "at noon", "the next day", "long ago")
CONNECTORS = ("and then", "but", "so", "because", "while")


def _pick(rng: np.random.Generator, words: tuple[str, ...]) -> str:
    return words[int(rng.integers(len(words)))]


def _noun_phrase(rng: np.random.Generator) -> str:
    noun = _pick(rng, ANIMALS + PEOPLE)
    article = "the" if rng.random() < 0.7 else "a"
    if rng.random() < 0.5:
        adjective = _pick(rng, ADJECTIVES)
        if article == "a" and adjective[0] in "aeiou":
            article = "an"
        return f"{article} {adjective} {noun}"
    return f"{'an' if article == 'a' and noun[0] in 'aeiou' else article} {noun}"


def _place(rng: np.random.Generator) -> str:
    adjective = f"{_pick(rng, ADJECTIVES)} " if rng.random() < 0.3 else ""
    return f"the {adjective}{_pick(rng, PLACES)}"


def _clause(rng: np.random.Generator) -> str:
    subject = _noun_phrase(rng)
    kind = rng.random()
    if kind < 0.35:
        clause = f"{subject} {_pick(rng, WALK_VERBS)} {_pick(rng, PREPOSITIONS)} {_place(rng)}"
    elif kind < 0.75:
        thing = _noun_phrase(rng) if rng.random() < 0.5 else f"the {_pick(rng, THINGS)}"
        clause = f"{subject} {_pick(rng, SEE_VERBS)} {thing}"
    else:
        clause = f"{subject} {_pick(rng, REST_VERBS)} {_pick(rng, WHERE)} {_place(rng)}"
    if rng.random() < 0.3:
        clause += f" {_pick(rng, ADVERBS)}"
    return clause


def _sentence(rng: np.random.Generator) -> str:
    parts = _clause(rng)
    if rng.random() < 0.25:
        parts = f"{_pick(rng, TIMES)}, {parts}"
    if rng.random() < 0.35:
        parts = f"{parts}, {_pick(rng, CONNECTORS)} {_clause(rng)}"
    end = "." if rng.random() < 0.85 else ("!" if rng.random() < 0.5 else "?")
    return parts[0].upper() + parts[1:] + end


def tales(sentences: int = 900, seed: int = 3) -> str:
    """Short sentences about animals, people and places, in paragraphs of three to six sentences."""
    rng = np.random.default_rng(seed)
    paragraphs, done = [], 0
    while done < sentences:
        count = int(rng.integers(3, 7))
        paragraphs.append(" ".join(_sentence(rng) for _ in range(count)))
        done += count
    return "\n".join(paragraphs) + "\n"


def vocabulary_words() -> set[str]:
    """Every word the sample grammars use: the reference for 'does the model write real words'."""
    words: set[str] = {"the", "a", "an"}
    for group in (ANIMALS, PEOPLE, THINGS, PLACES, ADJECTIVES, WALK_VERBS, SEE_VERBS, REST_VERBS, PREPOSITIONS, WHERE,
                  ADVERBS, TIMES, CONNECTORS):
        for phrase in group:
            words.update(phrase.split())
    return words


TEXT_SAMPLES: dict[str, TextSample] = {
    "tales": TextSample(
        "tales", "Little tales (≈ 49,000 characters)",
        "Simple sentences about animals, people and places, from a grammar of about 200 English words. A small "
        "character model starts writing real words after an epoch or two.",
        tales, settings={"timesteps": 40, "units": 96, "embedding_dim": 16, "batch_size": 64, "epochs": 8,
                         "learning_rate": 0.005, "seed_text": "The old fox ", "temperature": 0.6}),
    "tales_small": TextSample(
        "tales_small", "Little tales, short (≈ 12,000 characters)",
        "The same grammar, a fifth as long: trains in a few seconds, for a quick look.",
        lambda: tales(200, seed=5), settings={"timesteps": 32, "units": 64, "embedding_dim": 16, "batch_size": 64,
                                              "epochs": 4, "learning_rate": 0.005, "seed_text": "The old fox ",
                                              "temperature": 0.6}),
}
DEFAULT_TEXT_SAMPLE = "tales"

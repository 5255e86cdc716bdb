"""Built-in labelled texts, generated in code with a fixed seed: short customer messages to sort by department."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.config import RunConfig
from lstm_core.named import by_name

OPENINGS = ("", "", "hi,", "hello,", "hi team,", "good morning,", "hey,", "dear support,", "urgent:", "quick question:")
CLOSINGS = ("", "", "", "thanks", "thank you!", "please help.", "regards, sam", "cheers", "asap please",
            "any update?", "this is the second time I write.")
# Words that belong to no department: every class uses them.
SHARED = ("my order", "my account", "last week", "yesterday", "again", "today", "this month", "the app",
          "your website")

# Each department's messages: a template, filled from that department's word lists (and the shared phrases).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "billing": (
        "I was charged {twice} for {thing}",
        "why is there a {fee} on my {invoice}",
        "please refund the {fee} from {when}",
        "my {card} was declined but the {amount} still left my bank",
        "can I get a copy of the {invoice} for {thing}",
        "the {amount} on my {invoice} is wrong",
        "I want to cancel my subscription and get a refund for {thing}",
        "you billed me {twice} {when}",
        "how do I change the {card} you charge",
        "there is a {fee} I do not recognise {when}",
    ),
    "technical": (
        "the {screen} shows an {error} when I {action}",
        "I cannot {action}, it keeps {failing}",
        "{thing} {failing} after the {update}",
        "getting {error} every time I {action}",
        "the {screen} is blank since the {update}",
        "password reset link is {failing}",
        "I cannot log in to {thing}, it says {error}",
        "the {screen} freezes when I {action}",
        "{thing} crashes on my phone {when}",
        "sync is {failing} between my devices {when}",
    ),
    "delivery": (
        "my {parcel} has not arrived {when}",
        "the {courier} says {parcel} was delivered but nothing came",
        "where is my {parcel}, tracking has not moved {when}",
        "the {parcel} arrived {damaged}",
        "can I change the {address} for {thing}",
        "the {courier} left my {parcel} at the wrong {address}",
        "{parcel} is {late} and the tracking number does not work",
        "I received the wrong item in my {parcel}",
        "delivery was {late}, I waited at home all day {when}",
        "please send my {parcel} to a new {address}",
    ),
}
SLOTS: dict[str, tuple[str, ...]] = {
    "twice": ("twice", "two times", "double", "three times"),
    "thing": (*SHARED[:2], "the premium plan", "one item", "a gift card", "the annual plan", "the app"),
    "fee": ("fee", "charge", "extra charge", "late fee", "service fee"),
    "invoice": ("invoice", "bill", "statement", "receipt"),
    "when": (*SHARED[2:7], "on monday", "this morning", "two days ago"),
    "card": ("card", "credit card", "payment method", "debit card"),
    "amount": ("amount", "money", "payment", "total"),
    "screen": ("screen", "page", "dashboard", "settings page", "login page"),
    "error": ("error", "error 500", "timeout error", "unknown error", "network error"),
    "action": ("save", "upload a file", "open settings", "log in", "export a report", "search"),
    "failing": ("failing", "not working", "crashing", "broken", "stuck loading"),
    "update": ("update", "latest update", "new version", "upgrade"),
    "parcel": ("parcel", "package", "order", "delivery", "box"),
    "courier": ("courier", "driver", "delivery man", "tracking page"),
    "damaged": ("damaged", "broken", "crushed", "open and half empty"),
    "address": ("address", "door", "house", "postcode"),
    "late": ("late", "a week late", "delayed", "very late"),
}
NOISE = ("please", "really", "honestly", "still", "just", "now", "so", "again", "urgently", "kindly")


def _fill(template: str, rng: np.random.Generator) -> str:
    text = template
    for slot, options in SLOTS.items():
        while "{" + slot + "}" in text:
            text = text.replace("{" + slot + "}", str(rng.choice(options)), 1)
    return text


def customer_messages() -> pd.DataFrame:
    """450 distinct messages (billing 180, technical 150, delivery 120), each from one of ten templates per
    department with varied slots, greetings, sign-offs and filler words; shared phrases ("my order", "the app")
    appear in every class, and one message in twenty is worded from another department's template."""
    rng = np.random.default_rng(17)
    wanted = {"billing": 180, "technical": 150, "delivery": 120}
    rows, seen = [], set()
    for label, count in wanted.items():
        others = [name for name in TEMPLATES if name != label]
        made = 0
        while made < count:
            source = label if rng.random() >= 0.05 else str(rng.choice(others))
            body = _fill(str(rng.choice(TEMPLATES[source])), rng)
            words = body.split()
            if rng.random() < 0.5:
                words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(NOISE)))
            text = " ".join(part for part in (str(rng.choice(OPENINGS)), " ".join(words),
                                              str(rng.choice(CLOSINGS))) if part)
            text = text[0].upper() + text[1:]
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append((text, label))
            made += 1
    order = rng.permutation(len(rows))
    return pd.DataFrame({"message": [rows[i][0] for i in order], "department": [rows[i][1] for i in order]})


@dataclass(frozen=True)
class TextClassificationSample:
    name: str
    title: str
    description: str
    text_column: str
    label_column: str
    make: Callable[[], pd.DataFrame]
    settings: dict = field(default_factory=dict)

    def config(self, **overrides) -> RunConfig:
        roles = {"task": "text-classify", "text_column": self.text_column, "label_column": self.label_column}
        return RunConfig(**{**roles, **self.settings, **overrides})


# A small, quick model: trains in seconds to well above the majority baseline.
TEXT_CLASSIFY_SAMPLES: dict[str, TextClassificationSample] = by_name(
    TextClassificationSample(
        "customer_messages", "Customer messages: billing, technical or delivery",
        "450 short support messages, each for one department, written from templates with varied wording, "
        "greetings and filler words; some words appear in every department and a few messages are worded "
        "like another department's.",
        "message", "department", customer_messages,
        {"vocab_size": 1000, "embedding_dim": 16, "units": 16, "epochs": 15, "patience": 4,
         "learning_rate": 0.01, "batch_size": 32}),
)


def text_classify_sample_csv(name: str) -> bytes:
    return TEXT_CLASSIFY_SAMPLES[name].make().to_csv(index=False).encode()

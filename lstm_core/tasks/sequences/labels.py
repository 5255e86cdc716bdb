"""Class labels as the user wrote them (numbers or text) ↔ the integers 0 … K−1 the model learns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Codes for a label that is missing, or not one of the classes seen when fitting.
UNKNOWN = -1


def label_values(column: Iterable) -> np.ndarray:
    """Labels as clean Python values: whole floats (a 0/1 column pandas read as 1.0) become ints, text is stripped,
    empty cells become None. Each distinct value is cleaned once, so a long file costs little."""
    codes, uniques = pd.factorize(pd.Series(list(column) if not hasattr(column, "__len__") else column))
    cleaned = np.array([*(clean_label(value) for value in uniques), None], dtype=object)
    return cleaned[codes]


def clean_label(value):
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class LabelEncoder:
    """Sorted classes → codes 0 … K−1. Numbers sort as numbers, text as text; a mix sorts numbers first."""

    classes: tuple

    @classmethod
    def fit(cls, labels: Iterable) -> LabelEncoder:
        present = {value for value in label_values(labels) if value is not None}
        return cls(tuple(sorted(present, key=_sort_key)))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(str(value) for value in self.classes)

    def __len__(self) -> int:
        return len(self.classes)

    def encode(self, labels: Iterable) -> np.ndarray:
        """Codes as int64; UNKNOWN for a missing label or one that is not a class."""
        lookup = {value: code for code, value in enumerate(self.classes)}
        return np.array([lookup.get(value, UNKNOWN) if value is not None else UNKNOWN
                         for value in label_values(labels)], dtype="int64")

    def decode(self, codes: Iterable[int]) -> np.ndarray:
        return np.array([self.classes[int(code)] for code in codes], dtype=object)

    def mapping(self) -> dict[str, int]:
        """Class name → code, in code order: what the page shows next to the class names."""
        return {name: code for code, name in enumerate(self.names)}


def _sort_key(value) -> tuple[int, float, str]:
    if isinstance(value, (int, float)):
        return (0, float(value), "")
    return (1, 0.0, str(value))

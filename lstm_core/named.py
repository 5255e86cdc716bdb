"""The tables of samples and scenarios: each entry under its own name, so a name is written once."""

from __future__ import annotations

from typing import TypeVar

Named = TypeVar("Named")


def by_name(*entries: Named) -> dict[str, Named]:
    """Each entry under its .name, in the order given."""
    return {entry.name: entry for entry in entries}

"""A listener that keeps what a run emits, for the tests that read its events."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Recorder:
    """A listener that keeps every event the runner emits, in order."""

    events: list[tuple[str, dict]] = field(default_factory=list)

    def __call__(self, kind: str, payload: dict) -> None:
        self.events.append((kind, dict(payload)))

    def kinds(self, skip: tuple[str, ...] = ("tick",)) -> list[str]:
        return [kind for kind, _ in self.events if kind not in skip]

    def payloads(self, kind: str) -> list[dict]:
        return [payload for k, payload in self.events if k == kind]

"""The one shape every check, runtime monitor and translated exception returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    title: str
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: dict[str, Any] | None = None
    epoch: int | None = None
    # Where the page shows it: "data", "windows", "model", "training", "results".
    area: str = "data"
    original: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")

    @property
    def blocks_training(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
            "evidence": self.evidence,
            "fix": self.fix,
        }
        if self.epoch is not None:
            out["epoch"] = self.epoch
        if self.original:
            out["original"] = self.original
        return out


class ProblemError(Exception):
    """Raised where work cannot go on; carries the finding that explains why."""

    def __init__(self, finding: Finding):
        super().__init__(finding.title)
        self.finding = finding

    def __reduce__(self):
        # Raised in a worker or helper process and re-raised in the page: it must cross with its finding.
        return (ProblemError, (self.finding,))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.blocks_training for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.code))

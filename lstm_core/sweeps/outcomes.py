"""What a sweep's runs came to: each run and the whole sweep, as the views and the summary read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_core.findings import Finding

# The runtime monitors' codes (lstm_core/monitors/curve_monitors.py) a summary names.
DIVERGED = ("TRAIN101", "TRAIN102")
STALLED = ("TRAIN103",)
OSCILLATED = ("TRAIN104",)
UNDERFIT = ("TRAIN106",)
# Runs that may be the best: they trained to an end, or were stopped with their curve kept.
SCORED = ("completed", "stopped_early")
ACTIVE = ("queued", "running")


@dataclass
class SweepRun:
    """One run of a sweep as the live view, the leaderboard and the summary read it."""

    run_id: str
    values: dict
    status: str
    number: int | None = None
    reason: str = ""
    curve: list[float] = field(default_factory=list)  # validation loss, one value an epoch
    loss: list[float] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)  # {"epoch", "code"} where a monitor fired
    best_val_loss: float | None = None
    metric: str | None = None  # "MAE" (forecast) or "accuracy" (classifier)
    model_score: float | None = None
    baseline: str | None = None  # the best baseline's name
    baseline_score: float | None = None
    codes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    metrics: dict | None = None
    verdict: str = ""
    epochs: int = 0
    planned_epochs: int = 0

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def outcome(self) -> str:
        """What the summary says of the run: diverged, stalled, oscillated, learnt little, failed, healthy, or its
        status while it is queued or running."""
        if self.active or self.status in ("cancelled", "deleted"):
            return self.status
        if self.status == "error":
            return "failed"
        if self.status == "diverged" or set(self.codes) & set(DIVERGED):
            return "diverged"
        if set(self.codes) & set(STALLED):
            return "stalled"
        if set(self.codes) & set(OSCILLATED):
            return "oscillated"
        if set(self.codes) & set(UNDERFIT):
            return "learnt little"
        return "healthy"

    @property
    def failed_a_check(self) -> bool:
        """Failed, or reported an error-level finding (a diverged run does): what the CLI's exit code 1 counts."""
        return self.status in ("error", "diverged") or any(f.severity == "error" for f in self.findings)


@dataclass
class SweepState:
    sweep_id: str
    settings: list[str]
    runs: list[SweepRun]
    stopped: bool = False
    seed: int = 0
    best: SweepRun | None = None
    summary: str = ""

    @property
    def finished(self) -> int:
        return sum(1 for run in self.runs if not run.active)

    @property
    def active(self) -> bool:
        return any(run.active for run in self.runs)

    @property
    def best_values(self) -> dict | None:
        return dict(self.best.values) if self.best else None


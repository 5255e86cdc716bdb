"""Runs as the pages show them: records read from the run store, their names, differences, table rows and the
config of a "change one thing" run. No Streamlit here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lstm_core.config import CHOICES, LIMITS, ConfigError, RunConfig, setting_text
from lstm_core.findings import Finding

# Settings named in a run's short name; more are summed up as "+N".
NAME_SETTINGS = 2

# A run's status as the table words it.
STATUS_WORDS = {"completed": "completed", "stopped_early": "stopped early", "diverged": "diverged", "error": "failed",
                "queued": "queued", "running": "training", "cancelled": "cancelled"}
# Settings "change one thing" offers, in the sidebar's order; the data's columns and roles stay as they were.
WINDOW_SETTINGS = ("timesteps", "horizon", "multi_step", "difference", "stride", "val_fraction", "test_fraction",
                   "scaling", "season")
SEQUENCE_SETTINGS = ("maxlen", "pad", "truncate", "masking", "min_length", "val_fraction", "test_fraction",
                     "scaling")
MODEL_SETTINGS = ("layers", "units", "activation", "recurrent_activation", "dropout", "recurrent_dropout",
                  "bidirectional", "output_units", "output_activation", "loss")
TRAINING_SETTINGS = ("optimizer", "learning_rate", "batch_size", "epochs", "early_stopping", "patience", "seed")


@dataclass
class RunRecord:
    """One run as the store keeps it: settings, status, curve, findings and scores.

    `id` is the run's number in its workspace (#3); `key` is its id in the run store. Its model is the file
    model.keras in its folder (`has_artifacts`).
    """

    id: int
    name: str
    config: RunConfig
    data_id: str
    data_name: str
    status: str
    reason: str = ""
    history: dict[str, list[float]] = field(default_factory=lambda: {"loss": [], "val_loss": []})
    seconds: float = 0.0
    best_epoch: int | None = None
    metrics: dict | None = None
    verdict: str = ""
    findings: list[Finding] = field(default_factory=list)
    parent: int | None = None
    key: str = ""
    workspace: str = ""
    data_ref: str = ""
    reader: str = "csv"
    source: str = "page"
    epoch_seconds: list[float] = field(default_factory=list)
    jit_compile: bool | None = None
    compiled_kept: bool = False  # its compiled step came from an earlier run of the same shape in its worker
    # Seconds after its last epoch: {"scoring": its report (metrics, baselines, intervals), "saving": its files};
    # a run scored outside the worker (the CLI's `train --store`) has "saving" only.
    wrap_up: dict | None = None
    samples: list[dict] = field(default_factory=list)
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    planned_epochs: int = 0
    steps: int | None = None
    progress: dict | None = None
    has_artifacts: bool = False
    queue_place: int | None = None
    stop_requested: bool = False

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss") or [])

    @property
    def epochs_done(self) -> int:
        return self.epochs

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def bits(self) -> list[dict]:
        """A language model's bits per character, one entry an epoch (from its samples)."""
        return [{k: v for k, v in s.items() if k == "epoch" or "bits" in k} for s in self.samples
                if "bits_per_char" in s]

    @property
    def best_val_loss(self) -> float | None:
        finite = [v for v in self.history.get("val_loss") or [] if v is not None and math.isfinite(v)]
        return min(finite) if finite else None

    @property
    def model_note(self) -> str:
        return "kept" if self.has_artifacts else "none (no epoch done)"


def run_name(run_id: int, config: RunConfig, reference: RunConfig | None, data_name: str) -> str:
    """"#3 · units 64": the settings that differ from the reference run, or the data's name for a first run."""
    if reference is None:
        return f"#{run_id} · {data_name}"
    changed = changed_settings(reference, config)
    if not changed:
        return f"#{run_id} · same settings"
    shown = ", ".join(f"{name} {show_value(config_value(config, name))}" for name in changed[:NAME_SETTINGS])
    more = f" +{len(changed) - NAME_SETTINGS}" if len(changed) > NAME_SETTINGS else ""
    return f"#{run_id} · {shown}{more}"


def config_value(config: RunConfig, name: str) -> Any:
    return config.to_dict()[name]


def changed_settings(before: RunConfig, after: RunConfig) -> list[str]:
    """Names of the settings whose values differ between two configs, in RunConfig's order."""
    old, new = before.to_dict(), after.to_dict()
    return [name for name in new if old.get(name) != new[name]]


def differing_settings(records: list[RunRecord]) -> list[str]:
    """Settings that do not have one value across these runs, in RunConfig's order."""
    if len(records) < 2:
        return []
    configs = [r.config.to_dict() for r in records]
    return [name for name in configs[0] if any(c[name] != configs[0][name] for c in configs[1:])]


def show_value(value: Any) -> Any:
    """A setting as a table cell or a name shows it: lists joined ("none" when empty), None as the page's "auto"."""
    text = setting_text(value, ("on", "off"), ", ")
    return value if text is None else text or "none"


def key_metrics(metrics: dict | None) -> dict[str, float | None]:
    """Test MAE / RMSE (forecast) or accuracy (classifier), and the gain over the best naive baseline in %.

    For a forecast the gain is the MAE saved against the best baseline, in % of that baseline's MAE; for a classifier,
    accuracy points above always answering the majority class. Positive means the LSTM did better.
    """
    out: dict[str, float | None] = {"mae": None, "rmse": None, "accuracy": None, "vs_baseline": None}
    if not metrics:
        return out
    model, baselines = metrics.get("model", {}), metrics.get("baselines", {})
    if "accuracy" in model:
        out["accuracy"] = model["accuracy"]
        majority = baselines.get("majority", {}).get("accuracy")
        if majority is not None:
            out["vs_baseline"] = (model["accuracy"] - majority) * 100
        return out
    out["mae"], out["rmse"] = model.get("mae"), model.get("rmse")
    best = min((b["mae"] for b in baselines.values() if b.get("mae") is not None), default=None)
    if best and out["mae"] is not None and math.isfinite(out["mae"]):
        out["vs_baseline"] = (best - out["mae"]) / best * 100
    return out


TABLE_METRICS = {"best val loss": "best_val_loss", "test MAE": "mae", "test RMSE": "rmse", "accuracy": "accuracy",
                 "vs baseline %": "vs_baseline"}


def table_rows(records: list[RunRecord], settings: list[str]) -> list[dict[str, Any]]:
    """One row a run: name, data, status, epochs, the given settings, the key metrics (None where they do not
    apply; metric columns no run has are left out), the codes of the run's findings, and whether it keeps its model."""
    rows = []
    for record in records:
        numbers = {**key_metrics(record.metrics), "best_val_loss": record.best_val_loss}
        row: dict[str, Any] = {"run": record.name, "data": record.data_name,
                               "status": STATUS_WORDS.get(record.status, record.status),
                               "epochs trained": record.epochs}
        row.update({name: show_value(config_value(record.config, name)) for name in settings})
        row.update({label: numbers[key] for label, key in TABLE_METRICS.items()})
        row["findings"] = ", ".join(dict.fromkeys(f.code for f in record.findings if f.severity != "info"))
        row["model"] = record.model_note.split(" ")[0]
        rows.append(row)
    empty = [label for label in TABLE_METRICS if all(row[label] is None for row in rows)]
    return [{k: v for k, v in row.items() if k not in empty} for row in rows]


def changeable_settings(config: RunConfig) -> tuple[str, ...]:
    """The settings "change one thing" offers for this kind of run."""
    data = SEQUENCE_SETTINGS if config.task == "classify-sequences" else WINDOW_SETTINGS
    if config.task != "forecast":
        data = tuple(name for name in data if name not in ("multi_step", "difference", "season"))
    return data + MODEL_SETTINGS + TRAINING_SETTINGS


def setting_kind(name: str) -> tuple:
    """How a value for this setting is chosen: ("choice", options), ("bool",) or ("number", low, high, is_float)."""
    if name in CHOICES:
        options = CHOICES[name]
        return ("choice", (None, *options)) if name in ("output_activation", "loss") else ("choice", options)
    if name in LIMITS:
        low, high = LIMITS[name]
        is_float = isinstance(getattr(RunConfig(), name), float)
        # 0 stands for "auto" where the setting may be left to the task.
        return ("number", 0 if name in ("output_units", "maxlen") else low, high, is_float)
    return ("bool",)


def change_one(config: RunConfig, name: str, value: Any) -> RunConfig:
    """The run's config with only `name` changed; ConfigError if the setting is not offered, the value is not
    allowed, or it is the value the run already had."""
    if name not in changeable_settings(config):
        raise ConfigError(f"{name} cannot be changed here; choose one of {', '.join(changeable_settings(config))}")
    if name in ("output_units", "maxlen") and value == 0:
        value = None
    changed = config.replace(**{name: value})
    if changed == config:
        raise ConfigError(f"{name} is already {show_value(value)}: choose a different value")
    return changed

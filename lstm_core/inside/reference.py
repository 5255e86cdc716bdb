"""The healthy reference the inside view compares a run's saturation with: the same setup trained at the
optimiser's default learning rate for a few epochs, or the run itself when it already is such a run.

Trained in the helper process (jobs/calls.py) or the CLI, never in the page; kept per data and setup, so a second
opening, or another run on the same data that differs only in its learning rate or epochs, trains nothing. When
the reference cannot be trained, the same network untrained stands in, and the view says so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_core.checks.training_checks import LR_DEFAULT, LR_LOW
from lstm_core.inside.gates import ITSELF, TRAINED, UNTRAINED

# A reference trains at most this many epochs (fewer when the run itself had fewer) ...
REFERENCE_EPOCHS = 10
# ... and for at most this many seconds: it stands next to the run, it is not a second run.
REFERENCE_SECONDS = 60
# References kept on disk (the newest); each is a model file of the run's size.
KEPT_REFERENCES = 20
# A run that ended this way, with no warning from a training check, trained normally.
HEALTHY_STATUSES = ("completed", "stopped_early")


class ReferenceFailed(RuntimeError):
    """Training the reference ended without a usable model."""


@dataclass
class Reference:
    model: Any
    kind: str
    learning_rate: float | None = None
    epochs: int = 0
    failure: str = ""

    @property
    def text(self) -> str:
        """What the reference is, in one line the page and the CLI print."""
        if self.kind == ITSELF:
            return (f"this run itself: it trained at learning rate {self.learning_rate:g} (the optimiser's usual "
                    "range) without a warning from any training check, so it is the healthy run")
        if self.kind == TRAINED:
            return (f"the same setup trained at learning rate {self.learning_rate:g} for {self.epochs} "
                    f"epoch{'s' if self.epochs != 1 else ''}")
        return (f"the same network untrained, with the weights it starts from (training the healthy reference "
                f"failed: {self.failure})")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "learning_rate": self.learning_rate, "epochs": self.epochs, "text": self.text,
                "failure": self.failure}


def reference_config(config):
    """The setup of the healthy reference: the run's, at the optimiser's default rate, for at most
    REFERENCE_EPOCHS epochs."""
    return config.replace(learning_rate=LR_DEFAULT[config.optimizer], epochs=min(config.epochs, REFERENCE_EPOCHS))


def is_healthy(config, status: str | None, findings=()) -> bool:
    """A run that can be its own reference: a rate no higher than the optimiser's default (and not absurdly low),
    ended normally, and no training check (before or during the run) warned about it."""
    if status not in HEALTHY_STATUSES or not LR_LOW <= config.learning_rate <= LR_DEFAULT[config.optimizer]:
        return False
    return not any(f.code.startswith("TRAIN") and f.severity in ("warning", "error") for f in findings)


def reference_key(data_ref: str, config) -> str:
    """The same data and the same reference setup give the same key."""
    setup = json.dumps({"data": data_ref, "config": reference_config(config).to_dict()}, sort_keys=True)
    return hashlib.sha256(setup.encode()).hexdigest()[:24]


def untrained_model(prepared):
    """The same network with the weights it starts from (the run's seeds)."""
    from lstm_core.tasks.registry import task_for

    return task_for(prepared.config).untrained_model(prepared)


def train_reference(prepared) -> Reference:
    """The same setup trained at the default rate (no monitors, no XLA: it is short, and XLA's compile would be
    most of it); raises ReferenceFailed when that gives no model."""
    config = reference_config(prepared.config)
    trial = dataclasses.replace(prepared, config=config)
    from lstm_core.tasks.registry import task_for

    runner = task_for(config).runner(trial, ticks=False, monitors=False, jit_compile=False)
    runner.max_seconds = min(runner.max_seconds, REFERENCE_SECONDS)
    state = runner.run()
    if state.model is None or not state.epochs_done or state.status in ("diverged", "error"):
        raise ReferenceFailed(state.reason or f"it ended {state.status} after {state.epochs_done} epoch(s)")
    return Reference(state.model, TRAINED, config.learning_rate, state.epochs_done)


def healthy_reference(prepared, model, record=None, cache: ReferenceCache | None = None) -> Reference:
    """The reference for a run: itself when healthy (`record` says how it ended and what was found), else the
    reference from `cache`, else one trained now (and put in `cache`); the untrained network if training fails."""
    config = prepared.config
    if record is not None and is_healthy(config, record.status, record.findings):
        return Reference(model, ITSELF, config.learning_rate, record.epochs_done)
    key = reference_key(record.data_ref, config) if record is not None and record.data_ref else None
    if cache is not None and key is not None:
        kept = cache.get(key)
        if kept is not None:
            return kept
    try:
        reference = train_reference(prepared)
    except Exception as exc:  # any failure of the reference's own training: said plainly, the view still draws
        return Reference(untrained_model(prepared), UNTRAINED, failure=_plain(exc))
    if cache is not None and key is not None:
        cache.put(key, reference)
    return reference


def _plain(exc: Exception) -> str:
    from lstm_core.errors import translate

    try:
        return translate(exc, area="training the reference").title
    except Exception:
        return f"{type(exc).__name__}: {exc}"[:200]


class ReferenceCache:
    """Trained references in a folder (HOME/inside_references): KEY.keras and KEY.json, the newest KEPT_REFERENCES,
    and the last few in memory."""

    def __init__(self, folder: Path | str, in_memory: int = 2):
        self.folder = Path(folder)
        self.in_memory = in_memory
        self._models: dict[str, Reference] = {}

    def get(self, key: str) -> Reference | None:
        if key in self._models:
            return self._models[key]
        model_file, about_file = self.folder / f"{key}.keras", self.folder / f"{key}.json"
        if not (model_file.is_file() and about_file.is_file()):
            return None
        import keras

        try:
            about = json.loads(about_file.read_text())
            model = keras.saving.load_model(model_file, safe_mode=True)
        except Exception:  # a damaged file is trained again
            return None
        reference = Reference(model, TRAINED, about["learning_rate"], int(about["epochs"]))
        self._remember(key, reference)
        return reference

    def put(self, key: str, reference: Reference) -> None:
        self._remember(key, reference)
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".partial-{key}-{os.getpid()}.keras"
        try:
            reference.model.save(partial)
            os.replace(partial, self.folder / f"{key}.keras")
            (self.folder / f"{key}.json").write_text(json.dumps({"learning_rate": reference.learning_rate,
                                                                  "epochs": reference.epochs}))
        except OSError:
            partial.unlink(missing_ok=True)  # a full disk costs the next opening a training, nothing else
            return
        self._prune()

    def _remember(self, key: str, reference: Reference) -> None:
        self._models.pop(key, None)
        self._models[key] = reference
        while len(self._models) > self.in_memory:
            self._models.pop(next(iter(self._models)))

    def _prune(self) -> None:
        from lstm_core.store.files import prune_newest

        for old in prune_newest(self.folder, "*.keras", KEPT_REFERENCES):
            old.with_suffix(".json").unlink(missing_ok=True)

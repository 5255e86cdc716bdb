"""A setup as a link: RunConfig ↔ query-string parameters (strings), never the data.

Only settings that differ from RunConfig's defaults are written, plus `sample=NAME` when a built-in sample is loaded,
so a link to a sample reproduces the run's setup fully. Reading a link never raises: unknown keys and values that
cannot be read or are out of range are reported as problems and ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lstm_core.config import CHOICES, ConfigError, RunConfig, setting_text

SAMPLE_KEY = "sample"
# Settings that name the data's columns: a link holding one came from an uploaded file.
COLUMN_SETTINGS = ("target", "features", "id_column", "order_column", "label_column", "text_column")
_FIELDS = [f for f in dataclasses.fields(RunConfig) if f.name != "extra"]
_TYPES = {f.name: str(f.type) for f in _FIELDS}


@dataclass
class SharedSetup:
    """What a link says: the config, the sample to load (or None), the settings it set and what was ignored."""

    config: RunConfig
    sample: str | None = None
    settings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def names_columns(self) -> bool:
        return any(name in self.settings for name in COLUMN_SETTINGS)


def encode(config: RunConfig, sample: str | None = None) -> dict[str, str]:
    """Parameters for a link: every setting that differs from the default, as text; the sample's name first."""
    defaults, values = RunConfig().to_dict(), config.to_dict()
    params = {SAMPLE_KEY: sample} if sample else {}
    for name, value in values.items():
        if value != defaults[name]:
            params[name] = to_text(value)
    return params


def to_text(value: Any) -> str:
    text = setting_text(value, ("true", "false"), ",")
    if text is not None:
        return text
    # repr gives the shortest text that reads back as the same float (0.001, 1e-05).
    return repr(value) if isinstance(value, float) else str(value)


# Parameters of the page's address that are not settings: the workspace id (ui/workspace.py).
NOT_SETTINGS = ("ws",)


def decode(params: Mapping[str, Any], base: RunConfig | None = None, samples: Iterable[str] = ()) -> SharedSetup:
    """The setup a link describes, applied onto `base` (the defaults unless given). Never raises.

    `params` maps a key to a string, or to a list of strings when the key is repeated (the last one counts).
    `samples` are the sample names that exist; another name is reported and no sample is loaded.
    """
    config = base or RunConfig()
    shared = SharedSetup(config)
    values = {str(key): _last(value) for key, value in params.items() if str(key) not in NOT_SETTINGS}
    known_samples = set(samples)
    if SAMPLE_KEY in values:
        name = values.pop(SAMPLE_KEY)
        if name in known_samples:
            shared.sample = name
        else:
            shared.problems.append(f"sample: there is no built-in sample called {name!r}"
                                   + (f" (there are: {', '.join(sorted(known_samples))})" if known_samples else ""))
    for key in values:
        if key not in _TYPES:
            shared.problems.append(f"{key}: not a setting this playground knows")
    for name in _TYPES:
        if name not in values:
            continue
        try:
            config = _apply(config, name, values[name])
        except ConfigError as problem:
            shared.problems.append(_one_problem(name, str(problem)))
            continue
        shared.settings.append(name)
    shared.config = config
    return shared


def _last(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


def _apply(config: RunConfig, name: str, text: str) -> RunConfig:
    """One setting from its text; ConfigError when it cannot be read or is out of range."""
    kind = _TYPES[name]
    # Column names and free text are taken as written ("auto" could be a column's name); the rest is read by
    # RunConfig.replace, as the CLI's options are.
    if kind.startswith("str") and name not in CHOICES:
        return dataclasses.replace(config, **{name: None if text == "" and "None" in kind else text})
    return config.replace(**{name: text})


def _one_problem(name: str, message: str) -> str:
    """ConfigError joins every problem of the config; keep the ones about this setting, or the whole message."""
    parts = [part for part in message.split("; ") if name in part]
    return f"{name}: " + "; ".join(parts or [message]).removeprefix(f"{name}: ")

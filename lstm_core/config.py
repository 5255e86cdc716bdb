"""RunConfig: every choice a user can make, as one frozen, serialisable value."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from lstm_core.limits import how_to_change, limit

# "auto" is resolved from the guessed layout (lstm_core.tasks.sequences.resolve_task) before anything trains.
TASKS = ("forecast", "classify-sequences", "classify-windows", "text-lm", "text-classify", "auto")
CLASSIFY_TASKS = ("classify-sequences", "classify-windows")
TEXT_TASKS = ("text-lm", "text-classify")
# The tasks with the "Inside the LSTM" view (a runtime monitor's hint points to it).
INSPECTED_TASKS = ("forecast", "classify-sequences", "classify-windows", "text-lm")
LEVELS = ("char", "word")
LAYOUTS = ("auto", "long", "wide")
PADDINGS = ("pre", "post", "none")
# Keras' meaning: "pre" cuts steps from the start (keeps the end), "post" cuts the end (keeps the start).
TRUNCATIONS = ("pre", "post")
LABEL_CONFLICTS = ("none", "last", "majority", "drop")
# A table with a row per year (or week) and a column per month, quarter or weekday, melted into one dated series.
RESHAPES = ("none", "months", "quarters", "weekdays")
SCALINGS = ("standard", "minmax", "none")
MISSING = ("interpolate", "ffill", "drop", "none")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "elu", "softsign")
OUTPUT_ACTIVATIONS = ("linear", "sigmoid", "softmax", "tanh", "relu")
LOSSES = ("mse", "mae", "huber", "binary_crossentropy", "sparse_categorical_crossentropy",
          "categorical_crossentropy")

# Bounds checked when a config arrives from JSON, the CLI or a link; the page's widgets use the same ones.
LIMITS: dict[str, tuple[float, float]] = {
    # The windows and the split; the network; training; the baseline, the rows and the seed; sequences; text.
    "timesteps": (1, 2000), "horizon": (1, 500), "stride": (1, 1000),
    "val_fraction": (0.0, 0.5), "test_fraction": (0.0, 0.5),
    "layers": (1, 3), "units": (1, 1024), "dropout": (0.0, 0.95), "recurrent_dropout": (0.0, 0.95),
    "output_units": (1, 10000),
    "learning_rate": (1e-12, 100.0), "batch_size": (1, 65536),
    "epochs": (1, limit("max_epochs")),  # read when the app starts, as every server limit is
    "patience": (1, 1000),
    "season": (0, 100000), "rows_used": (0, 100_000_000), "seed": (0, 2**31 - 1),
    "maxlen": (1, 10000), "min_length": (1, 10000),
    "vocab_size": (2, 200000), "embedding_dim": (0, 1024), "temperature": (0.05, 5.0), "sample_length": (1, 5000),
}
CHOICES: dict[str, tuple[str, ...]] = {
    # The task and its data; the network; sequences; text and reshaped tables.
    "task": TASKS, "scaling": SCALINGS, "missing": MISSING,
    "optimizer": OPTIMIZERS, "activation": ACTIVATIONS, "recurrent_activation": ACTIVATIONS,
    "output_activation": OUTPUT_ACTIVATIONS, "loss": LOSSES,
    "layout": LAYOUTS, "pad": PADDINGS, "truncate": TRUNCATIONS, "label_conflict": LABEL_CONFLICTS,
    "level": LEVELS, "reshape": RESHAPES,
}


class ConfigError(ValueError):
    """A config value that cannot be used; the message names the field and the allowed values."""


@dataclass(frozen=True)
class RunConfig:
    task: str = "forecast"
    target: str | None = None
    reshape: str = "none"
    features: tuple[str, ...] = ()
    missing: str = "none"
    timesteps: int = 24
    horizon: int = 1
    multi_step: bool = False
    # Forecast: the model learns the change from one row to the next; predictions are added back onto the last level.
    difference: bool = False
    stride: int = 1
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    scaling: str = "standard"
    layers: int = 1
    units: int = 32
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    bidirectional: bool = False
    output_units: int | None = None
    output_activation: str | None = None
    loss: str | None = None
    optimizer: str = "adam"
    learning_rate: float = 0.001
    batch_size: int = 32
    epochs: int = 30
    early_stopping: bool = True
    patience: int = 5
    season: int = 0
    seed: int = 42
    # Forecast: train and score on the first `rows_used` rows only (0: every row). A backtest fold is the same run
    # with its data cut at the fold's end, so it can be trained, stored and reproduced like any other.
    rows_used: int = 0
    # Classification: the columns' roles (None: take the guess), ragged lengths and labels that change.
    layout: str = "auto"
    id_column: str | None = None
    order_column: str | None = None
    label_column: str | None = None
    label_conflict: str = "none"
    maxlen: int | None = None
    pad: str = "pre"
    truncate: str = "pre"
    masking: bool = True
    min_length: int = 2
    # Text: the language model reads `timesteps` tokens to predict the next; the classifier reads `text_column`,
    # vectorised to `maxlen` tokens from a `vocab_size` vocabulary. embedding_dim 0 means one-hot inputs.
    text_column: str | None = None
    level: str = "char"
    vocab_size: int = 10000
    embedding_dim: int = 32
    seed_text: str = ""
    temperature: float = 0.8
    sample_length: int = 200
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        # An int where a float belongs (learning_rate=10) makes Keras' optimiser refuse it.
        for name in ("learning_rate", "dropout", "recurrent_dropout", "val_fraction", "test_fraction", "temperature"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, float(value))
        problems = self.problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def problems(self) -> list[str]:
        out = []
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                out.append(f"{name} must be a number, got {value!r}")
            elif not low <= value <= high:
                out.append(f"{name} = {value} is outside [{low:g}, {high:g}]")
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                out.append(f"{name} = {value!r} is not one of {', '.join(allowed)}")
        if self.val_fraction + self.test_fraction >= 0.9:
            out.append("val_fraction + test_fraction must leave at least 10 % of rows for training")
        if isinstance(self.epochs, int) and self.epochs > LIMITS["epochs"][1]:
            out.append(f"this server trains at most {LIMITS['epochs'][1]:,} epochs per run. "
                       f"{how_to_change('max_epochs')}")
        return out

    def replace(self, **patch: Any) -> RunConfig:
        return dataclasses.replace(self, **_coerce(patch))

    @property
    def classifies(self) -> bool:
        # Text classification shares the classifier's head, its head checks and its report.
        return self.task in CLASSIFY_TASKS or self.task == "text-classify"

    @property
    def is_text(self) -> bool:
        return self.task in TEXT_TASKS

    def head(self, n_classes: int | None = None) -> tuple[int, str, str]:
        """(output units, output activation, loss) after filling what the user left on auto.

        A classifier's head depends on its number of classes K (taken as 2 while unknown): two classes get
        Dense(1, sigmoid) + binary cross-entropy, more get Dense(K, softmax) + sparse categorical cross-entropy.
        """
        if not self.classifies:
            units = self.output_units or (self.horizon if self.multi_step else 1)
            return units, self.output_activation or "linear", self.loss or "mse"
        classes = n_classes or 2
        units = self.output_units or _class_units(classes, self.output_activation, self.loss)
        activation = self.output_activation or ("sigmoid" if units == 1 else "softmax")
        loss = self.loss or ("binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy")
        return units, activation, loss

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("extra")
        data["features"] = list(self.features)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        if not isinstance(data, dict):
            raise ConfigError("a config must be a JSON object of setting → value")
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return cls(**_coerce(data))

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        return cls.from_dict(data)


def setting_text(value: Any, yes_no: tuple[str, str], separator: str) -> str | None:
    """A setting left on auto (None), a switch or a list as text: "auto", one of `yes_no`, the items joined by
    `separator`. None for a number or a name, which the page and a link spell each their own way."""
    if value is None:
        return "auto"
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if isinstance(value, (list, tuple)):
        return separator.join(map(str, value))
    return None


def _class_units(classes: int, activation: str | None, loss: str | None) -> int:
    """Auto output units for a classifier: one probability for two classes, else one per class."""
    if activation == "softmax" or loss in ("sparse_categorical_crossentropy", "categorical_crossentropy"):
        return classes
    return 1 if classes == 2 else classes


_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(RunConfig)}


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    """Turn strings from a CLI or a URL into the field's type; leave proper values alone."""
    out = {}
    for name, value in values.items():
        kind = _FIELD_TYPES.get(name, "")
        try:
            out[name] = _coerce_one(kind, value)
        except (TypeError, ValueError, OverflowError):
            raise ConfigError(f"{name}: cannot read {value!r} as {kind}") from None
    return out


def _coerce_one(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "bool":
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return lowered in ("true", "1", "yes")
        return bool(value)
    if isinstance(value, bool) and kind.startswith(("int", "float")):
        raise TypeError(value)  # JSON true is not the number 1
    if kind.startswith("int"):
        if isinstance(value, str) and value.strip().lower() in ("", "auto", "none"):
            return None if "None" in kind else 0
        number = float(value)
        if number != int(number):
            raise ValueError(value)
        return int(number)
    if kind.startswith("float"):
        return float(value)
    if kind.startswith("tuple"):
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return tuple(value)
    if kind.startswith("str") and isinstance(value, str) and "None" in kind and value in ("", "auto"):
        return None
    return value

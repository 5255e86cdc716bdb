"""Which layout a CSV has and which column plays which role (id / order / features / label): a guess with a reason,
then the user's choices checked against the file."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from lstm_core.config import RunConfig
from lstm_core.data import Dataset
from lstm_core.findings import Finding, ProblemError
from lstm_core.tasks.sequences.labels import label_values

# A label has at least two and at most this many classes; more distinct values look like a measurement.
MAX_CLASSES = 50
# A column named like a label still needs few enough values, relative to the rows, to be one.
MAX_CLASS_SHARE = 0.5
# Wide format (never with a time column): at least this many columns named like time steps with one prefix
# (t1, t2, …, or plain numbers), or this many numeric columns whatever their names.
MIN_STEP_COLUMNS = 8
MIN_WIDE_COLUMNS = 20
LABEL_HINTS = ("label", "labels", "class", "classes", "category", "outcome", "regime", "state", "activity",
               "gesture", "diagnosis", "species", "kind", "type", "y")
# Names that make a series' label a per-window label with confidence (a forecasting file may have a "type").
STRONG_LABEL_HINTS = ("label", "labels", "class", "classes", "category", "outcome", "regime", "state")
ID_HINTS = ("id", "sequence", "seq", "series", "sample", "subject", "session", "trial", "unit", "recording",
            "track", "object", "user", "episode", "sid", "group")
ORDER_HINTS = ("time", "step", "t", "index", "order", "position", "frame", "timestamp", "tick", "date", "ts")
_STEP_NAME = re.compile(r"^([A-Za-z_ ]{0,12}?)[_ ]?\d+$")


@dataclass(frozen=True)
class LayoutGuess:
    """What the file looks like: task, layout and the columns' roles, with the reason in one sentence."""

    task: str
    layout: str  # long | wide | series
    id_column: str | None
    order_column: str | None
    label_column: str | None
    features: tuple[str, ...]
    reason: str

    def patch(self) -> dict:
        """The guess as a RunConfig patch (what "accept the guess" applies)."""
        layout = self.layout if self.layout in ("long", "wide") else "auto"
        return {"task": self.task, "layout": layout, "id_column": self.id_column, "order_column": self.order_column,
                "label_column": self.label_column, "features": self.features}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["features"] = list(self.features)
        return data


def guess_layout(dataset: Dataset) -> LayoutGuess:
    """Long (an id column repeating in blocks), wide (one row per sequence, columns as steps), or an ordinary
    series (per-window labels if a column is named like a label, else a forecast)."""
    frame = dataset.frame
    label = _guess_label(dataset)
    if label is None:
        return LayoutGuess("forecast", "series", None, None, None, (), "No column looks like a class label, so this "
                           "reads as a time series to forecast.")
    classes = _class_count(frame[label])
    id_column = _guess_id(dataset, label)
    if id_column is not None:
        order = _guess_order(dataset, id_column, label)
        features = default_features(dataset, "long", id_column, order, label)
        groups = frame[id_column].value_counts()
        reason = (f"Long format: '{id_column}' repeats in blocks ({len(groups)} sequences of {groups.min()}–"
                  f"{groups.max()} rows) and '{label}' holds {classes} classes"
                  f"{f'; rows are ordered by {order!r}' if order else '; rows are taken in file order'}.")
        return LayoutGuess("classify-sequences", "long", id_column, order, label, features, reason)
    wide_id = _guess_row_id(dataset, label)
    steps = [c for c in dataset.numeric_columns if c not in (label, wide_id)]
    if dataset.time_column is None and (_step_named(steps) >= MIN_STEP_COLUMNS or len(steps) >= MIN_WIDE_COLUMNS):
        features = default_features(dataset, "wide", wide_id, None, label)
        reason = (f"Wide format: one row per sequence ({len(frame)} rows), '{label}' holds {classes} classes and "
                  f"the {len(features)} numeric columns are the time steps of one feature.")
        return LayoutGuess("classify-sequences", "wide", wide_id, None, label, features, reason)
    if _named_like(label, STRONG_LABEL_HINTS):
        features = default_features(dataset, "series", None, None, label)
        reason = (f"One series with a label per row: '{label}' ({classes} classes) labels each window by its "
                  "value just after the window.")
        return LayoutGuess("classify-windows", "series", None, dataset.time_column, label, features, reason)
    return LayoutGuess("forecast", "series", None, None, None, (), f"'{label}' could be a class label, but with no "
                       "sequence id, no step columns and no label-like name this reads as a series to forecast.")


def default_features(dataset: Dataset, layout: str, id_column: str | None, order_column: str | None,
                     label_column: str | None) -> tuple[str, ...]:
    """Every numeric column that plays no other role."""
    roles = {id_column, order_column, label_column}
    return tuple(c for c in dataset.numeric_columns if c not in roles)


def resolve_task(dataset: Dataset, config: RunConfig) -> tuple[RunConfig, LayoutGuess]:
    """Fill what the user left on auto from the guess: the task, the layout, the roles and the features; then check
    that the chosen columns can play their roles (DATA019) and the layout can give sequences (DATA020)."""
    guess = guess_layout(dataset)
    task = guess.task if config.task == "auto" else config.task
    if task == "forecast":
        return config.replace(task="forecast"), guess
    layout = "series" if task == "classify-windows" else _layout(config, guess)
    label = config.label_column or guess.label_column
    id_column = config.id_column or (guess.id_column if layout == guess.layout else None)
    order = config.order_column or (guess.order_column if layout == guess.layout else None)
    if layout == "long" and id_column is None:
        id_column = _guess_id(dataset, label)
    if layout == "long" and order is None and id_column is not None:
        order = _guess_order(dataset, id_column, label)
    if layout == "wide":
        order = None
    features = config.features or default_features(dataset, layout, id_column, order, label)
    resolved = config.replace(task=task, layout=layout if layout != "series" else config.layout, label_column=label,
                              id_column=id_column if layout != "series" else None, order_column=order,
                              features=features)
    check_roles(dataset, resolved, layout, guess)
    return resolved, guess


def _layout(config: RunConfig, guess: LayoutGuess) -> str:
    if config.layout != "auto":
        return config.layout
    if guess.layout in ("long", "wide"):
        return guess.layout
    if config.id_column:
        return "long"
    raise ProblemError(Finding(
        "DATA020", "error", "Cannot tell how the sequences are laid out",
        f"{guess.reason} To classify whole sequences, say whether the file is long (one row per time step, with a "
        "sequence-id column) or wide (one row per sequence, columns as time steps), and which column is the id.",
        evidence={"guess": guess.to_dict()}, fix=None, area="data"))


def check_roles(dataset: Dataset, config: RunConfig, layout: str, guess: LayoutGuess) -> None:
    """Raise DATA019 naming the first role a column cannot play."""
    columns = list(dataset.frame.columns)
    roles = {"label": config.label_column, "id": config.id_column, "order": config.order_column}
    if config.label_column is None:
        _role_problem("No label column", "Classification needs a column holding each sequence's class "
                      f"(numbers or text). Columns: {', '.join(map(str, columns))}.", roles, columns, guess)
    if layout == "long" and config.id_column is None:
        _role_problem("No sequence-id column", "In long format every row belongs to a sequence named by an id "
                      "column (one row per time step). Pick the column holding the sequence ids.", roles, columns,
                      guess)
    for role, column in roles.items():
        if column is not None and column not in columns:
            _role_problem(f"The {role} column '{column}' is not in {dataset.name}",
                          f"Columns: {', '.join(map(str, columns))}.", roles, columns, guess)
    named = [c for c in roles.values() if c is not None]
    if len(named) != len(set(named)):
        _role_problem("One column plays two roles", f"Roles: {roles}. The id, order and label columns must differ.",
                      roles, columns, guess)
    numeric = dataset.numeric_columns
    bad = [f for f in config.features if f not in numeric]
    if bad:
        _role_problem(f"Feature column(s) {', '.join(map(repr, bad))} cannot be used",
                      f"They are not numeric columns of {dataset.name}. Numeric columns: {', '.join(numeric)}.",
                      roles, columns, guess, {"features": [f for f in config.features if f in numeric]})
    clash = [f for f in config.features if f in (config.id_column, config.order_column)
             or (f == config.label_column and layout != "series")]
    if clash:
        _role_problem(f"Column(s) {', '.join(map(repr, clash))} are both a feature and the id, order or label",
                      "A sequence's label fed as its input gives the answer away, and ids or step numbers say "
                      "nothing about the class.", roles, columns, guess,
                      {"features": [f for f in config.features if f not in clash]})
    if not config.features:
        _role_problem("No numeric feature column left", "The model learns from numbers: besides the id, order and "
                      f"label columns at least one numeric column is needed. Numeric columns: {', '.join(numeric)}.",
                      roles, columns, guess)
    order = config.order_column
    if order is not None and order != dataset.time_column and order not in numeric:
        _role_problem(f"The order column '{order}' holds neither numbers nor times",
                      "Rows are sorted by it within each sequence, so it must be a step number or a time.",
                      roles, columns, guess, {"order_column": None})
    if _class_count(dataset.frame[config.label_column]) > MAX_CLASSES:
        _role_problem(f"'{config.label_column}' has too many distinct values to be a class label",
                      f"It holds {_class_count(dataset.frame[config.label_column])} distinct values (more than "
                      f"{MAX_CLASSES}); a class label holds a few. Pick the column that names each sequence's class.",
                      roles, columns, guess)


def _role_problem(title: str, detail: str, roles: dict, columns: list, guess: LayoutGuess,
                  fix: dict | None = None) -> None:
    if fix is None and guess.task != "forecast":
        fix = {"label_column": guess.label_column, "id_column": guess.id_column,
               "order_column": guess.order_column, "features": list(guess.features)}
        fix = {key: value for key, value in fix.items() if value} or None
    raise ProblemError(Finding("DATA019", "error", title, detail,
                               evidence={"roles": roles, "columns": [str(c) for c in columns],
                                         "guess": guess.to_dict()}, fix=fix, area="data"))


def _guess_label(dataset: Dataset) -> str | None:
    scored = []
    for position, column in enumerate(dataset.frame.columns):
        if column == dataset.time_column or not _categorical(dataset.frame[column]):
            continue
        text = column not in dataset.numeric_columns
        score = 2 * _named_like(column, LABEL_HINTS) + _named_like(column, STRONG_LABEL_HINTS) + text
        if score:
            scored.append((-score, position, column))
    return min(scored)[2] if scored else None


def _categorical(series: pd.Series) -> bool:
    values = series.dropna()
    if values.empty:
        return False
    if pd.api.types.is_float_dtype(values) and not (values == values.round()).all():
        return False
    distinct = values.nunique()
    return 2 <= distinct <= MAX_CLASSES and distinct <= max(2, MAX_CLASS_SHARE * len(values))


def _class_count(series: pd.Series) -> int:
    return len({v for v in label_values(series.dropna().unique()) if v is not None})


def _guess_id(dataset: Dataset, label: str | None) -> str | None:
    """A column (not the label) whose values come in contiguous blocks of two or more rows: one block a sequence."""
    frame, found = dataset.frame, []
    for position, column in enumerate(frame.columns):
        if column in (label, dataset.time_column):
            continue
        series = frame[column]
        if series.isna().any() or (pd.api.types.is_float_dtype(series) and not (series == series.round()).all()):
            continue
        distinct = series.nunique()
        if not 2 <= distinct <= len(series) / 2:
            continue
        blocks = int((series != series.shift()).sum())
        if blocks != distinct:
            continue
        found.append((-_named_like(column, ID_HINTS), position, column))
    return min(found)[2] if found else None


def _guess_row_id(dataset: Dataset, label: str) -> str | None:
    """Wide format: a column named like an id whose values differ on every row."""
    for column in dataset.frame.columns:
        if column != label and _named_like(column, ID_HINTS) and dataset.frame[column].is_unique:
            return column
    return None


def _guess_order(dataset: Dataset, id_column: str, label: str | None) -> str | None:
    frame = dataset.frame
    candidates = [dataset.time_column] if dataset.time_column else []
    candidates += [c for c in dataset.numeric_columns if c not in (id_column, label) and _named_like(c, ORDER_HINTS)]
    for column in candidates:
        # An order column does not repeat within a sequence.
        if not frame.duplicated([id_column, column]).any():
            return column
    return None


def _step_named(columns: list) -> int:
    """How many columns share the most common step-name prefix ("t" in t0, t1, …; "" for plain numbers)."""
    prefixes = [match.group(1).lower() for match in map(_STEP_NAME.match, map(str, columns)) if match]
    return max((prefixes.count(prefix) for prefix in set(prefixes)), default=0)


def _named_like(column, hints: tuple[str, ...]) -> bool:
    words = re.split(r"[^a-z0-9]+", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", str(column)).lower())
    return any(word in hints or word.removesuffix("s") in hints for word in words if word)

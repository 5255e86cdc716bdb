"""The settings sidebar: one widget per RunConfig field, read back into one RunConfig."""

from __future__ import annotations

import streamlit as st

from lstm_core.config import (
    ACTIVATIONS,
    LIMITS,
    LOSSES,
    MISSING,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    PADDINGS,
    SCALINGS,
    TRUNCATIONS,
    ConfigError,
    RunConfig,
)

from .state import AUTO, from_widget, to_widget, widget_key

DEFAULTS = RunConfig()
PAD_LABELS = {"pre": "before the sequence", "post": "after the sequence", "none": "none (lengths must match)"}
TRUNCATE_LABELS = {"pre": "cut the start (keep the end)", "post": "cut the end (keep the start)"}
MISSING_LABELS = {"none": "leave as is (blocks training if any)", "interpolate": "interpolate",
                  "ffill": "forward-fill", "drop": "drop the rows"}


def _ensure(field: str, value) -> str:
    key = widget_key(field)
    if key not in st.session_state:
        st.session_state[key] = to_widget(field, value)
    return key


def _number(container, label: str, field: str, step, fmt: str | None = None, help: str | None = None):
    low, high = LIMITS[field]
    if field in ("output_units", "maxlen"):
        low = 0  # the widget's 0 means "auto"
    kind = float if isinstance(step, float) else int
    return container.number_input(label, min_value=kind(low), max_value=kind(high), step=step, format=fmt,
                                  key=_ensure(field, getattr(DEFAULTS, field)), help=help)


def _choice(container, label: str, field: str, options, help: str | None = None, labels=None):
    return container.selectbox(label, options, key=_ensure(field, getattr(DEFAULTS, field)), help=help,
                               format_func=(lambda v: labels.get(v, v)) if labels else str)


def column_controls(container, numeric_columns: list[str], missing_total: int) -> None:
    container.selectbox("Target column (what to predict)", numeric_columns, key=_ensure("target", numeric_columns[-1]))
    target = st.session_state[widget_key("target")]
    options = [c for c in numeric_columns if c != target]
    key = _ensure("features", ())
    st.session_state[key] = [c for c in st.session_state[key] if c in options]
    container.multiselect("Extra feature columns", options, key=key,
                          help="Other columns fed to the LSTM alongside the target's own past values.")
    _choice(container, f"Missing values ({missing_total} in these columns)", "missing", list(MISSING),
            labels=MISSING_LABELS, help="Nothing is filled in silently: choose how empty cells are handled.")


def settings_sidebar(task: str = "forecast") -> dict:
    """Draws the settings; returns a slot at the top of each group where findings about it are flagged."""
    side = st.sidebar
    side.header("Settings")
    slots = {}
    if task == "classify-sequences":
        with side.expander("Sequences and split", expanded=True):
            slots["windows"] = st.container()
            _number(st, "Common length (0 = 95th percentile)", "maxlen", 1,
                    help="Longer sequences are truncated, shorter ones padded to this many steps.")
            _choice(st, "Padding", "pad", list(PADDINGS), labels=PAD_LABELS)
            _choice(st, "Truncation", "truncate", list(TRUNCATIONS), labels=TRUNCATE_LABELS)
            st.checkbox("Mask the padding", key=_ensure("masking", DEFAULTS.masking),
                        help="The LSTM skips padded steps, so padding cannot change what it learns.")
            _number(st, "Shortest usable sequence", "min_length", 1)
            _split_and_scaling()
    else:
        with side.expander("Windows and split", expanded=True):
            slots["windows"] = st.container()
            _number(st, "Timesteps (window length)", "timesteps", 1, help="Rows of history in each input window.")
            _number(st, "Horizon (steps ahead)", "horizon", 1,
                    help="Predict the value (or label) this many rows after the window.")
            if task == "forecast":
                st.checkbox("Predict every step 1…horizon", key=_ensure("multi_step", DEFAULTS.multi_step))
                st.checkbox("Model the changes (difference the series)", key=_ensure("difference", DEFAULTS.difference),
                            help="The LSTM learns the change from row to row and adds it back onto the last value: "
                                 "the remedy for a trend that leaves the training range.")
            _number(st, "Stride", "stride", 1, help="Rows between the starts of consecutive windows.")
            _split_and_scaling()
            if task == "forecast":
                _number(st, "Season length (0 = detect)", "season", 1, help="Used by the seasonal-naive baseline.")
    with side.expander("Model", expanded=True):
        slots["model"] = st.container()
        _number(st, "LSTM layers", "layers", 1)
        _number(st, "Units per layer", "units", 1)
        _choice(st, "Activation", "activation", list(ACTIVATIONS))
        _choice(st, "Recurrent activation", "recurrent_activation", list(ACTIVATIONS))
        _number(st, "Dropout", "dropout", 0.05, "%.2f")
        _number(st, "Recurrent dropout", "recurrent_dropout", 0.05, "%.2f")
        st.checkbox("Bidirectional", key=_ensure("bidirectional", DEFAULTS.bidirectional))
        st.caption("Head: leave on auto for what the task needs, or override it to see what goes wrong.")
        _number(st, "Output units (0 = auto)", "output_units", 1)
        _choice(st, "Output activation", "output_activation", [AUTO, *OUTPUT_ACTIVATIONS])
        _choice(st, "Loss", "loss", [AUTO, *LOSSES])
    with side.expander("Training", expanded=True):
        slots["training"] = st.container()
        _choice(st, "Optimiser", "optimizer", list(OPTIMIZERS))
        _number(st, "Learning rate", "learning_rate", 0.0001, "%.6g")
        _number(st, "Batch size", "batch_size", 1)
        _number(st, "Epochs", "epochs", 1)
        st.checkbox("Early stopping on validation loss", key=_ensure("early_stopping", DEFAULTS.early_stopping))
        _number(st, "Patience (epochs)", "patience", 1)
        _number(st, "Seed", "seed", 1)
    return slots


def _split_and_scaling() -> None:
    _number(st, "Validation fraction", "val_fraction", 0.05, "%.2f")
    _number(st, "Test fraction", "test_fraction", 0.05, "%.2f")
    _choice(st, "Scaling (fit on train rows only)", "scaling", list(SCALINGS))


def read_config() -> tuple[RunConfig | None, str | None]:
    """The RunConfig the widgets describe, or the reason they do not describe a valid one."""
    values = {}
    for field in RunConfig.__dataclass_fields__:
        key = widget_key(field)
        if key in st.session_state:
            values[field] = from_widget(field, st.session_state[key])
    try:
        return RunConfig(**values), None
    except ConfigError as problem:
        return None, str(problem)


GROUPS = {
    "windows": ("timesteps", "horizon", "multi_step", "difference", "stride", "val_fraction", "test_fraction",
                "scaling", "season", "maxlen", "pad", "truncate", "masking", "min_length"),
    "model": ("layers", "units", "activation", "recurrent_activation", "dropout", "recurrent_dropout",
              "bidirectional", "output_units", "output_activation", "loss"),
    "training": ("optimizer", "learning_rate", "batch_size", "epochs", "early_stopping", "patience", "seed"),
}


def flag_settings(slots: dict, findings: list) -> None:
    """A one-line flag at the top of the settings group a finding's fix would change, beside the control."""
    for finding in findings:
        fields = list(finding.fix or {})
        group = next((g for g, names in GROUPS.items() if any(f in names for f in fields)), None)
        if group in slots and finding.severity in ("error", "warning"):
            box = slots[group].error if finding.severity == "error" else slots[group].warning
            box(f"{finding.code}: {finding.title} — see the checks", icon="⛔" if finding.severity == "error" else "⚠️")

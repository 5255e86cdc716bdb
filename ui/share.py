"""The shareable link on the Playground: read once when a session opens, then kept in step with the settings."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lstm_core.config import RunConfig
from lstm_core.share import COLUMN_SETTINGS, NOT_SETTINGS, decode, encode
from lstm_core.tasks.forecast.samples import (
    CLASSIFICATION_SAMPLES,
    DEFAULT_SAMPLE,
    SAMPLES,
    classification_sample_csv,
    sample_csv,
)

from .controls import read_config
from .findings import plain
from .state import DATA_ID, set_widgets
from .workspace import PARAM, WORKSPACE

LINK_READ = "link_read"    # the session's first Playground run has read the link
LINK_UPLOAD = "link_upload"  # the data settings of a link made on an upload, for the file the user then loads
LINK_NOTE = "link_note"    # {"problems": [...], "params": the link as first kept}: the warning lasts until a change
SOURCE, SAMPLE_NAME = "source", "sample"
ALL_SAMPLES = (*SAMPLES, *CLASSIFICATION_SAMPLES)


def sample_config(name: str) -> RunConfig:
    """The settings a built-in sample opens with (as the Playground sets them when the sample is chosen)."""
    if name in CLASSIFICATION_SAMPLES:
        return CLASSIFICATION_SAMPLES[name].config()
    sample = SAMPLES[name]
    return RunConfig(target=sample.target, features=sample.features, season=sample.season, **sample.settings)


def read_link() -> None:
    """On a session's first Playground run, before any widget exists: the link's settings become the widgets'.

    The data id is set too, so the sample's own settings (applied when the data changes) do not overwrite the link's.
    """
    if st.session_state.get(LINK_READ):
        _warn()
        return
    st.session_state[LINK_READ] = True
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in NOT_SETTINGS}
    if not params:
        return
    first = decode(params, samples=ALL_SAMPLES)
    from_upload = first.sample is None and first.names_columns
    if first.sample is not None or from_upload:
        shared = first
    else:
        # A link without data (typed by hand): its settings go onto the default sample's.
        shared = decode(params, base=sample_config(DEFAULT_SAMPLE), samples=ALL_SAMPLES)
    if shared.sample is not None:
        _keep_to_sample_columns(shared)
    if from_upload:
        st.session_state[SOURCE] = "Upload a CSV"
        st.session_state[LINK_UPLOAD] = {name: getattr(shared.config, name) for name in shared.settings
                                         if name in (*COLUMN_SETTINGS, "task", "layout")}
    else:
        st.session_state[SOURCE] = "Built-in sample"
        st.session_state[SAMPLE_NAME] = shared.sample or DEFAULT_SAMPLE
        st.session_state[DATA_ID] = f"sample:{st.session_state[SAMPLE_NAME]}"
    set_widgets(shared.config.to_dict())
    if shared.problems:
        st.session_state[LINK_NOTE] = {"problems": shared.problems, "params": None}
    _warn()


def keep_link_columns(dataset) -> None:
    """The first file loaded after opening a link made on an upload: the link's columns and task win over the guess
    when the file has those columns; otherwise the page says which are missing and keeps the guess."""
    wanted = st.session_state.pop(LINK_UPLOAD, None)
    if not wanted:
        return
    named = [c for name in COLUMN_SETTINGS if wanted.get(name) for c in _as_list(wanted[name])]
    missing = [c for c in named if c not in dataset.frame.columns]
    if missing:
        st.warning(f"The link names column(s) {', '.join(repr(c) for c in missing)}, which {plain(dataset.name)} "
                   "does not have: the columns guessed from the file are used instead.")
        return
    set_widgets(wanted)


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value or ())


def _keep_to_sample_columns(shared) -> None:
    """A column the sample does not have is reported, and the sample's own choice is kept."""
    columns = set(pd.read_csv(io.BytesIO(_sample_csv(shared.sample)), nrows=0).columns)
    own = sample_config(shared.sample)
    for name in COLUMN_SETTINGS:
        missing = [column for column in _as_list(getattr(shared.config, name)) if column not in columns]
        if name in shared.settings and missing:
            shared.problems.append(f"{name}: the sample '{shared.sample}' has no column "
                                   + ", ".join(repr(c) for c in missing))
            shared.config = shared.config.replace(**{name: getattr(own, name)})


def _sample_csv(name: str) -> bytes:
    return classification_sample_csv(name) if name in CLASSIFICATION_SAMPLES else sample_csv(name)


def _warn() -> None:
    note = st.session_state.get(LINK_NOTE)
    if note and note["params"] is not None and note["params"] != _current_params():
        # The user has changed the setup since: the link's problems are no longer news.
        st.session_state.pop(LINK_NOTE)
        return
    if note:
        st.warning("Some of this link's settings could not be used and were ignored; the rest are loaded:\n\n"
                   + "\n".join(f"- {plain(problem)}" for problem in note["problems"]), icon="⚠️")


def _current_params() -> dict[str, str] | None:
    config, _ = read_config()
    if config is None:
        return None
    sample = st.session_state.get(SAMPLE_NAME) if st.session_state.get(SOURCE) == "Built-in sample" else None
    return encode(config, sample)


def share_setup() -> None:
    """Keep the address bar a link to these settings, and show that link under "Share this setup"."""
    params = _current_params()
    if params is None:
        return
    # The workspace id stays in the address beside the settings (ui/workspace.py); a shared setup link leaves it out.
    workspace = {PARAM: st.session_state[WORKSPACE]} if WORKSPACE in st.session_state else {}
    if st.query_params.to_dict() != {**params, **workspace}:
        st.query_params.from_dict({**params, **workspace})
    note = st.session_state.get(LINK_NOTE)
    if note is not None and note["params"] is None:
        note["params"] = params
    sample = params.get("sample")
    # A popover draws its content only when opened: an expander's code block would load the page's code highlighter
    # (about 0.5 s of the browser's main thread) on every page load, opened or not (bench/page_load.py).
    with st.sidebar.popover("Share this setup", icon=":material/link:", width="stretch"):
        data = f" and the built-in sample '{sample}'." if sample else "; the data is not in it: they load their own."
        st.caption("Anyone opening this link gets these settings" + data)
        st.code(link_text(params), language=None, wrap_lines=True)


def link_text(params: dict[str, str]) -> str:
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(params)}" if params else base or "/"

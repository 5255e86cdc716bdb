"""Text classification: a CSV of texts and labels (or the built-in sample) → checks → training in a worker, watched
live → scores, the texts it got wrong, and a box to classify a typed sentence."""

from __future__ import annotations

import hashlib

import streamlit as st

st.set_page_config(page_title="Text classification · LSTM Playground", page_icon="💬", layout="wide")
st.title("Text classification")
st.caption("Teach an LSTM to sort short texts into classes: words become numbers through a vocabulary learnt from "
           "the training texts, an embedding and an LSTM read them, and a head picks the class.")

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.errors import translate  # noqa: E402
from lstm_core.findings import ProblemError, has_errors  # noqa: E402
from lstm_core.tasks.text_classify.prepare import guess_text_roles, prepare_text_classification, read_text_csv  # noqa: E402
from lstm_core.tasks.text_classify.samples import TEXT_CLASSIFY_SAMPLES, text_classify_sample_csv  # noqa: E402
from ui.findings import plain, render_finding, render_findings  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.runs import submit_run, train_part  # noqa: E402
from ui.state import freeze_imported, keep_settings  # noqa: E402
from ui.sweep_form import SweepPage, sweepable  # noqa: E402
from ui.sweeps import sweep_section  # noqa: E402
from ui.text_classification import (  # noqa: E402
    FIELDS,
    FIX,
    apply_fix,
    key,
    length_histogram,
    read_config,
    render_text_results,
    set_fields,
    set_settings,
    settings_sidebar,
    split_table,
)
from ui.workspace import workspace_id  # noqa: E402

DATA_ID = "text_data_id"
SHOWN = "text_shown_run"  # the store id of the run this page shows
TASKS = ("text-classify",)
# "Try several values" here: the page's own settings a sweep can vary; the best values go into this page's widgets.
SWEEP_PAGE = SweepPage("text_page", TASKS, sweepable(FIELDS), set_fields)
freeze_imported()
keep_settings()


@st.cache_data(max_entries=8, show_spinner=False)
def read(raw: bytes, name: str):
    return read_text_csv(raw, name)


def choose_data() -> tuple[str, bytes, str] | None:
    source = st.radio("Data", ["Built-in sample", "Upload a CSV"], horizontal=True, key="text_source")
    if source == "Built-in sample":
        name = st.selectbox("Sample", list(TEXT_CLASSIFY_SAMPLES), key="text_sample",
                            format_func=lambda n: TEXT_CLASSIFY_SAMPLES[n].title)
        st.caption(TEXT_CLASSIFY_SAMPLES[name].description)
        return f"sample:{name}", text_classify_sample_csv(name), f"{name}.csv"
    upload = st.file_uploader("CSV with a column of texts and a column of labels (one row per text)",
                              type=["csv", "tsv", "txt"], key="text_upload")
    if upload is None:
        st.info("Drop a CSV here, or switch back to the built-in sample.")
        return None
    raw = upload.getvalue()
    return f"upload:{hashlib.sha256(raw).hexdigest()[:16]}", raw, upload.name


def data_section():
    st.subheader("1 · Texts and labels")
    chosen = choose_data()
    if chosen is None:
        return None
    data_id, raw, name = chosen
    try:
        dataset = read(raw, name)
    except ProblemError as problem:
        render_finding(problem.finding, key="text-read", fixable=False)
        return None
    except Exception as exc:  # a file no rule foresaw still gets a message, never a traceback
        render_finding(translate(exc, area=f"reading {name}"), key="text-read", fixable=False)
        return None
    if st.session_state.get(DATA_ID) != data_id:
        st.session_state[DATA_ID] = data_id
        sample = TEXT_CLASSIFY_SAMPLES.get(data_id.removeprefix("sample:"))
        if sample:
            set_settings(sample.config())
        else:
            # An upload keeps the user's settings, takes the guessed roles and a length measured on its texts.
            roles = guess_text_roles(dataset)
            config = read_config()[0] or RunConfig(task="text-classify")
            set_settings(config.replace(text_column=roles.text_column, label_column=roles.label_column, maxlen=None))
    roles_section(dataset)
    return dataset, raw, name


def roles_section(dataset) -> None:
    roles = guess_text_roles(dataset)
    columns = [str(c) for c in dataset.frame.columns]
    st.caption(f"{plain(dataset.name)} · {dataset.rows:,} rows. Guess: {plain(roles.reason)}")
    st.button("Use the guess", key="text_use_guess", on_click=apply_fix,
              args=({"text_column": roles.text_column, "label_column": roles.label_column},))
    for field in ("text_column", "label_column"):
        if st.session_state.get(key(field)) not in (None, *columns):
            st.session_state[key(field)] = None
    left, right = st.columns(2)
    left.selectbox("Text column", [None, *columns], key=key("text_column"), format_func=lambda v: v or "—")
    right.selectbox("Label column", [None, *columns], key=key("label_column"), format_func=lambda v: v or "—")
    with st.expander("Table preview (first 100 rows)"):
        st.dataframe(dataset.frame.head(100), width="stretch")


def checks_section(dataset):
    st.subheader("2 · Checks before training")
    config, problem = read_config()
    if config is None:
        st.error(f"The settings cannot be used: {problem}")
        return None
    try:
        prepared = prepare_text_classification(dataset, config)
    except ProblemError as error:
        render_finding(error.finding, key="text-prepare", on_fix=apply_fix)
        return None
    except Exception as exc:  # the page's boundary
        render_finding(translate(exc, area="checking the texts"), key="text-prepare", fixable=False)
        return None
    patch = st.session_state.pop(FIX, None)
    if patch:
        st.toast("Fix applied: " + ", ".join(f"{k} → {v}" for k, v in patch.items()))
    shown = [f for f in prepared.findings if f.severity != "info"]
    counts = prepared.counts()
    if not shown:
        st.success(f"No problems found: {counts['train']} train · {counts['val']} validation · {counts['test']} test "
                   f"texts, {len(prepared.classes)} classes, {prepared.maxlen} words each.")
    render_findings(shown, key="text-pre", on_fix=apply_fix)
    if len(prepared.lengths):
        summary = prepared.length_summary()
        left, right = st.columns([3, 2])
        left.plotly_chart(length_histogram(prepared.lengths, prepared.maxlen, summary["truncated_share"]),
                          width="stretch")
        left.caption(f"Texts have {summary['min']}–{summary['max']} words (median {summary['median']:g}); "
                     f"maxlen {summary['maxlen']} cuts {summary['truncated']} of them "
                     f"({summary['truncated_share']:.0%}) and {summary['padding_share']:.0%} of all steps are "
                     "padding (masked).")
        table = split_table(prepared.split_counts)
        right.caption("Texts per class in each split (stratified)")
        right.dataframe(table, width="stretch")
    return prepared


def training_section(prepared, source: tuple[bytes, str] | None):
    """Train submits the run to a worker; while it trains, a fragment draws its live curve from the run store."""
    st.subheader("3 · Train")
    ready = prepared is not None and prepared.ready and not has_errors(prepared.findings)

    def submit(clicked: bool) -> bool:
        if clicked and ready:
            submit_run(prepared, *source, shown_key=SHOWN, data_id=st.session_state.get(DATA_ID, ""))
        return clicked and ready

    # The live view's keys start "text_page", not "text.": those keys are the settings.
    _, shown = train_part(ready, "text_train", "text_page", TASKS, SHOWN, clicked_means_train=submit)
    sweep_section(SWEEP_PAGE, prepared, source, ready, st.session_state.get(DATA_ID, ""))
    return shown


def main() -> None:
    workspace_id()
    page_links()
    loaded = data_section()
    settings_sidebar()
    prepared = checks_section(loaded[0]) if loaded is not None else None
    shown = training_section(prepared, loaded[1:] if loaded is not None else None)
    if shown is not None and not shown.active:
        render_text_results(shown, read_config()[0])


main()

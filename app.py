"""The Playground page: data → settings → checks → live training → results."""

from __future__ import annotations

import hashlib

import streamlit as st

st.set_page_config(page_title="LSTM Playground", page_icon="📈", layout="wide")
# Drawn before the heavier imports below, so the page paints at once; TensorFlow loads only when training starts.
st.title("LSTM Playground")
st.caption("Train an LSTM on a time series and watch it learn. Mistakes in data, shapes, architecture and "
           "training settings are caught and explained here, with a fix one click away.")

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.data import Dataset, load_csv  # noqa: E402
from lstm_core.errors import translate  # noqa: E402
from lstm_core.findings import ProblemError, has_errors  # noqa: E402
from lstm_core.limits import limit  # noqa: E402
from lstm_core.sweeps.grid import SWEEP_SETTINGS  # noqa: E402
from lstm_core.tasks.forecast.pipeline import Prepared, default_config  # noqa: E402
from lstm_core.tasks.forecast.profile import starting_settings  # noqa: E402
from lstm_core.tasks.forecast.samples import (  # noqa: E402
    CLASSIFICATION_SAMPLES,
    DEFAULT_SAMPLE,
    SAMPLES,
    classification_sample_csv,
    sample_csv,
)
from lstm_core.tasks.sequences import ClassPrepared, guess_layout  # noqa: E402
from lstm_core.tasks.table import prepare_any  # noqa: E402
from ui import charts  # noqa: E402
from ui.classification import data_view, role_controls, summary_line  # noqa: E402
from ui.controls import column_controls, flag_settings, read_config, settings_sidebar  # noqa: E402
from ui.findings import plain, render_finding, render_findings  # noqa: E402
from ui.lr_finder import lr_finder_part  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.results import render_results  # noqa: E402
from ui.runs import (  # noqa: E402
    PLAYGROUND_TASKS,
    change_one_thing,
    should_train,
    shown_run,
    submit_run,
    train_part,
)
from ui.sampling import layout_control, reshape_for, reshaped, sampling_caption  # noqa: E402
from ui.settings_file import apply_pending_settings, settings_file_uploader  # noqa: E402
from ui.share import keep_link_columns, read_link, share_setup  # noqa: E402
from ui.state import DATA_ID, LAST_FIX, freeze_imported, keep_settings, set_widgets  # noqa: E402
from ui.sweep_form import SweepPage  # noqa: E402
from ui.sweeps import sweep_section  # noqa: E402
from ui.workspace import workspace_id  # noqa: E402

MAX_PREVIEW_POINTS = 20_000
ALL_SAMPLES = {**SAMPLES, **CLASSIFICATION_SAMPLES}
TASK_LABELS = {"forecast": "Forecast the next values", "classify-sequences": "Classify whole sequences",
               "classify-windows": "Classify each window (label per time step)"}
# The Playground's "Try several values": its runs are forecasts or classifiers; the best settings go to the sidebar.
SWEEP_PAGE = SweepPage("playground", PLAYGROUND_TASKS, SWEEP_SETTINGS, set_widgets)
freeze_imported()
keep_settings()


@st.cache_data(max_entries=16, show_spinner=False)
def read_dataset(raw: bytes, name: str, reshape: str = "none") -> Dataset:
    return reshaped(load_csv(raw, name), reshape)


def choose_data() -> tuple[str, bytes, str] | None:
    """(data id, CSV bytes, file name) of the chosen sample or upload, or None while there is none."""
    source = st.radio("Data", ["Built-in sample", "Upload a CSV"], horizontal=True, key="source")
    if source == "Built-in sample":
        st.session_state.setdefault("sample", DEFAULT_SAMPLE)
        name = st.selectbox("Sample", list(ALL_SAMPLES), format_func=_sample_title, key="sample")
        st.caption(ALL_SAMPLES[name].description)
        raw = sample_csv(name) if name in SAMPLES else classification_sample_csv(name)
        return f"sample:{name}", raw, f"{name}.csv"
    upload = st.file_uploader("CSV file with a header row: a time series, or labelled sequences (long or wide)",
                              type=["csv", "tsv", "txt"], key="upload", max_upload_size=limit("max_upload_mb"))
    if upload is None:
        st.info("Drop a CSV here, or switch back to a built-in sample.")
        return None
    raw = upload.getvalue()
    return f"upload:{hashlib.sha256(raw).hexdigest()[:16]}", raw, upload.name


def _sample_title(name: str) -> str:
    kind = "forecast" if name in SAMPLES else "classification"
    return f"{ALL_SAMPLES[name].title} · {kind}"


def reset_settings_for(data_id: str, dataset: Dataset) -> None:
    """New data: a sample brings its own settings; an upload keeps the user's and gets the guessed task and roles."""
    if st.session_state.get(DATA_ID) == data_id:
        return
    st.session_state[DATA_ID] = data_id
    name = data_id.removeprefix("sample:") if data_id.startswith("sample:") else None
    if name in SAMPLES:
        sample = SAMPLES[name]
        set_widgets(RunConfig(target=sample.target, features=sample.features, season=sample.season,
                              **sample.settings).to_dict())
    elif name in CLASSIFICATION_SAMPLES:
        set_widgets(CLASSIFICATION_SAMPLES[name].config().to_dict())
    else:
        guess = guess_layout(dataset)
        roles = {"id_column": None, "order_column": None, "label_column": None, "layout": "auto", "maxlen": None,
                 "reshape": "none"}
        if guess.task == "forecast":
            config = default_config(dataset)
            set_widgets({**roles, "task": "forecast", "target": config.target, "features": (),
                         **starting_settings(dataset, config.target)})
        else:
            set_widgets({**roles, **guess.patch(), "features": ()})


def data_section() -> tuple[Dataset, bytes, str] | None:
    """The loaded data, with the bytes and file name a run is submitted with."""
    st.subheader("1 · Data")
    chosen = choose_data()
    if chosen is None:
        return None
    data_id, raw, name = chosen
    try:
        dataset = read_dataset(raw, name, reshape_for(data_id))
    except ProblemError as problem:
        render_finding(problem.finding, key="upload")
        return None
    except Exception as exc:  # a file no rule foresaw still gets a message, never a traceback
        render_finding(translate(exc, area=f"reading {name}"), key="upload")
        return None
    reset_settings_for(data_id, dataset)
    keep_link_columns(dataset)
    return dataset, raw, name


def columns_and_preview(dataset: Dataset) -> None:
    missing = dataset.missing_counts()
    total_missing = sum(missing.values())
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"**{plain(dataset.name)}** · {dataset.rows:,} rows · time column: "
                    f"{plain(dataset.time_column) if dataset.time_column else 'none found (row order is used)'}")
        task = st.radio("Task", list(TASK_LABELS), format_func=TASK_LABELS.get, key=_task_key())
        layout_control(dataset)
        if task == "forecast":
            sampling_caption(dataset)
            column_controls(st, dataset.numeric_columns, _missing_in_use(missing))
        else:
            role_controls(dataset, task)
        if total_missing:
            st.caption("Missing values per column: " + ", ".join(f"{plain(c)}: {n}" for c, n in missing.items() if n))
    with right:
        chosen = [st.session_state.get("cfg.target"), *st.session_state.get("cfg.features", [])]
        chosen = [c for c in chosen if c in dataset.numeric_columns][:8] or dataset.numeric_columns[:3]
        frame = dataset.frame
        if len(frame) > MAX_PREVIEW_POINTS:
            frame = frame.iloc[:: len(frame) // MAX_PREVIEW_POINTS + 1]
        st.plotly_chart(charts.series_chart(frame, chosen, dataset.time_column), width="stretch")
    with st.expander("Table preview (first 200 rows)"):
        st.dataframe(dataset.frame.head(200), width="stretch")


def _task_key() -> str:
    key = "cfg.task"
    if st.session_state.get(key) not in TASK_LABELS:
        st.session_state[key] = "forecast"
    return key


def _missing_in_use(missing: dict[str, int]) -> int:
    chosen = [st.session_state.get("cfg.target"), *st.session_state.get("cfg.features", [])]
    return sum(missing.get(c, 0) for c in chosen)


def checks_section(dataset: Dataset) -> Prepared | ClassPrepared | None:
    st.subheader("2 · Checks before training")
    config, problem = read_config()
    if config is None:
        st.error(f"The settings cannot be used: {problem}")
        return None
    try:
        prepared = prepare_any(dataset, config)
    except ProblemError as error:
        render_finding(error.finding, key="prepare")
        return None
    except Exception as exc:  # the page's boundary: an unexpected failure is a finding, never a traceback
        render_finding(translate(exc, area="checking the data"), key="prepare")
        return None
    patch = st.session_state.pop(LAST_FIX, None)
    if patch:
        again = " · press Train to train again" if shown_run() is not None else ""
        st.toast("Fix applied: " + ", ".join(f"{k} → {v}" for k, v in patch.items()) + again)
    shown = [f for f in prepared.findings if f.severity != "info"]
    if not shown:
        st.success(summary_line(prepared) if prepared.config.classifies else forecast_summary(prepared))
    render_findings(shown, key="pre")
    if prepared.config.classifies and len(prepared.encoder):
        data_view(prepared)
    notes = [f for f in prepared.findings if f.severity == "info"]
    if notes:
        with st.expander(f"Notes on reading the data ({len(notes)})"):
            render_findings(notes, key="notes")
    return prepared


def forecast_summary(prepared: Prepared) -> str:
    counts, config = prepared.window_counts, prepared.config
    return (f"No problems found. Windows: {counts.get('train', 0)} train · {counts.get('val', 0)} validation · "
            f"{counts.get('test', 0)} test, each {config.timesteps} steps × {1 + len(config.features)} feature(s).")


def training_section(prepared: Prepared | ClassPrepared | None, source: tuple[bytes, str] | None) -> None:
    st.subheader("3 · Train")
    ready = prepared is not None and not has_errors(prepared.findings)
    lr_finder_part(prepared if ready else None, source)

    def submit(clicked: bool) -> bool:
        go, parent = should_train(clicked, ready)
        if go:
            submit_run(prepared, *source, parent=parent)
        return go

    train_part(ready, "train", "playground", clicked_means_train=submit)
    sweep_section(SWEEP_PAGE, prepared, source, ready, st.session_state.get(DATA_ID, ""))


def main() -> None:
    workspace_id()
    read_link()  # before any settings widget exists: a shared link sets them
    page_links()
    loaded = data_section()
    dataset = loaded[0] if loaded is not None else None
    apply_pending_settings(list(dataset.frame.columns) if dataset is not None else None)
    settings_file_uploader()
    slots = settings_sidebar(st.session_state.get("cfg.task", "forecast"))
    prepared = None
    if dataset is not None:
        columns_and_preview(dataset)
        prepared = checks_section(dataset)
    if prepared is not None:
        flag_settings(slots, prepared.findings)
    share_setup()
    training_section(prepared, loaded[1:] if loaded is not None else None)
    shown = shown_run()
    if shown is not None and not shown.active:
        render_results(shown, read_config()[0])
        change_from(shown)


def change_from(record) -> None:
    if record.status == "cancelled":
        return
    st.markdown("**Change one thing** · train this setup again with one setting changed, then compare both runs "
                "on the Compare runs page.")
    change_one_thing(record, where="playground")


main()

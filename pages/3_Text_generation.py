"""Text generation: a character (or word) LSTM learns a text and writes more of it, epoch by epoch."""

from __future__ import annotations

import hashlib

import streamlit as st

st.set_page_config(page_title="Text generation · LSTM Playground", page_icon="✍️", layout="wide")
st.title("Text generation")
st.caption("An LSTM reads a text one character at a time and learns to predict the next. Watch its samples turn "
           "from noise into words, and compare it with letter frequencies alone (the unigram baseline).")

from lstm_core.config import LIMITS, RunConfig  # noqa: E402
from lstm_core.errors import translate  # noqa: E402
from lstm_core.findings import has_errors  # noqa: E402
from lstm_core.limits import how_to_change  # noqa: E402
from lstm_core.tasks.text_lm.corpus import read_text  # noqa: E402
from lstm_core.tasks.text_lm.lm import TextPrepared, prepare_text  # noqa: E402
from lstm_core.tasks.text_lm.samples import DEFAULT_TEXT_SAMPLE, TEXT_SAMPLES  # noqa: E402
from ui.findings import plain, render_findings  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.runs import submit_run, train_part  # noqa: E402
from ui.state import freeze_imported, keep_settings  # noqa: E402
from ui.sweep_form import SweepPage, sweepable  # noqa: E402
from ui.sweeps import sweep_section  # noqa: E402
from ui.text_lm import live_part, render_lm_results  # noqa: E402
from ui.workspace import workspace_id  # noqa: E402

DATA_ID = "lm_data_id"
SHOWN = "lm_shown_run"   # the store id of the run this page shows
TASKS = ("text-lm",)
freeze_imported()
keep_settings()
# The settings this page shows; each widget's key is cfg.lm.<field>, so a finding's fix lands in it.
FIELDS = ("level", "timesteps", "units", "layers", "embedding_dim", "dropout", "learning_rate", "batch_size",
          "epochs", "vocab_size", "seed_text", "temperature", "sample_length")


def key(field: str) -> str:
    return f"cfg.lm.{field}"


def apply_lm_fix(patch: dict) -> None:
    for field, value in patch.items():
        st.session_state[key(field)] = value


# "Try several values" here: the page's own settings a sweep can vary; the best values go into this page's widgets.
SWEEP_PAGE = SweepPage("lm", TASKS, sweepable(FIELDS), apply_lm_fix)


@st.cache_data(max_entries=4, show_spinner=False)
def sample_bytes(name: str) -> bytes:
    """A built-in text as the bytes a run is submitted with (exactly what the sample's .source() reads)."""
    return TEXT_SAMPLES[name].make().encode("utf-8")


def choose_text():
    """(data id, bytes, file name, the sample's settings) of the chosen text, or None while there is none."""
    source = st.radio("Text", ["Built-in sample", "Upload a .txt file"], horizontal=True, key="lm_source")
    if source == "Built-in sample":
        name = st.selectbox("Sample", list(TEXT_SAMPLES), format_func=lambda n: TEXT_SAMPLES[n].title,
                            key="lm_sample", index=list(TEXT_SAMPLES).index(DEFAULT_TEXT_SAMPLE))
        st.caption(TEXT_SAMPLES[name].description)
        return f"sample:{name}", sample_bytes(name), f"{name}.txt", TEXT_SAMPLES[name].settings
    upload = st.file_uploader("A plain-text file (.txt, UTF-8 preferred)", type=["txt", "md"], key="lm_upload",
                              help=how_to_change("max_text_chars"))
    if upload is None:
        st.info("Drop a .txt file here, or switch back to a built-in sample.")
        return None
    raw = upload.getvalue()
    return f"upload:{hashlib.sha256(raw).hexdigest()[:16]}", raw, upload.name, {}


def reset_for(data_id: str, settings: dict) -> None:
    if st.session_state.get(DATA_ID) == data_id:
        return
    st.session_state[DATA_ID] = data_id
    defaults = RunConfig(task="text-lm", timesteps=40, units=64, embedding_dim=16, batch_size=64, epochs=8,
                         learning_rate=0.005).replace(**settings)
    for field in FIELDS:
        st.session_state[key(field)] = getattr(defaults, field)


def settings_sidebar() -> RunConfig | None:
    bar = st.sidebar
    bar.header("Settings")
    bar.radio("Level", ["char", "word"], key=key("level"), horizontal=True,
              help="Predict the next character, or the next word (lower-cased; punctuation marks are words).")
    bar.number_input("Timesteps (tokens per window)", 1, int(LIMITS["timesteps"][1]), key=key("timesteps"))
    bar.number_input("Units", 1, 1024, key=key("units"))
    bar.number_input("Layers", 1, 3, key=key("layers"))
    bar.number_input("Embedding size (0: one-hot)", 0, 1024, key=key("embedding_dim"))
    bar.number_input("Dropout", 0.0, 0.95, step=0.05, key=key("dropout"))
    bar.number_input("Learning rate", 1e-6, 10.0, format="%.4f", step=0.001, key=key("learning_rate"))
    bar.number_input("Batch size", 1, 4096, key=key("batch_size"))
    bar.number_input("Epochs", 1, 200, key=key("epochs"))
    bar.number_input("Vocabulary size (most frequent tokens kept)", 2, 200000, key=key("vocab_size"))
    bar.text_input("Seed text (empty: the start of a sentence)", key=key("seed_text"))
    bar.number_input("Temperature", 0.05, 5.0, step=0.1, key=key("temperature"))
    bar.number_input("Sample length (tokens)", 1, 2000, key=key("sample_length"))
    try:
        return RunConfig(task="text-lm", **{field: st.session_state[key(field)] for field in FIELDS})
    except ValueError as exc:
        st.error(f"The settings cannot be used: {exc}")
        return None


def vocabulary_view(prepared: TextPrepared) -> None:
    summary = prepared.data_summary(top=30)
    vocab = summary.get("vocabulary")
    if not vocab:
        return
    counts = summary["windows"]
    # At character level the tokens are the characters: one count says it.
    size = (f"{summary['characters']:,} characters" if prepared.config.level == "char" else
            f"{summary['characters']:,} characters · {summary['tokens']:,} words")
    st.markdown(f"**{plain(summary['file'])}** · {size} · vocabulary **{vocab['size']:,}** · windows "
                f"{counts['train']:,} train · {counts['val']:,} validation (the last "
                f"{prepared.config.val_fraction:.0%} of the text)")
    shown = prepared.corpus.vocab
    st.dataframe({"token": [shown.show(t) for t, _ in vocab["most_common"]],
                  "count": [c for _, c in vocab["most_common"]]}, height=220, width="stretch")
    with st.expander("The start of the text"):
        st.text(prepared.source.text[:1500])


def checked_text() -> tuple[TextPrepared, bytes, str, RunConfig] | None:
    """Sections 1 and 2: the text, its vocabulary and the checks; None while nothing can be trained."""
    chosen = choose_text()
    if chosen is None:
        return None
    data_id, raw, name, settings = chosen
    reset_for(data_id, settings)
    config = settings_sidebar()
    if config is None:
        return None
    try:
        prepared = prepare_text(read_text(raw, name), config)
    except Exception as exc:  # the page's boundary: an unexpected failure is a finding, never a traceback
        render_findings([translate(exc, area="reading the text")], key="lm-read", fixable=False)
        return None
    st.subheader("1 · The text and its vocabulary")
    vocabulary_view(prepared)
    st.subheader("2 · Checks")
    shown = [f for f in prepared.findings if f.severity != "info"]
    if not shown:
        st.success("No problems found.")
    for index, finding in enumerate(prepared.findings):
        _finding_with_fix(finding, index)
    return prepared, raw, name, config


def training_section(checked):
    """Section 3: Train submits the run to a worker; while it trains, a fragment draws it from the run store."""
    st.subheader("3 · Train")
    prepared = checked[0] if checked is not None else None
    ready = prepared is not None and prepared.ready and not has_errors(prepared.findings)

    def submit(clicked: bool) -> bool:
        if clicked and ready:
            _, raw, name, _ = checked
            submit_run(prepared, raw, name, shown_key=SHOWN, data_id=st.session_state.get(DATA_ID, ""))
        return clicked and ready

    _, shown = train_part(ready, "lm_train", "lm", TASKS, SHOWN, clicked_means_train=submit, extra=live_part)
    sweep_section(SWEEP_PAGE, prepared, checked[1:3] if checked is not None else None, ready,
                  st.session_state.get(DATA_ID, ""))
    return shown


def main() -> None:
    workspace_id()
    page_links()
    checked = checked_text()
    shown = training_section(checked)
    if shown is not None and not shown.active:
        render_lm_results(shown, checked[3] if checked is not None else None)


def _finding_with_fix(finding, index: int) -> None:
    render_findings([finding], key=f"lm-{index}", fixable=False)
    if finding.fix:
        label = "Apply fix: " + ", ".join(f"{k} → {v!r}" for k, v in finding.fix.items())
        st.button(label, key=f"lm-fix-{index}-{finding.code}", on_click=apply_lm_fix, args=(finding.fix,))


main()

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
from lstm_core.text.corpus import read_text  # noqa: E402
from lstm_core.text.lm import TextPrepared, prepare_text  # noqa: E402
from lstm_core.text.samples import DEFAULT_TEXT_SAMPLE, TEXT_SAMPLES  # noqa: E402
from ui.findings import plain, render_findings  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.text_lm import (  # noqa: E402
    bits_chart,
    finish_interrupted,
    render_generator,
    render_samples,
    train_text_live,
)

RUN, PREPARED, DATA_ID = "lm_run", "lm_prepared", "lm_data_id"
# The settings this page shows; each widget's key is cfg.lm.<field>, so a finding's fix lands in it.
FIELDS = ("level", "timesteps", "units", "layers", "embedding_dim", "dropout", "learning_rate", "batch_size",
          "epochs", "vocab_size", "seed_text", "temperature", "sample_length")


def key(field: str) -> str:
    return f"cfg.lm.{field}"


def apply_lm_fix(patch: dict) -> None:
    for field, value in patch.items():
        st.session_state[key(field)] = value


def choose_text():
    source = st.radio("Text", ["Built-in sample", "Upload a .txt file"], horizontal=True, key="lm_source")
    if source == "Built-in sample":
        name = st.selectbox("Sample", list(TEXT_SAMPLES), format_func=lambda n: TEXT_SAMPLES[n].title,
                            key="lm_sample", index=list(TEXT_SAMPLES).index(DEFAULT_TEXT_SAMPLE))
        st.caption(TEXT_SAMPLES[name].description)
        return f"sample:{name}", TEXT_SAMPLES[name].source(), TEXT_SAMPLES[name].settings
    upload = st.file_uploader("A plain-text file (.txt, UTF-8 preferred)", type=["txt", "md"], key="lm_upload",
                              help=how_to_change("max_text_chars"))
    if upload is None:
        st.info("Drop a .txt file here, or switch back to a built-in sample.")
        return None
    raw = upload.getvalue()
    return f"upload:{hashlib.sha256(raw).hexdigest()[:16]}", read_text(raw, upload.name), {}


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
    unit = "characters" if prepared.config.level == "char" else "words"
    st.markdown(f"**{plain(summary['file'])}** · {summary['characters']:,} characters · {summary['tokens']:,} "
                f"{unit} · vocabulary **{vocab['size']:,}** · windows {counts['train']:,} train · "
                f"{counts['val']:,} validation (the last {prepared.config.val_fraction:.0%} of the text)")
    shown = prepared.corpus.vocab
    st.dataframe({"token": [shown.show(t) for t, _ in vocab["most_common"]],
                  "count": [c for _, c in vocab["most_common"]]}, height=220, width="stretch")
    with st.expander("The start of the text"):
        st.text(prepared.source.text[:1500])


def main() -> None:
    page_links()
    chosen = choose_text()
    if chosen is None:
        return
    data_id, source, settings = chosen
    reset_for(data_id, settings)
    config = settings_sidebar()
    if config is None:
        return
    try:
        prepared = prepare_text(source, config)
    except Exception as exc:  # the page's boundary: an unexpected failure is a finding, never a traceback
        render_findings([translate(exc, area="reading the text")], key="lm-read", fixable=False)
        return
    st.subheader("1 · The text and its vocabulary")
    vocabulary_view(prepared)
    st.subheader("2 · Checks")
    shown = [f for f in prepared.findings if f.severity != "info"]
    if not shown:
        st.success("No problems found.")
    for index, finding in enumerate(prepared.findings):
        _finding_with_fix(finding, index)
    st.subheader("3 · Train")
    finish_interrupted(RUN)
    ready = prepared.ready and not has_errors(prepared.findings)
    if st.button("Train", type="primary", disabled=not ready, key="lm_train"):
        train_text_live(prepared, RUN, PREPARED)
    state = st.session_state.get(RUN)
    if state is not None and state.status != "running":
        _results(state, st.session_state[PREPARED])


def _finding_with_fix(finding, index: int) -> None:
    render_findings([finding], key=f"lm-{index}", fixable=False)
    if finding.fix:
        label = "Apply fix: " + ", ".join(f"{k} → {v!r}" for k, v in finding.fix.items())
        st.button(label, key=f"lm-fix-{index}-{finding.code}", on_click=apply_lm_fix, args=(finding.fix,))


def _results(state, prepared: TextPrepared) -> None:
    st.subheader("4 · What it learnt")
    st.caption(f"Run {state.status}" + (f": {state.reason}" if state.reason else "") + f" · {state.epochs_done} "
               "epoch(s).")
    if state.bits:
        st.plotly_chart(bits_chart(state.bits, prepared, state.config.epochs), width="stretch", key="lm-bits")
    render_samples(state.samples)
    if state.findings:
        render_findings(state.findings, key="lm-run", fixable=False)
    if state.model is not None and state.epochs_done:
        render_generator(state, prepared)


main()

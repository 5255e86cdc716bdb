"""The language model on the page: live bits-per-character chart, samples as they are written, and a generate box."""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from lstm_core.errors import translate

from .charts import _LAYOUT, TRAIN_COLOUR, VAL_COLOUR
from .findings import plain

REDRAW_SECONDS = 0.3


def bits_chart(bits: list[dict], prepared, epochs: int) -> go.Figure:
    """Train and validation bits per character per epoch, with the unigram baseline as a flat line."""
    from lstm_core.text.lm import unigram_bits

    figure = go.Figure()
    x = [b["epoch"] for b in bits]
    for name, label, colour in (("bits_per_char", "train", TRAIN_COLOUR), ("val_bits_per_char", "validation",
                                                                           VAL_COLOUR)):
        figure.add_trace(go.Scatter(x=x, y=[b.get(name) for b in bits], name=label, mode="lines+markers",
                                    line={"color": colour}))
    baseline = unigram_bits(prepared.corpus, prepared.config.timesteps)["bits_per_char"]
    figure.add_trace(go.Scatter(x=[0.5, max(epochs, 1) + 0.5], y=[baseline, baseline], mode="lines",
                                name="unigram baseline", line={"dash": "dash", "color": "#444444"}))
    figure.update_layout(title="Bits per character (lower is better)", xaxis_title="epoch",
                         yaxis_title="bits per character", height=320, **_LAYOUT)
    figure.update_xaxes(range=[0.5, max(epochs, 1) + 0.5])
    return figure


def render_samples(samples: list[dict], into=None) -> None:
    box = into if into is not None else st.container()
    with box.container():
        st.markdown("**Samples** (seed in bold, then what the model wrote)")
        for sample in reversed(samples):
            label = "before training" if sample["epoch"] == 0 else f"after epoch {sample['epoch']}"
            st.markdown(f"*{label}* · {seeded(sample['seed'], sample['text'])}")


def seeded(seed: str, text: str) -> str:
    """The seed in bold, then the generated text; spaces outside the ** markers, or markdown shows no bold."""
    core = seed.strip()
    before, after = seed[:len(seed) - len(seed.lstrip())], seed[len(seed.rstrip()):]
    bold = f"**{plain(core)}**" if core else ""
    return f"{before}{bold}{after}{plain(text)}".replace("\n", "  \n")


class TextLiveView:
    """Listener: progress bar, bits chart and the samples, redrawn as events arrive."""

    def __init__(self, prepared, progress, chart, samples_slot):
        self.prepared, self.progress, self.chart, self.samples_slot = prepared, progress, chart, samples_slot
        self.epochs = prepared.config.epochs
        self.steps, self.started = 1, time.monotonic()
        self.samples: list[dict] = []
        self.bits: list[dict] = []

    def __call__(self, kind: str, payload: dict) -> None:
        if kind == "start":
            self.steps, self.started = max(1, payload["steps"]), time.monotonic()
        elif kind == "tick":
            done = (payload["epoch"] - 1 + min(payload["step"] / self.steps, 1.0)) / self.epochs
            self._progress(done, f"Epoch {payload['epoch']}/{self.epochs}")
        elif kind == "epoch_end":
            self._progress(payload["epoch"] / self.epochs, f"Epoch {payload['epoch']}/{self.epochs} · loss "
                                                            f"{payload['loss']:.4g}")
        elif kind == "sample":
            self.samples.append(payload)
            if "bits_per_char" in payload:
                self.bits.append(payload)
                self.chart.plotly_chart(bits_chart(self.bits, self.prepared, self.epochs), width="stretch",
                                        key=f"lm-live-{len(self.bits)}")
            render_samples(self.samples, self.samples_slot)

    def _progress(self, done: float, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.progress.progress(min(max(done, 0.0), 1.0), text=f"{text} · {elapsed:.0f} s")


def train_text_live(prepared, run_key: str, prepared_key: str) -> None:
    from lstm_core.text.lm import runner_for_text

    runner = runner_for_text(prepared, ticks=True)
    # Kept before fit: a click (Stop included) ends the script run, and what was learnt so far survives.
    st.session_state[run_key], st.session_state[prepared_key] = runner.state, prepared
    stop_slot = st.empty()
    stop_slot.button("Stop training", key="lm_stop", help="Ends the run now; the model and samples so far are kept.")
    progress = st.progress(0.0, text="Building and compiling the model (the first epoch includes compilation)…")
    chart, samples = st.empty(), st.empty()
    runner.listeners.append(TextLiveView(prepared, progress, chart, samples))
    try:
        runner.run()
    except Exception as exc:  # the page's boundary: TensorFlow's errors become a finding
        runner.state.status, runner.state.reason = "error", "training failed"
        runner.state.findings.append(translate(exc))
    for slot in (stop_slot, progress, chart, samples):
        slot.empty()


def finish_interrupted(run_key: str) -> None:
    state = st.session_state.get(run_key)
    if state is not None and state.status == "running":
        state.status, state.reason = "stopped_early", f"stopped by you after {state.epochs_done} epoch(s)"


def render_generator(state, prepared) -> None:
    from lstm_core.text.generate import generate
    from lstm_core.text.lm import context_before_sentence, default_seed

    config, corpus = state.config, prepared.corpus
    st.markdown("**Generate**")
    with st.form("lm_generate"):
        left, middle, right, last = st.columns([3, 1, 1, 1])
        seed_text = left.text_input("Seed", value=config.seed_text or default_seed(corpus, config.timesteps),
                                    key="lm_gen_seed")
        length = middle.number_input("Length", 1, 5000, value=config.sample_length, key="lm_gen_length")
        temperature = right.number_input("Temperature", 0.0, 5.0, value=config.temperature, step=0.1,
                                         key="lm_gen_temperature", help="Below 0.1: always the likeliest token.")
        seed = last.number_input("Random seed", 0, 2**31 - 1, value=0, key="lm_gen_random_seed")
        go_clicked = st.form_submit_button("Generate")
    if go_clicked:
        try:
            result = generate(state.model, corpus.vocab, seed_text, int(length), float(temperature),
                              config.timesteps, context_before_sentence(corpus, config.timesteps), int(seed))
        except Exception as exc:  # shown in place, never a traceback
            st.error(translate(exc, area="generating").detail)
            return
        if result.unknown:
            st.warning("Not in the text's vocabulary, left out of the seed: "
                       + ", ".join(repr(t) for t in result.unknown))
        st.session_state["lm_generated"] = seeded(result.seed, result.text)
    if "lm_generated" in st.session_state:
        st.markdown(st.session_state["lm_generated"])
    st.download_button("Download the model (.keras)", data=_model_bytes(state), file_name="text_model.keras",
                       mime="application/octet-stream", key="lm_download")


def _model_bytes(state) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        state.model.save(path)
        return io.BytesIO(path.read_bytes()).getvalue()

"""The language model on the page: bits per character, the samples it wrote (verbatim), and a generate box.

A run trains in a worker process and writes its samples to the run store as events; everything here reads a
stored run (live or ended). Generation runs in the helper process, so the page never imports TensorFlow.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from lstm_core.errors import translate
from lstm_core.jobs.calls import generate_text, model_calls

from .charts import _LAYOUT, TRAIN_COLOUR, VAL_COLOUR
from .export import export_part
from .findings import plain, render_findings
from .results import model_part, settings_note, status_line
from .stored import prepared_of, report_of
from .workspace import run_store

GENERATED = "lm_generated"  # {"run", "seed", "text", "unknown"}: the last text the generate box wrote
# Newest samples shown open; the older ones fold into an expander, so a long run stays readable.
OPEN_SAMPLES = 4


def bits_chart(bits: list[dict], prepared, epochs: int) -> go.Figure:
    """Train and validation bits per character per epoch, with the unigram baseline as a flat line."""
    from lstm_core.tasks.text_lm.bits import unigram_bits

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
    figure.update_xaxes(range=[0.5, max(epochs, 1) + 0.5], dtick=1 if epochs <= 20 else None)
    return figure


def render_samples(samples: list[dict]) -> None:
    """Each sample as the model wrote it (seed first), in a code block: never read as Markdown."""
    if not samples:
        return
    st.markdown("**Samples** (each starts with its seed, then what the model wrote)")
    newest = list(reversed(samples))
    for sample in newest[:OPEN_SAMPLES]:
        _sample(sample)
    if len(newest) > OPEN_SAMPLES:
        with st.expander(f"Earlier samples ({len(newest) - OPEN_SAMPLES})"):
            for sample in newest[OPEN_SAMPLES:]:
                _sample(sample)


def _sample(sample: dict) -> None:
    label = "before training" if sample["epoch"] == 0 else f"after epoch {sample['epoch']}"
    seed = sample["seed"].replace("\n", "⏎")
    st.caption(f"{label} · seed «{plain(seed)}»")
    verbatim(sample["seed"] + sample["text"])


def verbatim(text: str) -> None:
    """Generated text exactly as written: spaces, line breaks, *, _ and # included."""
    st.code(text, language=None, wrap_lines=True)


def live_part(record) -> None:
    """The live fragment's extra for a language model: the bits chart and the samples written so far."""
    bits = record.bits
    if bits:
        st.plotly_chart(bits_chart(bits, prepared_of(record), record.config.epochs), width="stretch")
    render_samples(record.samples)


def render_lm_results(record, current_config=None, on_fix=None) -> None:
    """What a stored run learnt, drawn for the settings it was trained with (never the sidebar's)."""
    st.subheader("4 · What it learnt")
    st.markdown(status_line(record, "it runs a language model slower on a CPU"))
    settings_note(record, current_config)
    render_findings(record.findings, key="lm-run", fixable=on_fix is not None, on_fix=on_fix)
    report = report_of(record)
    if isinstance(report, dict) and report.get("verdict"):
        model, baseline = report["model"]["bits_per_char"], report["baselines"]["unigram"]["bits_per_char"]
        (st.success if model < baseline else st.warning)(report["verdict"])
    if record.bits:
        st.plotly_chart(bits_chart(record.bits, prepared_of(record), record.config.epochs), width="stretch",
                        key="lm-bits")
    render_samples(record.samples)
    if record.has_artifacts:
        from .inside import inside_section

        generator(record)
        inside_section(record, key="lm_inside")
        model_part(record)
        export_part(record)


def generator(record) -> None:
    """A box to write more text with the run's model; it runs in the helper process."""
    from lstm_core.tasks.text_lm.generate import default_seed

    prepared = prepared_of(record)
    config = record.config
    st.markdown("**Generate**")
    with st.form("lm_generate"):
        left, middle, right, last = st.columns([3, 1, 1, 1])
        seed_text = left.text_input("Seed", value=config.seed_text or default_seed(prepared.corpus, config.timesteps),
                                    key="lm_gen_seed")
        length = middle.number_input("Length", 1, 5000, value=config.sample_length, key="lm_gen_length")
        temperature = right.number_input("Temperature", 0.0, 5.0, value=config.temperature, step=0.1,
                                         key="lm_gen_temperature", help="Below 0.1: always the likeliest token.")
        seed = last.number_input("Random seed", 0, 2**31 - 1, value=0, key="lm_gen_random_seed")
        clicked = st.form_submit_button("Generate")
    if clicked:
        try:
            with st.spinner("Writing…"):
                result = model_calls().run(generate_text, str(run_store().home), record.key, seed_text, int(length),
                                           float(temperature), int(seed))
        except Exception as exc:  # shown in place, never a traceback
            st.error(translate(exc, area="generating").detail)
            return
        st.session_state[GENERATED] = {"run": record.key, **result.to_dict()}
    generated = st.session_state.get(GENERATED)
    if generated and generated["run"] == record.key:
        if generated["unknown"]:
            st.warning("Not in the text's vocabulary, left out of the seed: "
                       + plain(", ".join(repr(t) for t in generated["unknown"])))
        verbatim(generated["seed"] + generated["text"])

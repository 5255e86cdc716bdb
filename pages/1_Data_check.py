"""Data check: every data finding, statistics, gaps, sampling and a recommended setup, without training."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Data check · LSTM Playground", page_icon="🔎", layout="wide")
st.title("Data check")
st.caption("A quick sanity check of a CSV before any training: what is in it, what is wrong with it, and a setup "
           "to start from.")

import hashlib  # noqa: E402
from functools import partial  # noqa: E402

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.data import load_csv, reshaped  # noqa: E402
from lstm_core.errors import translate  # noqa: E402
from lstm_core.findings import ProblemError  # noqa: E402
from lstm_core.limits import limit  # noqa: E402
from lstm_core.tasks.forecast.pipeline import prepare  # noqa: E402
from lstm_core.tasks.forecast.profile import Sampling, profile  # noqa: E402
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv  # noqa: E402
from ui import charts  # noqa: E402
from ui.findings import number_text, plain, render_finding, render_findings  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.state import freeze_imported, keep_settings  # noqa: E402

# The fixes applied on this page, with the data they belong to: {"data": data id, "patch": {field: value}}.
PAGE_FIX = "check_fix"
TARGET = "check_target"
FIX_HELP = "Re-runs the checks on this page with this change (the Playground keeps its own settings)."

freeze_imported()
keep_settings()


def choose() -> tuple[bytes, str, str]:
    """(CSV bytes, file name, data id) of the upload, or of the chosen sample."""
    upload = st.file_uploader("CSV file to check", type=["csv", "tsv", "txt"], key="check_upload",
                              max_upload_size=limit("max_upload_mb"))
    if upload is not None:
        raw = upload.getvalue()
        return raw, upload.name, f"upload:{hashlib.sha256(raw).hexdigest()[:16]}"
    name = st.selectbox("…or a built-in sample", list(SAMPLES), format_func=lambda n: SAMPLES[n].title,
                        key="check_sample")
    return sample_csv(name), f"{name}.csv", f"sample:{name}"


def page_patch(data_id: str) -> dict:
    stored = st.session_state.get(PAGE_FIX)
    return dict(stored["patch"]) if stored and stored["data"] == data_id else {}


def apply_here(patch: dict, data_id: str) -> None:
    """An "Apply fix" click on this page: the patch joins the page's fixes; the rerun re-checks with them."""
    st.session_state[PAGE_FIX] = {"data": data_id, "patch": {**page_patch(data_id), **patch}}
    if "target" in patch:
        st.session_state[TARGET] = patch["target"]


def undo_fixes() -> None:
    st.session_state.pop(PAGE_FIX, None)
    st.session_state.pop(TARGET, None)


def main() -> None:
    page_links()
    raw, name, data_id = choose()
    patch = page_patch(data_id)
    try:
        dataset = reshaped(load_csv(raw, name), patch.get("reshape", "none"))
    except ProblemError as problem:
        render_finding(problem.finding, key="check-read")
        return
    except Exception as exc:  # the page's boundary
        render_finding(translate(exc, area=f"reading {name}"), key="check-read")
        return
    if st.session_state.get(TARGET) not in dataset.numeric_columns:
        st.session_state.pop(TARGET, None)
    target = st.selectbox("Target column", dataset.numeric_columns, index=len(dataset.numeric_columns) - 1,
                          key=TARGET)
    summary = profile(dataset, target)
    config = RunConfig(target=target, timesteps=summary.recommended["timesteps"], season=summary.season,
                       missing="none").replace(**{k: v for k, v in patch.items() if k != "target"})
    prepared = prepare(dataset, config)
    st.subheader("Findings")
    if patch:
        st.info("Fixes applied on this page: " + plain(", ".join(f"{k} → {_short(v)}" for k, v in patch.items()))
                + ". The findings below are re-checked with them; the Playground keeps its own settings.")
        st.button("Undo the fixes", key="check_undo", on_click=undo_fixes)
    shown = [f for f in prepared.findings if f.severity != "info"]
    if not shown:
        st.success("No data problems found.")
    render_findings(prepared.findings, key="check", on_fix=partial(apply_here, data_id=data_id), fix_help=FIX_HELP)
    st.subheader("Columns")
    st.dataframe(summary.statistics, width="stretch")
    st.plotly_chart(charts.series_chart(dataset.frame, [target], dataset.time_column), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Sampling")
        st.markdown(sampling_text(summary.sampling))
    with right:
        st.subheader("Recommended start")
        rec = summary.recommended
        season = f"{summary.season} rows" if summary.season else "none detected"
        trends = any(f.code == "DATA029" for f in prepared.findings)
        changes = "**yes**: the series trends out of its training range" if trends else "no"
        st.markdown(f"- Season: **{season}**\n- Timesteps: **{rec['timesteps']}** ({plain(rec['why'])})\n"
                    f"- Scaling: **{rec['scaling']}**, fit on the training rows only\n- Model the changes: {changes}")


def sampling_text(reading: Sampling) -> str:
    """The sampling as a short list of labelled values."""
    if reading.time_column is None:
        return f"- {plain(reading.headline().capitalize())}\n- Rows: **{reading.rows:,}**"
    lines = [f"- Time column: **{plain(reading.time_column)}**, {plain(reading.start)} to {plain(reading.end)}",
             f"- {plain(reading.headline().capitalize())}"]
    if reading.step:
        lines.append(f"- Usual step: **{reading.step}** · largest gap: {reading.largest_gap}")
        share = number_text(reading.irregular_share, percent=True)
        lines.append(f"- Irregular steps: **{reading.irregular_steps:,}** ({share}) · repeated times: "
                     f"**{reading.repeated:,}**")
    return "\n".join(lines)


def _short(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return str(value)


main()

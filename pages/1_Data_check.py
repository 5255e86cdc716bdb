"""Data check: every data finding, statistics, gaps, sampling and a recommended setup, without training."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Data check · LSTM Playground", page_icon="🔎", layout="wide")
st.title("Data check")
st.caption("A quick sanity check of a CSV before any training: what is in it, what is wrong with it, and a setup "
           "to start from.")

from lstm_core.config import RunConfig  # noqa: E402
from lstm_core.data import load_csv  # noqa: E402
from lstm_core.errors import translate  # noqa: E402
from lstm_core.findings import ProblemError  # noqa: E402
from lstm_core.limits import limit  # noqa: E402
from lstm_core.pipeline import prepare  # noqa: E402
from lstm_core.profile import profile  # noqa: E402
from lstm_core.samples import SAMPLES, sample_csv  # noqa: E402
from ui import charts  # noqa: E402
from ui.findings import plain, render_finding, render_findings  # noqa: E402
from ui.nav import page_links  # noqa: E402
from ui.state import keep_settings  # noqa: E402

keep_settings()


def choose() -> tuple[bytes, str] | None:
    upload = st.file_uploader("CSV file to check", type=["csv", "tsv", "txt"], key="check_upload",
                              max_upload_size=limit("max_upload_mb"))
    if upload is not None:
        return upload.getvalue(), upload.name
    name = st.selectbox("…or a built-in sample", list(SAMPLES), format_func=lambda n: SAMPLES[n].title,
                        key="check_sample")
    return sample_csv(name), f"{name}.csv"


def main() -> None:
    page_links()
    chosen = choose()
    raw, name = chosen
    try:
        dataset = load_csv(raw, name)
    except ProblemError as problem:
        render_finding(problem.finding, key="check-read")
        return
    except Exception as exc:  # the page's boundary
        render_finding(translate(exc, area=f"reading {name}"), key="check-read")
        return
    target = st.selectbox("Target column", dataset.numeric_columns, index=len(dataset.numeric_columns) - 1,
                          key="check_target")
    summary = profile(dataset, target)
    config = RunConfig(target=target, timesteps=summary.recommended["timesteps"], missing="none")
    prepared = prepare(dataset, config)
    st.subheader("Findings")
    shown = [f for f in prepared.findings if f.severity != "info"]
    if not shown:
        st.success("No data problems found.")
    render_findings(prepared.findings, key="check")
    st.subheader("Columns")
    st.dataframe(summary.statistics, width="stretch")
    st.plotly_chart(charts.series_chart(dataset.frame, [target], dataset.time_column), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Sampling")
        st.json(summary.sampling)
    with right:
        st.subheader("Recommended start")
        rec = summary.recommended
        season = f"{summary.season} rows" if summary.season else "none detected"
        trends = any(f.code == "DATA029" for f in prepared.findings)
        changes = "**yes**: the series trends out of its training range" if trends else "no"
        st.markdown(f"- Season: **{season}**\n- Timesteps: **{rec['timesteps']}** ({plain(rec['why'])})\n"
                    f"- Scaling: **{rec['scaling']}**, fit on the training rows only\n- Model the changes: {changes}")


main()

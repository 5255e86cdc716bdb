"""Download buttons for a trained run: model, settings, curve, scores, the standalone script, and all as a zip."""

from __future__ import annotations

import streamlit as st

from lstm_core.errors import translate
from lstm_core.export import export_files, export_notes, export_zip

from .findings import render_finding

EXPORT = "export"  # {"key": (run, epochs, status), "files": name → bytes}: built once per finished run
ZIP_NAME = "lstm_run.zip"
MIMES = {".keras": "application/zip", ".json": "application/json", ".csv": "text/csv", ".py": "text/x-python"}


def export_part(prepared, state, report) -> None:
    if state.model is None or state.epochs_done == 0:
        return
    files = _files(prepared, state, report)
    if files is None:
        return
    st.markdown("**Export this run**")
    columns = st.columns(len(files) + 1)
    for column, (name, content) in zip(columns, files.items(), strict=False):
        column.download_button(name, content, file_name=name, mime=MIMES.get(name[name.rfind("."):]),
                               key=f"export-{name}", on_click="ignore")
    columns[-1].download_button(f"all ({ZIP_NAME})", export_zip(files), file_name=ZIP_NAME,
                                mime="application/zip", key="export-zip", on_click="ignore")
    notes = export_notes(prepared.config)
    if "train_script.py" in files:
        notes.append("`python train_script.py DATA.csv` trains the same model again with keras, numpy and pandas "
                     "only: the same split, scaling, windows or sequences, model, compile settings and seed.")
    for note in notes:
        st.caption(note)


def _files(prepared, state, report) -> dict[str, bytes] | None:
    key = (id(state), state.epochs_done, state.status)
    cached = st.session_state.get(EXPORT)
    if cached is not None and cached["key"] == key:
        return cached["files"]
    try:
        files = export_files(prepared, state, report)
    except Exception as exc:  # the page's boundary: an export that fails is explained, the results stay
        render_finding(translate(exc, area="exporting the run"), key="export", fixable=False)
        return None
    st.session_state[EXPORT] = {"key": key, "files": files}
    return files

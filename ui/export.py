"""Download buttons for a trained run: model, settings, curve, scores, the standalone script, and all as a zip."""

from __future__ import annotations

import streamlit as st

from lstm_core.export import export_notes, export_zip

from .stored import export_files_of

ZIP_NAME = "lstm_run.zip"
MIMES = {".keras": "application/zip", ".json": "application/json", ".csv": "text/csv", ".py": "text/x-python"}


def export_part(record) -> None:
    """Downloads of the files the run wrote when it finished (they stay in the run store)."""
    files = export_files_of(record)
    if "model.keras" not in files:
        return
    st.markdown("**Export this run**")
    columns = st.columns(len(files) + 1)
    for column, (name, content) in zip(columns, files.items(), strict=False):
        column.download_button(name, content, file_name=name, mime=MIMES.get(name[name.rfind("."):]),
                               key=f"export-{name}", on_click="ignore")
    columns[-1].download_button(f"all ({ZIP_NAME})", export_zip(files), file_name=ZIP_NAME,
                                mime="application/zip", key="export-zip", on_click="ignore")
    notes = export_notes(record.config)
    if "train_script.py" in files:
        notes.append("`python train_script.py DATA.csv` trains the same model again with keras, numpy and pandas "
                     "only: the same split, scaling, windows or sequences, model, compile settings and seed.")
    for note in notes:
        st.caption(note)

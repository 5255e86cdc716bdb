"""The page list in the sidebar, with names people use (file names would show "app")."""

from __future__ import annotations

import streamlit as st

from .workspace import workspace_id

PAGES = (
    ("app.py", "Playground", "📈"),
    ("pages/1_Data_check.py", "Data check", "🔎"),
    ("pages/2_Error_lab.py", "Error lab", "🧪"),
    ("pages/3_Text_generation.py", "Text generation", "✍️"),
    ("pages/4_Text_classification.py", "Text classification", "💬"),
    ("pages/5_Compare_runs.py", "Compare runs", "📊"),
)


def page_links() -> None:
    # Every page keeps the workspace id in the address: a reload on any page brings the same runs back.
    workspace_id()
    for path, label, icon in PAGES:
        st.sidebar.page_link(path, label=label, icon=icon)
    st.sidebar.divider()

"""The one renderer for findings: a coloured box, the numbers, the original message, and an "Apply fix" button."""

from __future__ import annotations

import json

import streamlit as st

from lstm_core.findings import Finding

from .state import apply_fix

_BOXES = {"error": st.error, "warning": st.warning, "info": st.info}
_ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


def render_findings(findings: list[Finding], area: str | None = None, key: str = "f", fixable: bool = True,
                    on_fix=None) -> None:
    shown = [f for f in findings if area is None or f.area == area]
    for index, finding in enumerate(shown):
        render_finding(finding, key=f"{key}-{area}-{index}", fixable=fixable, on_fix=on_fix)


def render_finding(finding: Finding, key: str, fixable: bool = True, on_fix=None) -> None:
    """on_fix: what "Apply fix" calls with the patch (default: the Playground's settings widgets)."""
    box = _BOXES[finding.severity]
    epoch = f" (epoch {finding.epoch})" if finding.epoch else ""
    box(f"**{finding.code}** · {plain(finding.title)}{epoch}\n\n{plain(finding.detail)}", icon=_ICONS[finding.severity])
    columns = st.columns([3, 2])
    if finding.evidence:
        columns[0].caption("Evidence: " + json.dumps(finding.evidence, default=str)[:400])
    if finding.fix and fixable:
        label = "Apply fix: " + ", ".join(f"{k} → {_short(v)}" for k, v in finding.fix.items())
        columns[1].button(label, key=f"fix-{key}-{finding.code}", on_click=on_fix or apply_fix, args=(finding.fix,),
                          help="Changes the settings in the sidebar and re-runs the checks.")
    if finding.original:
        with st.expander("details: the original message"):
            st.code(finding.original, language=None)


def plain(text: str) -> str:
    """Escape markdown so column names and cells from a user's file show as typed, never as markup."""
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in str(text))


_MARKDOWN = set("\\`*_[]#|<>~$:")


def _short(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return str(value)

"""The one renderer for findings: a coloured box, the numbers, the original message, and an "Apply fix" button."""

from __future__ import annotations

import math

import streamlit as st

from lstm_core.findings import Finding

from .state import apply_fix

_BOXES = {"error": st.error, "warning": st.warning, "info": st.info}
_ICONS = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


FIX_HELP = "Changes the settings in the sidebar and re-runs the checks."
# Evidence longer than this is cut: the whole of it is in the CLI's JSON and the export.
EVIDENCE_CHARS = 400
LIST_ITEMS = 5


def render_findings(findings: list[Finding], area: str | None = None, key: str = "f", fixable: bool = True,
                    on_fix=None, fix_help: str = FIX_HELP) -> None:
    shown = [f for f in findings if area is None or f.area == area]
    for index, finding in enumerate(shown):
        render_finding(finding, key=f"{key}-{area}-{index}", fixable=fixable, on_fix=on_fix, fix_help=fix_help)


def render_finding(finding: Finding, key: str, fixable: bool = True, on_fix=None, fix_help: str = FIX_HELP) -> None:
    """on_fix: what "Apply fix" calls with the patch (default: the Playground's settings widgets); fix_help says
    what that does on this page."""
    box = _BOXES[finding.severity]
    epoch = f" (epoch {finding.epoch})" if finding.epoch else ""
    box(f"**{finding.code}** · {plain(finding.title)}{epoch}\n\n{plain(finding.detail)}", icon=_ICONS[finding.severity])
    columns = st.columns([3, 2])
    if finding.evidence:
        columns[0].caption("Evidence: " + plain(evidence_text(finding.evidence)))
    if finding.fix and fixable:
        label = "Apply fix: " + ", ".join(f"{k} → {_short(v)}" for k, v in finding.fix.items())
        columns[1].button(label, key=f"fix-{key}-{finding.code}", on_click=on_fix or apply_fix, args=(finding.fix,),
                          help=fix_help)
    if finding.original:
        with st.expander("details: the original message"):
            st.code(finding.original, language=None)


def plain(text: str) -> str:
    """Escape markdown so column names and cells from a user's file show as typed, never as markup."""
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in str(text))


_MARKDOWN = set("\\`*_[]#|<>~$:")


def evidence_text(evidence: dict) -> str:
    """ "share: 8.33 % · usual step: 1 day · missing: value 4, temp 2": labelled values a person reads, not JSON."""
    text = " · ".join(f"{_label(name)}: {_value(value, name)}" for name, value in evidence.items())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _label(name) -> str:
    return str(name).replace("_", " ")


def _value(value, name: str = "") -> str:
    if isinstance(value, dict):
        items = list(value.items())
        shown = ", ".join(f"{_label(k)} {_value(v, str(k))}" for k, v in items[:LIST_ITEMS])
        return shown + (f", … ({len(items) - LIST_ITEMS} more)" if len(items) > LIST_ITEMS else "") if items else "none"
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        shown = ", ".join(_value(v) for v in items[:LIST_ITEMS])
        return shown + (f", … ({len(items) - LIST_ITEMS} more)" if len(items) > LIST_ITEMS else "") if items else "none"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, (int, float)):
        return number_text(value, percent="share" in name or "fraction" in name)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def number_text(value: float, percent: bool = False) -> str:
    """A number with the precision a reader needs: 1,234 · 12.3 · 0.0833 · 2.6e+09; shares as percentages."""
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if percent and abs(value) <= 1:
        return f"{value * 100:.3g} %"
    size = abs(value)
    if value == int(value) and size < 1e15:
        return f"{int(value):,}"
    if size >= 1e6 or size < 1e-3:
        return f"{value:.3g}"
    if size >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _short(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return str(value)

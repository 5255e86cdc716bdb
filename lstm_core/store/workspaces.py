"""Workspace ids: an unguessable token per browser, kept in the page's URL; knowing it is what grants its runs."""

from __future__ import annotations

import re
import secrets

# 16 random bytes = 128 bits, as 32 hex digits: safe in a URL and never read as a command-line option.
TOKEN_BYTES = 16
_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
# Runs the CLI records land here unless --workspace names another.
CLI_WORKSPACE = "cli"


def new_workspace_id() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def valid_workspace_id(value: object) -> bool:
    """A token this app could have made (or the CLI's own); anything else is ignored and a new workspace begins."""
    return isinstance(value, str) and (value == CLI_WORKSPACE or bool(_PATTERN.fullmatch(value)))

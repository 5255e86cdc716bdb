"""Reaching a Ray cluster: a first look at an address before Ray's client is asked, and Ray's errors in one line."""

from __future__ import annotations

import socket

# Seconds the first look at an address waits for a TCP answer before Ray's own client is asked.
PROBE_SECONDS = 5.0


def plain(exc: Exception) -> str:
    """The first line of a Ray error, which otherwise carries the remote traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def listening(address: str) -> None:
    """Raise ConnectionError at once when nothing accepts connections at the address's host and port: Ray's client
    would retry for about 30 s before it says the same. An address it cannot parse is left to Ray."""
    where = address.removeprefix("ray://").rsplit("/", 1)[0]
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_SECONDS).close()
    except OSError as exc:
        raise ConnectionError(f"nothing accepts connections at {host}:{port} ({exc.strerror or exc})") from None

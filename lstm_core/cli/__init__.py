"""Command line: python -m lstm_core (check, train, lr-find, sweep, runs, inside)."""

from lstm_core.cli.main import main

__all__ = ["main"]

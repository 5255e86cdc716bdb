"""Shared fixtures for AppTest runs of the Playground page (app.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"
DATA = Path(__file__).resolve().parent / "data"
# One timeout for every script run: a click on Train imports TensorFlow, compiles and fits inside the run.
RUN_TIMEOUT = 180


@pytest.fixture
def new_app() -> Callable[[], AppTest]:
    """A factory of fresh browser sessions, each already through its first script run."""

    def make() -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
        at.run()
        assert not at.exception, at.exception
        return at

    return make


@pytest.fixture
def app(new_app) -> AppTest:
    return new_app()


@pytest.fixture
def upload() -> Callable[..., AppTest]:
    """Switch the page to "Upload a CSV" and drop a file on the uploader, as a user would."""

    def drop(at: AppTest, name: str, content: bytes | None = None, mime: str = "text/csv") -> AppTest:
        if content is None:
            content = (DATA / name).read_bytes()
        if at.radio(key="source").value != "Upload a CSV":
            at.radio(key="source").set_value("Upload a CSV").run()
        at.file_uploader(key="upload").set_value((name, content, mime)).run()
        return at

    return drop

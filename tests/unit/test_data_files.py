"""The committed CSV files are exactly what tests/data/make_files.py writes, and stay small."""

from __future__ import annotations

import importlib.util

import pytest

from lstm_core.data import load_csv


@pytest.fixture(scope="module")
def make_files(repo):
    spec = importlib.util.spec_from_file_location("make_files", repo / "tests" / "data" / "make_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_match_the_generator(make_files, data_file, tmp_path):
    for path in make_files.write_all(tmp_path):
        assert data_file(path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} differs from what make_files.py writes: run it and commit the result")


def test_files_are_small(make_files, data_file):
    for name in make_files.FILES:
        assert data_file(name).stat().st_size < 8_000, name


def test_the_healthy_file_has_no_gaps(data_file):
    dataset = load_csv(data_file("hourly.csv"))
    assert dataset.missing_counts() == {"temperature": 0, "load_mw": 0}

"""Every file of the awkward-input corpus (tests/data/awkward) gives its expected finding, or is read as expected,
through the same path as `python -m lstm_core check` — never an unexpected exception, never a traceback."""

from __future__ import annotations

import importlib.util
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from lstm_core.cli.main import main
from lstm_core.data import load_csv
from lstm_core.findings import ProblemError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
AWKWARD = DATA_DIR / "awkward"
MANIFEST = json.loads((AWKWARD / "manifest.json").read_text(encoding="utf-8"))
CSV_FILES = [name for name, entry in MANIFEST.items() if entry["outcome"] != "text-task input"]
TEXT_FILES = [name for name, entry in MANIFEST.items() if entry["outcome"] == "text-task input"]
# Read errors: the file itself must change (exit code 2); the other codes are findings (exit code 1 or 0).
READ_ERRORS = ("DATA001", "DATA002", "CONFIG001")
# The small default window of the corpus: 60-row files, so the data's own problems show, not the window's.
DEFAULT_ARGS = ["--timesteps", "6"]


def run_check(name: str) -> tuple[int, dict]:
    entry = MANIFEST[name]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", str(AWKWARD / name), "--json", *entry["expect"].get("args", DEFAULT_ARGS)])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, json.loads(out.getvalue())


def test_the_corpus_is_what_the_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_awkward", DATA_DIR / "make_awkward.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write_all(tmp_path)
    assert len(written) >= 36  # at least 35 files and the manifest
    for path in written:
        assert (AWKWARD / path.name).read_bytes() == path.read_bytes(), f"run tests/data/make_awkward.py: {path.name}"
    assert len(CSV_FILES) >= 35


@pytest.mark.parametrize("name", CSV_FILES)
def test_each_file_gives_its_expected_outcome(name):
    entry = MANIFEST[name]
    code, report = run_check(name)
    codes = [finding["code"] for finding in report["findings"]]
    assert not [c for c in codes if c.startswith("TF")], f"{name}: an unexpected exception: {report['findings']}"
    assert code in (0, 1, 2)
    for finding in report["findings"]:
        assert finding["title"].strip() and finding["detail"].strip(), finding
    outcome, expect = entry["outcome"], entry["expect"]
    if outcome == "handled":
        errors = [f for f in report["findings"] if f["severity"] == "error"]
        assert errors == [] and code == 0, f"{name} should train as it is: {errors}"
    else:
        assert outcome in codes, f"{name} should raise {outcome}, got {codes}"
        assert code == (2 if outcome in READ_ERRORS else 1 if _blocks(report, outcome) else 0)
        if outcome in READ_ERRORS:
            finding = report["findings"][0]
            assert name in finding["title"], "a reading error names the file"
    _assert_expectations(name, report, expect)


def _blocks(report: dict, code: str) -> bool:
    return any(f["severity"] == "error" for f in report["findings"])


def _assert_expectations(name: str, report: dict, expect: dict) -> None:
    finding = report["findings"][0] if report["findings"] else {}
    if "title_has" in expect:
        assert expect["title_has"] in finding["title"]
    if "detail_has" in expect:
        assert expect["detail_has"] in finding["detail"]
    if "target" in expect:
        assert report["config"]["target"] == expect["target"]
    data_keys = {"numeric", "not_numeric", "note", "first", "rows", "columns", "time_column"}
    if not data_keys & set(expect):
        return
    try:
        dataset = load_csv(AWKWARD / name)
    except ProblemError as problem:
        pytest.fail(f"{name}: {problem.finding.code} {problem.finding.title}")
    assert set(expect.get("numeric", [])) <= set(dataset.numeric_columns), dataset.numeric_columns
    assert not set(expect.get("not_numeric", [])) & set(dataset.numeric_columns)
    if "note" in expect:
        assert expect["note"] in [note.code for note in dataset.notes]
    for column, value in expect.get("first", {}).items():
        assert dataset.frame[column].iloc[0] == pytest.approx(value)
    if "rows" in expect:
        assert dataset.rows == expect["rows"]
    if "columns" in expect:
        assert len(dataset.frame.columns) == expect["columns"]
    if "time_column" in expect:
        assert dataset.time_column == expect["time_column"]


def test_symbols_are_stripped_without_changing_the_numbers():
    dataset = load_csv(AWKWARD / "currency_percent.csv")
    assert dataset.frame["price"].tolist()[:3] == pytest.approx([50.0, 55.6, 59.86])
    assert dataset.frame["share"].tolist()[:3] == [10.0, 11.0, 12.0]
    thousands = load_csv(AWKWARD / "thousands_decimal_comma.csv").frame["sales"]
    assert thousands.tolist() == pytest.approx(load_csv(AWKWARD / "thousands_quoted.csv").frame["sales"].tolist())


def test_a_headerless_file_keeps_its_first_row():
    dataset = load_csv(AWKWARD / "headerless.csv")
    assert list(dataset.frame.columns) == ["column_1", "column_2"]
    assert dataset.frame["column_2"].iloc[0] == pytest.approx(50.0)


def test_a_wide_layouts_counting_header_is_a_header():
    dataset = load_csv(b"label,0,1,2\nup,1,2,3\ndown,3,2,1\n", "wide.csv")
    assert list(dataset.frame.columns) == ["label", "0", "1", "2"]
    assert "DATA106" not in [note.code for note in dataset.notes]


def test_names_that_repeat_after_trimming_spaces_are_made_unique():
    dataset = load_csv(b"a,a ,b\n1,2,3\n4,5,6\n", "spaces.csv")
    assert list(dataset.frame.columns) == ["a", "a.1", "b"]
    assert "DATA108" in [note.code for note in dataset.notes]


def test_a_workbook_is_named_and_the_way_out_given():
    with pytest.raises(ProblemError) as raised:
        load_csv(AWKWARD / "workbook_renamed.csv")
    assert "Excel workbook" in raised.value.finding.title
    assert "Save As" in raised.value.finding.detail


@pytest.mark.parametrize(("name", "exit_code"), [("empty.csv", 2), ("binary_garbage.csv", 2),
                                                 ("huge_values.csv", 1), ("html_script.csv", 0)])
def test_the_command_line_exits_cleanly_on_awkward_files(cli, name, exit_code):
    process = cli("check", AWKWARD / name, "--json", *DEFAULT_ARGS, timeout=120)
    assert process.returncode == exit_code, process.stderr
    assert "Traceback" not in process.stdout + process.stderr
    report = json.loads(process.stdout)
    assert report["findings"] or exit_code == 0


@pytest.mark.parametrize("name", TEXT_FILES)
def test_each_text_file_is_explained_or_read_by_the_language_model_check(name):
    expect = MANIFEST[name]["expect"]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", str(AWKWARD / name), "--task", "text-lm", "--json"])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    report = json.loads(out.getvalue())
    codes = [finding["code"] for finding in report["findings"]]
    assert code == expect["exit"], (code, codes)
    if "finding" in expect:
        assert expect["finding"] in codes, codes
    if expect["exit"] == 0:
        assert not [f for f in report["findings"] if f["severity"] == "error"], codes

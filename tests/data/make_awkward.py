"""Writes the awkward-input corpus into tests/data/awkward/ and its manifest, awkward/manifest.json.

    .venv/bin/python tests/data/make_awkward.py

Each entry of FILES is (name, what the file is, expected outcome, the bytes). The outcome is either a finding code
the file must raise (through load_csv and the preflight checks, exactly as `python -m lstm_core check FILE` runs
them), or "handled" with `expect`: facts that must hold once the file is read. Text-task inputs are written for the
text tasks' loader and carry the outcome "text-task input". Every file is built from fixed values, so a run
reproduces the committed bytes; tests/unit/test_awkward_inputs.py checks that too.
"""

from __future__ import annotations

import io
import json
import math
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "awkward"


def text(*rows: str, end: str = "\n", encoding: str = "utf-8") -> bytes:
    return (end.join(rows) + end).encode(encoding)


def wave(n: int, period: int = 12, scale: float = 10.0, offset: float = 50.0) -> list[float]:
    """A fixed, slightly noisy seasonal series: healthy numbers to wrap awkward formats around."""
    return [round(offset + scale * math.sin(2 * math.pi * i / period) + (i * 7 % 5) * 0.3, 2) for i in range(n)]


def series_rows(n: int = 60, header: str = "step,value", fmt=lambda i, v: f"{i},{v}") -> list[str]:
    return [header] + [fmt(i, v) for i, v in enumerate(wave(n))]


def zip_bytes() -> bytes:
    """A tiny workbook-shaped ZIP (what an .xlsx is), with a fixed timestamp so the bytes never change."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"),
                           ("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), body)
    return buffer.getvalue()


def long_sequences(label_for, sequences: int = 12, steps: int = 10) -> list[str]:
    rows = ["sequence,step,a,b,label"]
    for s in range(sequences):
        for t in range(steps):
            a = round(math.sin(0.5 * t + s), 3)
            b = round(math.cos(0.3 * t * (1 + s % 3)), 3)
            rows.append(f"s{s:02d},{t},{a},{b},{label_for(s, t)}")
    return rows


def mixed_dates() -> list[str]:
    stamps = ["2024-01-03", "2024/01/01", "2024-01-02", "2024-01-02", "Jan 5 2024", "2024-01-04T00:00:00",
              "2024-01-06", "2024-01-08", "2024-01-07", "2024-01-09", "2024-01-10", "2024-01-10"]
    stamps = (stamps * 5)[:60]
    return ["date,value"] + [f"{d},{v}" for d, v in zip(stamps, wave(60), strict=True)]


# name, what it is, outcome ("handled", a finding code, or "text-task input"), expectations, bytes
FILES: list[tuple[str, str, str, dict, bytes]] = [
    ("empty.csv", "a file of zero bytes", "DATA001", {}, b""),
    ("whitespace_only.csv", "only blank lines and spaces", "DATA001", {}, b"\n   \n\t\n"),
    ("header_only.csv", "a header row and no data", "DATA001", {}, text("date,value")),
    ("one_row.csv", "a header and one data row", "DATA007", {}, text("date,value", "2024-01-01,3.5")),
    ("too_few_rows.csv", "15 rows, fewer than the default window needs", "DATA007", {},
     text(*series_rows(15))),
    ("binary_garbage.csv", "random-looking binary bytes", "DATA002", {},
     bytes((i * 151 + 7) % 256 for i in range(600))),
    ("workbook_renamed.csv", "an .xlsx workbook (a ZIP archive) renamed to .csv", "DATA002",
     {"title_has": "workbook"}, zip_bytes()),
    ("latin1_accents.csv", "Latin-1 text with accented column names", "handled",
     {"numeric": ["température", "débit"], "note": "DATA101"},
     text("année,température,débit", *[f"{2000 + i},{v},{v * 2}" for i, v in enumerate(wave(60))],
          encoding="latin-1")),
    ("utf16_bom.csv", "UTF-16 (little endian) with a byte-order mark, as Excel's Unicode export writes",
     "handled", {"numeric": ["value"], "note": "DATA101"}, text(*series_rows(), encoding="utf-16")),
    ("semicolon_decimal_comma.csv", "semicolons between fields, decimal commas", "handled",
     {"numeric": ["Wert"], "note": "DATA102", "first": {"Wert": 50.0}},
     text(*series_rows(header="Schritt;Wert", fmt=lambda i, v: f"{i};{str(v).replace('.', ',')}"))),
    ("tab_separated.csv", "tab-separated values in a .csv", "handled", {"numeric": ["value"]},
     text(*series_rows(header="step\tvalue", fmt=lambda i, v: f"{i}\t{v}"))),
    ("text_only.csv", "only text columns", "DATA003", {},
     text("city,weather", *[f"town{i},{'sunny' if i % 2 else 'rain'}" for i in range(30)])),
    ("missing_markers.csv", "numbers mixed with n/a, NULL, -, #N/A", "DATA006", {"numeric": ["value"]},
     text("step,value", *[f"{i},{['n/a', 'NULL', '-', '#N/A'][i % 4] if i % 9 == 4 else v}"
                          for i, v in enumerate(wave(60))])),
    ("all_empty_column.csv", "a column with a header and no values at all", "handled",
     {"target": "value", "note": "DATA109"},
     text("step,value,comment", *[f"{i},{v}," for i, v in enumerate(wave(60))])),
    ("infinities.csv", "inf and -inf among the numbers", "DATA006", {"note": "DATA105"},
     text("step,value", *[f"{i},{'inf' if i == 10 else '-inf' if i == 20 else v}"
                          for i, v in enumerate(wave(60))])),
    ("huge_values.csv", "values near 1e300, whose squares overflow", "DATA031", {"numeric": ["value"]},
     text("step,value", *[f"{i},{v / 50:.6f}e300" for i, v in enumerate(wave(60))])),
    ("constant_series.csv", "a target that never changes", "DATA008", {},
     text("step,value", *[f"{i},42" for i in range(60)])),
    ("duplicate_columns.csv", "two columns with the same name", "handled",
     {"numeric": ["value", "value.1"], "note": "DATA108"},
     text("step,value,value", *[f"{i},{v},{v + 1}" for i, v in enumerate(wave(60))])),
    ("bom_crlf.csv", "UTF-8 with a BOM and Windows line ends", "handled", {"numeric": ["value"], "columns": 2},
     b"\xef\xbb\xbf" + text(*series_rows(), end="\r\n")),
    ("missing_fields.csv", "some rows with fewer fields than the header", "DATA006", {},
     text("step,a,value", *[f"{i},{v}" if i % 10 == 3 else f"{i},{v},{v * 2}" for i, v in enumerate(wave(60))])),
    ("extra_fields.csv", "a row with more fields than the header", "DATA002", {"detail_has": "line"},
     text("step,value", *[f"{i},{v},99" if i == 7 else f"{i},{v}" for i, v in enumerate(wave(60))])),
    ("quoted_newlines.csv", "quoted text cells holding newlines and commas", "handled",
     {"numeric": ["value"], "rows": 60},
     text("step,comment,value", *[f'{i},"line one\nline two, with a comma",{v}' for i, v in enumerate(wave(60))])),
    ("html_script.csv", "HTML and a script tag in a column name and in cells", "handled",
     {"numeric": ["<script>alert(1)</script>"]},
     text("step,<script>alert(1)</script>,note",
          *[f"{i},{v},<b>bold</b><img src=x onerror=alert(2)>" for i, v in enumerate(wave(60))])),
    ("thousands_quoted.csv", 'thousands separators in quoted cells ("1,234.5")', "handled",
     {"numeric": ["sales"], "first": {"sales": 1050.0}, "note": "DATA107"},
     text("step,sales", *[f'{i},"{1000 + v:,.1f}"' for i, v in enumerate(wave(60))])),
    ("thousands_decimal_comma.csv", "dots for thousands and commas for decimals (1.234,5)", "handled",
     {"numeric": ["sales"], "first": {"sales": 1050.0}},
     text("step;sales", *[f"{i};{1000 + v:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
                          for i, v in enumerate(wave(60))])),
    ("currency_percent.csv", 'currency and percent signs ("$12", "45%")', "handled",
     {"numeric": ["price", "share"], "first": {"price": 50.0, "share": 10.0}, "note": "DATA107"},
     text("step,price,share", *[f"{i},${v},{10 + i % 7}%" for i, v in enumerate(wave(60))])),
    ("apostrophes_spaces.csv", "numbers with a leading apostrophe (spreadsheet text) or spaces", "handled",
     {"numeric": ["value"], "first": {"value": 50.0}, "note": "DATA107"},
     text("step,value", *[f"{i},'{v}" if i % 2 else f"{i},  {v}  " for i, v in enumerate(wave(60))])),
    ("mixed_dates.csv", "dates in several formats, unsorted, with repeats", "DATA015",
     {"time_column": "date", "note": "DATA104"}, text(*mixed_dates())),
    ("excel_errors.csv", "Excel error values (#DIV/0!, #VALUE!, #REF!)", "DATA006", {"note": "DATA103"},
     text("step,value", *[f"{i},{['#DIV/0!', '#VALUE!', '#REF!'][i % 3] if i % 20 == 5 else v}"
                          for i, v in enumerate(wave(60))])),
    ("trailing_delimiters.csv", "a trailing comma on every row and blank lines at the end", "handled",
     {"numeric": ["value"], "rows": 60, "columns": 2, "note": "DATA109"},
     text(*[row + "," for row in series_rows()]) + b"\n\n\n"),
    ("very_wide.csv", "300 numeric columns", "handled", {"columns": 301},
     text("step," + ",".join(f"sensor_{c}" for c in range(300)),
          *[f"{i}," + ",".join(str(round(v + c * 0.01, 2)) for c in range(300)) for i, v in enumerate(wave(80))])),
    ("headerless.csv", "numbers from the first line on, no header row", "handled",
     {"rows": 60, "note": "DATA106"}, text(*[f"{i},{v}" for i, v in enumerate(wave(60))])),
    ("long_column_names.csv", "column names of 400 characters", "handled", {"numeric": ["v" * 400]},
     text("s" * 400 + "," + "v" * 400, *[f"{i},{v}" for i, v in enumerate(wave(60))])),
    ("emoji_headers.csv", "emoji in the column names", "handled", {"numeric": ["📈 sales"]},
     text("🕒 step,📈 sales", *[f"{i},{v}" for i, v in enumerate(wave(60))])),
    ("formula_cells.csv", 'cells that look like spreadsheet formulas ("=SUM(A1)")', "handled",
     {"numeric": ["value"], "not_numeric": ["formula"]},
     text("step,formula,value", *[f"{i},=SUM(A{i}),{v}" for i, v in enumerate(wave(60))])),
    ("nan_words.csv", 'missing values written "nan" and "NaN"', "DATA006", {},
     text("step,value", *[f"{i},{'nan' if i == 12 else 'NaN' if i == 30 else v}" for i, v in enumerate(wave(60))])),
    ("booleans.csv", "a TRUE/FALSE column beside the numbers", "handled",
     {"numeric": ["value"], "not_numeric": ["holiday"]},
     text("step,holiday,value", *[f"{i},{'TRUE' if i % 7 == 0 else 'FALSE'},{v}" for i, v in enumerate(wave(60))])),
    ("class_one_label.csv", "labelled sequences (long layout) that all share one class", "DATA026",
     {"args": ["--task", "classify-sequences", "--layout", "long", "--id-column", "sequence", "--order-column",
               "step", "--label-column", "label"]},
     text(*long_sequences(lambda s, t: "normal"))),
    ("class_missing_labels.csv", "labelled sequences (long layout) where some sequences have no label", "DATA022",
     {}, text(*long_sequences(lambda s, t: "" if s in (3, 7) else ("up" if s % 2 else "down")))),
    ("text_empty.txt", "an empty text file", "text-task input", {"finding": "TEXT001", "exit": 1}, b""),
    ("text_one_char.txt", "a text of one character", "text-task input", {"finding": "TEXT001", "exit": 1}, b"a"),
    ("text_binary.txt", "binary bytes named .txt", "text-task input", {"finding": "TEXT002", "exit": 1},
     bytes(range(256)) * 2),
    ("text_emoji.txt", "text made mostly of emoji", "text-task input", {"exit": 0},
     ("🙂🚀 hello 🌍 " * 40).encode()),
    ("text_latin1.txt", "Latin-1 text with accents", "text-task input", {"finding": "DATA101", "exit": 0},
     ("Le cœur a ses raisons que la raison ne connaît point. Ça va, été, naïve. " * 20)
     .replace("œ", "oe").encode("latin-1")),
]


def manifest() -> dict:
    return {name: {"what": what, "outcome": outcome, "expect": expect}
            for name, what, outcome, expect, _ in FILES}


def write_all(directory: Path = OUT) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, _, _, _, content in FILES:
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, path]


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(written.relative_to(HERE) if written.is_relative_to(HERE) else written)

"""Writes the small CSV files the unit tests read. Run it after changing it, and commit what it writes:

    .venv/bin/python tests/data/make_files.py

Every file is built from fixed numbers (no randomness), so a run reproduces the committed bytes exactly;
tests/unit/test_data_files.py checks that.
"""

from __future__ import annotations

import math
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A fixed permutation of 0..11 for the shuffled-date file.
SHUFFLED = [7, 2, 11, 0, 5, 9, 3, 10, 1, 6, 8, 4]


def lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def hourly() -> bytes:
    """200 hours of a daily cycle: a healthy file with an ISO timestamp, a feature and a target."""
    start = datetime(2024, 3, 1)
    rows = ["timestamp,temperature,load_mw"]
    for hour in range(200):
        temperature = 12 + 5 * math.sin(2 * math.pi * (hour - 9) / 24) + (hour % 7) * 0.1
        load = 400 + 8 * temperature + 30 * math.sin(2 * math.pi * (hour - 18) / 24) + (hour % 5)
        rows.append(f"{(start + timedelta(hours=hour)):%Y-%m-%d %H:%M},{temperature:.2f},{load:.1f}")
    return lines(*rows)


def semicolon_decimal_comma() -> bytes:
    rows = ["Tag;Temperatur;Umsatz"]
    rows += [f"{day};{10 + day},5;{1000 + 25 * day},25" for day in range(1, 11)]
    return lines(*rows)


def tab_separated() -> bytes:
    return lines("step\tpressure\tflow", *(f"{i}\t{1000 + i}.5\t{i * 2}.25" for i in range(10)))


def utf8_bom() -> bytes:
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(8)]
    return b"\xef\xbb\xbf" + lines("date,value", *(f"{d.isoformat()},{i * 1.5}" for i, d in enumerate(days)))


def latin1_accents() -> bytes:
    # Windows Western: é, è and ° are single bytes that are not valid UTF-8.
    rows = ["Année,Température (°C),Débit"]
    rows += [f"{2001 + i},{12 + i}.5,{300 + 10 * i}" for i in range(8)]
    return ("\n".join(rows) + "\n").encode("cp1252")


def shuffled_dates() -> bytes:
    # value = the day's number in January, so once sorted by date the values read 1, 2, …, 12.
    rows = ["date,value,station"]
    rows += [f"2022-01-{day + 1:02d},{day + 1},north" for day in SHUFFLED]
    return lines(*rows)


def yyyymmdd_dates() -> bytes:
    days = [date(2021, 12, 28) + timedelta(days=i) for i in range(8)]
    return lines("day,sales", *(f"{d:%Y%m%d},{100 + i}" for i, d in enumerate(days)))


def years() -> bytes:
    return lines("year,population", *(f"{1990 + i},{5000 + 37 * i}" for i in range(12)))


def na_cells() -> bytes:
    """'n/a' at rows 2, 5 and 6 of 'value'; the 'other' column is complete."""
    values = ["1.0", "2.0", "n/a", "4.0", "5.0", "n/a", "n/a", "8.0", "9.0", "10.0"]
    return lines("value,other", *(f"{v},{i}" for i, v in enumerate(values)))


def gaps() -> bytes:
    """Empty cells in 'value' at the start, middle and end; 'other' has one gap where 'value' has none."""
    value = ["", "2", "", "4", "", "", "7", ""]
    other = ["10", "11", "12", "", "14", "15", "16", "17"]
    return lines("value,other", *(f"{v},{o}" for v, o in zip(value, other, strict=True)))


def downloads() -> bytes:
    # Counts that look like years (unique, 1000–2999) under a name ending in "ds": still a value column.
    counts = [1520, 1733, 1211, 1980, 1402, 1655, 1298, 1871]
    return lines("downloads", *map(str, counts))


FILES = {
    "hourly.csv": hourly,
    "semicolon_decimal_comma.csv": semicolon_decimal_comma,
    "tab_separated.tsv": tab_separated,
    "utf8_bom.csv": utf8_bom,
    "latin1_accents.csv": latin1_accents,
    "shuffled_dates.csv": shuffled_dates,
    "yyyymmdd_dates.csv": yyyymmdd_dates,
    "years.csv": years,
    "na_cells.csv": na_cells,
    "gaps.csv": gaps,
    "downloads.csv": downloads,
    "empty.csv": lambda: b"",
    "header_only.csv": lambda: lines("date,value"),
    "text_only.csv": lambda: lines("city,country", "Lyon,France", "Porto,Portugal", "Graz,Austria"),
    # The first bytes of a zip archive (an .xlsx is one): NUL bytes no text CSV has.
    "binary.csv": lambda: b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)),
    "ragged.csv": lambda: lines("a,b", "1,2", "3,4,5,6", "7,8"),
}


def write_all(directory: Path = HERE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FILES.items():
        path = directory / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in write_all(target):
        print(f"{path.stat().st_size:6d}  {path.name}")

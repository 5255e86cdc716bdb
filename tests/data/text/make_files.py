"""Writes the small text classification CSV files the tests read. Run it after changing it, and commit what it writes:

    .venv/bin/python tests/data/text/make_files.py
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Reviews with quoted commas, a quoted newline, a doubled quote, an empty label and an empty text.
REVIEWS = [
    (1, "Great phone, long battery, would buy again", "positive", 5),
    (2, "Screen cracked after a week.\nSupport never answered", "negative", 1),
    (3, 'The "fast" charger takes, honestly, four hours', "negative", 2),
    (4, "Lovely camera and a bright screen", "positive", 4),
    (5, "Arrived broken, box crushed, no refund", "negative", 1),
    (6, "Does what it says, nothing more", "", 3),
    (7, "", "positive", 5),
    (8, "Best purchase this year, my kids love it", "positive", 5),
]


def reviews() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["review_id", "review", "sentiment", "stars"])
    writer.writerows(REVIEWS)
    return out.getvalue().encode("utf-8")


FILES = {"reviews_quoted.csv": reviews}


def main() -> int:
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
    return 0


if __name__ == "__main__":
    sys.exit(main())

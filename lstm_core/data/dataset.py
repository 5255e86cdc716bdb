"""Dataset: a table read from a file, how it was read (encoding, delimiter, decimal) and the findings doing so."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lstm_core.findings import Finding

FALLBACK_ENCODING = "cp1252"


@dataclass
class Dataset:
    name: str
    frame: pd.DataFrame
    time_column: str | None = None
    numeric_columns: list[str] = field(default_factory=list)
    other_columns: list[str] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    # "none", or the calendar columns melted into this one series (RunConfig.reshape).
    reshaped: str = "none"

    @property
    def rows(self) -> int:
        return len(self.frame)

    def missing_counts(self, columns: list[str] | None = None) -> dict[str, int]:
        columns = columns or self.numeric_columns
        return {c: int(self.frame[c].isna().sum()) for c in columns}

    def summary(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "columns": list(self.frame.columns),
            "numeric_columns": self.numeric_columns,
            "time_column": self.time_column,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "missing": self.missing_counts(),
        }


def delimiter_name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(delimiter, repr(delimiter))


def data_problem(code: str, title: str, detail: str, action: str, original: str | None = None) -> Finding:
    return Finding(code=code, severity="error", title=title, detail=f"{detail} {action}",
                   evidence={}, area="data", original=original)


def data_note(code: str, title: str, detail: str, evidence: dict) -> Finding:
    return Finding(code=code, severity="info", title=title, detail=detail, evidence=evidence, area="data")

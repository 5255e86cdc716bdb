"""Evidence as a person reads it: short labelled values with sensible precision, not JSON."""

from __future__ import annotations

import numpy as np

from ui.findings import evidence_text, number_text


def test_evidence_is_labelled_values_with_few_digits():
    evidence = {"irregular_steps": 12, "share": 0.08391608391608392, "usual_step": "1 day",
                "missing": {"sales": 4, "temperature": 2}, "loss": 2634567890.123, "columns": list("abcdefg"),
                "stratified": True, "time_column": None, "ratio": np.float64(0.123456789)}
    assert evidence_text(evidence) == (
        "irregular steps: 12 · share: 8.39 % · usual step: 1 day · missing: sales 4, temperature 2 · "
        "loss: 2.63e+09 · columns: a, b, c, d, e, … (2 more) · stratified: yes · time column: — · ratio: 0.123")


def test_numbers_keep_the_precision_a_reader_needs():
    assert [number_text(v) for v in (1234567, 1234.5678, 12.3456, 0.0012345, 1e-7, 3.0)] == [
        "1,234,567", "1,235", "12.3", "0.00123", "1e-07", "3"]


def test_long_evidence_is_cut_with_an_ellipsis():
    text = evidence_text({f"column_{i}": "x" * 30 for i in range(40)})
    assert len(text) == 400 and text.endswith("…")

"""The forecast metrics table: "—" and a footnote where a metric cannot be computed, never "None"."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from lstm_core.results import MAPE_UNDEFINED, MASE_UNDEFINED, compare
from ui.metrics import metrics_table


def crossing_zero_report():
    """A test part whose actual values cross zero: MAPE is undefined for every model, as on the default sample."""
    target = np.sin(np.linspace(0, 20, 200))
    rows = np.arange(150, 200)
    return compare(target[rows], target[rows] + 0.1, target, rows, 1, 0)


def test_an_undefined_mape_shows_a_dash_and_the_reason():
    metrics = crossing_zero_report().metrics
    assert metrics["model"]["mape"] is None  # JSON and CSV keep null
    styled, footnote = metrics_table(metrics)
    frame = styled.data
    assert list(frame.columns) == ["MAE", "RMSE", "MASE", "sMAPE %", "MAPE %"] and frame.index.name == "model"
    assert list(frame.index) == ["LSTM", "persistence"]
    assert frame["MAPE %"].isna().all() and frame["MAE"].notna().all()
    shown = styled.to_string()
    # No scale was given, so MASE is undefined too, with its own reason.
    assert "None" not in shown and "nan" not in shown and shown.count("—") == 4
    assert footnote == f"—: {MASE_UNDEFINED} {MAPE_UNDEFINED}"


def test_computed_metrics_have_no_footnote():
    metrics = {"model": {"mae": 1.23456, "rmse": 2.0, "mape": 3.5},
               "baselines": {"seasonal_naive": {"mae": 2.0, "rmse": 3.0, "mape": 4.0}}}
    styled, footnote = metrics_table(metrics)
    assert footnote is None and list(styled.data.index) == ["LSTM", "seasonal naive"]
    assert "1.235" in styled.to_string() and not math.isnan(styled.data.loc["LSTM", "MAPE %"])


def test_the_page_draws_the_dash_with_its_footnote():
    def page():
        import streamlit as st

        from ui.metrics import metrics_table

        styled, footnote = metrics_table({"model": {"mae": 1.0, "rmse": 2.0, "mape": None},
                                          "baselines": {"persistence": {"mae": 1.5, "rmse": 2.5, "mape": None}}})
        st.dataframe(styled, width="stretch")
        st.caption(footnote)

    at = AppTest.from_function(page).run()
    assert not at.exception, at.exception
    assert at.caption[0].value == f"—: {MAPE_UNDEFINED}"
    table = at.dataframe[0]
    assert table.value.index.name == "model" and table.value["MAPE %"].isna().all()
    # What the user sees: the styler's display values.
    shown = pa.ipc.open_stream(table.proto.arrow_data.styler.display_values).read_all().to_pandas()
    assert shown["MAPE %"].tolist() == ["—", "—"] and shown["MAE"].tolist() == ["1", "1.5"]

"""The forecast metrics table: "—" and a footnote where a metric cannot be computed, never "None"."""

from __future__ import annotations

import json

import numpy as np
from streamlit.testing.v1 import AppTest

from lstm_core.tasks.forecast.results import MAPE_UNDEFINED, MASE_UNDEFINED, compare
from ui.metrics import metrics_frame, metrics_table


def crossing_zero_report():
    """A test part whose actual values cross zero: MAPE is undefined for every model, as on the default sample."""
    target = np.sin(np.linspace(0, 20, 200))
    rows = np.arange(150, 200)
    return compare(target[rows], target[rows] + 0.1, target, rows, 1, 0)


def test_an_undefined_mape_shows_a_dash_and_the_reason():
    metrics = crossing_zero_report().metrics
    assert metrics["model"]["mape"] is None  # JSON and CSV keep null
    shown, footnote = metrics_table(metrics)
    assert list(shown.columns) == ["MAE", "RMSE", "MASE", "sMAPE %", "MAPE %"] and shown.index.name == "model"
    assert list(shown.index) == ["LSTM", "persistence"]
    # No scale was given, so MASE is undefined too, with its own reason.
    assert shown["MAPE %"].tolist() == ["—", "—"] and shown["MASE"].tolist() == ["—", "—"]
    assert "None" not in shown.to_string() and "nan" not in shown.to_string()
    assert footnote == f"—: {MASE_UNDEFINED} {MAPE_UNDEFINED}"
    assert metrics_frame(metrics)["MAE"].notna().all()


def test_computed_metrics_have_no_footnote():
    metrics = {"model": {"mae": 1.23456, "rmse": 2.0, "mape": 3.5},
               "baselines": {"seasonal_naive": {"mae": 2.0, "rmse": 3.0, "mape": 4.0}}}
    shown, footnote = metrics_table(metrics)
    assert footnote is None and list(shown.index) == ["LSTM", "seasonal naive"]
    assert shown.loc["LSTM", "MAE"] == "1.235" and shown.loc["LSTM", "MAPE %"] == "3.5"


def test_the_page_draws_the_dash_with_its_reason_as_the_columns_tooltip(tmp_path):
    # The results page's own drawing of the table, from a stored-run-like report.
    def page():
        import streamlit as st

        from ui.metrics import column_help, metrics_table

        metrics = {"model": {"mae": 1.0, "rmse": 2.0, "mape": None, "undefined": {"mape": "because"}},
                   "baselines": {"persistence": {"mae": 1.5, "rmse": 2.5, "mape": None}}}
        shown, footnote = metrics_table(metrics)
        helps = column_help(metrics)
        st.dataframe(shown, column_config={label: st.column_config.TextColumn(label, help=helps.get(label))
                                           for label in shown.columns})
        st.caption(footnote)

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.caption[0].value == "—: because"
    table = at.dataframe[0]
    assert table.value["MAPE %"].tolist() == ["—", "—"] and table.value["MAE"].tolist() == ["1", "1.5"]
    config = json.loads(table.proto.columns)
    assert config["MAPE %"]["help"] == "because" and "help" not in config["MAE"]


def test_a_backtest_fold_with_an_undefined_mase_shows_a_dash_and_the_reason():
    from lstm_core.tasks.forecast.results import MASE_UNDEFINED
    from ui.backtest import backtest_table

    rows = [{"fold": 1, "model": "LSTM", "mae": 0.5, "rmse": 0.6, "mase": None, "smape": 12.0},
            {"fold": 2, "model": "LSTM", "mae": 0.7, "rmse": 0.8, "mase": 1.1, "smape": 14.0}]
    summary = {"rows": rows, "mean": {"LSTM": {"mae": 0.6, "rmse": 0.7, "mase": 1.1, "smape": 13.0}}}
    shown, footnote = backtest_table(summary)
    assert list(shown["MASE"]) == ["—", "1.1", "1.1"] and list(shown["MAE"]) == ["0.5", "0.7", "0.6"]
    assert "None" not in shown.to_string() and "nan" not in shown.to_string().lower()
    assert footnote == f"—: {MASE_UNDEFINED}"
    # Every metric there: no footnote.
    assert backtest_table({"rows": rows[1:], "mean": summary["mean"]})[1] is None

"""Results of the latest run: status, loss curve, verdict against naive baselines, predictions, forecast, model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.classify import ClassPrepared
from lstm_core.model import summarize
from lstm_core.pipeline import Prepared, forecast

from . import charts
from .classification import render_classification_results
from .export import export_part
from .findings import render_findings
from .state import REPORT, RUN, RUN_PREPARED

STATUS_TEXT = {
    "completed": "Training completed",
    "stopped_early": "Training stopped early",
    "diverged": "Training diverged",
    "error": "Training failed",
    "running": "Training was interrupted",
}


def render_results() -> None:
    state, prepared = st.session_state[RUN], st.session_state[RUN_PREPARED]
    report = st.session_state.get(REPORT)
    st.subheader("4 · Results")
    seconds = sum(state.epoch_seconds)
    reason = f": {state.reason}" if state.reason else ""
    st.markdown(f"**{STATUS_TEXT.get(state.status, state.status)}**{reason} · {state.epochs_done} epoch(s) in "
                f"{seconds:.1f} s" + ("" if state.jit_compile else " · trained without XLA"))
    render_findings(state.findings, key="run")
    log_scale = st.checkbox("Log scale", key="loss_log")
    markers = [{"epoch": f.epoch, "code": f.code} for f in state.findings if f.epoch]
    st.plotly_chart(charts.loss_chart(state.history, None, log_scale, markers=markers, best_epoch=state.best_epoch),
                    width="stretch")
    if report is None:
        return
    if isinstance(prepared, ClassPrepared):
        render_classification_results(prepared, state, report)
        model_part(state.model)
        export_part(prepared, state, report)
        return
    beat = report.metrics["model"]["mae"] < min(b["mae"] for b in report.metrics["baselines"].values())
    (st.success if beat else st.warning)(report.verdict)
    st.dataframe(metrics_table(report.metrics), width="stretch")
    x = _time_axis(prepared, report.target_rows)
    st.plotly_chart(charts.prediction_chart(x, report.actual, report.predicted, report.baselines), width="stretch")
    forecast_part(prepared, state)
    model_part(state.model)
    export_part(prepared, state, report)


def metrics_table(metrics: dict) -> pd.DataFrame:
    rows = {"LSTM": metrics["model"], **{k.replace("_", " "): v for k, v in metrics["baselines"].items()}}
    frame = pd.DataFrame(rows).T.rename(columns={"mae": "MAE", "rmse": "RMSE", "mape": "MAPE %"})
    frame.index.name = "model"
    return frame


def forecast_part(prepared: Prepared, state) -> None:
    config = prepared.config
    default = min(max(2 * (prepared.season or 12), 12), 200)
    steps = st.number_input("Forecast steps past the end", 1, 1000, default, key="forecast_steps")
    cache = st.session_state.setdefault("forecast_cache", {})
    key = (id(state), int(steps))
    if key not in cache:
        cache.clear()
        cache[key] = forecast(prepared, state.model, int(steps))
    future = cache[key]
    target = prepared.values[:, 0]
    shown = min(len(target), max(5 * int(steps), 4 * config.timesteps))
    history_x = _time_axis(prepared, np.arange(len(target) - shown, len(target)))
    future_x = _future_axis(prepared, len(target), int(steps))
    st.plotly_chart(charts.forecast_chart(history_x, target[-shown:], future_x, future), width="stretch")
    if config.features:
        st.caption("Extra feature columns are unknown in the future: the forecast holds them at their last value.")


def model_part(model) -> None:
    summary = summarize(model)
    with st.expander(f"Model: {len(summary.layers)} layers, {summary.total_params:,} parameters"):
        st.dataframe(pd.DataFrame(summary.layers), width="stretch", hide_index=True)


def _time_axis(prepared: Prepared, rows: np.ndarray):
    column = prepared.dataset.time_column
    if column and prepared.rows_dropped == 0:
        return prepared.dataset.frame[column].to_numpy()[rows]
    return rows


def _future_axis(prepared: Prepared, rows: int, steps: int):
    column = prepared.dataset.time_column
    if column and prepared.rows_dropped == 0:
        times = pd.to_datetime(prepared.dataset.frame[column])
        step = times.diff().median()
        if pd.notna(step) and step.total_seconds() > 0:
            return (times.iloc[-1] + pd.to_timedelta(np.arange(1, steps + 1) * step)).to_numpy()
    return np.arange(rows, rows + steps)

"""Results of the latest run: status, loss curve, verdict against naive baselines, predictions, forecast, model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.runs import changed_settings, config_value, show_value
from lstm_core.tasks.forecast.intervals import DEFAULT_LEVEL, LEVELS, coverage_sentence, forecast_band, level_entry
from lstm_core.tasks.forecast.pipeline import Prepared
from lstm_core.windowed import why_not_xla

from . import charts
from .backtest import backtest_part, finished_summary, lstm_won
from .classification import render_classification_results
from .export import export_part
from .findings import plain, render_findings
from .metrics import column_help, metrics_table
from .stored import forecast_of, prepared_of, report_of, summary_of

STATUS_TEXT = {
    "completed": "Training completed",
    "stopped_early": "Training stopped early",
    "diverged": "Training diverged",
    "error": "Training failed",
    "cancelled": "Run cancelled before it started",
}


def headline(record, report) -> None:
    """The verdict on top: the folds' once a backtest has finished (one slice can flatter or wrong a model), with
    the test slice's after it; the test slice's alone before."""
    folds = finished_summary(record) if record.source != "backtest" else None
    if folds is not None:
        (st.success if lstm_won(folds) else st.warning)(
            f"{folds['verdict']} On the test part alone: {report.verdict}")
        return
    beat = report.metrics["model"]["mae"] < min(b["mae"] for b in report.metrics["baselines"].values())
    (st.success if beat else st.warning)(report.verdict)


def status_line(record, without_xla: str | None = None) -> str:
    """A stored run's status line (Markdown): how it ended and why, its epochs and seconds, whether its step was
    compiled with XLA (`without_xla`: why not, by default the reason the run's own choice had) or already compiled in
    its worker (by an earlier run of the same shape or the worker's warm-up), and its name."""
    reason = f": {record.reason}" if record.reason else ""
    without_xla = without_xla or why_not_xla(record.config)
    notes = {True: " · compiled with XLA", False: f" · without XLA ({without_xla})"}.get(record.jit_compile, "")
    if record.compiled_kept:
        notes += " · its step was already compiled in its worker, so it trained at full speed at once"
    if record.wrap_up and "scoring" in record.wrap_up:  # a CLI-stored run was scored outside the worker's timing
        notes += f" · results {sum(record.wrap_up.values()):.1f} s after the last epoch"
    return (f"**{STATUS_TEXT.get(record.status, record.status)}**{plain(reason)} · {record.epochs} epoch(s) in "
            f"{record.seconds:.1f} s{notes} · run {plain(record.name)}")


def render_results(record, current_config=None) -> None:
    """The results of a stored run, drawn for the settings it was trained with (never the sidebar's)."""
    from .inside import inside_section, window_from_chart  # imported with the first results, not the first paint

    prepared, report = prepared_of(record), report_of(record)
    st.subheader("4 · Results")
    st.markdown(status_line(record))
    settings_note(record, current_config)
    render_findings(record.findings, key="run")
    if record.epochs:
        log_scale = st.checkbox("Log scale", key="loss_log")
        markers = [{"epoch": f.epoch, "code": f.code} for f in record.findings if f.epoch]
        st.plotly_chart(charts.loss_chart(record.history, None, log_scale, markers=markers,
                                          best_epoch=record.best_epoch), width="stretch")
    if report is None:
        inside_section(record)  # a diverged run keeps its model: the view that shows why
        return
    if prepared.config.classifies:
        render_classification_results(prepared, record, report)
        inside_section(record)
        model_part(record)
        export_part(record)
        return
    headline(record, report)
    shown, footnote = metrics_table(report.metrics)
    helps = column_help(report.metrics)
    st.dataframe(shown, width="stretch", column_config={
        label: st.column_config.TextColumn(label, help=helps.get(label), alignment="right") for label in shown.columns})
    if footnote:
        st.caption(footnote)
    if report.ets:
        st.caption(f"{report.ets['form']}: the form chosen by AICc and fit by statsmodels on the train rows only; "
                   "its forecasts use the values known at each forecast's origin, like the LSTM's windows.")
    level = int(st.radio("Prediction interval", LEVELS, format_func=lambda value: f"{value} %", horizontal=True,
                         key="interval_level", help="Split-conformal: the width is set by the model's errors on "
                                                    "the validation part, which it never trained on."))
    band = None
    if report.intervals:
        st.markdown(coverage_sentence(report.intervals, level))
        entry = level_entry(report.intervals, level)
        if entry and entry["width"] is not None:
            band = {"lower": report.predicted - entry["width"], "upper": report.predicted + entry["width"],
                    "name": f"{level} % interval"}
    x = _time_axis(prepared, report.target_rows)
    # A click on a point picks that test window for Inside the LSTM (below).
    clicked = st.plotly_chart(charts.prediction_chart(x, report.actual, report.predicted, report.baselines, band),
                              width="stretch", on_select="rerun", selection_mode="points", key="prediction_chart")
    window_from_chart(clicked)
    forecast_part(prepared, record, report.intervals, level)
    backtest_part(prepared, record, _time_axis(prepared, np.arange(len(prepared.values))))
    inside_section(record)
    model_part(record)
    export_part(record)


def settings_note(record, current_config) -> None:
    """Say so when the sidebar no longer holds the settings these results were trained with."""
    if current_config is None:
        return
    changed = [name for name in changed_settings(record.config, current_config)
               if name not in ("target", "features") or record.config.task == current_config.task]
    if not changed:
        return
    pairs = "; ".join(f"{name} {show_value(config_value(record.config, name))} (the sidebar now says "
                      f"{show_value(config_value(current_config, name))})" for name in changed[:4])
    more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
    st.info(f"These results were trained with {plain(pairs)}{more}. Press **Train** to train with the sidebar's "
            "settings.", icon="ℹ️")


def forecast_part(prepared: Prepared, record, intervals: dict | None = None, level: int = DEFAULT_LEVEL) -> None:
    future_all = forecast_of(record)
    if future_all is None:
        return
    config = prepared.config
    default = min(max(2 * (prepared.season or 12), 12), 200, len(future_all))
    steps = int(st.number_input(f"Forecast steps past the end (up to {len(future_all)})", 1, len(future_all),
                                default, key="forecast_steps"))
    future = future_all[:steps]
    target = prepared.values[:, 0]
    shown = min(len(target), max(5 * steps, 4 * config.timesteps))
    history_x = _time_axis(prepared, np.arange(len(target) - shown, len(target)))
    future_x = _future_axis(prepared, len(target), steps)
    band = None
    if intervals:
        band = {**forecast_band(intervals, level, future), "name": f"{level} % interval"}
    st.plotly_chart(charts.forecast_chart(history_x, target[-shown:], future_x, future, band), width="stretch")
    if band is not None and len(band["lower"]) < steps:
        st.caption(f"The {level} % band covers the first {len(band['lower'])} steps: the validation part is too "
                   "short to calibrate further ahead.")
    if config.features:
        st.caption("Extra feature columns are unknown in the future: the forecast holds them at their last value.")


def model_part(record) -> None:
    summary = summary_of(record)
    if summary is None:
        return
    with st.expander(f"Model: {len(summary['layers'])} layers, {summary['total_params']:,} parameters"):
        st.dataframe(pd.DataFrame(summary["layers"]), width="stretch", hide_index=True)


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

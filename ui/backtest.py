"""The backtest of a forecast run: its cost, its folds training in the job engine with progress and a stop, then
each fold's scores, their means and the verdict built on them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_core.jobs import engine
from lstm_core.tasks.forecast.backtest import (
    DEFAULT_FOLDS,
    MAX_FOLDS,
    METRICS,
    Fold,
    cost_sentence,
    plan_folds,
    summarise,
)
from lstm_core.tasks.forecast.results import UNDEFINED

from . import charts
from .live import LIVE_SECONDS, progress_of
from .metrics import MISSING
from .workspace import run_store, workspace_id

BACKTEST_EVENT = "backtest"
SOURCE = "backtest"
LABELS = {"mae": "MAE", "rmse": "RMSE", "mase": "MASE", "smape": "sMAPE %"}


def backtest_part(prepared, record, x) -> None:
    """`x`: the series' time axis, for drawing the folds on it."""
    if record.source == SOURCE or prepared.windows is None:
        return
    st.markdown("**Backtest** · would it have worked earlier too? Each fold trains a fresh model on the rows "
                "before its origin and scores it, and every baseline, on the rows after it.")
    count = int(st.number_input("Folds", 1, MAX_FOLDS, DEFAULT_FOLDS, key="backtest_folds"))
    folds, note = plan_folds(prepared, count)
    cost = cost_sentence(folds, record.seconds, len(prepared.values))
    batch = latest_batch(record)
    records = [run_store().get(run_id) for run_id in batch["runs"]] if batch else []
    if any(r is not None and r.active for r in records):
        _live(record.key)
        return
    st.button("Run backtest", key="backtest_run", disabled=not folds, on_click=start_backtest,
              args=(record, folds, note), help=f"{cost}. Runs in the background like any training.")
    st.caption(f"{cost}. {note}".strip())
    if batch:
        draw_backtest(batch, records, x, prepared.values[:, 0])


def latest_batch(record) -> dict | None:
    batches = run_store().events(record.key, BACKTEST_EVENT)
    return batches[-1] if batches else None


def start_backtest(record, folds: list[Fold], note: str) -> None:
    store = run_store()
    raw = store.data_bytes(record.data_ref)
    runs = [engine().submit(workspace_id(), fold.config, raw, record.data_name, record.reader, record.data_id,
                            parent=record.id, source=SOURCE) for fold in folds]
    store.add_event(record.key, BACKTEST_EVENT, {"runs": runs, "folds": [f.to_dict() for f in folds],
                                                 "configs": [f.config.to_json() for f in folds], "note": note})


def stop_backtest(run_ids: list[str]) -> None:
    for run_id in run_ids:
        engine().stop(run_id, "backtest stopped by you")


@st.fragment(run_every=LIVE_SECONDS)
def _live(parent_key: str) -> None:
    store = run_store()
    parent = store.get(parent_key)
    batch = latest_batch(parent) if parent is not None else None
    records = [store.get(run_id) for run_id in batch["runs"]] if batch else []
    if not any(r is not None and r.active for r in records):
        st.rerun(scope="app")
        return
    done = sum(1 for r in records if r is not None and not r.active)
    running = next((r for r in records if r is not None and r.status == "running"), None)
    share, text = progress_of(running) if running else (0.0, "waiting for a worker")
    left, right = st.columns([4, 1])
    left.progress(min((done + share) / len(records), 1.0),
                  text=f"Backtest: {done} of {len(records)} folds done · {text}")
    right.button("Stop backtest", key="backtest_stop", on_click=stop_backtest,
                 args=([r.key for r in records if r is not None and r.active],),
                 help="Stops every fold still queued or training; finished folds keep their scores.")


def finished_summary(record) -> dict | None:
    """The scores of the run's last backtest once every fold has ended and one at least was scored, else None."""
    batch = latest_batch(record)
    if not batch:
        return None
    records = [run_store().get(run_id) for run_id in batch["runs"]]
    if any(r is not None and r.active for r in records):
        return None
    summary = _summary(batch, records)
    return summary if summary["rows"] else None


def lstm_won(summary: dict) -> bool:
    """Whether the LSTM's mean score over the folds beat every baseline's (MASE, or MAE where MASE is missing)."""
    means = summary["mean"]
    if "LSTM" not in means:
        return False
    unit = "mase" if means["LSTM"]["mase"] is not None else "mae"
    others = [m[unit] for name, m in means.items() if name != "LSTM" and m[unit] is not None]
    return means["LSTM"][unit] is not None and bool(others) and means["LSTM"][unit] < min(others)


def _summary(batch: dict, records: list) -> dict:
    folds = [_fold(entry, config) for entry, config in zip(batch["folds"], batch["configs"], strict=True)]
    # A fold stopped by the user is left out: its model is half-trained, and its scores would drag the means.
    metrics = [r.metrics if r is not None and r.metrics and "model" in r.metrics and not r.stop_requested else None
               for r in records]
    return summarise(folds, metrics)


def draw_backtest(batch: dict, records: list, x, series) -> None:
    summary = _summary(batch, records)
    if not summary["rows"]:
        st.warning("No fold of the last backtest finished, so there are no scores.")
        return
    (st.success if lstm_won(summary) else st.warning)(summary["verdict"])
    shown, footnote = backtest_table(summary)
    st.dataframe(shown, width="stretch", hide_index=True)
    if footnote:
        st.caption(footnote)
    if summary["finished"] < len(records):
        st.caption(f"{len(records) - summary['finished']} fold(s) did not finish; the means are over the others.")
    st.plotly_chart(charts.backtest_chart(list(x), series, batch["folds"]), width="stretch")


def backtest_frame(summary: dict) -> pd.DataFrame:
    """A row per fold and model, then the means: columns fold, model, MAE, RMSE, MASE, sMAPE %."""
    rows = [{**row, "fold": str(row["fold"])} for row in summary["rows"]]
    rows += [{"fold": "mean", "model": name, **{m: means[m] for m in METRICS}}
             for name, means in summary["mean"].items()]
    return pd.DataFrame(rows).rename(columns=LABELS)


def backtest_table(summary: dict) -> tuple[pd.DataFrame, str | None]:
    """The fold table as text ("—" where a metric cannot be computed: the grid would draw None) and the footnote
    giving each "—" its reason, as the run's own metrics table does."""
    frame = backtest_frame(summary)
    reasons = [UNDEFINED[key] for key, label in LABELS.items()
               if label in frame.columns and frame[label].isna().any() and key in UNDEFINED]
    numbers = list(LABELS.values())
    shown = frame.astype(object)
    for label in (c for c in numbers if c in frame.columns):
        shown[label] = frame[label].map(lambda value: MISSING if pd.isna(value) else f"{value:.4g}")
    return shown, (f"{MISSING}: " + " ".join(reasons)) if reasons else None


def _fold(entry: dict, config_json: str) -> Fold:
    from lstm_core.config import RunConfig

    return Fold(entry["fold"], RunConfig.from_json(config_json), entry["test_start"], entry["test_stop"])

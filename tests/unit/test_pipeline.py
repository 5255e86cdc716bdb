"""The pipeline and the runner with real, tiny Keras models: history, events, stop, reproducibility, report."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.findings import ProblemError
from lstm_core.tasks.forecast.pipeline import evaluate, forecast, prepare, train
from lstm_core.train import Runner


def test_prepare_splits_and_windows_the_sample(noisy_prepared):
    windows = noisy_prepared.windows
    # 1,200 rows → 840 / 180 / 180; each part loses timesteps + horizon - 1 = 24 rows to its first window.
    assert windows.split.parts() == {"train": (0, 840), "val": (840, 1020), "test": (1020, 1200)}
    assert windows.counts() == {"train": 816, "val": 156, "test": 156}
    assert windows.x_train.shape == (816, 24, 1)
    assert windows.y_train.shape == (816,)
    summary = noisy_prepared.data_summary()
    assert summary["rows"] == 1200 and summary["target"] == "value" and summary["season"] == 24
    assert summary["windows"] == windows.counts()


def test_prepare_multi_step_on_a_real_file(data_file):
    dataset = load_csv(data_file("hourly.csv"))
    config = RunConfig(target="load_mw", features=("temperature",), timesteps=12, horizon=3, multi_step=True,
                       missing="none")
    prepared = prepare(dataset, config)
    assert prepared.ready
    windows = prepared.windows
    assert windows.x_train.shape[1:] == (12, 2)
    assert windows.y_train.shape == (len(windows.x_train), 3)
    assert prepared.columns == ["load_mw", "temperature"]


def test_prepare_without_a_target_picks_the_last_numeric_column(data_file):
    prepared = prepare(load_csv(data_file("hourly.csv")), RunConfig(timesteps=12))
    assert prepared.config.target == "load_mw"


def test_prepare_rejects_a_target_that_is_not_numeric(data_file):
    dataset = load_csv(data_file("shuffled_dates.csv"))
    with pytest.raises(ProblemError) as raised:
        prepare(dataset, RunConfig(target="station"))
    finding = raised.value.finding
    assert finding.code == "DATA004"
    assert finding.fix == {"target": "value"}


def test_prepare_rejects_unknown_features(data_file):
    with pytest.raises(ProblemError) as raised:
        prepare(load_csv(data_file("hourly.csv")), RunConfig(target="load_mw", features=("humidity",)))
    assert raised.value.finding.code == "DATA005"


def test_prepare_with_too_long_a_window_reports_and_does_not_window(data_file):
    prepared = prepare(load_csv(data_file("hourly.csv")), RunConfig(target="load_mw", timesteps=150))
    assert not prepared.ready
    assert prepared.windows is None
    assert "DATA007" in [f.code for f in prepared.findings]


def test_tiny_training_records_two_epochs(tiny_run):
    state, _ = tiny_run
    assert state.status == "completed"
    assert state.epochs_done == 2
    assert len(state.history["loss"]) == 2 and len(state.history["val_loss"]) == 2
    assert all(math.isfinite(v) for v in state.history["loss"] + state.history["val_loss"])
    assert len(state.epoch_seconds) == 2
    assert state.best_epoch in (1, 2)
    assert tuple(state.model.input_shape) == (None, 24, 1)
    assert state.model.count_params() == 4 * (8 * (1 + 8) + 8) + 8 + 1


def test_listener_hears_start_each_epoch_and_stopped(tiny_run):
    state, recorder = tiny_run
    assert recorder.kinds() == ["start", "epoch_end", "epoch_end", "stopped"]
    start = recorder.payloads("start")[0]
    assert start["epochs"] == 2 and start["samples"] == 816 and start["steps"] == math.ceil(816 / 32)
    epochs = recorder.payloads("epoch_end")
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert [e["loss"] for e in epochs] == state.history["loss"]
    assert [e["val_loss"] for e in epochs] == state.history["val_loss"]
    assert all(e["seconds"] > 0 for e in epochs)
    assert epochs[1]["elapsed"] > epochs[0]["elapsed"]
    assert recorder.payloads("stopped") == [{"status": "completed", "reason": "", "epochs": 2}]


def test_same_seed_gives_the_same_losses(noisy_prepared, tiny_run):
    first, _ = tiny_run
    again = train(noisy_prepared)
    assert again.history == first.history


def test_evaluate_scores_model_and_both_baselines_in_original_units(noisy_prepared, tiny_run):
    state, _ = tiny_run
    report = evaluate(noisy_prepared, state.model)
    assert set(report.metrics["baselines"]) == {"persistence", "seasonal_naive", "ets"}
    for scores in [report.metrics["model"], *report.metrics["baselines"].values()]:
        assert math.isfinite(scores["mae"]) and math.isfinite(scores["rmse"])
        assert scores["rmse"] >= scores["mae"] > 0
    target = noisy_prepared.values[:, 0]
    assert len(report.actual) == len(report.predicted) == 156
    np.testing.assert_array_equal(report.actual, target[report.target_rows])
    assert report.target_rows.min() >= 1020 + 24
    np.testing.assert_array_equal(report.baselines["persistence"], target[report.target_rows - 1])
    np.testing.assert_array_equal(report.baselines["seasonal_naive"], target[report.target_rows - 24])
    # Predictions come back in the series' own units, not the scaled ones the model sees.
    assert abs(report.predicted.mean() - target[:840].mean()) < 1.0
    assert "baseline" in report.verdict
    assert report.to_dict()["season"] == 24


def test_forecast_returns_finite_values_past_the_end(noisy_prepared, tiny_run):
    state, _ = tiny_run
    values = forecast(noisy_prepared, state.model, steps=5)
    assert values.shape == (5,)
    assert np.isfinite(values).all()
    assert np.abs(values).max() < 5  # the series stays within about ±2.5


def test_request_stop_from_a_listener_stops_after_that_epoch(noisy_prepared, recorder):
    config = noisy_prepared.config.replace(epochs=4)
    # Without XLA the model compiles in a fraction of the time; the stop logic is the same.
    runner = Runner(config, noisy_prepared.windows, [recorder], jit_compile=False)

    def stop_after_first(kind, payload):
        if kind == "epoch_end" and payload["epoch"] == 1:
            runner.request_stop()

    runner.listeners.append(stop_after_first)
    state = runner.run()
    assert state.status == "stopped_early"
    assert "user" in state.reason
    assert state.epochs_done == 1
    assert len(state.history["loss"]) == 1 and len(state.history["val_loss"]) == 1
    assert state.model is not None
    assert recorder.kinds() == ["start", "epoch_end", "stopped"]
    assert recorder.payloads("stopped")[0]["epochs"] == 1


def test_request_stop_before_the_first_epoch_is_honoured(noisy_prepared):
    config = noisy_prepared.config.replace(epochs=3)
    runner = Runner(config, noisy_prepared.windows, jit_compile=False)
    runner.listeners.append(lambda kind, payload: runner.request_stop() if kind == "start" else None)
    state = runner.run()
    assert state.status == "stopped_early"
    assert state.epochs_done <= 1
    assert state.reason == "stopped by the user"


def test_a_stop_with_a_reason_keeps_that_reason(noisy_prepared):
    config = noisy_prepared.config.replace(epochs=4)
    runner = Runner(config, noisy_prepared.windows, jit_compile=False)
    runner.listeners.append(lambda kind, payload: runner.request_stop("wall-time limit reached")
                            if kind == "epoch_end" and payload["epoch"] == 2 else None)
    state = runner.run()
    assert (state.status, state.reason, state.epochs_done) == ("stopped_early", "wall-time limit reached", 2)


def _stop_mid_execution(runner, after_batches: int) -> dict:
    """Run `runner`, asking it to stop from another thread once `after_batches` batches have trained (a few
    batches into a compiled call of STEPS_PER_EXECUTION batches); returns the optimizer's step counts."""
    import threading
    import time

    seen = {}

    def watch():
        while True:
            model = runner.state.model
            if model is not None and int(model.optimizer.iterations.numpy()) >= after_batches:
                runner.request_stop("stopped by you")
                seen["asked"] = int(model.optimizer.iterations.numpy())
                return
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    state = runner.run()
    watcher.join(5)
    seen["trained"] = int(state.model.optimizer.iterations.numpy())
    seen["state"] = state
    return seen


def test_a_stop_mid_epoch_ends_the_run_within_one_batch(noisy_prepared):
    from lstm_core.model import STEPS_PER_EXECUTION

    # 816 windows in batches of 8: 102 batches an epoch, 32 of them to one compiled call.
    config = noisy_prepared.config.replace(epochs=2, batch_size=8)
    runner = Runner(config, noisy_prepared.windows, jit_compile=False)
    seen = _stop_mid_execution(runner, STEPS_PER_EXECUTION + 4)
    state = seen["state"]
    # The batch training when the stop came and at most one taken before it; Keras alone would finish the call.
    assert seen["trained"] - seen["asked"] <= 2, seen
    assert (state.status, state.reason, state.epochs_done) == ("stopped_early", "stopped by you", 1)


def test_a_stop_ends_a_language_model_within_one_batch():
    from lstm_core.config import RunConfig
    from lstm_core.jobs.tasks import prepare_from, runner_for_task
    from lstm_core.model import STEPS_PER_EXECUTION
    from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES

    sample = TEXT_SAMPLES["tales_small"]
    config = RunConfig(task="text-lm", **{**sample.settings, "epochs": 2, "batch_size": 16, "units": 16})
    runner = runner_for_task(prepare_from("text", sample.make().encode(), "tales.txt", config), ticks=False)
    seen = _stop_mid_execution(runner, STEPS_PER_EXECUTION + 4)
    assert seen["trained"] - seen["asked"] <= 2, seen
    assert seen["state"].status == "stopped_early" and seen["state"].epochs_done == 1


def test_the_training_batches_run_without_tf_data_autotuning(noisy_prepared):
    """Its thread held up the start of the next epoch (the last epoch's iterator waits for it when dropped): a
    second epoch took 0.5-1.4 s instead of 0.05 in about half the runs. The batches fed to fit leave it off, for a
    forecast and for a language model alike (both go through Runner.halting), in the same order as before."""
    import numpy as np

    from lstm_core.batches import shuffled_batches
    from lstm_core.train import Runner

    w = noisy_prepared.windows
    batches, _ = shuffled_batches(w.x_train, w.y_train, 32, seed=1)
    fed = Runner(noisy_prepared.config, w).halting(batches)
    assert fed.options().autotune.enabled is False
    assert fed.options().experimental_optimization.inject_prefetch is False
    first = np.concatenate([y.numpy() for _, y in fed])
    assert np.array_equal(first, np.concatenate([y.numpy() for _, y in batches])), "same batches, same order"
    assert sorted(first.ravel()) == sorted(w.y_train.astype("float32").ravel()), "every window once an epoch"

"""Windows, chronological splits and scalers: counts at the edges, views, and no leakage from later rows."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.tasks.forecast.windows import Scaler, build_windows, make_windows, split_rows, window_count


def series(rows: int, features: int = 1) -> np.ndarray:
    """Unique values everywhere: column j holds 1000 * j + row, so every value names its row and column."""
    return np.arange(rows, dtype="float64")[:, None] + 1000.0 * np.arange(features)


@pytest.mark.parametrize(("timesteps", "horizon"), [(1, 1), (5, 1), (24, 3), (10, 10)])
def test_exactly_timesteps_plus_horizon_rows_make_one_window(timesteps, horizon):
    rows = timesteps + horizon
    assert window_count(rows, timesteps, horizon) == 1
    assert window_count(rows - 1, timesteps, horizon) == 0
    x, y = make_windows(series(rows), 0, timesteps, horizon)
    assert x.shape == (1, timesteps, 1)
    assert y.shape == (1,)
    x, y = make_windows(series(rows - 1), 0, timesteps, horizon)
    assert x.shape == (0, timesteps, 1)
    assert y.shape == (0,)


def test_stride_adds_a_window_only_every_stride_rows():
    timesteps, horizon, stride = 6, 2, 4
    base = timesteps + horizon
    assert [window_count(base + extra, timesteps, horizon, stride) for extra in range(10)] == [
        1, 1, 1, 1, 2, 2, 2, 2, 3, 3]


@pytest.mark.parametrize(("timesteps", "horizon", "stride"), [(1, 1, 1), (4, 2, 1), (5, 3, 3), (7, 1, 5)])
def test_make_windows_yields_window_count_windows(timesteps, horizon, stride):
    for rows in range(40):
        x, y = make_windows(series(rows, 2), 0, timesteps, horizon, stride)
        assert len(x) == len(y) == window_count(rows, timesteps, horizon, stride), rows


def test_empty_multi_step_windows_keep_the_horizon_axis():
    x, y = make_windows(series(4, 3), 0, timesteps=5, horizon=2, multi_step=True)
    assert x.shape == (0, 5, 3)
    assert y.shape == (0, 2)


@pytest.mark.parametrize(("timesteps", "horizon", "stride"), [(3, 1, 1), (4, 3, 2), (5, 2, 3)])
def test_x_holds_consecutive_rows_and_y_the_row_horizon_after_the_last(timesteps, horizon, stride):
    values = series(30, 2)
    target = values[:, 1]
    x, y = make_windows(values, 1, timesteps, horizon, stride)
    for i in range(len(x)):
        start = i * stride
        np.testing.assert_array_equal(x[i], values[start:start + timesteps])
        assert y[i] == target[start + timesteps - 1 + horizon]


def test_multi_step_y_holds_the_next_horizon_targets():
    timesteps, horizon, stride = 4, 3, 2
    values = series(25, 2)
    x, y = make_windows(values, 0, timesteps, horizon, stride, multi_step=True)
    assert y.shape == (len(x), horizon)
    for i in range(len(x)):
        last = i * stride + timesteps - 1
        np.testing.assert_array_equal(y[i], values[last + 1:last + 1 + horizon, 0])


def test_x_is_a_read_only_view_of_the_input_not_a_copy():
    values = series(1000, 3)
    x, _ = make_windows(values, 0, timesteps=50, horizon=1)
    assert x.base is not None
    assert np.shares_memory(x, values)
    assert not x.flags.writeable
    # A copy would cost windows × timesteps × features values; the view costs none.
    assert x.size == 950 * 50 * 3


def test_split_is_chronological_and_covers_every_row_once():
    split = split_rows(100, val_fraction=0.15, test_fraction=0.2)
    assert split.train == (0, 65)
    assert split.val == (65, 80)
    assert split.test == (80, 100)
    assert split.train[1] == split.val[0] and split.val[1] == split.test[0]
    # 99 × 0.15 = 14.85 rows rounds to 15, not down to 14.
    assert split_rows(99, 0.15, 0.15).parts() == {"train": (0, 69), "val": (69, 84), "test": (84, 99)}


def test_split_without_validation_leaves_val_empty():
    split = split_rows(50, val_fraction=0.0, test_fraction=0.2)
    assert split.val[0] == split.val[1] == 40
    assert split.test == (40, 50)


@pytest.mark.parametrize("scaling", ["none", "standard", "minmax"])
@pytest.mark.parametrize(("timesteps", "horizon", "stride", "multi_step"),
                         [(8, 1, 1, False), (12, 5, 1, False), (6, 4, 3, True), (20, 1, 2, False)])
def test_no_validation_or_test_value_ever_appears_in_a_train_window(scaling, timesteps, horizon, stride,
                                                                      multi_step):
    values = series(300, 2)
    config = RunConfig(timesteps=timesteps, horizon=horizon, stride=stride, multi_step=multi_step,
                       scaling=scaling, val_fraction=0.2, test_fraction=0.2)
    windows = build_windows(values, ["target", "feature"], 0, config)
    scaler = windows.scaler

    def original(array: np.ndarray, column: int) -> set[float]:
        return set(np.rint(scaler.inverse_column(array, column)).ravel().tolist())

    seen = {}
    for part in ("train", "val", "test"):
        x, y = getattr(windows, f"x_{part}"), getattr(windows, f"y_{part}")
        assert len(x) > 0
        seen[part] = {"x0": original(x[..., 0], 0), "x1": original(x[..., 1], 1), "y": original(y, 0)}
    rows = {part: set(range(start, stop)) for part, (start, stop) in windows.split.parts().items()}
    for part in ("train", "val", "test"):
        # Column 0 holds the row number and column 1 is 1000 + the row number.
        used = seen[part]["x0"] | seen[part]["y"] | {v - 1000 for v in seen[part]["x1"]}
        assert used <= rows[part], f"{part} windows use rows outside the {part} part"
    assert not (seen["train"]["x0"] | seen["train"]["y"]) & (rows["val"] | rows["test"])
    assert not (seen["val"]["x0"] | seen["val"]["y"]) & rows["test"]


def test_test_target_rows_name_the_rows_the_test_targets_came_from():
    values = series(200)
    config = RunConfig(timesteps=10, horizon=3, stride=2, scaling="none")
    windows = build_windows(values, ["v"], 0, config)
    rows = windows.test_target_rows(config.timesteps, config.horizon, config.stride)
    np.testing.assert_array_equal(values[rows, 0], windows.y_test)
    assert rows.min() >= windows.split.test[0] + config.timesteps


def test_scaler_is_fit_on_train_rows_only():
    values = series(100, 2)
    values[70:] *= 50  # later rows are far larger: any peek at them moves the statistics
    config = RunConfig(scaling="standard", val_fraction=0.15, test_fraction=0.15)
    windows = build_windows(values, ["a", "b"], 0, config)
    train = values[:70]
    assert windows.split.train == (0, 70)
    assert windows.scaler.fitted_rows == 70
    np.testing.assert_allclose(windows.scaler.offset, train.mean(axis=0))
    np.testing.assert_allclose(windows.scaler.scale, train.std(axis=0))
    scaled_train = windows.scaled[:70]
    np.testing.assert_allclose(scaled_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled_train.std(axis=0), 1, atol=1e-5)


def test_minmax_scaler_maps_the_train_range_to_zero_one():
    values = series(50, 2)
    scaler = Scaler.fit(values[:30], "minmax")
    np.testing.assert_allclose(scaler.offset, values[:30].min(axis=0))
    np.testing.assert_allclose(scaler.scale, np.ptp(values[:30], axis=0))
    scaled = scaler.transform(values)
    assert scaled[:30].min() == 0 and scaled[:30].max() == pytest.approx(1)
    # Rows after the train part may leave [0, 1]: that is the point of fitting on train only.
    assert scaled[30:].max() > 1


def test_scaler_ignores_missing_values_and_keeps_constant_columns_finite():
    train = np.array([[1.0, 5.0], [np.nan, 5.0], [3.0, 5.0]])
    scaler = Scaler.fit(train, "standard")
    assert scaler.offset.tolist() == [2.0, 5.0]
    assert scaler.scale.tolist() == [1.0, 1.0]  # std of [1, 3] is 1; a constant column divides by 1
    assert np.isfinite(scaler.transform(np.array([[2.0, 5.0]]))).all()


@pytest.mark.parametrize("method", ["standard", "minmax", "none"])
def test_inverse_transform_round_trips(method):
    rng = np.random.default_rng(3)
    values = np.column_stack([rng.normal(5000, 300, 80), rng.uniform(-2, 2, 80)])
    scaler = Scaler.fit(values[:50], method)
    scaled = scaler.transform(values)
    assert scaled.dtype == np.float32
    for column in range(2):
        back = scaler.inverse_column(scaled[:, column], column)
        np.testing.assert_allclose(back, values[:, column], rtol=1e-6, atol=1e-4)

"""Train again the LSTM of an LSTM Playground run, standalone: keras, numpy and pandas only.

    python train_script.py DATA.csv [--out losses.csv]

It reads the CSV as the playground did, applies the same missing-value choice, differencing, chronological split,
scaling fit on the training rows and windows, builds the same model with the same compile settings and seed,
trains it, and prints the loss of every epoch (also written to --out). It covers the forecast task only.
Edit CONFIG to try other settings.
"""

import argparse
import os
import sys

# The playground's thread settings: one thread per op gives the same sums in the same order, so the same losses.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

CONFIG = {}  # replaced by the run's settings when exported

# How the playground read the file, and how it compiled the model.
READING = {}  # replaced when exported
JIT_COMPILE = True
STEPS_PER_EXECUTION = 32


def read_values(path):
    """The target column first, then the features, as float64 rows in time order, missing values handled."""
    try:
        frame = pd.read_csv(path, sep=READING["delimiter"], decimal=READING["decimal"], skipinitialspace=True,
                            keep_default_na=False, na_values=[""], encoding=READING["encoding"])
    except (OSError, ValueError) as exc:
        sys.exit(f"Cannot read {path}: {exc}")
    frame.columns = [str(c).strip() for c in frame.columns]
    columns = [CONFIG["target"], *CONFIG["features"]]
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        sys.exit(f"{path} lacks column(s) {', '.join(absent)}; its columns: {', '.join(frame.columns)}")
    time_column = READING["time_column"]
    if time_column in frame.columns:
        frame[time_column] = to_datetime(frame[time_column])
        frame = frame.sort_values(time_column, kind="stable").reset_index(drop=True)
    for column in columns:
        frame[column] = to_numbers(frame[column])
    return handle_missing(frame[columns], CONFIG["missing"]).to_numpy(dtype="float64")


def to_numbers(column):
    if not pd.api.types.is_numeric_dtype(column):
        text = column.astype("string").str.strip()
        if READING["decimal"] == ",":
            text = text.str.replace(",", ".", regex=False)
        column = pd.to_numeric(text, errors="coerce")
    return column.astype("float64").replace([np.inf, -np.inf], np.nan)


def to_datetime(column):
    if pd.api.types.is_numeric_dtype(column):
        text = column.astype("Int64").astype(str)
        return pd.to_datetime(text, format="%Y%m%d" if text.str.len().eq(8).all() else "%Y", errors="coerce")
    text = column.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if parsed.notna().mean() < 0.9:
        parsed = pd.to_datetime(text, format="mixed", errors="coerce")
    return parsed


def handle_missing(part, method):
    if method == "interpolate":
        part = part.interpolate(method="linear", limit_direction="both")
    elif method == "ffill":
        part = part.ffill().bfill()
    elif method == "drop":
        part = part.dropna().reset_index(drop=True)
    if part.isna().any().any():
        sys.exit(f"{int(part.isna().sum().sum())} missing value(s) left: set CONFIG['missing'] to 'interpolate', "
                 "'ffill' or 'drop'")
    return part


def split_rows(rows):
    """Row ranges of train, validation and test, in time order."""
    test = round(rows * CONFIG["test_fraction"])
    val = round(rows * CONFIG["val_fraction"])
    train = rows - val - test
    return (0, train), (train, train + val), (train + val, rows)


def fit_scaler(train):
    method = CONFIG["scaling"]
    if method == "standard":
        offset, scale = np.nanmean(train, axis=0), np.nanstd(train, axis=0)
    elif method == "minmax":
        offset = np.nanmin(train, axis=0)
        scale = np.nanmax(train, axis=0) - offset
    else:
        offset, scale = np.zeros(train.shape[1]), np.ones(train.shape[1])
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return np.where(np.isfinite(offset), offset, 0.0), scale


def scale_values(values, offset, scale):
    scaled = np.array(values, dtype="float32")
    scaled -= offset.astype("float32")
    scaled /= scale.astype("float32")
    return scaled


def make_windows(values):
    """x[i]: rows i*stride ... i*stride+timesteps-1; y[i]: the target `horizon` rows later (or 1 ... horizon)."""
    timesteps, horizon, stride = CONFIG["timesteps"], CONFIG["horizon"], CONFIG["stride"]
    span = len(values) - timesteps - horizon + 1
    count = 0 if span <= 0 else (span - 1) // stride + 1
    if count == 0:
        return np.empty((0, timesteps, values.shape[1]), "float32"), np.empty((0,), "float32")
    x = sliding_window_view(values[: len(values) - horizon], timesteps, axis=0).transpose(0, 2, 1)[::stride][:count]
    last = np.arange(count) * stride + timesteps - 1
    target = values[:, 0]
    y = target[last[:, None] + np.arange(1, horizon + 1)] if CONFIG["multi_step"] else target[last + horizon]
    return np.ascontiguousarray(x, dtype="float32"), np.ascontiguousarray(y, dtype="float32")


def windows(values):
    seen = np.diff(values, axis=0) if CONFIG["difference"] else values
    parts = split_rows(len(seen))
    offset, scale = fit_scaler(seen[parts[0][0]:parts[0][1]])
    scaled = scale_values(seen, offset, scale)
    return [make_windows(scaled[start:stop]) for start, stop in parts]


def build_model(keras, features):
    inputs = keras.Input((CONFIG["timesteps"], features), name="window")
    x = inputs
    for index in range(CONFIG["layers"]):
        layer = keras.layers.LSTM(
            CONFIG["units"], activation=CONFIG["activation"], recurrent_activation=CONFIG["recurrent_activation"],
            dropout=CONFIG["dropout"], recurrent_dropout=CONFIG["recurrent_dropout"],
            return_sequences=index < CONFIG["layers"] - 1, seed=CONFIG["seed"] + index, name=f"lstm_{index + 1}")
        if CONFIG["bidirectional"]:
            layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{index + 1}")
        x = layer(x)
    units = CONFIG["output_units"] or (CONFIG["horizon"] if CONFIG["multi_step"] else 1)
    outputs = keras.layers.Dense(units, activation=CONFIG["output_activation"] or "linear", name="head")(x)
    model = keras.Model(inputs, outputs, name="lstm_playground")
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    model.compile(optimizer=optimizers[CONFIG["optimizer"]](learning_rate=CONFIG["learning_rate"]),
                  loss=CONFIG["loss"] or "mse", jit_compile=JIT_COMPILE, steps_per_execution=STEPS_PER_EXECUTION)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="the CSV file the run trained on")
    parser.add_argument("--out", default="losses.csv", help="where to write the loss of every epoch")
    args = parser.parse_args(argv)
    if CONFIG["task"] != "forecast":
        sys.exit(f"This script covers the forecast task; CONFIG['task'] is {CONFIG['task']!r}.")
    (x_train, y_train), (x_val, y_val), _ = windows(read_values(args.data))
    if not len(x_train):
        sys.exit("No training window: the file is shorter than timesteps + horizon rows.")
    import keras

    keras.utils.set_random_seed(CONFIG["seed"])
    model = build_model(keras, x_train.shape[2])
    validation = (x_val, y_val) if len(x_val) else None
    callbacks = [keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
        f"epoch {epoch + 1}  loss {logs['loss']:.9g}" + (f"  val_loss {logs['val_loss']:.9g}" if validation else ""),
        flush=True))]
    if CONFIG["early_stopping"] and validation is not None:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=CONFIG["patience"],
                                                       restore_best_weights=True))
    history = model.fit(x_train, y_train, batch_size=CONFIG["batch_size"], epochs=CONFIG["epochs"],
                        validation_data=validation, shuffle=True, verbose=0, callbacks=callbacks)
    table = pd.DataFrame(history.history)
    table.insert(0, "epoch", np.arange(1, len(table) + 1))
    table.to_csv(args.out, index=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

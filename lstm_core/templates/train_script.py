"""Train again the LSTM of an LSTM Playground run, standalone: keras, numpy and pandas only.

    python train_script.py DATA.csv [--out losses.csv]

It reads the CSV as the playground did, applies the same missing-value choice, differencing, chronological split,
scaling fit on the training rows and windows, builds the same model with the same compile settings and seeds,
trains it on batches in the same order, and prints the loss of every epoch (also written to --out). It covers the
forecast task and the classification of whole sequences (long or wide files) or of windows. Edit CONFIG to try
other settings.

Longer than 300 lines: the script is written out as one file, to be run alone, so it carries its own reading,
windows and model code.
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

TASKS = ("forecast", "classify-sequences", "classify-windows")

CONFIG = {}  # replaced by the run's settings when exported

# How the playground read the file, and how it compiled the model.
READING = {}  # replaced when exported
JIT_COMPILE = True
STEPS_PER_EXECUTION = 32


def read_frame(path):
    """The file's rows in time order (sorted by the time column the playground found, if any)."""
    try:
        frame = pd.read_csv(path, sep=READING["delimiter"], decimal=READING["decimal"], skipinitialspace=True,
                            keep_default_na=False, na_values=[""], encoding=READING["encoding"])
    except (OSError, ValueError) as exc:
        sys.exit(f"Cannot read {path}: {exc}")
    frame.columns = [str(c).strip() for c in frame.columns]
    roles = [CONFIG.get(role) for role in ("target", "id_column", "order_column", "label_column")]
    absent = [c for c in [*roles, *CONFIG["features"]] if c is not None and c not in frame.columns]
    if absent:
        sys.exit(f"{path} lacks column(s) {', '.join(absent)}; its columns: {', '.join(frame.columns)}")
    time_column = READING["time_column"]
    if time_column in frame.columns:
        frame[time_column] = to_datetime(frame[time_column])
        frame = frame.sort_values(time_column, kind="stable").reset_index(drop=True)
    for column in [CONFIG.get("target"), *CONFIG["features"]]:
        if column is not None:
            frame[column] = to_numbers(frame[column])
    return frame


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


def handle_missing(frame, columns):
    method = CONFIG["missing"]
    part = frame[columns]
    if method == "interpolate":
        part = part.interpolate(method="linear", limit_direction="both")
    elif method == "ffill":
        part = part.ffill().bfill()
    elif method == "drop":
        return frame.loc[part.dropna().index].reset_index(drop=True)
    out = frame.copy()
    out[columns] = part
    return out


def no_missing_left(values):
    holes = int((~np.isfinite(values)).sum())
    if holes:
        sys.exit(f"{holes} missing value(s) left: set CONFIG['missing'] to 'interpolate', 'ffill' or 'drop'")


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


def make_windows(values, target_index=0, multi_step=None):
    """x[i]: rows i*stride ... i*stride+timesteps-1; y[i]: the target `horizon` rows later (or 1 ... horizon)."""
    timesteps, horizon, stride = CONFIG["timesteps"], CONFIG["horizon"], CONFIG["stride"]
    span = len(values) - timesteps - horizon + 1
    count = 0 if span <= 0 else (span - 1) // stride + 1
    if count == 0:
        return np.empty((0, timesteps, values.shape[1]), "float32"), np.empty((0,), "float32")
    x = sliding_window_view(values[: len(values) - horizon], timesteps, axis=0).transpose(0, 2, 1)[::stride][:count]
    last = np.arange(count) * stride + timesteps - 1
    target = values[:, target_index]
    multi_step = CONFIG["multi_step"] if multi_step is None else multi_step
    y = target[last[:, None] + np.arange(1, horizon + 1)] if multi_step else target[last + horizon]
    return np.ascontiguousarray(x, dtype="float32"), np.ascontiguousarray(y, dtype="float32")


def forecast_data(frame):
    """Train, validation and test windows of the target (first) and feature columns."""
    columns = [CONFIG["target"], *CONFIG["features"]]
    values = handle_missing(frame, columns)[columns].to_numpy(dtype="float64")
    no_missing_left(values)
    seen = np.diff(values, axis=0) if CONFIG["difference"] else values
    parts = split_rows(len(seen))
    offset, scale = fit_scaler(seen[parts[0][0]:parts[0][1]])
    scaled = scale_values(seen, offset, scale)
    return [make_windows(scaled[start:stop]) for start, stop in parts], {}


def clean_label(value):
    """Labels as written: whole numbers as ints (1.0 → 1), text stripped, empty cells as None."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    return str(value).strip() or None


def label_values(column):
    codes, uniques = pd.factorize(pd.Series(column))
    return np.array([*(clean_label(v) for v in uniques), None], dtype=object)[codes]


def encode(labels):
    """Classes sorted (numbers first, as numbers; then text) and each label's code 0 ... K-1, or -1 for none."""
    present = {v for v in labels if v is not None}
    classes = sorted(present, key=lambda v: (0, float(v), "") if isinstance(v, (int, float)) else (1, 0.0, str(v)))
    lookup = {value: code for code, value in enumerate(classes)}
    return classes, np.array([lookup.get(v, -1) if v is not None else -1 for v in labels], dtype="int64")


def window_data(frame):
    """classify-windows: each window labelled by the label `horizon` rows after its last row."""
    order = CONFIG["order_column"]
    if order and order != READING["time_column"]:
        frame = frame.sort_values(order, kind="stable").reset_index(drop=True)
    features = list(CONFIG["features"])
    frame = handle_missing(frame, features)
    values = frame[features].to_numpy(dtype="float64")
    classes, codes = encode(label_values(frame[CONFIG["label_column"]]))
    parts = split_rows(len(values))
    offset, scale = fit_scaler(values[parts[0][0]:parts[0][1]])
    block = np.column_stack([scale_values(values, offset, scale), codes.astype("float32")])
    out = []
    for start, stop in parts:
        x, y = make_windows(block[start:stop], target_index=len(features), multi_step=False)
        labelled = y != -1
        out.append((np.ascontiguousarray(x[labelled, :, :len(features)]), y[labelled].astype("float32")))
    return out, {"n_classes": len(classes), "timesteps": CONFIG["timesteps"], "mask_value": None}


def read_sequences(frame):
    """(ids, steps, labels): one (length, features) array per sequence, from a long or a wide file."""
    if CONFIG["layout"] == "wide":
        values = frame[list(CONFIG["features"])].to_numpy(dtype="float64")
        filled = np.isfinite(values)
        # Trailing empty cells end a shorter sequence; other empty cells are missing values.
        lengths = np.where(filled.any(axis=1), values.shape[1] - np.argmax(filled[:, ::-1], axis=1), 0)
        steps = [row[:length, None] for row, length in zip(values, lengths, strict=True)]
        return steps, list(label_values(frame[CONFIG["label_column"]])), {}
    frame = frame[frame[CONFIG["id_column"]].notna()]
    codes, _ = pd.factorize(frame[CONFIG["id_column"]], sort=False)
    sort_by = pd.DataFrame({"sequence": codes})
    if CONFIG["order_column"]:
        sort_by["order"] = frame[CONFIG["order_column"]].to_numpy()
    rows = np.asarray(sort_by.sort_values(list(sort_by.columns), kind="stable").index)
    codes = codes[rows]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    steps = np.split(frame[list(CONFIG["features"])].to_numpy(dtype="float64")[rows], starts[1:])
    labels, conflicts = [], {}
    for index, seen in enumerate(np.split(label_values(frame[CONFIG["label_column"]].to_numpy()[rows]), starts[1:])):
        present = [v for v in seen if v is not None]
        if len(set(present)) > 1:
            conflicts[index] = present
        labels.append(present[-1] if present else None)
    return steps, labels, conflicts


def settle_labels(steps, labels, conflicts):
    """A label that changes within a sequence: keep the last, take the majority (ties: the one seen last), or drop."""
    choice = CONFIG["label_conflict"]
    if choice == "drop":
        keep = [i for i in range(len(steps)) if i not in conflicts]
        return [steps[i] for i in keep], [labels[i] for i in keep]
    if choice == "majority":
        for index, seen in conflicts.items():
            counts = {v: seen.count(v) for v in seen}
            labels[index] = next(v for v in reversed(seen) if counts[v] == max(counts.values()))
    return steps, labels


def fill_steps(steps):
    """The missing-value choice within each sequence, so nothing leaks from one sequence into the next."""
    method, out = CONFIG["missing"], []
    for array in steps:
        if method == "none" or np.isfinite(array).all():
            out.append(array)
        elif method == "drop":
            out.append(array[np.isfinite(array).all(axis=1)])
        else:
            part = pd.DataFrame(array)
            part = part.interpolate(limit_direction="both") if method == "interpolate" else part.ffill().bfill()
            out.append(part.to_numpy(dtype="float64"))
    return out


def stratified_split(codes):
    """Sequence indices of train, validation and test, cut class by class with the run's seed."""
    rng = np.random.default_rng(CONFIG["seed"])
    parts = ([], [], [])

    def share(size, fraction, ceiling):
        return 0 if fraction <= 0 or ceiling <= 0 else int(min(max(1, round(size * fraction)), ceiling))

    for code in np.unique(codes):
        members = rng.permutation(np.flatnonzero(codes == code))
        test = share(len(members), CONFIG["test_fraction"], len(members) - 1)
        val = share(len(members), CONFIG["val_fraction"], len(members) - test - 1)
        parts[2].append(members[:test])
        parts[1].append(members[test:test + val])
        parts[0].append(members[test + val:])
    return [np.sort(np.concatenate(chunks)).astype("int64") for chunks in parts]


def pad(steps, maxlen, features, value):
    out = np.full((len(steps), maxlen, features), value, dtype="float32")
    for row, array in enumerate(steps):
        kept = array[-maxlen:] if CONFIG["truncate"] == "pre" else array[:maxlen]
        if len(kept):
            if CONFIG["pad"] == "post":
                out[row, :len(kept)] = kept
            else:
                out[row, maxlen - len(kept):] = kept
    return out


def sequence_data(frame):
    """classify-sequences: sequences padded to one length, split by class, scaled on the training sequences."""
    steps, labels, conflicts = read_sequences(frame)
    steps, labels = settle_labels(steps, labels, conflicts)
    steps = fill_steps(steps)
    kept = [i for i, (array, label) in enumerate(zip(steps, labels, strict=True))
            if len(array) >= CONFIG["min_length"] and label is not None]
    steps, labels = [steps[i] for i in kept], [labels[i] for i in kept]
    no_missing_left(np.concatenate(steps) if steps else np.empty((0, 1)))
    classes, codes = encode(labels)
    parts = stratified_split(codes)
    lengths = np.array([len(s) for s in steps])
    maxlen = CONFIG["maxlen"] or max(1, int(np.percentile(lengths, 95, method="inverted_cdf")))
    offset, scale = fit_scaler(np.concatenate([steps[i] for i in parts[0]]))
    scaled = [scale_values(s, offset, scale) for s in steps]
    # A round number below every scaled value: the Masking layer skips steps equal to it.
    everything = np.concatenate(scaled)
    pad_value = float(np.floor(everything[np.isfinite(everything)].min()) - 1.0)
    features = steps[0].shape[1]
    out = [(pad([scaled[i] for i in index], maxlen, features, pad_value), codes[index].astype("float32"))
           for index in parts]
    mask = pad_value if CONFIG["masking"] else None
    return out, {"n_classes": len(classes), "timesteps": maxlen, "mask_value": mask}


def head(n_classes):
    """(units, activation, loss), filling what the run left on auto as the playground does."""
    if n_classes is None:
        units = CONFIG["output_units"] or (CONFIG["horizon"] if CONFIG["multi_step"] else 1)
        return units, CONFIG["output_activation"] or "linear", CONFIG["loss"] or "mse"
    activation, loss = CONFIG["output_activation"], CONFIG["loss"]
    per_class = activation == "softmax" or loss in ("sparse_categorical_crossentropy", "categorical_crossentropy")
    units = CONFIG["output_units"] or (n_classes if per_class or n_classes > 2 else 1)
    activation = activation or ("sigmoid" if units == 1 else "softmax")
    return units, activation, loss or ("binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy")


def seed_of(layer, part):
    """The playground's seed for each initialiser and dropout, all from the run's seed (never a process-wide one)."""
    return CONFIG["seed"] * 1009 + layer * 16 + part


def lstm(keras, index, return_sequences, go_backwards):
    part = 4 if go_backwards else 0
    return keras.layers.LSTM(
        CONFIG["units"], activation=CONFIG["activation"], recurrent_activation=CONFIG["recurrent_activation"],
        dropout=CONFIG["dropout"], recurrent_dropout=CONFIG["recurrent_dropout"], return_sequences=return_sequences,
        go_backwards=go_backwards,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed_of(index, part + 1)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=seed_of(index, part + 2)),
        seed=seed_of(index, part + 3), name=f"lstm_{index + 1}{'_backward' if go_backwards else ''}")


def build_model(keras, features, n_classes=None, timesteps=None, mask_value=None):
    inputs = keras.Input((timesteps or CONFIG["timesteps"], features), name="window")
    x = inputs
    if mask_value is not None:
        x = keras.layers.Masking(mask_value=mask_value, name="padding_mask")(x)
    for index in range(CONFIG["layers"]):
        last = index == CONFIG["layers"] - 1
        layer = lstm(keras, index, return_sequences=not last, go_backwards=False)
        if CONFIG["bidirectional"]:
            layer = keras.layers.Bidirectional(
                layer, backward_layer=lstm(keras, index, return_sequences=not last, go_backwards=True),
                name=f"bidirectional_{index + 1}")
        x = layer(x)
    units, activation, loss = head(n_classes)
    outputs = keras.layers.Dense(units, activation=activation, name="head",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=seed_of(99, 0)))(x)
    model = keras.Model(inputs, outputs, name="lstm_playground")
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    model.compile(optimizer=optimizers[CONFIG["optimizer"]](learning_rate=CONFIG["learning_rate"]),
                  loss=loss, jit_compile=JIT_COMPILE, steps_per_execution=STEPS_PER_EXECUTION)
    # Built now rather than inside the first training step, which TensorFlow would then trace twice (same losses).
    model.optimizer.build(model.trainable_variables)
    return model


def shuffled_batches(keras, x, y):
    """(batches, callback) in the playground's order: each epoch one permutation of the training rows, drawn in
    turn from np.random.default_rng(seed) when the callback hears that the epoch begins."""

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(CONFIG["seed"])
            self.drawn, self.order = 0, self.rng.permutation(len(x))

        def __len__(self):
            return -(-len(x) // CONFIG["batch_size"])

        def __getitem__(self, index):
            rows = self.order[index * CONFIG["batch_size"]:(index + 1) * CONFIG["batch_size"]]
            return x[rows], y[rows]

    batches = Batches()

    def begin(epoch, logs):
        # Drawn by epoch, never per pass over the data: Keras opens a spare pass at the end of every epoch.
        while batches.drawn < epoch:
            batches.order, batches.drawn = batches.rng.permutation(len(x)), batches.drawn + 1

    return batches, keras.callbacks.LambdaCallback(on_epoch_begin=begin)


def conformal_width(errors, level):
    """Split-conformal half-width: the ceil((n + 1) * level)-th smallest absolute validation error (n >= 20)."""
    errors = np.sort(np.abs(errors[np.isfinite(errors)]))
    rank = int(np.ceil((len(errors) + 1) * level / 100))
    return float(errors[rank - 1]) if len(errors) >= 20 and rank <= len(errors) else None


def part_predictions(model, frame, part):
    """(actual, predicted) levels in original units, at the horizon, for the windows of part 1 (val) or 2 (test)."""
    columns = [CONFIG["target"], *CONFIG["features"]]
    values = handle_missing(frame, columns)[columns].to_numpy(dtype="float64")
    seen = np.diff(values, axis=0) if CONFIG["difference"] else values
    parts = split_rows(len(seen))
    offset, scale = fit_scaler(seen[parts[0][0]:parts[0][1]])
    start, stop = parts[part]
    x, _ = make_windows(scale_values(seen, offset, scale)[start:stop])
    if not len(x):
        return np.zeros(0), np.zeros(0)
    horizon, stride = CONFIG["horizon"], CONFIG["stride"]
    output = np.asarray(model.predict(x, verbose=0, batch_size=256)).reshape(len(x), -1).astype("float64")
    rows = start + np.arange(len(x)) * stride + CONFIG["timesteps"] - 1 + horizon
    if CONFIG["difference"]:
        # Change i leads from level i to level i + 1: add the predicted changes onto the last known level.
        rows = rows + 1
        changes = output[:, :horizon] * scale[0] + offset[0]
        predicted = values[rows - horizon, 0] + changes.sum(axis=1)
    else:
        predicted = output[:, -1] * scale[0] + offset[0]
    return values[rows, 0], predicted


def interval_line(model, frame, level):
    """The prediction interval the playground reports: width from the validation errors, coverage on the test part."""
    actual, predicted = part_predictions(model, frame, 1)
    width = conformal_width(actual - predicted, level)
    if width is None:
        return f"{level} % interval: too few validation windows ({len(actual)}; 20 needed)"
    actual, predicted = part_predictions(model, frame, 2)
    covered = float(np.mean(np.abs(actual - predicted) <= width) * 100) if len(actual) else float("nan")
    return f"{level} % interval: +/-{width:.9g}, covered {covered:.1f} % of test points"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="the CSV file the run trained on")
    parser.add_argument("--out", default="losses.csv", help="where to write the loss of every epoch")
    parser.add_argument("--interval-level", type=int, default=80, choices=(80, 95),
                        help="forecast: the prediction interval's level in %%")
    args = parser.parse_args(argv)
    if CONFIG["task"] not in TASKS:
        sys.exit(f"This script covers the tasks {', '.join(TASKS)}; CONFIG['task'] is {CONFIG['task']!r}.")
    prepare = {"forecast": forecast_data, "classify-windows": window_data, "classify-sequences": sequence_data}
    frame = read_frame(args.data)
    ((x_train, y_train), (x_val, y_val), _), options = prepare[CONFIG["task"]](frame)
    if not len(x_train):
        sys.exit("No training example: the file is too short for the window, or every sequence was left out.")
    import keras

    model = build_model(keras, x_train.shape[2], **options)
    validation = (x_val, y_val) if len(x_val) else None
    batches, follow_epochs = shuffled_batches(keras, x_train, y_train)
    callbacks = [follow_epochs, keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
        f"epoch {epoch + 1}  loss {logs['loss']:.9g}" + (f"  val_loss {logs['val_loss']:.9g}" if validation else ""),
        flush=True))]
    if CONFIG["early_stopping"] and validation is not None:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=CONFIG["patience"],
                                                       restore_best_weights=True))
    # shuffle=False: the batches come in their own order (Keras would otherwise shuffle the batches' indices).
    history = model.fit(batches, epochs=CONFIG["epochs"], validation_data=validation, shuffle=False, verbose=0,
                        callbacks=callbacks)
    table = pd.DataFrame(history.history)
    table.insert(0, "epoch", np.arange(1, len(table) + 1))
    table.to_csv(args.out, index=False)
    print(f"wrote {args.out}")
    if CONFIG["task"] == "forecast":
        print(interval_line(model, frame, args.interval_level))


if __name__ == "__main__":
    main()

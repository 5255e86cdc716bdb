"""Classification with real, tiny Keras models: masked padding changes nothing, the samples beat their baselines,
predictions for new CSV files."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.data import load_csv
from lstm_core.model import build_model
from lstm_core.tasks.sequences import evaluate_classifier, predict_csv, prepare_classification, train_classifier
from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, classification_sample_csv

TINY = {"units": 8, "epochs": 3, "batch_size": 8, "early_stopping": False}
SHAPES = RunConfig(task="classify-sequences", **TINY)


def _prepared(data_file, name: str, config: RunConfig):
    prepared = prepare_classification(load_csv(data_file(f"classification/{name}")), config)
    assert prepared.ready, [f.to_dict() for f in prepared.findings if f.severity == "error"]
    return prepared


@pytest.fixture(scope="module")
def equal_length_runs(data_file):
    """The same 12-step sequences trained three times: unpadded, and padded to 20 steps before or after. Without
    XLA: on so little data its compile time would be most of the test's time."""
    runs = {}
    for name, patch in {"unpadded": {}, "pre": {"maxlen": 20, "pad": "pre"},
                        "post": {"maxlen": 20, "pad": "post"}}.items():
        prepared = _prepared(data_file, "long_shapes.csv", SHAPES.replace(**patch))
        runs[name] = prepared, train_classifier(prepared, jit_compile=False)
    return runs


def test_padding_with_masking_trains_exactly_like_no_padding(equal_length_runs):
    (plain, plain_state), (pre, pre_state), (post, post_state) = equal_length_runs.values()
    assert plain.windows.x_train.shape[1:] == (12, 2)
    assert pre.windows.x_train.shape[1:] == (20, 2)
    # Every sequence really is padded: 8 steps of the pad value before (pre) or after (post) its 12 real ones.
    assert (pre.windows.x_train[:, :8] == pre.windows.pad_value).all()
    assert (post.windows.x_train[:, 12:] == post.windows.pad_value).all()
    for state in (pre_state, post_state):
        np.testing.assert_allclose(state.history["loss"], plain_state.history["loss"], rtol=1e-4)
        np.testing.assert_allclose(state.history["val_loss"], plain_state.history["val_loss"], rtol=1e-4)
    expected = plain_state.model.predict(plain.windows.x_test, verbose=0)
    for prepared, state in ((pre, pre_state), (post, post_state)):
        np.testing.assert_allclose(state.model.predict(prepared.windows.x_test, verbose=0), expected, atol=1e-4)


def test_masking_runs_under_xla_without_the_fallback(equal_length_runs):
    prepared, plain_state = equal_length_runs["pre"]
    state = train_classifier(prepared, jit_compile=True)
    # The runner falls back to jit_compile=False when XLA refuses a model; a masked LSTM needs no fallback.
    assert state.status == "completed" and state.jit_compile is True
    assert state.model.get_layer("padding_mask").mask_value == prepared.windows.pad_value
    np.testing.assert_allclose(state.history["loss"], plain_state.history["loss"], rtol=1e-3)


def _gestures():
    sample = CLASSIFICATION_SAMPLES["gestures"]
    return prepare_classification(load_csv(classification_sample_csv("gestures")), sample.config(units=8))


@pytest.mark.parametrize("pad", ["pre", "post"])
def test_a_masked_padded_batch_predicts_what_each_sequence_predicts_unpadded(pad):
    import keras

    prepared = _gestures()
    config = prepared.config.replace(pad=pad)
    data = prepare_classification(prepared.dataset, config).windows
    keras.utils.set_random_seed(0)
    padded_model = build_model(config, data.features, **data.model_options)
    batch = data.x_test[:12]
    real = (batch != data.pad_value).any(axis=2)
    assert (~real).any(), "some of these gestures must be padded"
    predicted = np.asarray(padded_model(batch, training=False))
    for row in range(len(batch)):
        steps = batch[row][real[row]][None]
        # Same weights, the sequence's own length, no padding and no mask.
        alone = build_model(config, data.features, n_classes=3, timesteps=steps.shape[1])
        alone.set_weights(padded_model.get_weights())
        np.testing.assert_allclose(np.asarray(alone(steps, training=False))[0], predicted[row], atol=1e-5)


def test_without_masking_the_padding_changes_the_prediction():
    prepared = _gestures()
    data = prepared.windows
    config = prepared.config.replace(masking=False)
    import keras

    keras.utils.set_random_seed(0)
    model = build_model(config, data.features, n_classes=3, timesteps=data.maxlen)
    batch = data.x_test[:12]
    real = (batch != data.pad_value).any(axis=2)
    row = int(np.argmin(real.sum(axis=1)))
    steps = batch[row][real[row]][None]
    alone = build_model(config, data.features, n_classes=3, timesteps=steps.shape[1])
    alone.set_weights(model.get_weights())
    assert np.abs(np.asarray(alone(steps))[0] - np.asarray(model(batch[row:row + 1]))[0]).max() > 1e-3


@pytest.mark.parametrize("name", sorted(CLASSIFICATION_SAMPLES))
def test_every_sample_beats_its_majority_baseline_with_its_default_config(name):
    sample = CLASSIFICATION_SAMPLES[name]
    prepared = prepare_classification(load_csv(classification_sample_csv(name)), sample.config())
    state = train_classifier(prepared)
    report = evaluate_classifier(prepared, state.model)
    assert report.accuracy >= report.baseline_accuracy + 0.25, (report.accuracy, report.baseline_accuracy)
    assert report.verdict.startswith("The LSTM beat the majority-class baseline")
    if len(report.classes) == 2:
        assert report.roc_auc > 0.85


def test_predict_a_new_csv_without_labels(data_file, equal_length_runs):
    prepared, state = equal_length_runs["pre"]
    table = predict_csv(data_file("classification/long_unlabelled.csv"), prepared, state.model)
    assert list(table.columns) == ["id", "predicted", "p_fall", "p_flat", "p_rise"]
    assert table["id"].tolist() == [f"s{i:02d}" for i in range(1, 7)]
    assert set(table["predicted"]) <= {"fall", "flat", "rise"}
    np.testing.assert_allclose(table[["p_fall", "p_flat", "p_rise"]].sum(axis=1), 1.0, atol=1e-5)


def test_predicting_the_test_sequences_again_gives_the_reports_probabilities(data_file, equal_length_runs):
    prepared, state = equal_length_runs["unpadded"]
    report = evaluate_classifier(prepared, state.model)
    table = predict_csv(data_file("classification/long_shapes.csv"), prepared, state.model).set_index("id")
    again = table.loc[report.ids, ["p_fall", "p_flat", "p_rise"]].to_numpy()
    np.testing.assert_allclose(again, report.probabilities, atol=1e-5)
    assert report.table()["id"].tolist() == report.ids


def test_predict_wide_and_per_window_files(data_file):
    wide = _prepared(data_file, "wide_ragged.csv", SHAPES.replace(missing="interpolate"))
    model = build_model(wide.config, 1, **wide.windows.model_options)
    table = predict_csv(data_file("classification/wide_ragged.csv"), wide, model)
    assert list(table.columns) == ["id", "predicted", "p_1", "p_2"] and table["id"].tolist() == list(range(1, 41))

    windows = _prepared(data_file, "windows_updown.csv", RunConfig(task="classify-windows", timesteps=10, **TINY))
    model = build_model(windows.config, 1, **windows.windows.model_options)
    table = predict_csv(data_file("classification/windows_updown.csv"), windows, model)
    # Every window of 10 rows in 300: its id is its last row's time; the class is the next row's.
    assert len(table) == 291 and table["id"].iloc[0] == "2024-01-01 09:00:00"
    assert list(table.columns) == ["id", "predicted", "p_down", "p_up"]

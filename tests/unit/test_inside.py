"""Inside the LSTM: the numpy recomputation against Keras' own layers, masking, saturation after real trainings."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.inside import Cell, run_cell, saturation, unit_order, unit_responses
from lstm_core.inside_run import _final, inspect_window, lstm_stack, plain
from lstm_core.model import build_model

TOLERANCE = 1e-5


def keras_outputs(model, x):
    """Each LSTM (or Bidirectional) layer's output as Keras computes it."""
    import keras

    layers = lstm_stack(model).keras_layers
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    out = probe([np.asarray(x, dtype="float32")])
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def recomputed(model, x):
    stack = lstm_stack(model)
    traces, keep = stack.run(x)
    outs = []
    for cells, layer, keras_layer in zip(stack.layers, traces, stack.keras_layers, strict=True):
        sequences = keras_layer.get_config().get("return_sequences",
                                                 getattr(getattr(keras_layer, "forward_layer", None),
                                                         "return_sequences", False))
        outs.append(np.concatenate([t["hidden"] for t in layer], axis=-1) if sequences else _final(cells, layer))
    return outs, keep


def random_windows(rng, sequences=5, steps=9, features=2):
    return rng.normal(0, 1.5, (sequences, steps, features)).astype("float32")


@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, False), (2, True)])
def test_the_recomputed_hidden_state_equals_keras(layers, bidirectional):
    rng = np.random.default_rng(layers)
    config = RunConfig(units=6, layers=layers, bidirectional=bidirectional, timesteps=9, seed=3)
    model = build_model(config, features=2)
    # Untrained weights are small; scaled up they reach the gates' curved parts, where a wrong formula shows.
    for layer in model.layers:
        if type(layer).__name__ in ("LSTM", "Bidirectional"):
            layer.set_weights([w * 2.5 for w in layer.get_weights()])
    x = random_windows(rng)
    ours, _ = recomputed(model, x)
    theirs = keras_outputs(model, x)
    assert len(ours) == layers
    for mine, keras_out in zip(ours, theirs, strict=True):
        assert mine.shape == keras_out.shape
        assert np.max(np.abs(mine - keras_out)) < TOLERANCE


def test_padded_steps_are_skipped_as_keras_skips_them():
    rng = np.random.default_rng(7)
    pad = -9.0
    config = RunConfig(task="classify-sequences", units=5, layers=2, timesteps=8, seed=1)
    model = build_model(config, features=2, n_classes=3, mask_value=pad, timesteps=8)
    x = random_windows(rng, sequences=3, steps=8)
    x[0, :3] = pad   # padded before
    x[1, -2:] = pad  # padded after
    ours, keep = recomputed(model, x)
    theirs = keras_outputs(model, x)
    assert keep[0].tolist() == [False] * 3 + [True] * 5 and keep[1].tolist() == [True] * 6 + [False] * 2
    first_ours, first_keras = ours[0], theirs[0]
    assert np.max(np.abs((first_ours - first_keras)[keep])) < TOLERANCE
    assert np.max(np.abs(ours[1] - theirs[1])) < TOLERANCE
    # Padding changes nothing: the padded sequence ends where its unpadded part alone ends.
    alone, _ = recomputed(model, x[:1, 3:])
    assert np.max(np.abs(alone[1][0] - ours[1][0])) < TOLERANCE
    # Gates on padded steps never act, so they are NaN and not counted.
    trace = lstm_stack(model).run(x)[0][0][0]
    assert np.isnan(trace["forget"][0, :3]).all() and not np.isnan(trace["forget"][0, 3:]).any()
    shares = saturation(trace, mask=keep)
    assert all(0 <= shares[g]["share"] <= 1 for g in ("input", "forget", "output"))


def test_a_saturating_cell_is_counted():
    units = 3
    # A huge forget bias pins the forget gate at 1; a huge input bias pins the input gate at 1 and fills the cell.
    bias = np.zeros(4 * units)
    bias[units:2 * units] = 50.0
    cell = Cell(np.zeros((1, 4 * units)), np.zeros((units, 4 * units)), bias)
    trace = run_cell(np.ones((1, 5, 1)), cell)
    shares = saturation(trace)
    assert shares["forget"] == {"low": 0.0, "high": 1.0, "share": 1.0}
    assert shares["input"]["share"] == 0.0  # sigmoid(0) = 0.5: the healthy middle


def test_units_order_and_token_responses():
    hidden = np.array([[0.1, -0.9, 0.0], [0.1, 0.9, 0.5], [0.2, -0.9, -0.5], [0.2, 0.9, 0.0], [0.1, -0.8, 0.1],
                       [0.1, 0.8, 0.0], [0.2, -0.9, 0.2]])
    assert unit_order(hidden, "unit").tolist() == [0, 1, 2]
    assert unit_order(hidden, "activity").tolist()[0] == 1
    tokens = ["a", " ", "b", " ", "c", " ", "d"]
    ranked = unit_responses(hidden, tokens)
    assert ranked["spaces"][0]["unit"] == 1 and ranked["spaces"][0]["effect"] > 0
    assert "digits" not in ranked
    assert "spaces" not in unit_responses(hidden[:4], tokens[:4])  # twice is too few to tell


@pytest.fixture(scope="module")
def trained_pair(noisy_prepared):
    """The same tiny forecast trained at learning rate 1e-3 and at 5 (real trainings, a few epochs)."""
    from lstm_core.pipeline import train

    runs = {}
    for rate in (1e-3, 5.0):
        prepared = _with(noisy_prepared, learning_rate=rate, epochs=3, units=8, seed=0)
        runs[rate] = (prepared, train(prepared, monitors=False, jit_compile=False).model)
    return runs


def _with(prepared, **settings):
    from dataclasses import replace

    return replace(prepared, config=prepared.config.replace(**settings))


def gate_share(result) -> float:
    [layer] = result["saturation"]
    trained = layer["directions"][0]["trained"]
    return max(trained[g]["share"] for g in ("input", "forget", "output"))


def test_saturation_rises_with_a_learning_rate_of_5(trained_pair):
    calm = inspect_window(*trained_pair[1e-3])
    wild = inspect_window(*trained_pair[5.0])
    assert gate_share(wild) > gate_share(calm) + 0.2, (gate_share(wild), gate_share(calm))
    reference = wild["saturation"][0]["directions"][0]["reference"]
    assert max(reference[g]["share"] for g in ("input", "forget", "output")) < 0.2


def test_a_window_report_is_complete_and_plain(trained_pair):
    prepared, model = trained_pair[1e-3]
    result = inspect_window(prepared, model)
    assert result["window"] == result["worst"] and result["count"] == len(prepared.windows.x_test)
    assert result["agreement"] < TOLERANCE
    [layer] = result["layers"]
    gates = np.asarray(layer["directions"][0]["forget"])
    assert gates.shape == (prepared.config.timesteps, 8) and ((gates > 0) & (gates < 1)).all()
    change = np.asarray(result["attribution"]["change"])
    assert change.shape == (prepared.config.timesteps,) and np.abs(change).max() > 0
    other = inspect_window(prepared, model, window=0)
    assert other["window"] == 0 and other["error"] <= result["error"]
    as_json = plain(result)
    import json

    assert json.loads(json.dumps(as_json))["window"] == result["window"]


def _shares(low, high, cell=0.0):
    return {**{g: {"low": low, "high": high, "share": low + high} for g in ("input", "forget", "output")},
            "cell": {"share": cell}}


def test_the_saturation_story_names_the_gate_and_the_cause():
    from lstm_core.inside import saturation_story

    calm = _shares(0.0, 0.01)
    assert saturation_story(calm, calm, 0.001, 0.01) == []
    forget_pinned = {**calm, "forget": {"low": 0.0, "high": 0.92, "share": 0.92}}
    story = " ".join(saturation_story(forget_pinned, calm, 5.0, 0.01, fired_at=3))
    assert "92% of forget-gate values are pinned at 1: the cell cannot forget" in story
    assert "learning rate of 5 pushed" in story and "TRAIN109" in story and "epoch 3" in story
    switch = _shares(0.49, 0.5)
    assert "on/off switch" in " ".join(saturation_story(switch, calm, 10.0, 0.01))
    # Saturated before any training: the inputs, not the learning rate.
    story = " ".join(saturation_story(switch, switch, 10.0, 0.01))
    assert "scaling" in story and "learning rate" not in story


def test_saturation_without_a_cause_is_told_as_a_possible_choice():
    from lstm_core.inside import saturation_cause, saturation_story

    calm, switch = _shares(0.0, 0.01), _shares(0.3, 0.3)
    assert saturation_cause(calm, 0.001, 0.01) is None
    assert saturation_cause(calm, 5.0, 0.01) == "learning rate" and saturation_cause(switch, 0.001, 0.01) == "inputs"
    assert saturation_cause(calm, 0.001, 0.01, fired_at=2) == "runtime"
    assert "No cause in sight" in " ".join(saturation_story(switch, calm, 0.001, 0.01))
    assert "No cause in sight" not in " ".join(saturation_story(switch, calm, 5.0, 0.01))


def test_a_padded_classifier_window_skips_its_padding():
    """The gestures sample: ragged pen strokes, padded and masked; a real one-epoch training."""
    from lstm_core.classify import prepare_any
    from lstm_core.data import load_csv
    from lstm_core.pipeline import train
    from lstm_core.samples import CLASSIFICATION_SAMPLES, classification_sample_csv

    sample = CLASSIFICATION_SAMPLES["gestures"]
    prepared = prepare_any(load_csv(classification_sample_csv("gestures"), "gestures.csv"),
                           sample.config(units=4, epochs=1, pad="pre"))
    assert prepared.ready and prepared.windows.pad_value is not None
    model = train(prepared, monitors=False, jit_compile=False).model
    padded = int(np.argmax([(x == prepared.windows.pad_value).all(axis=-1).sum() for x in prepared.windows.x_test]))
    result = inspect_window(prepared, model, window=padded)
    kept = np.asarray(result["kept"])
    assert not kept.all() and kept[-1]  # padded before, so the last step is real
    assert result["agreement"] < TOLERANCE
    forget = np.asarray(result["layers"][0]["directions"][0]["forget"], dtype=float)
    assert np.isnan(forget[~kept]).all() and not np.isnan(forget[kept]).any()
    assert np.isnan(np.asarray(result["inputs"], dtype=float)[~kept]).all()
    change = np.asarray(result["attribution"]["change"])
    assert (change[~kept] == 0).all() and result["attribution"]["unit"].startswith("p(")
    assert 0 <= result["error"] <= 1

"""Inside the LSTM: the numpy recomputation against Keras' own layers, masking, saturation after real trainings,
and the healthy reference run it is compared with."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.config import RunConfig
from lstm_core.inside.capture import _final, keras_agreement, keras_first_layer, lstm_stack
from lstm_core.inside.gates import Cell, run_cell, saturation, unit_order, unit_responses
from lstm_core.inside.reference import ReferenceCache, healthy_reference, is_healthy, reference_key, train_reference
from lstm_core.inside.run import inspect_window, plain
from lstm_core.model import build_model
from lstm_core.runs import RunRecord

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


def test_an_embedding_with_mask_zero_is_recomputed_as_keras_reads_it():
    """The text model's front: token ids, 0 the padding, through Embedding(mask_zero=True) into two LSTMs."""
    import keras

    keras.utils.set_random_seed(5)
    tokens = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(12, 4, mask_zero=True)(tokens)
    x = keras.layers.LSTM(6, return_sequences=True)(x)
    x = keras.layers.LSTM(3)(x)
    model = keras.Model(tokens, keras.layers.Dense(12, activation="softmax")(x))
    for layer in model.layers:
        weights = layer.get_weights()
        if weights and type(layer).__name__ != "Dense":
            layer.set_weights([w * 2.5 for w in weights])  # into the gates' curved parts
    ids = np.array([[0, 0, 0, 3, 5, 7, 1, 2, 9, 4], [6, 2, 8, 8, 11, 3, 5, 0, 0, 0], [4, 4, 10, 1, 3, 7, 2, 9, 6, 5]])
    stack = lstm_stack(model)
    assert stack.mask_zero and stack.embedding is not None
    traces, keep = stack.run(ids)
    assert keep.tolist()[0] == [False] * 3 + [True] * 7 and keep.tolist()[1] == [True] * 7 + [False] * 3
    assert keras_agreement(stack, model, ids, traces, keep) < TOLERANCE
    first = keras_first_layer(model, ids)
    assert np.max(np.abs((first - traces[0][0]["hidden"])[keep])) < TOLERANCE
    # The second layer's last output: the padded sequences end where their tokens end, as in Keras.
    last = keras.Model(model.inputs, model.layers[-2].output)([ids.astype("int32")])
    assert np.max(np.abs(np.asarray(last) - _final(stack.layers[1], traces[1]))) < TOLERANCE
    # Read without its mask the padded sequences differ: the comparison above can fail.
    unmasked = lstm_stack(model)
    unmasked.mask_zero = False
    loose, _ = unmasked.run(ids)
    assert np.max(np.abs(np.asarray(last) - _final(stack.layers[1], loose[1]))) > 1e-3


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
    from lstm_core.tasks.forecast.pipeline import train

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


@pytest.fixture(scope="module")
def reference(trained_pair):
    """The healthy reference of the runs above, trained once (the same setup at 1e-3 for their 3 epochs)."""
    return train_reference(trained_pair[5.0][0])


def reference_share(result) -> float:
    shares = result["saturation"][0]["directions"][0]["reference"]
    return max(shares[g]["share"] for g in ("input", "forget", "output"))


def test_saturation_rises_with_a_learning_rate_of_5(trained_pair, reference):
    calm = inspect_window(*trained_pair[1e-3], reference=reference)
    wild = inspect_window(*trained_pair[5.0])  # no reference given: it trains one
    assert gate_share(wild) > gate_share(calm) + 0.2, (gate_share(wild), gate_share(calm))
    assert reference_share(wild) < 0.2
    # The reference is a trained run of the same setup at Adam's default rate, said in words.
    assert wild["reference"]["kind"] == "trained" and wild["reference"]["learning_rate"] == 0.001
    assert wild["reference"]["epochs"] == 3
    assert wild["reference"]["text"] == "the same setup trained at learning rate 0.001 for 3 epochs"
    # That setup is exactly the calm run's (rate 1e-3, 3 epochs, seed 0): its shares, not the untrained network's.
    shares = flat(wild["saturation"][0]["directions"][0]["reference"])
    assert shares == pytest.approx(flat(calm["saturation"][0]["directions"][0]["trained"]), abs=1e-3)


def test_the_reference_is_the_same_setup_trained_at_the_default_rate(trained_pair, reference):
    """Trained, not merely built: its weights are the calm run's (same setup, rate 1e-3, 3 epochs, same seeds), far
    from the weights the network starts from."""
    from lstm_core.inside.reference import untrained_model

    calm_model = trained_pair[1e-3][1]
    start = untrained_model(trained_pair[5.0][0])
    assert reference.kind == "trained" and reference.epochs == 3 and reference.learning_rate == 0.001
    for mine, calm in zip(reference.model.get_weights(), calm_model.get_weights(), strict=True):
        assert np.allclose(mine, calm, atol=1e-5)
    moved = max(np.max(np.abs(m - i)) for m, i in zip(reference.model.get_weights(), start.get_weights(),
                                                        strict=True))
    assert moved > 1e-3


def flat(shares: dict) -> dict[str, float]:
    """The gates' shares near 0 and near 1, as one flat dict of numbers."""
    return {f"{gate} {side}": shares[gate][side] for gate in ("input", "forget", "output") for side in ("low", "high")}


def _untrained_shares(prepared) -> dict:
    from lstm_core.inside.reference import untrained_model
    from lstm_core.inside.run import SATURATION_WINDOWS, _evenly

    x_test = prepared.windows.x_test
    sample = np.asarray(x_test[_evenly(len(x_test), SATURATION_WINDOWS)], dtype="float32")
    stack = lstm_stack(untrained_model(prepared))
    traces, keep = stack.run(sample)
    shares = saturation(traces[0][0], mask=keep)
    return {g: shares[g] for g in ("input", "forget", "output")}


def record_of(prepared, status="completed", findings=(), data_ref="ab" * 32) -> RunRecord:
    """A stored run's record as the store returns it: how it ended, what was found, which data."""
    return RunRecord(id=1, name="#1", config=prepared.config, data_id="noisy", data_name="noisy_seasonal.csv",
                     status=status, findings=list(findings), data_ref=data_ref,
                     history={"loss": [0.5] * prepared.config.epochs, "val_loss": [0.5] * prepared.config.epochs})


def test_a_healthy_run_is_its_own_reference_and_an_unhealthy_one_is_not(trained_pair):
    from lstm_core.findings import Finding

    prepared, model = trained_pair[1e-3]
    assert is_healthy(prepared.config, "completed") and is_healthy(prepared.config, "stopped_early")
    assert not is_healthy(prepared.config, "diverged")
    saturated = Finding("TRAIN109", "warning", "Saturated LSTM units", "…", epoch=2)
    assert not is_healthy(prepared.config, "completed", [saturated])
    assert not is_healthy(trained_pair[5.0][0].config, "completed")
    assert not is_healthy(prepared.config.replace(learning_rate=1e-8), "completed")
    itself = healthy_reference(prepared, model, record_of(prepared))
    assert itself.kind == "itself" and itself.model is model
    result = inspect_window(prepared, model, reference=itself)
    shares = result["saturation"][0]["directions"][0]
    assert shares["reference"] == shares["trained"]
    assert result["reference"]["text"].startswith("this run itself") and "healthy run" in result["reference"]["text"]


def test_the_reference_is_trained_once_per_data_and_setup(trained_pair, tmp_path):
    import time

    prepared, model = trained_pair[5.0]
    record = record_of(prepared, status="diverged")
    started = time.monotonic()
    first = healthy_reference(prepared, model, record, ReferenceCache(tmp_path))
    trained_in = time.monotonic() - started
    assert first.kind == "trained" and len(list(tmp_path.glob("*.keras"))) == 1
    # Another helper process (a fresh cache on the same folder) and a run differing in its rate only: no training.
    other = _with(prepared, learning_rate=0.5)
    started = time.monotonic()
    again = healthy_reference(other, model, record_of(other, status="diverged"), ReferenceCache(tmp_path))
    assert again.kind == "trained" and again.epochs == first.epochs and again.model is not first.model
    assert time.monotonic() - started < trained_in
    for mine, kept in zip(first.model.get_weights(), again.model.get_weights(), strict=True):
        assert np.array_equal(mine, kept)
    assert len(list(tmp_path.glob("*.keras"))) == 1
    # Other data, or another setup, is another reference.
    config = prepared.config
    assert reference_key("cd" * 32, config) != reference_key("ab" * 32, config)
    assert reference_key("ab" * 32, config.replace(units=9)) != reference_key("ab" * 32, config)
    assert reference_key("ab" * 32, config.replace(epochs=2)) != reference_key("ab" * 32, config)


def test_a_reference_that_cannot_be_trained_falls_back_to_the_untrained_network_and_says_so(trained_pair):
    from dataclasses import replace

    prepared, model = trained_pair[5.0]
    windows = prepared.windows
    broken = replace(prepared, windows=replace(windows, y_train=windows.y_train[:5]))  # labels for 5 windows only
    fallback = healthy_reference(broken, model, record_of(broken, status="diverged"))
    assert fallback.kind == "untrained" and fallback.failure
    assert fallback.text.startswith("the same network untrained") and "failed" in fallback.text
    result = inspect_window(prepared, model, reference=fallback)
    shares = result["saturation"][0]["directions"][0]["reference"]
    untrained = _untrained_shares(prepared)
    assert all(shares[g]["share"] == pytest.approx(untrained[g]["share"]) for g in untrained)


def test_a_window_report_is_complete_and_plain(trained_pair, reference):
    prepared, model = trained_pair[1e-3]
    result = inspect_window(prepared, model, reference=reference)
    assert result["window"] == result["worst"] and result["count"] == len(prepared.windows.x_test)
    assert result["agreement"] < TOLERANCE
    [layer] = result["layers"]
    gates = np.asarray(layer["directions"][0]["forget"])
    assert gates.shape == (prepared.config.timesteps, 8) and ((gates > 0) & (gates < 1)).all()
    change = np.asarray(result["attribution"]["change"])
    assert change.shape == (prepared.config.timesteps,) and np.abs(change).max() > 0
    other = inspect_window(prepared, model, window=0, reference=reference)
    assert other["window"] == 0 and other["error"] <= result["error"]
    as_json = plain(result)
    import json

    assert json.loads(json.dumps(as_json))["window"] == result["window"]


def _shares(low, high, cell=0.0):
    return {**{g: {"low": low, "high": high, "share": low + high} for g in ("input", "forget", "output")},
            "cell": {"share": cell}}


def test_the_saturation_story_names_the_gate_and_the_cause():
    from lstm_core.inside.gates import saturation_story

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
    from lstm_core.inside.gates import saturation_cause, saturation_story

    calm, switch = _shares(0.0, 0.01), _shares(0.3, 0.3)
    assert saturation_cause(calm, 0.001, 0.01) is None
    assert saturation_cause(calm, 5.0, 0.01) == "learning rate" and saturation_cause(switch, 0.001, 0.01) == "inputs"
    assert saturation_cause(calm, 0.001, 0.01, fired_at=2) == "runtime"
    assert "No cause in sight" in " ".join(saturation_story(switch, calm, 0.001, 0.01))
    assert "No cause in sight" not in " ".join(saturation_story(switch, calm, 5.0, 0.01))


def test_a_padded_classifier_window_skips_its_padding():
    """The gestures sample: ragged pen strokes, padded and masked; a real one-epoch training."""
    from lstm_core.data import load_csv
    from lstm_core.tasks.forecast.pipeline import train
    from lstm_core.tasks.forecast.samples import CLASSIFICATION_SAMPLES, classification_sample_csv
    from lstm_core.tasks.table import prepare_any

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


def test_the_story_reads_the_saturation_against_a_trained_reference():
    from lstm_core.inside.gates import saturation_cause, saturation_story

    calm, switch = _shares(0.0, 0.01), _shares(0.3, 0.3)
    forget_pinned = {**calm, "forget": {"low": 0.0, "high": 0.92, "share": 0.92}}
    story = " ".join(saturation_story(forget_pinned, calm, 5.0, 0.01, None, "trained", 0.001))
    assert "The same setup trained at learning rate 0.001 is not saturated (1% at most)" in story
    assert "learning rate of 5 pushed" in story and "before training" not in story
    assert saturation_cause(calm, 5.0, 0.01, None, "trained") == "learning rate"
    # The healthy run saturates as much: not the learning rate; a possible choice unless the runtime check fired.
    story = " ".join(saturation_story(switch, switch, 5.0, 0.01, None, "trained", 0.001))
    assert "is saturated too (60% at most)" in story and "pushed" not in story and "No cause in sight" in story
    assert saturation_cause(switch, 5.0, 0.01, None, "trained") is None
    assert saturation_cause(switch, 5.0, 0.01, 3, "trained") == "runtime"
    story = " ".join(saturation_story(switch, switch, 0.001, 0.01, None, "itself", 0.001))
    assert "its own healthy reference" in story and "this run is the healthy reference" in story

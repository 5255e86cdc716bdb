"""The exception boundary: every known message becomes its finding; unknown ones still read clearly."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.errors import KNOWN_ERRORS, translate

# Messages as Keras 3.15 / TensorFlow 2.21 / numpy raise them (captured from real failing calls).
KNOWN_MESSAGES = {
    "TF001": (ValueError, "Received a label value of 2 which is outside the valid range of [0, 1).  Label values: "
                          "0 1 2 0 1 2 0 1"),
    "TF007": (ValueError, 'Input 0 of layer "lstm" is incompatible with the layer: expected ndim=3, found ndim=2. '
                          "Full shape received: (None, 10)"),
    "TF002": (ValueError, "Dimensions must be equal, but are 5 and 3 for '{{node compile_loss/mse/sub}} = "
                          "Sub[T=DT_FLOAT](data_1, functional_6_1/dense_6_1/BiasAdd)' with input shapes: "
                          "[?,5], [?,3]."),
    "TF003": (ValueError, "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples."
                          "'x' sizes: 8\n'y' sizes: 7\n"),
    "TF004": (MemoryError, "Unable to allocate 7.45 GiB for an array with shape (1000000, 1000) and data type float64"),
    "TF005": (ValueError, "Invalid dtype: str32"),
    "TF006": (ValueError, "Could not interpret activation function identifier: nonsense"),
}


@pytest.mark.parametrize("code", sorted(KNOWN_MESSAGES))
def test_each_known_message_becomes_its_finding(code):
    kind, message = KNOWN_MESSAGES[code]
    finding = translate(kind(message))
    assert finding.code == code
    assert finding.severity == "error"
    assert finding.original == message.strip()
    assert "Traceback" not in finding.detail


def test_every_known_error_has_a_message_in_this_file():
    assert {k.code for k in KNOWN_ERRORS} == set(KNOWN_MESSAGES)


def test_the_label_finding_names_the_numbers():
    finding = translate(ValueError(KNOWN_MESSAGES["TF001"][1]))
    assert "label of 2" in finding.detail and "1 unit(s)" in finding.detail


def test_an_unknown_exception_still_reads_as_a_finding():
    finding = translate(RuntimeError("the flux capacitor is misaligned\nsecond line"), area="training")
    assert finding.code == "TF000"
    assert "RuntimeError" in finding.title
    assert "the flux capacitor is misaligned" in finding.detail and "second line" not in finding.detail
    assert finding.original.endswith("second line")


def test_an_empty_message_uses_the_exception_type():
    assert "KeyError" in translate(KeyError()).detail


def test_a_real_keras_label_error_is_translated():
    keras = pytest.importorskip("keras")
    inputs = keras.Input((10, 1))
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.LSTM(4)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(Exception) as caught:
        model.fit(np.zeros((8, 10, 1)), np.array([0, 1, 2, 0, 1, 2, 0, 1]), verbose=0)
    assert translate(caught.value).code == "TF001"


def test_a_real_feature_mismatch_is_translated():
    keras = pytest.importorskip("keras")
    inputs = keras.Input((10, 1))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(4)(inputs)))
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(Exception) as caught:
        model.fit(np.zeros((8, 10, 3)), np.zeros((8, 1)), verbose=0)
    assert translate(caught.value).code in ("TF002", "TF007")

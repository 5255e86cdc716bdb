"""The text classifier's TensorFlow half: a TextVectorization adapted on the training texts, an Embedding → LSTM →
head model trained by the same Runner, its scores, the texts it got wrong, and predictions for typed sentences."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.config import RunConfig
from lstm_core.model import _seed, lstm_seeds, seeded_embedding
from lstm_core.tasks.forecast.windows import PartArrays
from lstm_core.tasks.sequences.results import ClassificationReport, classification_report, probabilities
from lstm_core.tasks.text_classify.prepare import PARTS, TextPrepared

PREDICT_BATCH = 256
# Misclassified test texts shown (the most confident mistakes first).
SHOWN_MISTAKES = 10
# XLA off: compiling the masked LSTM costs 20-40 s more than building without it and saves 0.15-0.2 s an epoch on
# the built-in sample, so it pays only after ~150 epochs (bench/text_classify_speed.py measures both).
TEXT_JIT = False


@dataclass
class TextData(PartArrays):
    """Token ids per part for train.Runner: x (texts, maxlen) ids, y class codes.

    The vectoriser runs outside the training model so that fit sees integers and XLA can compile the step (string
    ops cannot be compiled); inference_model() puts it back in front, so a saved model takes raw strings.
    """

    classes: tuple[str, ...]
    maxlen: int
    vocabulary: list[str]
    vectorizer: object = field(repr=False, default=None)
    _inference: object = field(repr=False, default=None)

    @property
    def features(self) -> int:
        return 1

    @property
    def model_options(self) -> dict:
        return {"n_classes": len(self.classes), "timesteps": self.maxlen, "mask_value": None}

    def build_model(self, config: RunConfig):
        """The network the Runner trains on these token ids (its own builder: ids go through an embedding)."""
        return build_text_model(config, len(self.classes), self.maxlen)


def vectorise(prepared: TextPrepared) -> TextData:
    """Adapt a TextVectorization on the training texts only (a word seen only in validation or test is unknown, as
    in new text) and turn every part into (texts, maxlen) token ids, padded and cut at the end."""
    import keras

    if not prepared.ready:
        raise ValueError("the prepared texts have blocking findings; resolve them before training")
    config = prepared.config
    vectorizer = keras.layers.TextVectorization(max_tokens=config.vocab_size, output_sequence_length=prepared.maxlen,
                                                name="vectorizer")
    vectorizer.adapt(np.asarray(prepared.part_texts("train"), dtype=str))
    arrays = {}
    for part in PARTS:
        arrays[f"x_{part}"] = _ids(vectorizer, prepared.part_texts(part), prepared.maxlen)
        arrays[f"y_{part}"] = prepared.codes[prepared.parts[part]]
    data = TextData(**arrays, classes=prepared.classes, maxlen=prepared.maxlen,
                    vocabulary=[str(w) for w in vectorizer.get_vocabulary()], vectorizer=vectorizer)
    prepared.windows = data
    return data


def _ids(vectorizer, texts: np.ndarray, maxlen: int) -> np.ndarray:
    if not len(texts):
        return np.zeros((0, maxlen), dtype="int32")
    return np.asarray(vectorizer(np.asarray(texts, dtype=str)), dtype="int32")


def build_text_model(config: RunConfig, n_classes: int | None, maxlen: int):
    """Embedding (0 is padding, masked when config.masking) → stacked, optionally bidirectional LSTMs → the head."""
    import keras

    inputs = keras.Input((maxlen,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(config.vocab_size, config.embedding_dim, mask_zero=config.masking,
                               embeddings_initializer=seeded_embedding(keras, config), name="embedding")(inputs)
    for index in range(config.layers):
        layer = keras.layers.LSTM(config.units, activation=config.activation,
                                  recurrent_activation=config.recurrent_activation, dropout=config.dropout,
                                  recurrent_dropout=config.recurrent_dropout,
                                  return_sequences=index < config.layers - 1,
                                  **lstm_seeds(keras, config, index), name=f"lstm_{index + 1}")
        if config.bidirectional:
            backward = keras.layers.LSTM(
                config.units, activation=config.activation, recurrent_activation=config.recurrent_activation,
                dropout=config.dropout, recurrent_dropout=config.recurrent_dropout,
                return_sequences=index < config.layers - 1, go_backwards=True,
                **lstm_seeds(keras, config, index, backward=True), name=f"lstm_{index + 1}_backward")
            layer = keras.layers.Bidirectional(layer, backward_layer=backward, name=f"bidirectional_{index + 1}")
        x = layer(x)
    units, activation, _ = config.head(n_classes)
    outputs = keras.layers.Dense(units, activation=activation, name="head",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(config, 99, 0)))(x)
    return keras.Model(inputs, outputs, name="text_classifier")


def train_text_classifier(prepared: TextPrepared, listeners=(), jit_compile: bool = TEXT_JIT, monitors: bool = True):
    """Vectorise (once) and fit with the same Runner and runtime monitors as every other task."""
    from lstm_core.windowed import train

    if prepared.windows is None:
        vectorise(prepared)
    return train(prepared, listeners, monitors=monitors, jit_compile=jit_compile)


def inference_model(data: TextData, model):
    """Raw strings in, class probabilities out: the vectoriser in front of the trained model. This is the model
    that is saved and that classifies typed sentences."""
    import keras

    if data._inference is None or data._inference.layers[-1] is not model:
        strings = keras.Input((1,), dtype="string", name="text")
        data._inference = keras.Model(strings, model(data.vectorizer(strings)), name="text_classifier_inference")
    return data._inference


@dataclass
class TextReport:
    """The classifier's scores on the test texts, and the texts it got wrong."""

    report: ClassificationReport
    mistakes: pd.DataFrame

    @property
    def metrics(self) -> dict:
        return self.report.metrics

    @property
    def verdict(self) -> str:
        return self.report.verdict


def evaluate_text_classifier(prepared: TextPrepared, model) -> TextReport:
    data = prepared.windows
    probs = probabilities(_predict(model, data.x_test), len(data.classes))
    rows = prepared.rows[prepared.parts["test"]].tolist()
    report = classification_report(data.y_test, probs, data.classes, data.y_train, rows)
    return TextReport(report, mistakes(report, prepared.part_texts("test")))


def mistakes(report: ClassificationReport, texts: np.ndarray, shown: int = SHOWN_MISTAKES) -> pd.DataFrame:
    """The misclassified test texts, most confident first: row, text, true and predicted class, its probability."""
    wrong = np.flatnonzero(report.predicted != report.actual)
    confidence = report.probabilities[wrong, report.predicted[wrong]] if len(wrong) else np.empty(0)
    order = wrong[np.argsort(-confidence, kind="stable")][:shown]
    return pd.DataFrame({"row": [report.ids[i] for i in order] if report.ids else order + 1,
                         "text": [str(texts[i]) for i in order],
                         "true": [report.classes[report.actual[i]] for i in order],
                         "predicted": [report.classes[report.predicted[i]] for i in order],
                         "probability": [float(report.probabilities[i, report.predicted[i]]) for i in order]})


def predict_texts(data: TextData, model, texts: list[str]) -> pd.DataFrame:
    """Class probabilities for new texts, through the raw-string inference model: text, predicted, p_<class>."""
    import tensorflow as tf

    if not texts:
        return pd.DataFrame(columns=["text", "predicted", *(f"p_{c}" for c in data.classes)])
    outputs = inference_model(data, model).predict(tf.constant([[str(t)] for t in texts]), verbose=0,
                                                   batch_size=PREDICT_BATCH)
    probs = probabilities(np.asarray(outputs), len(data.classes))
    out = pd.DataFrame({"text": list(texts), "predicted": [data.classes[i] for i in np.argmax(probs, axis=1)]})
    for index, name in enumerate(data.classes):
        out[f"p_{name}"] = probs[:, index]
    return out


def _predict(model, x: np.ndarray) -> np.ndarray:
    if not len(x):
        return np.empty((0, model.output_shape[-1]), dtype="float32")
    return np.asarray(model.predict(np.ascontiguousarray(x, dtype="int32"), verbose=0, batch_size=PREDICT_BATCH))

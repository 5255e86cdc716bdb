"""RunConfig → keras.Model. Keras is imported here, lazily, so pages and checks draw without it."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.config import RunConfig

# Several batches run inside one compiled step: fewer Python round trips, identical updates (16–64 measure alike).
STEPS_PER_EXECUTION = 32


@dataclass
class ModelSummary:
    layers: list[dict]
    total_params: int


def _keras():
    import keras

    return keras


def build_model(config: RunConfig, features: int, n_classes: int | None = None, mask_value: float | None = None,
                timesteps: int | None = None):
    """A classifier passes its number of classes, its sequence length and, for padded sequences, the pad value."""
    keras = _keras()
    inputs = keras.Input((timesteps or config.timesteps, features), name="window")
    x = inputs
    if mask_value is not None:
        # Steps holding mask_value in every feature are padding: the LSTM skips them, so they change nothing.
        x = keras.layers.Masking(mask_value=mask_value, name="padding_mask")(x)
    for index in range(config.layers):
        last = index == config.layers - 1
        layer = _lstm(keras, config, index, return_sequences=not last, go_backwards=False)
        if config.bidirectional:
            # Its own seeds: a copy of the forward layer would start the backward pass from the same weights.
            layer = keras.layers.Bidirectional(
                layer, backward_layer=_lstm(keras, config, index, return_sequences=not last, go_backwards=True),
                name=f"bidirectional_{index + 1}")
        x = layer(x)
    units, activation, _ = config.head(n_classes)
    outputs = keras.layers.Dense(units, activation=activation, name="head",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(config, 99, 0)))(x)
    return keras.Model(inputs, outputs, name="lstm_playground")


def _seed(config: RunConfig, layer: int, part: int) -> int:
    """A distinct seed for every initialiser, from the run's own seed."""
    return config.seed * 1009 + layer * 16 + part


def lstm_seeds(keras, config: RunConfig, index: int, backward: bool = False) -> dict:
    """An LSTM's seeded initialisers and dropout seed, as keyword arguments (the text models use them too)."""
    part = 4 if backward else 0
    return {"kernel_initializer": keras.initializers.GlorotUniform(seed=_seed(config, index, part + 1)),
            "recurrent_initializer": keras.initializers.Orthogonal(seed=_seed(config, index, part + 2)),
            "seed": _seed(config, index, part + 3)}


def seeded_embedding(keras, config: RunConfig):
    """Keras' default embedding initialiser, uniform in ±0.05, seeded from the run."""
    return keras.initializers.RandomUniform(-0.05, 0.05, seed=_seed(config, 98, 0))


def _lstm(keras, config: RunConfig, index: int, return_sequences: bool, go_backwards: bool):
    """Every random draw is seeded here, from the run's config: a model never reads Keras' process-wide seed, so
    one user's run cannot change another's weights (keras.utils.set_random_seed is shared by every session)."""
    return keras.layers.LSTM(
        config.units,
        activation=config.activation,
        recurrent_activation=config.recurrent_activation,
        dropout=config.dropout,
        recurrent_dropout=config.recurrent_dropout,
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        **lstm_seeds(keras, config, index, go_backwards),
        name=f"lstm_{index + 1}{'_backward' if go_backwards else ''}",
    )


def make_optimizer(config: RunConfig):
    keras = _keras()

    kinds = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    return kinds[config.optimizer](learning_rate=config.learning_rate)


def compile_model(model, config: RunConfig, jit_compile: bool = True, n_classes: int | None = None):
    """(model to train, kept): `model` compiled, or, in a worker, a kept compiled model of the same shape
    (compiled.py)."""
    from lstm_core.compiled import compiled

    _, _, loss = config.head(n_classes)
    return compiled(model, make_optimizer(config), loss=loss, jit_compile=jit_compile,
                    steps_per_execution=STEPS_PER_EXECUTION)


def summarize(model) -> ModelSummary:
    rows = []
    for layer in model.layers:
        shape = getattr(layer, "output", None)
        shape = tuple(shape.shape) if shape is not None else None
        rows.append({"layer": layer.name, "type": type(layer).__name__,
                     "output_shape": str(shape).replace("None", "batch"),
                     "params": int(layer.count_params())})
    return ModelSummary(rows, int(model.count_params()))


def count_params(config: RunConfig, features: int, n_classes: int | None = None) -> int:
    """Parameter count computed without Keras, for checks that must run before TensorFlow loads."""
    directions = 2 if config.bidirectional else 1
    total, inputs = 0, features
    for _ in range(config.layers):
        total += directions * 4 * (config.units * (inputs + config.units) + config.units)
        inputs = config.units * directions
    units, _, _ = config.head(n_classes)
    return total + inputs * units + units

"""RunConfig → keras.Model. Keras is imported here, lazily, so pages and checks draw without it."""

from __future__ import annotations

from dataclasses import dataclass

from .config import RunConfig

# Several batches run inside one compiled step: fewer Python round trips, identical updates.
STEPS_PER_EXECUTION = 16


@dataclass
class ModelSummary:
    layers: list[dict]
    total_params: int


def build_model(config: RunConfig, features: int):
    import keras

    inputs = keras.Input((config.timesteps, features), name="window")
    x = inputs
    for index in range(config.layers):
        last = index == config.layers - 1
        layer = keras.layers.LSTM(
            config.units,
            activation=config.activation,
            recurrent_activation=config.recurrent_activation,
            dropout=config.dropout,
            recurrent_dropout=config.recurrent_dropout,
            return_sequences=not last,
            seed=config.seed + index,
            name=f"lstm_{index + 1}",
        )
        if config.bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"bidirectional_{index + 1}")
        x = layer(x)
    units, activation, _ = config.head()
    outputs = keras.layers.Dense(units, activation=activation, name="head")(x)
    return keras.Model(inputs, outputs, name="lstm_playground")


def make_optimizer(config: RunConfig):
    import keras

    kinds = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    return kinds[config.optimizer](learning_rate=config.learning_rate)


def compile_model(model, config: RunConfig, jit_compile: bool = True) -> None:
    _, _, loss = config.head()
    model.compile(optimizer=make_optimizer(config), loss=loss, jit_compile=jit_compile,
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


def count_params(config: RunConfig, features: int) -> int:
    """Parameter count computed without Keras, for checks that must run before TensorFlow loads."""
    directions = 2 if config.bidirectional else 1
    total, inputs = 0, features
    for _ in range(config.layers):
        total += directions * 4 * (config.units * (inputs + config.units) + config.units)
        inputs = config.units * directions
    units, _, _ = config.head()
    return total + inputs * units + units

"""A trained model's LSTM layers read off as numpy cells, and how closely their recomputation matches Keras' own."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.inside.gates import Cell, layer_output, run_cell


class NotInspectable(ValueError):
    """A model this view cannot recompute, with the reason in plain words."""


@dataclass
class Stack:
    """A model's front (a Masking value or an embedding table) and its LSTM layers, each one or two Cells."""

    mask_value: float | None
    embedding: np.ndarray | None
    mask_zero: bool
    layers: list[list[Cell]]
    names: list[str]
    keras_layers: list

    def inputs(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(what the first LSTM reads, the kept-steps mask) for a batch of windows or token ids."""
        if self.embedding is not None:
            ids = np.asarray(x, dtype="int64")
            return self.embedding[ids], (ids != 0) if self.mask_zero else np.ones(ids.shape, dtype=bool)
        x = np.asarray(x, dtype="float64")
        if self.mask_value is None:
            return x, np.ones(x.shape[:2], dtype=bool)
        return x, ~np.all(x == np.float32(self.mask_value), axis=-1)

    def run(self, x: np.ndarray) -> tuple[list[list[dict]], np.ndarray]:
        """Every layer's traces (a list of directions per layer) and the mask."""
        values, keep = self.inputs(x)
        traces = []
        for cells in self.layers:
            layer = [run_cell(values, cell, keep) for cell in cells]
            traces.append(layer)
            values = layer_output(layer)
        return traces, keep


def _cell(layer) -> Cell:
    config = layer.get_config()
    kernel, recurrent, *bias = [np.asarray(w) for w in layer.get_weights()]
    return Cell(kernel, recurrent, bias[0] if bias else None, _name(config["activation"]),
                _name(config["recurrent_activation"]), bool(config.get("go_backwards")), layer.name)


def _name(activation) -> str:
    if isinstance(activation, dict):  # a serialised function: {"config": "tanh", ...} or {"class_name": ...}
        activation = activation.get("config") or activation.get("class_name")
    return str(getattr(activation, "__name__", activation))


def lstm_stack(model) -> Stack:
    """The parts of a playground model that matter here, in order; anything else before the LSTMs is refused."""
    mask_value, embedding, mask_zero, layers, names, keras_layers = None, None, False, [], [], []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("InputLayer", "Dropout"):
            continue
        if kind == "Masking":
            mask_value = float(layer.mask_value)
        elif kind == "Embedding" and not layers:
            embedding = np.asarray(layer.get_weights()[0], dtype="float64")
            mask_zero = bool(layer.get_config().get("mask_zero"))
        elif kind == "LSTM":
            layers.append([_cell(layer)])
            names.append(layer.name)
            keras_layers.append(layer)
        elif kind == "Bidirectional":
            layers.append([_cell(layer.forward_layer), _cell(layer.backward_layer)])
            names.append(layer.name)
            keras_layers.append(layer)
        elif layers:
            break  # the head
        else:
            raise NotInspectable(f"a {kind} layer before the LSTM is not recomputed here")
    if not layers:
        raise NotInspectable("this model has no LSTM layer")
    weights = [w for cells in layers for cell in cells for w in (cell.kernel, cell.recurrent_kernel, cell.bias)]
    if not all(np.isfinite(w).all() for w in weights):
        raise NotInspectable("the trained weights are not finite numbers (NaN or infinite): training blew them up, "
                             "so there is nothing inside to draw")
    return Stack(mask_value, embedding, mask_zero, layers, names, keras_layers)


def keras_first_layer(model, x: np.ndarray) -> np.ndarray:
    """The first LSTM (or Bidirectional) layer's output as Keras computes it: the model's layers called one by one
    up to it, the mask handed on as Keras hands it on. Called layer by layer, not as a sub-model, so a passage
    longer than the model's declared input length goes through as well."""
    values, mask = np.asarray(x, dtype=model.inputs[0].dtype), None
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("InputLayer", "Dropout"):
            continue
        if kind in ("LSTM", "Bidirectional"):
            return np.asarray(layer(values, mask=mask))
        new_mask = layer.compute_mask(values, mask) if getattr(layer, "supports_masking", False) else None
        values, mask = layer(values), new_mask
    raise NotInspectable("this model has no LSTM layer")


def keras_agreement(stack: Stack, model, x: np.ndarray, traces: list[list[dict]], keep: np.ndarray) -> float:
    """The largest difference between the recomputed first layer's output and Keras' own, on these inputs (on the
    kept steps: Keras' output on a padded step is not part of what the layer hands on)."""
    keras_out = keras_first_layer(model, x)
    if keras_out.ndim == 2:  # the last output only
        return float(np.max(np.abs(keras_out - _final(stack.layers[0], traces[0]))))
    return float(np.max(np.abs((keras_out - layer_output(traces[0]))[keep])))


def _final(cells: list[Cell], layer: list[dict]) -> np.ndarray:
    """A return_sequences=False layer's output: each direction's state after its own last step."""
    return np.concatenate([trace["hidden"][:, 0] if cell.go_backwards else trace["hidden"][:, -1]
                           for cell, trace in zip(cells, layer, strict=True)], axis=-1)

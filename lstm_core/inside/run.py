"""Inside a trained run: its LSTM layers read off the model (capture.py), run in numpy (gates.py) on a window
or a passage, with the saturation shares against a healthy reference run (reference.py) and, for a forecast,
which steps mattered.

Called in the helper process (jobs/calls.py) for the page and in-process by the CLI; it never imports TensorFlow
itself: it reads weights off a loaded model and calls its predict.
"""

from __future__ import annotations

import numpy as np

from lstm_core.config import INSPECTED_TASKS
from lstm_core.inside.capture import NotInspectable, Stack, keras_agreement, lstm_stack
from lstm_core.inside.gates import occlusion, saturation, unit_responses
from lstm_core.inside.reference import ITSELF, Reference, healthy_reference

# Test windows the saturation shares are measured on (the shown window alone is too few values).
SATURATION_WINDOWS = 64
# A passage longer than this is cut: the heatmaps would be unreadable and the text grid too tall.
MAX_PASSAGE = 600
DEFAULT_PASSAGE = 300


def _shares(stack: Stack, x: np.ndarray) -> list[list[dict]]:
    traces, keep = stack.run(x)
    return [[saturation(trace, cell.activation, keep) for trace, cell in zip(layer, cells, strict=True)]
            for layer, cells in zip(traces, stack.layers, strict=True)]


def _window_errors(prepared, model) -> np.ndarray:
    """Each test window's error: |predicted − actual| in the target's units for a forecast (its last output; of the
    change when the run models changes), 1 − p(true class) for a classifier."""
    data = prepared.windows
    predicted = np.asarray(model.predict(np.ascontiguousarray(data.x_test, dtype="float32"), verbose=0,
                                         batch_size=256), dtype="float64")
    if prepared.config.classifies:
        if predicted.shape[-1] == 1:
            p_one = predicted[:, 0]
            return 1 - np.where(data.y_test == 1, p_one, 1 - p_one)
        return 1 - predicted[np.arange(len(predicted)), data.y_test.astype("int64")]
    actual = np.asarray(data.y_test, dtype="float64").reshape(len(predicted), -1)[:, -1]
    # In the target's own units: a difference of scaled values needs the scale alone.
    return np.abs(predicted.reshape(len(predicted), -1)[:, -1] - actual) * data.scaler.scale[data.target_index]


def _evenly(count: int, most: int) -> np.ndarray:
    return np.unique(np.linspace(0, count - 1, min(count, most)).round().astype(int))


def _layers_out(stack: Stack, traces: list[list[dict]], sequence: int = 0) -> list[dict]:
    """One sequence's arrays per layer and direction, as plain lists (steps × units), NaN as None."""
    out = []
    for name, cells, layer in zip(stack.names, stack.layers, traces, strict=True):
        directions = []
        for cell, trace in zip(cells, layer, strict=True):
            directions.append({"direction": "backward" if cell.go_backwards else "forward", "units": cell.units,
                               "activation": cell.activation,
                               **{part: trace[part][sequence] for part in ("input", "forget", "output", "cell",
                                                                           "hidden")}})
        out.append({"name": name, "directions": directions})
    return out


def _saturation_against(stack: Stack, reference: Reference, x: np.ndarray) -> list[dict]:
    trained = _shares(stack, x)
    # The run as its own reference: the same shares, not computed twice.
    return _saturation_out(stack, trained, trained if reference.kind == ITSELF else _shares(
        lstm_stack(reference.model), x))


def _saturation_out(stack: Stack, trained: list, reference: list) -> list[dict]:
    return [{"name": name, "directions": [{"direction": "backward" if cell.go_backwards else "forward",
                                           "trained": t, "reference": r}
                                          for cell, t, r in zip(cells, trained_layer, reference_layer, strict=True)]}
            for name, cells, trained_layer, reference_layer in zip(stack.names, stack.layers, trained, reference,
                                                                   strict=True)]


def inspect_window(prepared, model, window: int | None = None, reference: Reference | None = None) -> dict:
    """A test window (the one with the largest error when `window` is None) through every LSTM layer, the
    saturation shares on up to SATURATION_WINDOWS test windows against `reference` (a healthy run of the same setup,
    trained here when not given), and for a forecast or a classifier the steps that moved its output most
    (occlusion)."""
    config = prepared.config
    if config.task not in INSPECTED_TASKS or config.task == "text-lm":
        raise NotInspectable(f"a {config.task} run has no windows to inspect")
    data = prepared.windows
    if data is None or not len(data.x_test):
        raise NotInspectable("this run has no test windows")
    stack = lstm_stack(model)
    errors = _window_errors(prepared, model)
    worst = int(np.argmax(np.nan_to_num(errors, nan=np.inf)))
    index = worst if window is None else int(window)
    if not 0 <= index < len(data.x_test):
        raise NotInspectable(f"window {index} is not a test window (there are {len(data.x_test)}: 0 to "
                             f"{len(data.x_test) - 1})")
    x = np.asarray(data.x_test[index:index + 1], dtype="float32")
    traces, keep = stack.run(x)
    sample = np.asarray(data.x_test[_evenly(len(data.x_test), SATURATION_WINDOWS)], dtype="float32")
    reference = reference if reference is not None else healthy_reference(prepared, model)
    inputs, names = _window_inputs(prepared, x[0], keep[0])
    return {"kind": "window", "task": config.task, "window": index, "worst": worst, "count": len(data.x_test),
            "error": float(errors[index]), "steps": x.shape[1], "kept": keep[0], "inputs": inputs,
            "input_names": names, "layers": _layers_out(stack, traces),
            "saturation": _saturation_against(stack, reference, sample), "reference": reference.to_dict(),
            "agreement": keras_agreement(stack, model, x, traces, keep),
            "attribution": _attribution(prepared, model, x[0], keep[0]),
            "learning_rate": config.learning_rate, "optimizer": config.optimizer}


def _window_inputs(prepared, window: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The window in the data's own units, one column a feature; padded steps NaN."""
    data = prepared.windows
    names = list(data.columns if hasattr(data, "columns") else data.feature_names)
    values = np.stack([data.scaler.inverse_column(window[:, j], j) for j in range(window.shape[1])], axis=1)
    values[~keep] = np.nan
    if not prepared.config.classifies and prepared.config.difference:
        names = [f"{name} (change)" for name in names]
    return values, names


def _attribution(prepared, model, window: np.ndarray, keep: np.ndarray) -> dict:
    """Occlusion: each step replaced by the training mean (an ordinary value), the move of the output it causes."""
    data = prepared.windows
    kept_train = data.x_train.reshape(-1, data.x_train.shape[-1])
    if getattr(data, "pad_value", None) is not None:
        kept_train = kept_train[~np.all(kept_train == np.float32(data.pad_value), axis=1)]
    baseline = kept_train.mean(axis=0)

    def predict(batch):
        return model.predict(batch, verbose=0, batch_size=256)

    if prepared.config.classifies:
        probabilities = np.asarray(predict(window[None]), dtype="float64").reshape(-1)
        output = int(np.argmax(probabilities)) if len(probabilities) > 1 else 0
        change = occlusion(predict, window, baseline, keep, output)
        label = (f"p({prepared.classes[output]})" if len(probabilities) > 1 else f"p({prepared.classes[1]})")
        return {"change": change, "unit": label}
    change = occlusion(predict, window, baseline, keep, output=-1)
    change = change * data.scaler.scale[data.target_index]  # a difference of predictions: the scale alone converts
    return {"change": change, "unit": prepared.config.target}


def passage_tokens(prepared, passage: str | None) -> tuple[list[str], np.ndarray, list[str]]:
    """(tokens, their ids, tokens left out as unknown) of a passage; by default the start of the held-out text
    from its first new sentence or line."""
    from lstm_core.tasks.text_lm.corpus import tokenize

    corpus = prepared.corpus
    if passage is None:
        ids = corpus.val_ids if len(corpus.val_ids) > prepared.config.timesteps else corpus.ids
        tokens = [corpus.vocab.tokens[int(i)] for i in ids[:4 * DEFAULT_PASSAGE]]
        start = next((k + 1 for k, t in enumerate(tokens[:DEFAULT_PASSAGE]) if t in ("\n", ".")), 0)
        tokens = tokens[start:start + DEFAULT_PASSAGE]
        while tokens and tokens[0].isspace():
            tokens = tokens[1:]
        return tokens, corpus.vocab.encode(tokens), []
    tokens = tokenize(passage, prepared.config.level)[:MAX_PASSAGE]
    unknown = corpus.vocab.unknown(tokens) if corpus.vocab.oov is None else []
    kept = [t for t in tokens if t in corpus.vocab.index or corpus.vocab.oov]
    return kept, corpus.vocab.encode(kept), unknown


def inspect_passage(prepared, model, passage: str | None = None, reference: Reference | None = None) -> dict:
    """A passage through every LSTM layer of a language model, read as one sequence from a zero state, the units
    ranked by how they respond to spaces, quotes, line breaks and digits, the saturation shares against `reference`
    (trained here when not given), and how closely the recomputed first layer matches Keras' own."""
    if prepared.config.task != "text-lm":
        raise NotInspectable("a passage is read by a language model only")
    tokens, ids, unknown = passage_tokens(prepared, passage)
    if not tokens:
        raise NotInspectable("none of the passage's characters are in the model's vocabulary")
    stack = lstm_stack(model)
    traces, keep = stack.run(ids[None])
    reference = reference if reference is not None else healthy_reference(prepared, model)
    responses = [[unit_responses(trace["hidden"][0], tokens) for trace in layer] for layer in traces]
    return {"kind": "passage", "task": "text-lm", "tokens": tokens, "unknown": unknown, "steps": len(tokens),
            "kept": keep[0], "layers": _layers_out(stack, traces), "responses": responses,
            "saturation": _saturation_against(stack, reference, ids[None]), "reference": reference.to_dict(),
            "agreement": keras_agreement(stack, model, ids[None], traces, keep),
            "learning_rate": prepared.config.learning_rate, "optimizer": prepared.config.optimizer}


def inspect(prepared, model, window: int | None = None, passage: str | None = None) -> dict:
    if prepared.config.task not in INSPECTED_TASKS:
        raise NotInspectable(f"the inside view is drawn for {', '.join(INSPECTED_TASKS)} runs, not "
                             f"{prepared.config.task}")
    if prepared.config.task == "text-lm":
        return inspect_passage(prepared, model, passage)
    return inspect_window(prepared, model, window)


def plain(result: dict) -> dict:
    """The result as JSON-ready values: arrays as lists, NaN as None."""
    if isinstance(result, dict):
        return {key: plain(value) for key, value in result.items()}
    if isinstance(result, (list, tuple)):
        return [plain(value) for value in result]
    if isinstance(result, np.ndarray):
        return plain(result.tolist())
    if isinstance(result, (float, np.floating)):
        return None if not np.isfinite(result) else float(result)
    if isinstance(result, np.integer):
        return int(result)
    if isinstance(result, np.bool_):
        return bool(result)
    return result

"""Compiled models kept by shape inside a worker process, so a second run of the same shape skips the trace and the
XLA compile (seconds) and starts at steady speed.

A model is kept with its compiled train, test and predict steps. A later run whose fresh model has the same
architecture (the same Keras config: layers, units, shapes, activations, dropout, seeds) and the same compile
settings apart from the learning rate takes the kept model instead: the fresh model's initial weights are copied
in (dropout seed states included), the optimizer's state is zeroed and its learning rate set. The run then trains
exactly as the fresh model would have, step for step. Only workers turn this on (`keep_compiled`): elsewhere a
caller may hold on to a finished run's model, which a later run must never overwrite. The store is bounded, and
recycling a worker clears it with the process.
"""

from __future__ import annotations

import json
from collections import OrderedDict

import numpy as np

_kept: OrderedDict[str, object] | None = None
_capacity = 0


# Settings that never reach the compiled model: runs differing only in these can share one.
_NOT_SHAPE = ("learning_rate", "epochs", "patience", "early_stopping")


def shape_hint(setup: dict | None) -> str:
    """A cheap guess, without TensorFlow, at a run's compiled shape: its data and settings but those above. The
    dispatcher hands a run to a worker that trained the same hint; a wrong guess only costs a compile."""
    if not setup:
        return ""
    config = {k: v for k, v in setup["config"].items() if k not in _NOT_SHAPE}
    return json.dumps([setup["reader"], setup["data_ref"], config], sort_keys=True, default=repr)


def keep_compiled(capacity: int | None = None) -> None:
    """Turn on reuse of compiled models in this process (a training worker), keeping at most `capacity` (default:
    the compiled_per_worker limit); 0 turns it off and lets them go."""
    global _kept, _capacity
    if capacity is None:
        from lstm_core.limits import limit

        capacity = limit("compiled_per_worker")
    _kept, _capacity = (OrderedDict() if capacity > 0 else None), capacity


def kept_count() -> int:
    return len(_kept or ())


def compiled(fresh, optimizer, **compile_settings):
    """(model to train, kept): a kept model of the same shape set to `fresh`'s starting point (kept=True), or
    `fresh` itself compiled with these settings."""
    if _kept is None:
        compile_built(fresh, optimizer, **compile_settings)
        return fresh, False
    key = _shape_key(fresh, optimizer, compile_settings)
    model = _kept.get(key)
    if model is None:
        compile_built(fresh, optimizer, **compile_settings)
        _kept[key] = fresh
        while len(_kept) > _capacity:
            _kept.popitem(last=False)
        return fresh, False
    _kept.move_to_end(key)
    _start_from(model, fresh, optimizer)
    return model, True


def compile_built(model, optimizer, **compile_settings) -> None:
    """model.compile, with the optimizer built and the predict step made: the same losses, less tracing."""
    model.compile(optimizer=optimizer, **compile_settings)
    # Keras builds the optimizer's slots inside the first traced training step, and a tf.function that creates
    # variables is traced a second time: ~0.5 s of every fresh model's first epoch. Built now, it is traced once.
    optimizer.build(model.trainable_variables)
    if model.jit_compile:
        # A run predicts in a few calls of shapes its training never had (the test part, the forecast past the end,
        # one window): XLA would compile each (~0.4 s of a fresh run's scoring) to save microseconds a call.
        model.jit_compile = False
        model.make_predict_function()
        model.jit_compile = True


def forget(model) -> None:
    """Drop a kept model (one whose compile failed, so the run retries without XLA)."""
    if _kept is None:
        return
    for key in [key for key, kept in _kept.items() if kept is model]:
        del _kept[key]


def _shape_key(model, optimizer, compile_settings: dict) -> str:
    # Everything that shapes the compiled steps; the learning rate is a variable inside them, so it is left out.
    settings = {name: getattr(value, "__name__", value) for name, value in compile_settings.items()}
    optimizer_config = {k: v for k, v in optimizer.get_config().items() if k not in ("learning_rate", "name")}
    config = model.get_config()
    key = json.dumps({"model": config, "optimizer": [type(optimizer).__name__, optimizer_config],
                      "compile": settings}, sort_keys=True, default=repr)
    # Keras numbers the layers it names itself per process ("not_equal", then "not_equal_1": a classifier's mask
    # ops): a name is the layer's place, so that a second model of the same shape has the same key.
    names = [layer.get("name") for layer in config.get("layers", []) if isinstance(layer, dict)]
    for place, name in enumerate(names):
        if isinstance(name, str):
            key = key.replace(json.dumps(name), json.dumps(f"layer {place}"))
    return key


def _start_from(model, fresh, optimizer) -> None:
    """Set a kept model to where a fresh one starts: its weights and seed states, a zeroed optimizer."""
    for kept, new in zip(model.variables, fresh.variables, strict=True):
        kept.assign(new.value)
    for variable in model.optimizer.variables:
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    model.optimizer.learning_rate = float(optimizer.learning_rate.numpy()) if hasattr(
        optimizer.learning_rate, "numpy") else float(optimizer.learning_rate)

"""Reports as JSON: a run's scores, predictions and arrays written by a worker and read back by the page.

Only the report classes named here can be rebuilt, from plain JSON values: nothing a file holds is ever run or
unpickled (docs/security.md).
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
import pandas as pd


def _report_classes() -> dict[str, type]:
    from lstm_core.tasks.forecast.results import ForecastReport
    from lstm_core.tasks.sequences.results import ClassificationReport
    from lstm_core.tasks.text_classify.model import TextReport

    return {cls.__name__: cls for cls in (ForecastReport, ClassificationReport, TextReport)}


def dumps_report(report) -> bytes:
    return json.dumps(_encode(report), allow_nan=True).encode()


def loads_report(raw: bytes):
    return _decode(json.loads(raw.decode()))


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _report_classes():
            raise TypeError(f"{name} is not a report the store keeps")
        return {"__report__": name, "fields": {f.name: _encode(getattr(value, f.name))
                                               for f in dataclasses.fields(value)}}
    if isinstance(value, np.ndarray):
        return {"__array__": _encode(value.tolist()), "dtype": str(value.dtype) if value.dtype != object else "object"}
    if isinstance(value, pd.DataFrame):
        return {"__frame__": _encode(value.to_dict(orient="split"))}
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, np.generic):
        return _encode(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__report__" in value:
        cls = _report_classes()[value["__report__"]]
        return cls(**{k: _decode(v) for k, v in value["fields"].items()})
    if "__array__" in value:
        return np.asarray(_decode(value["__array__"]), dtype=None if value["dtype"] == "object" else value["dtype"])
    if "__frame__" in value:
        split = _decode(value["__frame__"])
        return pd.DataFrame(split["data"], index=split["index"], columns=split["columns"])
    if "__dict__" in value:
        return {_hashable(_decode(k)): _decode(v) for k, v in value["__dict__"]}
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__float__" in value:
        return float(value["__float__"])
    return value


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key

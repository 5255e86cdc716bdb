"""One boundary where exceptions from pandas, numpy, TensorFlow or Keras become findings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lstm_core.findings import Finding

_FLAGS = re.IGNORECASE | re.DOTALL


@dataclass(frozen=True)
class KnownError:
    code: str
    pattern: re.Pattern
    title: str
    detail: str


KNOWN_ERRORS = [
    KnownError("TF001", re.compile(r"Received a label value of (-?\d+) which is outside the valid range of "
                                   r"\[0, (\d+)\)", _FLAGS),
               "A class label is larger than the output layer allows",
               "A label of {0} reached an output layer with {1} unit(s). Sparse categorical cross-entropy needs "
               "one output unit per class (labels 0 … K−1) with a softmax head."),
    KnownError("TF007", re.compile(r"expected ndim=(\d+), found ndim=(\d+)", _FLAGS),
               "The data has the wrong number of dimensions",
               "The layer expects {0}-D input but received {1}-D. An LSTM needs (batch, timesteps, features): a "
               "single feature still needs its own axis of size 1."),
    KnownError("TF002", re.compile(r"Dimensions must be equal, but are (\d+) and (\d+)|"
                                   r"expected shape=\(([^)]*)\), found shape=\(([^)]*)\)|"
                                   r"is incompatible with the layer", _FLAGS),
               "The data's shape does not match the model",
               "Two sizes that must agree differ (the numbers are in the original message): usually the number of "
               "features in the windows against the model's input, or the width of the targets against the "
               "output layer. An LSTM needs (batch, timesteps, features) and one target per output unit."),
    KnownError("TF003", re.compile(r"Data cardinality is ambiguous|Make sure all arrays contain the same number",
                                   _FLAGS),
               "Inputs and targets have different numbers of samples",
               "x and y must hold one target per window; their first dimensions differ."),
    KnownError("TF004", re.compile(r"ResourceExhausted|OOM when allocating|out of memory|Unable to allocate|"
                                   r"MemoryError", _FLAGS),
               "Out of memory",
               "The model or a batch is too large for this machine's memory. Lower the batch size, the units or "
               "the timesteps."),
    KnownError("TF005", re.compile(r"Invalid dtype: (\w+)|could not convert string to float|"
                                   r"Failed to convert a NumPy array to a Tensor|Cannot convert .* to EagerTensor",
                                   _FLAGS),
               "Non-numeric values reached the model",
               "Text, empty objects or mixed types cannot be fed to an LSTM; every input must be a number. Check "
               "that the feature columns are numeric and that missing values are handled."),
    KnownError("TF006", re.compile(r"Could not interpret (\w+(?: \w+)?) identifier: (\S+)", _FLAGS),
               "Keras does not know this setting",
               "The {0} '{1}' is not one Keras recognises. Pick one from the list in the settings."),
]


def translate(exc: BaseException, area: str = "training") -> Finding:
    """A finding for any exception; unknown ones keep their message, never a traceback."""
    message = str(exc).strip() or type(exc).__name__
    for known in KNOWN_ERRORS:
        match = known.pattern.search(message)
        if match:
            groups = [g if g is not None else "?" for g in match.groups()]
            detail = known.detail.format(*groups) if groups else known.detail
            return Finding(known.code, "error", known.title, detail,
                           evidence={"exception": type(exc).__name__}, area=area, original=message)
    first_line = message.splitlines()[0][:300]
    return Finding("TF000", "error", f"Unexpected {type(exc).__name__} while {area}",
                   f"Something this playground does not recognise stopped the {area}: {first_line}. The full "
                   "message is under details.",
                   evidence={"exception": type(exc).__name__}, area=area, original=message)

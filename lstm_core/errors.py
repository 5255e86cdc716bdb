"""One boundary where exceptions from pandas, numpy, TensorFlow or Keras become findings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .findings import Finding


@dataclass(frozen=True)
class KnownError:
    code: str
    pattern: re.Pattern
    title: str
    detail: str
    fix: dict | None = None


KNOWN_ERRORS = [
    KnownError("TF001", re.compile(r"Received a label value of (\d+) which is outside the valid range of \[0, (\d+)\)"),
               "A class label is larger than the output layer allows",
               "A label of {0} reached an output with {1} unit(s). Sparse categorical cross-entropy needs one "
               "output unit per class, with softmax."),
    KnownError("TF002", re.compile(r"expected (?:axis -1 of )?(?:input )?shape.*|Input \d+ of layer .* is incompatible",
                                   re.IGNORECASE | re.DOTALL),
               "The data's shape does not match the model's input",
               "The windows given to the model have a different shape from the one it was built for. An LSTM "
               "needs (batch, timesteps, features)."),
    KnownError("TF003", re.compile(r"Data cardinality is ambiguous|Make sure all arrays contain the same number",
                                   re.IGNORECASE),
               "Inputs and targets have different numbers of samples",
               "x and y must hold one target per window."),
    KnownError("TF004", re.compile(r"OOM|out of memory|Unable to allocate|MemoryError", re.IGNORECASE),
               "Out of memory", "The model or batch is too large for this machine's memory. Lower the batch "
               "size, the units or the timesteps."),
    KnownError("TF005", re.compile(r"Cannot convert .* to EagerTensor|could not convert string to float|"
                                   r"Failed to convert a NumPy array to a Tensor", re.IGNORECASE | re.DOTALL),
               "Non-numeric values reached the model",
               "Text or mixed types cannot be fed to an LSTM; every input must be a number."),
]


def translate(exc: BaseException, area: str = "training") -> Finding:
    """A finding for any exception; unknown ones keep their message, never a traceback."""
    message = str(exc).strip() or type(exc).__name__
    for known in KNOWN_ERRORS:
        match = known.pattern.search(message)
        if match:
            detail = known.detail.format(*match.groups())
            return Finding(known.code, "error", known.title, detail, evidence={"exception": type(exc).__name__},
                           fix=known.fix, area=area, original=message)
    first_line = message.splitlines()[0][:300]
    return Finding("TF000", "error", f"{type(exc).__name__} while {area}",
                   f"An unexpected error stopped the {area}: {first_line}",
                   evidence={"exception": type(exc).__name__}, area=area, original=message)

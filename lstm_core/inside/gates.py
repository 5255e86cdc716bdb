"""Inside the LSTM: the gates, cell state and hidden state of a trained layer, recomputed in numpy from its weights.

Keras packs an LSTM's four gates side by side: kernel (features, 4·units), recurrent_kernel (units, 4·units) and
bias (4·units), in the order input, forget, candidate, output. One step is

    z = x·W + h·U + b;  i, f, o = σ(z_i), σ(z_f), σ(z_o);  g = tanh(z_g);  c = f·c + i·g;  h = o·tanh(c)

with σ the layer's recurrent activation and tanh its activation. A padded (masked) step changes nothing: the
state and the output are carried over from the step before, as Keras does.

Everything here is numpy on plain arrays: the page, the helper process and the CLI share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The parts drawn, in Keras' gate order where they are gates; the candidate is left out of the heatmaps.
GATES = ("input", "forget", "output")
PARTS = ("input", "forget", "candidate", "output", "cell", "hidden")
# A gate within this distance of 0 or 1 passes (almost) nothing or everything: its gradient is ~0 there.
GATE_MARGIN = 0.02
# The squashed cell state beyond ±this is on the flat part of tanh.
CELL_LEVEL = 0.99
# Activations that flatten out near ±1 (or 0 and 1): saturation means something for them only.
SATURATING = ("tanh", "sigmoid", "softsign", "hard_sigmoid")
# A share above this, and twice the reference's, is called saturated in words.
SATURATED_SHARE = 0.5


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the same function as 1/(1+e^-z), without overflow


def _hard_sigmoid(z):
    return np.clip(z / 6.0 + 0.5, 0.0, 1.0)


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


ACTIVATIONS = {"tanh": np.tanh, "sigmoid": _sigmoid, "hard_sigmoid": _hard_sigmoid, "relu": lambda z: np.maximum(z, 0),
               "linear": lambda z: z, "softsign": lambda z: z / (1 + np.abs(z)), "elu": _elu}


@dataclass
class Cell:
    """One direction of one LSTM layer: its weights (float64) and activations, by name."""

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    go_backwards: bool = False
    name: str = "lstm"

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    def __post_init__(self) -> None:
        for name in (self.activation, self.recurrent_activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"activation {name!r} is not recomputed here; known: {', '.join(ACTIVATIONS)}")
        self.kernel = np.asarray(self.kernel, dtype="float64")
        self.recurrent_kernel = np.asarray(self.recurrent_kernel, dtype="float64")
        self.bias = np.asarray(self.bias, dtype="float64") if self.bias is not None else np.zeros(4 * self.units)


def run_cell(x: np.ndarray, cell: Cell, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every part of every step for a batch x (sequences, steps, features) → {part: (sequences, steps, units)}, in
    the input's time order (a backward cell runs from the last step, its arrays are turned back)."""
    x = np.asarray(x, dtype="float64")
    sequences, steps, _ = x.shape
    units = cell.units
    keep = np.ones((sequences, steps), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    order = range(steps - 1, -1, -1) if cell.go_backwards else range(steps)
    act, recurrent = ACTIVATIONS[cell.activation], ACTIVATIONS[cell.recurrent_activation]
    projected = x @ cell.kernel + cell.bias  # the input's share of every step at once
    out = {part: np.zeros((sequences, steps, units)) for part in PARTS}
    h, c = np.zeros((sequences, units)), np.zeros((sequences, units))
    for t in order:
        z = projected[:, t] + h @ cell.recurrent_kernel
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        i, f, g, o = recurrent(i), recurrent(f), act(g), recurrent(o)
        c_new = f * c + i * g
        h_new = o * act(c_new)
        step_kept = keep[:, t:t + 1]
        c, h = np.where(step_kept, c_new, c), np.where(step_kept, h_new, h)
        # A padded step's gates never act: NaN, so no picture or share counts them; its state is the one carried.
        for part, value in zip(PARTS[:4], (i, f, g, o), strict=True):
            out[part][:, t] = np.where(step_kept, value, np.nan)
        out["cell"][:, t], out["hidden"][:, t] = c, h
    return out


def layer_output(traces: list[dict[str, np.ndarray]]) -> np.ndarray:
    """What the layer hands on: the hidden states, both directions side by side (forward first) when bidirectional."""
    return np.concatenate([trace["hidden"] for trace in traces], axis=-1)


def saturation(trace: dict[str, np.ndarray], activation: str = "tanh", mask: np.ndarray | None = None) -> dict:
    """Shares of the kept steps' gate values within GATE_MARGIN of 0 and of 1, and of act(cell) beyond ±CELL_LEVEL.

    {"input": {"low": .., "high": .., "share": ..}, "forget": .., "output": .., "cell": {"share": .. or None}}
    """
    keep = None if mask is None else np.asarray(mask, dtype=bool)

    def kept(values: np.ndarray) -> np.ndarray:
        return values[keep] if keep is not None else values.reshape(-1, values.shape[-1])

    shares = {}
    for gate in GATES:
        values = kept(trace[gate])
        low, high = float(np.mean(values < GATE_MARGIN)), float(np.mean(values > 1 - GATE_MARGIN))
        shares[gate] = {"low": low, "high": high, "share": low + high}
    cell = None
    if activation in SATURATING:
        cell = float(np.mean(np.abs(ACTIVATIONS[activation](kept(trace["cell"]))) > CELL_LEVEL))
    shares["cell"] = {"share": cell}
    return shares


def unit_order(values: np.ndarray, by: str = "unit") -> np.ndarray:
    """Units (the last axis of a (steps, units) array) in the order asked: by number, by mean |value| (activity) or
    by how much they change over the steps (standard deviation), the strongest first."""
    if by == "unit":
        return np.arange(values.shape[-1])
    score = np.nanmean(np.abs(values), axis=0) if by == "activity" else np.nanstd(values, axis=0)
    return np.argsort(-np.nan_to_num(score), kind="stable")


# Character classes a unit may track in a text; each is a predicate on one token.
TOKEN_CLASSES = {
    "spaces": lambda token: token.isspace() and "\n" not in token,
    "quotes": lambda token: any(ch in token for ch in "\"'“”‘’«»"),
    "line breaks": lambda token: "\n" in token,
    "digits": lambda token: any(ch.isdigit() for ch in token),
}


# A class of characters seen fewer times than this in the passage says nothing about a unit.
MIN_TOKENS = 3


def unit_responses(hidden: np.ndarray, tokens: list[str], top: int = 5) -> dict[str, list[dict]]:
    """For each token class present in the passage, the units whose hidden state differs most on its tokens from
    the rest: the difference of the means in units of the unit's spread over the passage (an effect size), the
    strongest first. Classes seen fewer than MIN_TOKENS times in the passage (or almost filling it) are left out."""
    hidden = np.asarray(hidden, dtype="float64")
    spread = hidden.std(axis=0) + 1e-6
    ranked = {}
    for name, test in TOKEN_CLASSES.items():
        inside = np.fromiter((test(t) for t in tokens), dtype=bool, count=len(tokens))
        if inside.sum() < MIN_TOKENS or (~inside).sum() < MIN_TOKENS:
            continue
        effect = (hidden[inside].mean(axis=0) - hidden[~inside].mean(axis=0)) / spread
        best = np.argsort(-np.abs(effect), kind="stable")[:top]
        ranked[name] = [{"unit": int(u), "effect": float(effect[u]), "count": int(inside.sum())} for u in best]
    return ranked


def occlusion(predict, window: np.ndarray, baseline: np.ndarray, keep: np.ndarray | None = None,
              output: int = 0) -> np.ndarray:
    """How far the prediction moves when one step of the window is replaced by `baseline` (an ordinary value: the
    training mean): one batch of steps + 1 windows through `predict`, the change per step (predicted − occluded).
    Padded steps (keep False) are never replaced and score 0."""
    window = np.asarray(window, dtype="float32")
    steps = window.shape[0]
    batch = np.repeat(window[None], steps + 1, axis=0)
    for t in range(steps):
        if keep is None or keep[t]:
            batch[t + 1, t] = baseline
    predicted = np.asarray(predict(batch), dtype="float64").reshape(steps + 1, -1)[:, output]
    change = predicted[0] - predicted[1:]
    if keep is not None:
        change = np.where(keep, change, 0.0)
    return change


# What a run's saturation is compared with (reference.py): a healthy run of the same setup trained for the
# view, the run itself when it is one, or the network untrained when training the reference failed.
TRAINED, ITSELF, UNTRAINED = "trained", "itself", "untrained"


def saturation_story(shares: dict, reference: dict | None, learning_rate: float, high_rate: float,
                     fired_at: int | None = None, kind: str = UNTRAINED, reference_rate: float | None = None
                     ) -> list[str]:
    """Plain sentences on what the saturation shares mean for this run: which gate is pinned, and the likely cause
    (the learning rate when it is above the optimiser's usual range and the healthy reference is not saturated; the
    inputs when the untrained network is saturated too). `kind` says what `reference` is (TRAINED at
    `reference_rate`, ITSELF or UNTRAINED)."""
    lines, switches = [], []
    for gate in GATES:
        part = shares[gate]
        if part["share"] < SATURATED_SHARE:
            continue
        if min(part["high"], part["low"]) > part["share"] / 5:  # pinned on both sides: a switch, not a gate
            switches.append(f"{gate} {part['share']:.0%} ({part['low']:.0%} at 0, {part['high']:.0%} at 1)")
            continue
        pinned = "1" if part["high"] >= part["low"] else "0"
        meaning = {("forget", "1"): "the cell cannot forget", ("forget", "0"): "the cell forgets everything at once",
                   ("input", "0"): "nothing new gets into the cell", ("input", "1"): "every step is written in full",
                   ("output", "0"): "the cell is hidden from the output",
                   ("output", "1"): "the cell is always shown in full"}[(gate, pinned)]
        lines.append(f"{max(part['high'], part['low']):.0%} of {gate}-gate values are pinned at {pinned}: {meaning}.")
    if switches:
        gates = "gate" if len(switches) == 1 else "gates"
        lines.insert(0, f"Gate values pinned at 0 or 1: {'; '.join(switches)}. The {gates} work as on/off switches "
                        "and pass no gradient.")
    cell = shares["cell"]["share"]
    if cell is not None and cell >= SATURATED_SHARE:
        lines.append(f"{cell:.0%} of the squashed cell values are beyond ±{CELL_LEVEL}: the output sits on the flat "
                     "part of tanh, where almost no gradient passes.")
    if not lines:
        return []
    lines += _reference_lines(reference, learning_rate, high_rate, kind, reference_rate)
    if fired_at is not None:
        lines.append(f"The runtime check TRAIN109 (saturated units) fired at epoch {fired_at}.")
    if saturation_cause(reference, learning_rate, high_rate, fired_at, kind) is None:
        compared = {UNTRAINED: "the untrained network was not saturated",
                    TRAINED: "the healthy reference is saturated as much",
                    ITSELF: "this run is the healthy reference"}[kind]
        if kind == TRAINED and _most(reference) < SATURATED_SHARE:
            compared = "the healthy reference is not saturated"
        lines.append(f"No cause in sight, though: the learning rate is in the usual range, {compared} and no runtime "
                     "check fired. A gate a model learnt to keep shut or open can be its choice (character models "
                     "keep many); it is a fault when the loss stops falling too.")
    return lines


def _most(reference: dict | None) -> float:
    return max(reference[g]["share"] for g in GATES) if reference else 0.0


def _reference_lines(reference: dict | None, learning_rate: float, high_rate: float, kind: str,
                     reference_rate: float | None) -> list[str]:
    most = _most(reference)
    if kind == ITSELF:
        return ["This run is its own healthy reference: it trained at a usual learning rate without a warning from "
                "any training check."]
    if kind == TRAINED:
        setup = f"The same setup trained at learning rate {reference_rate:g}"
        if reference and most >= SATURATED_SHARE:
            return [f"{setup} is saturated too ({most:.0%} at most): not this run's learning rate, then; the inputs "
                    "may be too large for the gates (is scaling off?), or the model keeps those gates shut or open "
                    "by choice."]
        if learning_rate > high_rate:
            return [f"{setup} is not saturated ({most:.0%} at most): this run's learning rate of {learning_rate:g} "
                    "pushed the weights there."]
        return []
    if reference and most >= SATURATED_SHARE:
        return ["The untrained network is saturated on this window too: the inputs are too large for the gates "
                "(is scaling off?), whatever the training did."]
    if learning_rate > high_rate:
        return [f"The same network before training was not saturated ({most:.0%} at most): this run's learning rate "
                f"of {learning_rate:g} pushed the weights there."]
    return []


def saturation_cause(reference: dict | None, learning_rate: float, high_rate: float,
                     fired_at: int | None = None, kind: str = UNTRAINED) -> str | None:
    """Why saturation here is a problem: "inputs" (the untrained network is saturated already), "learning rate"
    (above the optimiser's usual range, and the healthy reference is not saturated), "runtime" (TRAIN109 fired), or
    None when nothing points at a fault."""
    saturated_reference = bool(reference) and _most(reference) >= SATURATED_SHARE
    if kind == UNTRAINED and saturated_reference:
        return "inputs"
    if learning_rate > high_rate and not saturated_reference:
        return "learning rate"
    return "runtime" if fired_at is not None else None

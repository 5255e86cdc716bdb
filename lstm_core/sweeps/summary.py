"""A sweep's one-line summary in the user's words, runs that went wrong the same way named together by their values."""

from __future__ import annotations

from lstm_core.sweeps.grid import show_value
from lstm_core.sweeps.outcomes import DIVERGED, OSCILLATED, STALLED, UNDERFIT, SweepRun, SweepState

# What went wrong, in the order the summary names it, with the monitor codes that say so.
OUTCOMES = (("diverged", DIVERGED), ("oscillated", OSCILLATED), ("stalled", STALLED), ("learnt little", UNDERFIT),
            ("failed", ()), ("cancelled", ()))
ALL = "all"


def summarize(state: SweepState) -> str:
    """"Learning rates ≥ 1 diverged (TRAIN102), 1e-5 stalled (TRAIN103); best: 3e-3, validation loss 0.041". Runs that
    went wrong the same way are named together by the values they share: a range at either end of a setting's values
    ("≥ 1"), a setting's value whatever the other setting was, or else one by one."""
    clauses, previous = [], None
    for outcome, codes in OUTCOMES:
        group = [run for run in state.runs if run.outcome == outcome]
        if not group:
            continue
        setting, words = _describe(group, state)
        plural = len({repr(run.values.get(setting)) for run in group}) > 1
        noun = _noun(setting, plural) if setting and setting != previous else ""
        subject = f"all {_noun(setting, plural=True)}" if words == ALL else f"{noun} {words}".strip()
        clauses.append(f"{subject} {outcome}{_code(group, codes)}")
        previous = setting
    text = ", ".join(clauses) if clauses else "No run diverged, stalled or oscillated"
    text = text[0].upper() + text[1:]
    return f"{text}; {_best(state)}{_progress(state)}"


def _describe(group: list[SweepRun], state: SweepState) -> tuple[str | None, str]:
    """(the setting that names the group, the words for its values); (None, combinations) when no one setting does."""
    if len(group) == len(state.runs) and len(state.settings) == 1:
        return state.settings[0], ALL
    for setting in state.settings:
        shared = {_key(run.values.get(setting)) for run in group}
        if {id(run) for run in state.runs if _key(run.values.get(setting)) in shared} == {id(run) for run in group}:
            return setting, _values_words(setting, [run.values.get(setting) for run in group], state)
    return None, _join([", ".join(f"{_noun(s)} {show_value(run.values.get(s))}" for s in state.settings)
                        for run in group])


def _values_words(setting: str, values: list, state: SweepState) -> str:
    chosen = sorted(set(values), key=_order)
    every = sorted({run.values.get(setting) for run in state.runs}, key=_order)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in every)
    if numbers and 2 <= len(chosen) < len(every):
        if chosen == every[-len(chosen):]:
            return f"≥ {show_value(chosen[0])}"
        if chosen == every[:len(chosen)]:
            return f"≤ {show_value(chosen[-1])}"
    return _join([show_value(v) for v in chosen])


def _best(state: SweepState) -> str:
    best = state.best
    so_far = " so far" if state.active else ""
    if best is None:
        return "no run has finished yet" if state.active else "no run finished without diverging or failing"
    values = [show_value(best.values.get(s)) if len(state.settings) == 1 else
              f"{_noun(s)} {show_value(best.values.get(s))}" for s in state.settings]
    return f"best{so_far}: {', '.join(values)}, validation loss {best.best_val_loss:.3g}"


def _progress(state: SweepState) -> str:
    if state.active:
        return f" ({state.finished} of {len(state.runs)} runs finished)"
    return " (the sweep was stopped)" if state.stopped else ""


def _code(group: list[SweepRun], codes: tuple) -> str:
    """The monitor's code that flagged the group (the first one its runs share), or a failed run's error code."""
    found = [code for run in group for code in run.codes if code in codes]
    if not codes:
        found = [f.code for run in group for f in run.findings if f.severity == "error"]
    return f" ({max(dict.fromkeys(found), key=found.count)})" if found else ""


def _noun(setting: str, plural: bool = False) -> str:
    word = setting.replace("_", " ")
    return word + "s" if plural and not word.endswith("s") else word


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _key(value):
    return repr(value)


def _order(value):
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))

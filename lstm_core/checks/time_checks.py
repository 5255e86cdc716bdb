"""Checks on the time column: order, repeats and spacing of the timestamps."""

from __future__ import annotations

import numpy as np

from lstm_core.checks.engine import CheckContext, register
from lstm_core.findings import Finding

# A step counts as irregular when it differs from the usual (median) step by more than this share of it;
# 15 % lets calendar months (28–31 days) and quarters count as regular.
STEP_TOLERANCE = 0.15
# More irregular steps than this share of all steps, and windows cover unequal stretches of time.
IRREGULAR_SHARE = 0.05


@register("DATA014")
def timestamps_out_of_order(ctx: CheckContext):
    times = _readable_times(ctx)
    if times is None:
        return
    backwards = np.flatnonzero(times.steps < 0)
    if len(backwards):
        row = int(times.rows[backwards[0] + 1]) + 1
        yield Finding(
            "DATA014", "error", "Rows are not in time order",
            f"The time goes backwards {len(backwards)} time(s), first at data row {row} (counting from 1 below "
            "the header). Windows would mix past and future, and the chronological split would leak test rows "
            "into training. Sort the file by its time column.",
            evidence={"steps_back": len(backwards), "first_row": row}, area="data")


@register("DATA015")
def repeated_timestamps(ctx: CheckContext):
    times = _readable_times(ctx)
    if times is None:
        return
    ordered = times.ticks if (times.steps >= 0).all() else np.sort(times.ticks)
    repeats = np.flatnonzero(np.diff(ordered) == 0)
    if len(repeats):
        example = times.text(ordered[repeats[0]])
        yield Finding(
            "DATA015", "warning", f"{len(repeats)} repeated timestamp(s)",
            f"Several rows share a time, e.g. {example}. Often the file stacks several series (one row per "
            "store or sensor per time) or holds duplicated rows; a window then jumps between series. Keep one "
            "series per file, or aggregate the rows of each time.",
            evidence={"repeated": len(repeats), "rows": len(ordered), "example": example}, area="data")


@register("DATA016")
def irregular_sampling(ctx: CheckContext):
    times = _readable_times(ctx)
    if times is None:
        return
    # Repeats and steps back are DATA015's and DATA014's; this looks at the spacing of the rest.
    steps = times.steps[times.steps > 0].astype("float64")
    if not len(steps):
        return
    # Floats: numpy's median of int64 steps that are nearly all equal took 20 ms on 100,000 rows.
    usual = float(np.median(steps))
    irregular = int((np.abs(steps - usual) > STEP_TOLERANCE * usual).sum())
    unreadable = times.unreadable
    share = (irregular + unreadable) / (len(steps) + unreadable)
    if share > IRREGULAR_SHARE:
        yield Finding(
            "DATA016", "warning", f"Irregular sampling: {share:.0%} of the time steps are not the usual step",
            f"The usual step is {times.span(usual)}, but {irregular} step(s) differ from it by more than "
            f"{STEP_TOLERANCE:.0%} (largest gap {times.span(float(steps.max()))})"
            f"{f' and {unreadable} time(s) could not be read' if unreadable else ''}. An LSTM assumes equal steps: "
            "a window across a gap mixes two distant stretches. Resample to a regular step and fill the gaps; "
            "if the gaps are by design (weekends, trading days), you can ignore this.",
            evidence={"irregular_steps": irregular, "steps": len(steps), "unreadable_times": unreadable,
                      "share": round(share, 4), "limit": IRREGULAR_SHARE, "usual_step": times.span(usual),
                      "largest_step": times.span(float(steps.max()))}, area="data")


class _Times:
    """The time column as integers (ticks of its own unit) with unreadable entries left out, and the steps
    between them."""

    def __init__(self, index: np.ndarray):
        self.is_date = np.issubdtype(index.dtype, np.datetime64)
        if self.is_date:
            self.unit = np.datetime_data(index.dtype)[0]
            readable = ~np.isnat(index)
            self.ticks = index[readable].view("int64")
        else:
            values = index.astype("float64")
            readable = np.isfinite(values)
            self.ticks = values[readable]
        self.steps = np.diff(self.ticks)
        self.rows = np.flatnonzero(readable)
        self.unreadable = int(len(index) - len(self.ticks))

    def text(self, tick) -> str:
        if self.is_date:
            stamp = np.datetime_as_string(np.datetime64(int(tick), self.unit), unit="s")
            return stamp.removesuffix("T00:00:00").replace("T", " ")
        return f"{tick:g}"

    def span(self, ticks: float) -> str:
        if not self.is_date:
            return f"{ticks:g}"
        seconds = ticks / (np.timedelta64(1, "s") / np.timedelta64(1, self.unit))
        for size, name in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
            if seconds >= size:
                amount = seconds / size
                return f"{amount:.3g} {name}{'' if amount == 1 else 's'}"
        return f"{seconds:.3g} seconds"


def _readable_times(ctx: CheckContext) -> _Times | None:
    index = None if ctx.time_index is None else np.asarray(ctx.time_index)
    if index is None or len(index) < 3 or index.dtype.kind not in "Mifu":
        return None
    times = _Times(index)
    return times if len(times.ticks) >= 3 else None

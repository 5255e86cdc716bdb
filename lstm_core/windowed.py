"""Training for the tasks whose prepared run holds its windows as arrays (forecast, sequences, text classification):
the Runner with the monitors attached, whether XLA pays for the run, and warming a worker's compiled step."""

from __future__ import annotations

import dataclasses

from lstm_core.validation import VALIDATION_BATCH

# XLA compiles for ~3 s more than a plain trace before the first epoch and then runs each step of a narrow layer
# about twice as fast (default sample, cold worker: whole fit 7.8 s with it vs 8.2 s without; 0.12 vs 0.22 s an
# epoch). Below this much work (training windows × epochs × timesteps) a run ends sooner without it. A worker that
# keeps the shape compiled (compiled.py) pays neither; the choice still depends on the run alone, so the same
# settings always train the same way.
XLA_MIN_WORK = 500_000
# XLA fuses the many small element-wise operations of an LSTM step and saves their dispatch, which is most of a
# narrow layer's step. In wider layers the matrix products take most of the time, and TensorFlow's own kernels run
# them as fast or faster (steady epochs on the AMD EPYC, bench/xla_choice.py: 16 and 32 units 1.5-2.3x faster with
# XLA in one to three layers; 64 units 1.0-1.2x in one layer, 0.97-1.01x stacked; 96 units and wider 0.6-0.97x).
XLA_MAX_UNITS = 64
XLA_MAX_STACKED_UNITS = 32


def runner_for(prepared, listeners=(), ticks: bool = False, monitors: bool = True, jit_compile: bool = True):
    """The Runner for a prepared run's windows, with the runtime monitors listening."""
    from lstm_core.monitors import attach_monitors
    from lstm_core.train import Runner

    runner = Runner(prepared.config, prepared.windows, listeners, jit_compile=jit_compile, ticks=ticks)
    if monitors:
        attach_monitors(runner)
    return runner


def train(prepared, listeners=(), monitors: bool = True, jit_compile: bool | None = None):
    """Train a prepared run as the page does; jit_compile None: XLA when the run is long enough to pay for it."""
    jit = worth_compiling(prepared) if jit_compile is None else jit_compile
    return runner_for(prepared, listeners, monitors=monitors, jit_compile=jit).run()


def worth_compiling(prepared) -> bool:
    """Compile with XLA only when its layers are narrow enough for XLA to run a step faster, and the run is long
    enough to win back the compile time."""
    windows, config = prepared.windows, prepared.config
    samples = len(windows.x_train) if windows is not None and hasattr(windows, "x_train") else 0
    return narrow_enough(config) and samples * config.epochs * config.timesteps >= XLA_MIN_WORK


def narrow_enough(config) -> bool:
    """Whether XLA runs this network's training step faster than TensorFlow does without it."""
    return config.units <= (XLA_MAX_UNITS if config.layers == 1 else XLA_MAX_STACKED_UNITS)


def why_not_xla(config) -> str:
    """Why a run of `config` that chose for itself trained without XLA, as its status line says it."""
    if not narrow_enough(config):
        stacked = "stacked " if config.layers > 1 else ""
        return f"{stacked}layers of {config.units} units train at least as fast without it"
    return "a short run ends sooner without compiling"


def warm_up(prepared):
    """Trace and compile the model this prepared run will train, so that a run of the same shape in this process
    starts at steady speed (compiled.py keeps it). XLA compiles once per batch shape, so the few windows trained on
    keep the run's last, short batch of the training and validation parts. Returns the trial's model (the caller
    traces its predict steps), or None when the run has no validation windows to warm with."""
    windows, config = prepared.windows, prepared.config
    if not dataclasses.is_dataclass(windows) or not len(getattr(windows, "x_val", ())):
        return None

    def few(array, batch: int):
        return array[:min(len(array), 2 * batch + len(array) % batch)]

    short = dataclasses.replace(windows, x_train=few(windows.x_train, config.batch_size),
                                y_train=few(windows.y_train, config.batch_size),
                                x_val=few(windows.x_val, VALIDATION_BATCH), y_val=few(windows.y_val, VALIDATION_BATCH))
    trial = dataclasses.replace(prepared, config=config.replace(epochs=1, early_stopping=False), windows=short)
    return runner_for(trial, monitors=False, jit_compile=worth_compiling(prepared)).run().model

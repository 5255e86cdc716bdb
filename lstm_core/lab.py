"""The error lab: ready-made broken runs, each a built-in sample plus a few wrong settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_core.config import RunConfig
from lstm_core.named import by_name
from lstm_core.tasks.forecast.samples import CLASSIFICATION_SAMPLES, SAMPLES, classification_sample_csv, sample_csv


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    story: str
    sample: str
    broken: dict
    expect: tuple[str, ...]
    # "before" when the checks catch it before training; "during" when only the loss curve shows it.
    when: str = "before"
    base: dict = field(default_factory=dict)
    # What the trained run shows in Inside the LSTM (the Playground opens that section for it), or "".
    inside: str = ""

    def config(self) -> RunConfig:
        if self.sample in CLASSIFICATION_SAMPLES:
            return CLASSIFICATION_SAMPLES[self.sample].config(**self.base, **self.broken)
        sample = SAMPLES[self.sample]
        settings = {"target": sample.target, "features": sample.features, "season": sample.season,
                    **sample.settings, "epochs": 20, **self.base, **self.broken}
        return RunConfig().replace(**settings)

    def csv(self) -> bytes:
        if self.sample in CLASSIFICATION_SAMPLES:
            return classification_sample_csv(self.sample)
        return sample_csv(self.sample)

    @property
    def sample_title(self) -> str:
        return (CLASSIFICATION_SAMPLES.get(self.sample) or SAMPLES[self.sample]).title


SCENARIOS: dict[str, Scenario] = by_name(
    Scenario("ragged", "Ragged sequences",
             "Pen gestures take 15 to 60 steps. Keras needs (batch, timesteps, features) with one length, and "
             "with padding switched off the sequences cannot be stacked into a batch at all.",
             "gestures", {"pad": "none"}, ("DATA023",)),
    Scenario("sigmoid_three_classes", "A 1-unit sigmoid head on 3 classes",
             "A binary head copied from another project onto a 3-class problem, with sparse categorical "
             "cross-entropy. Keras gets deep into fit and fails with \"Received a label value of 2 which is "
             "outside the valid range of [0, 1)\".",
             "shapes", {"output_units": 1, "output_activation": "sigmoid",
                        "loss": "sparse_categorical_crossentropy"}, ("ARCH011",)),
    Scenario("lr_too_high", "Learning rate 10",
             "Someone copied a learning rate from an SGD tutorial into Adam. The loss jumps around and never "
             "settles, yet it never turns into NaN, so nothing in Keras complains.",
             "noisy_seasonal", {"learning_rate": 10.0}, ("TRAIN001",), when="during",
             inside="Inside the LSTM, after training: nearly every gate value is pinned at 0 or 1 (99 % after "
                    "six epochs here, none in a healthy run of the same setup at 0.001). Pinned gates pass no "
                    "gradient, so the run cannot find its way back."),
    Scenario("lr_too_low", "Learning rate 1e-7",
             "The rate is so small that the weights barely move: the curve is flat and it looks as if the "
             "model cannot learn this data at all.",
             "noisy_seasonal", {"learning_rate": 1e-7}, ("TRAIN002",), when="during",
             inside="Inside the LSTM, after training: the gates look just as they did before training, none of "
                    "them saturated. Nothing is broken inside; the weights have simply not moved."),
    Scenario("too_big_model", "A large model on a small data set",
             "Three stacked 256-unit layers for 800 windows: more than a million weights to fit 800 targets. "
             "The checks count the weights before any training; trained anyway, the validation loss soon stops "
             "following the training loss and early stopping has to step in.",
             "noisy_seasonal", {"layers": 3, "units": 256}, ("ARCH005",)),
    Scenario("unscaled", "Unscaled features in the hundreds",
             "Scaling is off and the load is in the hundreds of megawatts. The LSTM's gates saturate, the "
             "gradients vanish, and learning crawls.",
             "energy_load", {"scaling": "none"}, ("DATA009",)),
    Scenario("leak", "The target leaking into the features",
             "A column exported with the data already holds the next hour's load. The model looks brilliant in "
             "training and is useless in production, where that column does not exist yet.",
             "energy_load_leaky", {"features": ("temperature", "load_next_hour")}, ("DATA018",)),
    Scenario("batch_too_big", "A batch larger than the data",
             "Batch size 1024 on about 800 training windows: every epoch is one single update, so after 20 "
             "epochs the model has taken 20 steps.",
             "noisy_seasonal", {"batch_size": 1024}, ("TRAIN003",)),
)


@dataclass(frozen=True)
class SweepScenario:
    """A mistake best seen side by side: one setup trained at several values of one setting, as a sweep."""

    name: str
    title: str
    story: str
    sample: str
    setting: str
    values: str  # the sweep's values box, as a user types it
    # What each value shows: "stalled", "healthy", "diverged", … (SweepRun.outcome), checked by real training.
    expect: dict
    base: dict = field(default_factory=dict)

    def config(self) -> RunConfig:
        return CLASSIFICATION_SAMPLES[self.sample].config(**self.base)

    def csv(self) -> bytes:
        return classification_sample_csv(self.sample)

    def grid(self) -> list[str]:
        return [f"{self.setting}={self.values}"]

    @property
    def sample_title(self) -> str:
        return CLASSIFICATION_SAMPLES[self.sample].title


# The learning-rate example on binary sequences with Adam, 8 epochs: measured here, 1e-4 stalls (TRAIN103), 1e-2 trains
# healthily and 1 and 10 diverge (TRAIN102) within 3 epochs; 1e-3 learns, but too slowly for 8 epochs (TRAIN106).
SWEEP_SCENARIOS: dict[str, SweepScenario] = by_name(
    SweepScenario("lr_sweep", "One learning rate is not enough: sweep it",
                  "The same Adam setup on the machine runs (ok or fault), trained at five learning rates from "
                  "1e-4 to 10 side by side: too small stalls, too large diverges, and only the middle of the range "
                  "learns. One chart shows all three at once, each run flagged by the monitors.",
                  "machine_faults", "learning_rate", "1e-4, 1e-3, 1e-2, 1, 10",
                  {1e-4: "stalled", 1e-2: "healthy", 1.0: "diverged", 10.0: "diverged"},
                  {"epochs": 8, "optimizer": "adam"}),
)

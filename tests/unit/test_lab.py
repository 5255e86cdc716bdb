"""The error lab end to end, one scenario at a time: the broken settings are flagged, a broken run shows the flag the
lab promises on its loss curve, and the fixes on offer lead to a healthy run that beats its naive baseline.

Real Keras training on the real built-in samples, with the scenarios' own epochs: the broken runs are cut short by
their monitors or by early stopping, and most of each run's time is the first epoch's compilation.
"""

from __future__ import annotations

import pytest
from trained import training_key

from lstm_core.data import load_csv
from lstm_core.lab import SCENARIOS
from lstm_core.tasks.forecast.pipeline import evaluate, train
from lstm_core.tasks.sequences import ClassPrepared, evaluate_classifier
from lstm_core.tasks.table import prepare_any

ALL = sorted(SCENARIOS)
DURING = sorted(name for name, s in SCENARIOS.items() if s.when == "during")
CLASSIFYING = sorted(name for name in ALL if SCENARIOS[name].config().classifies)
FORECASTING = sorted(set(ALL) - set(CLASSIFYING))

# The runtime findings each "during" scenario promises on its loss curve, and the status the run must end with.
PROMISED = {
    "lr_too_high": ({"TRAIN101", "TRAIN102"}, "diverged"),
    "lr_too_low": ({"TRAIN103"}, "stopped_early"),
}


class Lab:
    """Runs each scenario's trainings once and keeps them: several tests read the same run."""

    def __init__(self):
        self._datasets, self._runs = {}, {}

    def dataset(self, name: str):
        scenario = SCENARIOS[name]
        if scenario.sample not in self._datasets:
            self._datasets[scenario.sample] = load_csv(scenario.csv(), f"{scenario.sample}.csv")
        return self._datasets[scenario.sample]

    def prepare(self, name: str, config):
        return prepare_any(self.dataset(name), config)

    def run(self, name: str, config):
        """(prepared, state) of a training through pipeline.train, which puts the runtime monitors on the runner
        for a classifier too, as the Playground does."""
        prepared = self.prepare(name, config)
        assert prepared.ready, [f.to_dict() for f in prepared.findings if f.severity == "error"]
        # Scenarios whose fixes lead to the same training share it: "leak" without its leaky column trains what
        # "unscaled" trains with scaling back on.
        key = training_key(prepared)
        if key not in self._runs:
            self._runs[key] = train(prepared)
        return prepared, self._runs[key]

    def broken(self, name: str):
        return self.run(name, SCENARIOS[name].config())

    def fixed_config(self, name: str):
        """The broken config with every fix on offer applied: the broken run's runtime findings first, then the
        checks' findings before training."""
        scenario = SCENARIOS[name]
        config = scenario.config()
        runtime = self.broken(name)[1].findings if scenario.when == "during" else []
        for finding in [*runtime, *self.prepare(name, config).findings]:
            if finding.fix:
                config = config.replace(**finding.fix)
        return config

    def fixed(self, name: str):
        return self.run(name, self.fixed_config(name))


@pytest.fixture(scope="module")
def lab() -> Lab:
    return Lab()


@pytest.mark.parametrize("name", ALL)
def test_preflight_shows_every_expected_code(lab, name):
    scenario = SCENARIOS[name]
    prepared = lab.prepare(name, scenario.config())
    codes = {f.code for f in prepared.findings}
    assert set(scenario.expect) <= codes, [f.to_dict() for f in prepared.findings]
    for finding in prepared.findings:
        if finding.code in scenario.expect:
            assert finding.fix, f"{finding.code} offers no fix"
    # A "during" problem must not block training: the user has to be able to run it and watch the curve.
    if scenario.when == "during":
        assert prepared.ready


@pytest.mark.parametrize("name", DURING)
def test_broken_run_shows_the_promised_runtime_finding(lab, name):
    config = SCENARIOS[name].config()
    _, state = lab.broken(name)
    promised, status = PROMISED[name]
    fired = {f.code: f for f in state.findings}
    assert promised & set(fired), (state.status, state.history, [f.to_dict() for f in state.findings])
    for code in promised & set(fired):
        finding = fired[code]
        assert finding.epoch is not None and 1 <= finding.epoch <= state.epochs_done
        assert finding.fix, f"{code} offers no fix"
        # The runtime fix alone must land on a rate the checks accept (10 → 1 would still diverge).
        patched = lab.prepare(name, config.replace(**finding.fix))
        assert not {"TRAIN001", "TRAIN002"} & {f.code for f in patched.findings}, finding.fix
    if status is not None:
        assert state.status == status
        # The monitor ends a hopeless run instead of letting it use up its epochs.
        assert state.epochs_done < config.epochs
        assert any(code in state.reason for code in promised), state.reason


@pytest.mark.parametrize("name", ALL)
def test_fixes_leave_no_warning_and_train_healthy(lab, name):
    scenario = SCENARIOS[name]
    config = lab.fixed_config(name)
    assert config != scenario.config()
    prepared = lab.prepare(name, config)
    left = [f.to_dict() for f in prepared.findings if f.severity in ("warning", "error")]
    assert not left

    prepared, state = lab.fixed(name)
    assert [f.to_dict() for f in state.findings if f.severity in ("warning", "error")] == []
    assert state.status in ("completed", "stopped_early"), state.reason
    if state.status == "stopped_early":
        assert "validation loss stopped improving" in state.reason, state.reason
    loss = state.history["loss"]
    assert min(loss) <= loss[0] / 3, loss
    if isinstance(prepared, ClassPrepared):
        report = evaluate_classifier(prepared, state.model)
        assert report.accuracy >= report.baseline_accuracy + 0.25, report.verdict


@pytest.mark.parametrize("name", FORECASTING)
def test_fixed_forecast_beats_persistence(lab, name):
    prepared, state = lab.fixed(name)
    metrics = evaluate(prepared, state.model).metrics
    assert metrics["model"]["mae"] <= metrics["baselines"]["persistence"]["mae"], metrics

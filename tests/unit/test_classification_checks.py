"""Every classification check: one input that trips it, one healthy input that does not, and its fix clearing it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.checks.head_checks import head_findings
from lstm_core.config import RunConfig
from lstm_core.data import describe, load_csv
from lstm_core.findings import Finding
from lstm_core.tasks.sequences import prepare_classification
from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, classification_sample_csv

HEALTHY = RunConfig(task="classify-sequences", layout="long", id_column="id", order_column="t",
                    label_column="label", units=8, batch_size=8)


def long_frame(counts: dict | None = None, lengths=None, seed: int = 0) -> pd.DataFrame:
    """Long format: `counts` sequences per class (20 each of a and b by default), 10 steps or `lengths`."""
    rng = np.random.default_rng(seed)
    counts = counts or {"a": 20, "b": 20}
    labels = [label for label, n in counts.items() for _ in range(n)]
    parts = []
    for number, label in enumerate(labels):
        length = 10 if lengths is None else int(lengths[number % len(lengths)])
        x = np.sin(np.arange(length) * (0.5 + sorted(counts).index(label))) + rng.normal(0, 0.1, length)
        parts.append(pd.DataFrame({"id": number + 1, "t": np.arange(length), "x": x.round(3), "label": label}))
    return pd.concat(parts, ignore_index=True)


def check(frame: pd.DataFrame, config: RunConfig = HEALTHY) -> list[Finding]:
    return prepare_classification(describe(frame, "test.csv"), config).findings


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"expected one {code}, got {[f.code for f in findings]}"
    return matching[0]


def codes(findings: list[Finding], severities=("error", "warning")) -> set[str]:
    return {f.code for f in findings if f.severity in severities}


def assert_fix_clears(frame: pd.DataFrame, config: RunConfig, code: str) -> RunConfig:
    prepared = prepare_classification(describe(frame, "test.csv"), config)
    finding = only(prepared.findings, code)
    assert finding.fix, f"{code} offers no fix"
    fixed = prepared.config.replace(**finding.fix)
    assert code not in codes(check(frame, fixed))
    return fixed


def test_a_healthy_long_file_raises_nothing():
    assert check(long_frame()) == []


@pytest.mark.parametrize("name", sorted(CLASSIFICATION_SAMPLES))
def test_every_classification_samples_default_config_raises_no_warning_or_error(name):
    sample = CLASSIFICATION_SAMPLES[name]
    prepared = prepare_classification(load_csv(classification_sample_csv(name)), sample.config())
    assert codes(prepared.findings) == set()
    assert prepared.ready


def test_windowing_checks_speak_for_windows_only():
    # 40 sequences of 10 steps are far fewer than DATA012's 50 windows, and no window of timesteps 24 fits in 10
    # steps: neither applies to whole sequences.
    assert not {"DATA007", "DATA012", "DATA013"} & codes(check(long_frame()))


# DATA021 labels that change within a sequence


def test_a_changing_label_blocks_until_chosen_and_the_fix_chooses_the_last():
    frame = long_frame()
    frame.loc[(frame.id == 3) & (frame.t > 6), "label"] = "b"
    finding = only(check(frame), "DATA021")
    assert (finding.severity, finding.evidence["ids"], finding.fix) == ("error", [3], {"label_conflict": "last"})
    assert finding.evidence["labels"] == {3: ["a", "b"]}
    fixed = assert_fix_clears(frame, HEALTHY, "DATA021")
    assert only(check(frame, fixed), "DATA021").severity == "info"


def test_steady_labels_raise_no_conflict():
    assert "DATA021" not in codes(check(long_frame()), ("error", "warning", "info"))


# DATA022 sequences left out


def test_sequences_too_short_or_unlabelled_are_left_out_and_named():
    frame = long_frame(lengths=[10] * 9 + [1])
    frame.loc[frame.id == 5, "label"] = np.nan
    frame.loc[[0, 1], "id"] = np.nan
    finding = only(check(frame), "DATA022")
    assert finding.severity == "warning"
    assert finding.evidence["short"] == {10: 1, 20: 1, 30: 1, 40: 1}
    assert finding.evidence["unlabelled"] == [5]
    assert finding.evidence["rows_without_id"] == 2
    assert "10 (1 step)" in finding.detail


def test_no_sequence_is_left_out_of_a_healthy_file():
    assert "DATA022" not in codes(check(long_frame()))


# DATA023 ragged lengths with padding off


def test_ragged_sequences_without_padding_block_and_padding_clears():
    frame = long_frame(lengths=[6, 8, 10, 12])
    config = HEALTHY.replace(pad="none")
    finding = only(check(frame, config), "DATA023")
    assert finding.severity == "error"
    assert finding.evidence["min_length"] == 6 and finding.evidence["maxlen"] == 12
    assert assert_fix_clears(frame, config, "DATA023").pad == "pre"


def test_equal_lengths_need_no_padding():
    assert "DATA023" not in codes(check(long_frame(), HEALTHY.replace(pad="none")))


# DATA024 a common length that cuts most sequences


def test_a_short_maxlen_warns_and_auto_clears():
    frame = long_frame(lengths=[20, 30, 40, 50])
    config = HEALTHY.replace(maxlen=25)
    finding = only(check(frame, config), "DATA024")
    assert finding.severity == "warning"
    assert finding.evidence["share"] == 0.75
    assert finding.evidence["steps_lost_share"] == pytest.approx((5 + 15 + 25) / 140, abs=1e-4)
    assert assert_fix_clears(frame, config, "DATA024").maxlen is None


def test_auto_maxlen_cuts_few_sequences():
    assert "DATA024" not in codes(check(long_frame(lengths=[20, 30, 40, 50])))


# DATA025 padding fed to the model


def test_padding_without_masking_warns_and_masking_clears():
    frame = long_frame(lengths=[6, 8, 10, 12])
    config = HEALTHY.replace(masking=False)
    finding = only(check(frame, config), "DATA025")
    assert finding.severity == "warning" and finding.evidence["padded"] == 30
    assert assert_fix_clears(frame, config, "DATA025").masking is True


def test_masking_off_without_padding_is_fine():
    assert "DATA025" not in codes(check(long_frame(), HEALTHY.replace(masking=False)))


# DATA026 one class


def test_a_single_class_blocks_training():
    finding = only(check(long_frame({"a": 30})), "DATA026")
    assert finding.severity == "error"
    assert finding.evidence["counts"] == {"a": 30}


def test_two_classes_are_enough():
    assert "DATA026" not in codes(check(long_frame()))


# DATA027 too few sequences of a class for the split


def test_a_class_with_one_sequence_cannot_be_split():
    finding = only(check(long_frame({"a": 20, "b": 20, "c": 1})), "DATA027")
    assert finding.severity == "error"
    assert finding.evidence["single"] == ["c"]
    assert finding.evidence["missing"] == {"val": ["c"], "test": ["c"]}
    assert finding.evidence["split_counts"]["train"]["c"] == 1


def test_a_rare_class_warns():
    finding = only(check(long_frame({"a": 20, "b": 20, "c": 6})), "DATA027")
    assert finding.severity == "warning"
    assert finding.evidence["few"] == {"c": 6}
    assert finding.evidence["split_counts"]["test"]["c"] == 1


def test_a_class_missing_from_the_training_windows_blocks_per_window_labels():
    rows = 400
    frame = pd.DataFrame({"value": np.sin(np.arange(rows) / 3).round(3),
                          "label": np.where(np.arange(rows) < 340, "calm", "storm")})
    config = RunConfig(task="classify-windows", label_column="label", timesteps=10, units=8)
    finding = only(check(frame, config), "DATA027")
    assert finding.severity == "error"
    assert finding.evidence["not_in_train"] == ["storm"] and finding.evidence["stratified"] is False


def test_enough_sequences_of_every_class():
    assert "DATA027" not in codes(check(long_frame({"a": 12, "b": 12})))


# DATA028 imbalanced classes


def test_imbalanced_classes_warn():
    finding = only(check(long_frame({"a": 50, "b": 10})), "DATA028")
    assert finding.severity == "warning"
    assert finding.evidence["ratio"] == 5.0 and finding.evidence["majority_share"] == pytest.approx(0.8333, abs=1e-4)


def test_a_mild_imbalance_is_fine():
    assert "DATA028" not in codes(check(long_frame({"a": 40, "b": 12})))


# The head: ARCH009–ARCH015


HEAD_CASES = [
    # (classes, head settings, code, severity)
    (3, {"output_units": 4, "output_activation": "softmax"}, "ARCH009", "error"),
    (3, {"output_units": 5}, "ARCH009", "error"),
    # Fewer softmax units than classes: Keras's crash on the labels (ARCH011) is the one to report.
    (3, {"output_units": 2, "output_activation": "softmax"}, "ARCH011", "error"),
    (2, {"output_units": 2, "loss": "binary_crossentropy"}, "ARCH009", "error"),
    (3, {"output_units": 1, "output_activation": "softmax"}, "ARCH010", "error"),
    (2, {"output_activation": "softmax", "output_units": 1}, "ARCH010", "error"),
    (3, {"output_units": 1, "output_activation": "sigmoid", "loss": "sparse_categorical_crossentropy"}, "ARCH011",
     "error"),
    (2, {"loss": "sparse_categorical_crossentropy", "output_units": 1}, "ARCH011", "error"),
    (3, {"loss": "binary_crossentropy"}, "ARCH012", "error"),
    (3, {"output_units": 1}, "ARCH012", "error"),
    (3, {"output_activation": "linear"}, "ARCH013", "error"),
    (2, {"output_activation": "relu"}, "ARCH013", "error"),
    (3, {"loss": "categorical_crossentropy"}, "ARCH014", "error"),
    (3, {"loss": "mse"}, "ARCH015", "error"),
    (2, {"loss": "mae"}, "ARCH015", "warning"),
]


def _frame(classes: int) -> pd.DataFrame:
    return long_frame({name: 20 for name in "abc"[:classes]})


@pytest.mark.parametrize(("classes", "head", "code", "severity"), HEAD_CASES)
def test_a_bad_head_is_flagged_and_its_fix_leaves_no_head_finding(classes, head, code, severity):
    frame, config = _frame(classes), HEALTHY.replace(**head)
    finding = only(check(frame, config), code)
    assert finding.severity == severity
    assert finding.evidence["classes"] == classes
    assert finding.area == "model"
    fixed = assert_fix_clears(frame, config, code)
    assert head_findings(fixed, classes) == []
    assert set(finding.fix) <= {"output_units", "output_activation", "loss"}


@pytest.mark.parametrize("classes", [2, 3, 5])
@pytest.mark.parametrize("head", [{}, {"output_activation": "softmax"}, {"output_units": None, "loss": None}])
def test_auto_and_sound_heads_raise_nothing(classes, head):
    assert head_findings(HEALTHY.replace(**head), classes) == []


def test_head_checks_skip_forecasts():
    assert head_findings(RunConfig(loss="binary_crossentropy"), 3) == []


def test_a_softmax_head_on_two_classes_is_sound():
    assert not {"ARCH009", "ARCH010", "ARCH011"} & codes(check(_frame(2), HEALTHY.replace(output_activation="softmax",
                                                                                            output_units=2)))


def test_softmax_units_must_equal_the_classes():
    finding = only(check(_frame(3), HEALTHY.replace(output_units=4, output_activation="softmax")), "ARCH009")
    assert (finding.evidence["needed"], finding.fix) == (3, {"output_units": None})


def test_one_softmax_unit_always_outputs_one():
    finding = only(check(_frame(2), HEALTHY.replace(output_units=1, output_activation="softmax")), "ARCH010")
    assert finding.fix == {"output_activation": None}
    assert "1.0" in finding.title


def test_sigmoid_with_sparse_loss_on_three_classes_names_the_keras_failure():
    config = HEALTHY.replace(output_units=1, output_activation="sigmoid", loss="sparse_categorical_crossentropy")
    finding = only(check(_frame(3), config), "ARCH011")
    assert "Received a label value of 2 which is outside the valid range of [0, 1)" in finding.detail
    assert finding.fix == {"output_units": None, "output_activation": None}


def test_binary_cross_entropy_on_three_classes():
    finding = only(check(_frame(3), HEALTHY.replace(loss="binary_crossentropy")), "ARCH012")
    assert finding.fix == {"loss": None}


def test_a_linear_head_with_cross_entropy():
    finding = only(check(_frame(3), HEALTHY.replace(output_activation="linear")), "ARCH013")
    assert finding.fix == {"output_activation": None}


def test_categorical_cross_entropy_on_class_numbers():
    assert only(check(_frame(3), HEALTHY.replace(loss="categorical_crossentropy")), "ARCH014").fix == {"loss": None}


def test_mse_on_three_classes():
    assert only(check(_frame(3), HEALTHY.replace(loss="mse")), "ARCH015").fix == {"loss": None}

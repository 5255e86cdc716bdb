"""Classification data without TensorFlow: layouts read from real CSV files to exact shapes, the layout guess, labels,
label conflicts, the stratified split, ragged lengths and the scores (pure numpy)."""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np
import pandas as pd
import pytest

from lstm_core.config import ConfigError, RunConfig
from lstm_core.data import describe, load_csv
from lstm_core.findings import ProblemError
from lstm_core.tasks.forecast.samples import SAMPLES, sample_csv
from lstm_core.tasks.sequences import (
    LabelEncoder,
    auto_maxlen,
    confusion_matrix,
    guess_layout,
    prepare_classification,
    resolve_task,
    roc_auc,
    stratified_split,
)
from lstm_core.tasks.sequences.results import average_ranks, classification_report, probabilities
from lstm_core.tasks.sequences.samples import CLASSIFICATION_SAMPLES, classification_sample_csv
from lstm_core.tasks.sequences.shaping import pad_sequences, pad_value_below

LONG = RunConfig(task="classify-sequences")


@pytest.fixture(scope="module")
def make_files(repo):
    path = repo / "tests" / "data" / "classification" / "make_files.py"
    spec = importlib.util.spec_from_file_location("classification_files", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(data_file, name: str):
    return load_csv(data_file(f"classification/{name}"))


def test_committed_files_match_the_generator(make_files, data_file, tmp_path):
    for path in make_files.write_all(tmp_path):
        assert data_file(f"classification/{path.name}").read_bytes() == path.read_bytes(), (
            f"{path.name} differs from what make_files.py writes: run it and commit the result")


# Layouts → arrays


def test_long_format_is_read_sorted_by_its_order_column_into_exact_shapes(data_file):
    prepared = prepare_classification(load(data_file, "long_shapes.csv"), LONG)
    config = prepared.config
    assert (config.layout, config.id_column, config.order_column, config.label_column) == (
        "long", "sequence", "step", "label")
    assert config.features == ("a", "b")
    data = prepared.windows
    # 30 sequences of 12 steps, 10 per class: each class splits 6 / 2 / 2 (round(10 × 0.15) = 2).
    assert data.x_train.shape == (18, 12, 2)
    assert data.x_val.shape == (6, 12, 2) and data.x_test.shape == (6, 12, 2)
    assert data.y_train.shape == (18,)
    assert data.classes == ("fall", "flat", "rise")
    # The file lists each sequence's steps last first; sorted by 'step', a rising sequence's 'a' rises.
    rising = data.x_train[data.y_train == 2][:, :, 0]
    assert (rising[:, -1] > rising[:, 0]).all()
    assert prepared.length_summary()["ragged"] is False
    assert data.model_options == {"n_classes": 3, "timesteps": 12, "mask_value": data.pad_value}


def test_wide_format_reads_trailing_empty_cells_as_a_shorter_sequence(data_file, make_files):
    dataset = load(data_file, "wide_ragged.csv")
    prepared = prepare_classification(dataset, LONG.replace(missing="interpolate"))
    assert prepared.config.layout == "wide"
    assert prepared.config.features == tuple(f"t{i}" for i in range(1, 21))
    assert prepared.lengths.tolist() == make_files.WIDE_LENGTHS
    data = prepared.windows
    # One feature; the longest row (20 steps) sets the auto length, as the 95th percentile of 12 … 20 is 20.
    assert data.x_train.shape == (28, 20, 1)
    assert (data.x_val.shape, data.x_test.shape) == ((6, 20, 1), (6, 20, 1))
    assert prepared.classes == ("1", "2")
    assert data.encoder.classes == (1, 2)


def test_a_gap_inside_a_wide_row_is_a_missing_value_not_its_end(data_file):
    prepared = prepare_classification(load(data_file, "wide_ragged.csv"), LONG)
    finding = next(f for f in prepared.findings if f.code == "DATA006")
    assert finding.evidence["missing"] == {"value": 1}
    assert prepared.lengths[3] == 17
    assert not prepared.ready


def test_per_window_labels_use_windows_and_a_chronological_split(data_file):
    dataset = load(data_file, "windows_updown.csv")
    config = RunConfig(task="auto", timesteps=10, horizon=1)
    prepared = prepare_classification(dataset, config)
    assert prepared.config.task == "classify-windows"
    assert prepared.config.label_column == "label" and prepared.config.features == ("value",)
    data = prepared.windows
    # 300 rows → 210 / 45 / 45; each part yields rows − timesteps − horizon + 1 windows.
    assert data.counts() == {"train": 200, "val": 35, "test": 35}
    assert data.x_train.shape == (200, 10, 1)
    assert data.model_options == {"n_classes": 2, "timesteps": 10, "mask_value": None}
    frame = dataset.frame
    values = frame["value"].to_numpy()
    # Window i ends at row i + 9; its label is row i + 10's: did the value rise into it?
    rose = values[10:210] > values[9:209]
    assert (data.y_train == np.where(rose, data.classes.index("up"), data.classes.index("down"))).all()
    assert data.ids["train"][0] == "2024-01-01 10:00:00"
    assert data.ids["test"][0] == str(frame["time"].iloc[255 + 10])


# The guess


@pytest.mark.parametrize(("name", "task", "layout", "roles"), [
    ("long_shapes.csv", "classify-sequences", "long", ("sequence", "step", "label")),
    ("wide_ragged.csv", "classify-sequences", "wide", (None, None, "label")),
    ("long_conflicts.csv", "classify-sequences", "long", ("id", "t", "label")),
    ("windows_updown.csv", "classify-windows", "series", (None, "time", "label")),
    ("long_unlabelled.csv", "forecast", "series", (None, None, None)),
])
def test_the_guess_names_layout_and_roles_with_a_reason(data_file, name, task, layout, roles):
    guess = guess_layout(load(data_file, name))
    assert (guess.task, guess.layout) == (task, layout)
    assert (guess.id_column, guess.order_column, guess.label_column) == roles
    assert guess.reason.endswith(".")


@pytest.mark.parametrize("name", sorted(CLASSIFICATION_SAMPLES))
def test_the_guess_finds_every_classification_samples_roles(name):
    sample = CLASSIFICATION_SAMPLES[name]
    guess = guess_layout(load_csv(classification_sample_csv(name), f"{name}.csv"))
    assert (guess.task, guess.label_column, guess.id_column) == (sample.task, sample.label_column, sample.id_column)
    assert guess.features == sample.features


@pytest.mark.parametrize("name", ["hourly.csv", "shuffled_dates.csv", "years.csv", "downloads.csv", "gaps.csv",
                                  "na_cells.csv", "semicolon_decimal_comma.csv", "utf8_bom.csv"])
def test_forecasting_files_are_guessed_as_forecasts(data_file, name):
    assert guess_layout(load_csv(data_file(name))).task == "forecast"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_forecasting_samples_are_guessed_as_forecasts(name):
    dataset = load_csv(sample_csv(name), f"{name}.csv")
    assert guess_layout(dataset).task == "forecast"
    assert resolve_task(dataset, RunConfig(task="auto"))[0] == RunConfig()


def test_the_users_roles_win_over_the_guess(data_file):
    dataset = load(data_file, "long_shapes.csv")
    config, guess = resolve_task(dataset, LONG.replace(features=("a",), order_column=None))
    assert guess.features == ("a", "b")
    assert config.features == ("a",)
    assert config.order_column == "step"  # left on auto: the guess fills it


@pytest.mark.parametrize(("patch", "title"), [
    ({"label_column": "colour"}, "The label column 'colour' is not in"),
    ({"features": ("a", "label")}, "Feature column(s) 'label' cannot be used"),
    ({"features": ("a", "step")}, "are both a feature and the id, order or label"),
    ({"id_column": "label"}, "One column plays two roles"),
])
def test_roles_a_column_cannot_play_raise_data019(data_file, patch, title):
    with pytest.raises(ProblemError) as raised:
        prepare_classification(load(data_file, "long_shapes.csv"), LONG.replace(**patch))
    finding = raised.value.finding
    assert finding.code == "DATA019" and finding.severity == "error"
    assert title in finding.title
    assert finding.evidence["guess"]["label_column"] == "label"


def test_an_id_column_with_one_row_per_id_cannot_give_sequences(data_file):
    frame = load(data_file, "long_shapes.csv").frame.assign(row=lambda f: np.arange(len(f)))
    with pytest.raises(ProblemError) as raised:
        prepare_classification(describe(frame, "rows.csv"), LONG.replace(layout="long", id_column="row"))
    finding = raised.value.finding
    assert finding.code == "DATA020"
    assert finding.evidence == {"id_column": "row", "sequences": 360, "rows": 360, "layout": "long"}
    assert finding.fix == {"id_column": "sequence"}


def test_forcing_sequences_on_a_plain_series_asks_for_the_layout(data_file):
    with pytest.raises(ProblemError) as raised:
        prepare_classification(load(data_file, "windows_updown.csv"), LONG)
    assert raised.value.finding.code == "DATA020"


# Labels


@pytest.mark.parametrize(("labels", "classes"), [
    (["cat", "dog", "cat", "bird", " dog "], ("bird", "cat", "dog")),
    ([3, 1, 2, 3, 10], (1, 2, 3, 10)),
    ([1.0, 0.0, 1.0], (0, 1)),
    (np.array([True, False, True]), (0, 1)),
])
def test_label_encoding_round_trip(labels, classes):
    encoder = LabelEncoder.fit(labels)
    assert encoder.classes == classes
    codes = encoder.encode(labels)
    assert codes.min() == 0 and codes.max() == len(classes) - 1
    decoded = encoder.decode(codes)
    assert [str(v).strip() for v in decoded] == [str(int(v) if isinstance(v, (float, np.bool_)) else v).strip()
                                                  for v in labels]
    assert encoder.mapping() == {str(c): i for i, c in enumerate(classes)}


def test_numbers_sort_as_numbers_and_unknown_labels_get_minus_one():
    encoder = LabelEncoder.fit([10, 9, None, np.nan])
    assert encoder.names == ("9", "10")
    assert encoder.encode([9, 10, 11, None]).tolist() == [0, 1, -1, -1]


def _conflicts(data_file, choice: str):
    return prepare_classification(load(data_file, "long_conflicts.csv"), LONG.replace(label_conflict=choice))


def test_labels_that_change_are_reported_by_id_and_block_until_the_user_chooses(data_file):
    prepared = _conflicts(data_file, "none")
    finding = next(f for f in prepared.findings if f.code == "DATA021")
    assert finding.severity == "error"
    assert finding.evidence["ids"] == [2, 4, 6]
    assert finding.evidence["labels"] == {2: ["a", "b"], 4: ["b", "a"], 6: ["a", "b"]}
    assert prepared.conflicts == finding.evidence["labels"]
    assert not prepared.ready


@pytest.mark.parametrize(("choice", "expected"), [
    ("last", {1: "a", 2: "b", 3: "b", 4: "a", 5: "a", 6: "a", 7: "b", 8: "a"}),
    ("majority", {1: "a", 2: "b", 3: "b", 4: "b", 5: "a", 6: "a", 7: "b", 8: "a"}),
    ("drop", {1: "a", 3: "b", 5: "a", 7: "b", 8: "a"}),
])
def test_label_conflict_choices(data_file, choice, expected):
    prepared = _conflicts(data_file, choice)
    data = prepared.windows
    assert data is not None, [f.to_dict() for f in prepared.findings]
    labels = {}
    for part in ("train", "val", "test"):
        labels.update(zip(data.ids[part], data.encoder.decode(getattr(data, f"y_{part}")), strict=True))
    assert labels == expected
    finding = next(f for f in prepared.findings if f.code == "DATA021")
    assert finding.severity == "info" and finding.evidence["ids"] == [2, 4, 6]
    if choice == "drop":
        assert set(prepared.left_out["conflict"]) == {2, 4, 6}


# The split


def test_the_split_keeps_class_proportions_and_whole_sequences():
    codes = np.repeat([0, 1, 2], [100, 60, 40])
    parts = stratified_split(codes, 0.15, 0.15, seed=7)
    assert sorted(np.concatenate(list(parts.values())).tolist()) == list(range(200))
    for part, index in parts.items():
        counts = np.bincount(codes[index], minlength=3)
        share = counts / counts.sum()
        assert np.allclose(share, [0.5, 0.3, 0.2], atol=0.02), (part, counts)
    assert np.bincount(codes[parts["test"]]).tolist() == [15, 9, 6]


def test_the_split_is_reproducible_and_follows_the_seed():
    codes = np.repeat([0, 1], 50)
    first, again = stratified_split(codes, 0.2, 0.2, 1), stratified_split(codes, 0.2, 0.2, 1)
    other = stratified_split(codes, 0.2, 0.2, 2)
    assert all((first[p] == again[p]).all() for p in first)
    assert any((first[p] != other[p]).any() for p in first)


@pytest.mark.parametrize(("size", "expected"), [(1, (1, 0, 0)), (2, (1, 0, 1)), (3, (1, 1, 1)), (10, (6, 2, 2))])
def test_small_classes_go_to_training_first(size, expected):
    parts = stratified_split(np.zeros(size, dtype=int), 0.15, 0.15, 0)
    assert (len(parts["train"]), len(parts["val"]), len(parts["test"])) == expected


def test_class_counts_per_split_are_exposed(data_file):
    prepared = prepare_classification(load(data_file, "long_shapes.csv"), LONG)
    expected = {"train": {"fall": 6, "flat": 6, "rise": 6}, "val": {"fall": 2, "flat": 2, "rise": 2},
                "test": {"fall": 2, "flat": 2, "rise": 2}}
    assert prepared.split_counts == expected
    assert prepared.windows.class_counts() == expected
    assert prepared.data_summary()["class_counts"] == expected


def test_the_scaler_sees_only_the_training_sequences_real_steps(data_file):
    prepared = prepare_classification(load(data_file, "wide_ragged.csv"), LONG.replace(missing="interpolate"))
    data = prepared.windows
    ids = set(data.ids["train"])
    frame = prepared.dataset.frame
    steps = frame[list(prepared.config.features)].to_numpy()[[i - 1 for i in sorted(ids)]]
    real = steps[np.isfinite(steps)]
    # The gap in row 4 is interpolated within that row before scaling; it is one of the training rows or not.
    assert data.scaler.fitted_rows == sum(prepared.lengths[i - 1] for i in ids)
    assert abs(data.scaler.offset[0] - real.mean()) < 0.01


# Ragged lengths


def test_the_auto_length_is_the_95th_percentile_not_the_longest():
    lengths = np.array([10] * 95 + [200] * 5)
    assert auto_maxlen(lengths) == 10
    assert auto_maxlen(np.arange(1, 101)) == 95


def test_pad_and_truncate_put_steps_where_asked():
    steps = [np.array([[1.0], [2.0]]), np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])]
    pre = pad_sequences(steps, 3, 1, "pre", "pre", -9.0)[..., 0]
    post = pad_sequences(steps, 3, 1, "post", "post", -9.0)[..., 0]
    assert pre.tolist() == [[-9, 1, 2], [3, 4, 5]]
    assert post.tolist() == [[1, 2, -9], [1, 2, 3]]


def test_the_pad_value_lies_below_every_scaled_value_and_is_reported():
    sample = CLASSIFICATION_SAMPLES["gestures"]
    prepared = prepare_classification(load_csv(classification_sample_csv("gestures")), sample.config())
    data = prepared.windows
    real = np.concatenate([data.x_train[(data.x_train != data.pad_value).any(axis=2)]])
    assert data.pad_value < real.min() and data.pad_value == np.floor(data.pad_value)
    summary = prepared.length_summary()
    assert summary["pad_value"] == data.pad_value
    assert summary["ragged"] and summary["maxlen"] == auto_maxlen(prepared.lengths) < summary["max"]
    assert len(prepared.lengths) == 240 and prepared.lengths.min() >= 15
    assert pad_value_below(np.array([[0.2, -2.5]])) == -4.0


def test_config_validates_the_classification_fields():
    with pytest.raises(ConfigError, match="pad"):
        RunConfig(pad="middle")
    with pytest.raises(ConfigError, match="maxlen"):
        RunConfig(maxlen=0)
    config = RunConfig(task="classify-sequences", layout="long", id_column="id", maxlen=50, pad="post",
                       truncate="post", masking=False, label_conflict="majority", min_length=3)
    assert RunConfig.from_json(config.to_json()) == config
    assert RunConfig().replace(maxlen="auto", masking="no") == RunConfig(masking=False)


@pytest.mark.parametrize(("classes", "patch", "head"), [
    (2, {}, (1, "sigmoid", "binary_crossentropy")),
    (3, {}, (3, "softmax", "sparse_categorical_crossentropy")),
    (2, {"output_activation": "softmax"}, (2, "softmax", "sparse_categorical_crossentropy")),
    (5, {"output_units": 1}, (1, "sigmoid", "binary_crossentropy")),
    (None, {}, (1, "sigmoid", "binary_crossentropy")),
])
def test_the_head_follows_the_number_of_classes(classes, patch, head):
    assert RunConfig(task="classify-sequences", **patch).head(classes) == head
    assert RunConfig(**patch).head(classes)[2] == "mse" or patch


# Scores


def test_confusion_matrix_and_per_class_scores():
    actual = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array([0, 0, 1, 1, 2, 2])
    probs = np.eye(3)[predicted]
    report = classification_report(actual, probs, ("a", "b", "c"), np.array([1, 1, 0]))
    assert report.confusion.tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.per_class["a"] == {"precision": 1.0, "recall": pytest.approx(2 / 3), "f1": pytest.approx(0.8),
                                     "support": 3}
    assert report.per_class["b"]["precision"] == 0.5 and report.per_class["c"]["recall"] == 1.0
    # The majority class of the training part ('b'), scored on the test part.
    assert (report.majority_class, report.baseline_accuracy) == ("b", pytest.approx(2 / 6))
    assert report.verdict.startswith("The LSTM beat the majority-class baseline")
    metrics = report.metrics
    assert metrics["confusion"] == {"classes": ["a", "b", "c"], "counts": [[2, 1, 0], [0, 1, 1], [0, 0, 1]]}
    assert "roc_auc" not in metrics["model"]
    assert list(report.table().columns) == ["id", "actual", "predicted", "p_a", "p_b", "p_c"]


def test_a_class_never_predicted_scores_zero_not_nan():
    report = classification_report(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]), ("x", "y"),
                                   np.array([0, 1, 1]))
    assert report.per_class["y"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert report.verdict.startswith("The LSTM is level with")


def _auc_by_pairs(positive, scores):
    pairs = [(p, n) for p, n in itertools.product(scores[positive], scores[~positive])]
    return sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)


@pytest.mark.parametrize("seed", range(5))
def test_roc_auc_from_ranks_matches_counting_pairs_with_ties(seed):
    rng = np.random.default_rng(seed)
    positive = rng.random(40) < 0.4
    scores = np.round(rng.random(40) + 0.3 * positive, 1)  # rounding makes many ties
    assert roc_auc(positive, scores) == pytest.approx(_auc_by_pairs(positive, scores))


def test_roc_auc_edges():
    assert roc_auc(np.array([True, False]), np.array([0.9, 0.1])) == 1.0
    assert roc_auc(np.array([True, False]), np.array([0.5, 0.5])) == 0.5
    assert roc_auc(np.array([True, True]), np.array([0.1, 0.2])) is None
    assert average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]


def test_binary_reports_roc_auc_and_probabilities_from_one_sigmoid_unit():
    probs = probabilities(np.array([[0.2], [0.9], [0.6]]), 2)
    np.testing.assert_allclose(probs, [[0.8, 0.2], [0.1, 0.9], [0.4, 0.6]])
    report = classification_report(np.array([0, 1, 0]), probs, ("no", "yes"), np.array([0, 0, 1]))
    # The one positive outscores both negatives, though 0.6 is above 0.5 and counts as a wrong "yes".
    assert report.metrics["model"]["roc_auc"] == 1.0
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.verdict.startswith("The LSTM is level with")


def test_confusion_matrix_counts_every_pair():
    assert confusion_matrix(np.array([1, 1, 0]), np.array([1, 0, 0]), 3).tolist() == [[1, 0, 0], [1, 1, 0],
                                                                                       [0, 0, 0]]


def test_data_summary_is_plain_json(data_file):
    import json

    prepared = prepare_classification(load(data_file, "long_conflicts.csv"), LONG.replace(label_conflict="drop"))
    json.dumps(prepared.data_summary())
    assert isinstance(pd.DataFrame(prepared.data_summary()["class_counts"]), pd.DataFrame)

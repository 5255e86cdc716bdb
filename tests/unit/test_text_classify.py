"""Text classification without training: reading texts from real CSV files, guessing the roles, the words and their
lengths, the split, vectorising on the training texts only, and every TEXT check tripped and left quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.checks.class_checks import TRUNCATED_SHARE
from lstm_core.checks.text_class_checks import PADDING_SHARE
from lstm_core.config import RunConfig
from lstm_core.findings import ProblemError
from lstm_core.tasks.text_classify.prepare import guess_text_roles, prepare_text_classification, read_text_csv, words
from lstm_core.tasks.text_classify.samples import TEXT_CLASSIFY_SAMPLES, customer_messages

SAMPLE = TEXT_CLASSIFY_SAMPLES["customer_messages"]


def write(tmp_path, frame: pd.DataFrame, name: str = "texts.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return read_text_csv(path)


def prepare(dataset, **settings):
    return prepare_text_classification(dataset, SAMPLE.config(**settings))


def codes(prepared, prefix: str = "") -> list[str]:
    return [f.code for f in prepared.findings if f.code.startswith(prefix)]


def finding(prepared, code: str):
    found = [f for f in prepared.findings if f.code == code]
    assert len(found) == 1, [f.to_dict() for f in prepared.findings]
    return found[0]


@pytest.fixture(scope="module")
def messages() -> pd.DataFrame:
    return customer_messages()


@pytest.fixture(scope="module")
def sample_prepared(tmp_path_factory, messages):
    dataset = write(tmp_path_factory.mktemp("sample"), messages, "customer_messages.csv")
    return prepare(dataset)


def test_quoted_commas_newlines_and_quotes_survive_reading(data_file):
    dataset = read_text_csv(data_file("text/reviews_quoted.csv"))
    frame = dataset.frame
    assert len(frame) == 8 and list(frame.columns) == ["review_id", "review", "sentiment", "stars"]
    assert frame["review"][1] == "Screen cracked after a week.\nSupport never answered"
    assert frame["review"][2] == 'The "fast" charger takes, honestly, four hours'
    assert dataset.other_columns == ["review", "sentiment"]


def test_roles_guess_the_longest_text_and_the_label_named_like_one(data_file):
    roles = guess_text_roles(read_text_csv(data_file("text/reviews_quoted.csv")))
    assert (roles.text_column, roles.label_column) == ("review", "sentiment")
    assert "'review'" in roles.reason and "'sentiment'" in roles.reason


def test_roles_without_a_label_hint_take_the_column_with_fewest_values(tmp_path, messages):
    frame = pd.DataFrame({"ticket": range(len(messages)), "body": messages["message"],
                          "dept": messages["department"], "team": np.arange(len(messages)) % 9})
    roles = guess_text_roles(write(tmp_path, frame))
    assert (roles.text_column, roles.label_column) == ("body", "dept")


def test_missing_labels_and_empty_texts_are_left_out_with_their_rows(data_file):
    prepared = prepare_text_classification(read_text_csv(data_file("text/reviews_quoted.csv")),
                                           RunConfig(task="text-classify", val_fraction=0.0, test_fraction=0.2))
    assert prepared.config.text_column == "review" and prepared.config.label_column == "sentiment"
    missing, empty = finding(prepared, "TEXT010"), finding(prepared, "TEXT011")
    assert missing.evidence["rows"] == [6] and "Row(s) 6" in missing.detail
    assert empty.evidence["rows"] == [7]
    assert sorted(prepared.rows.tolist()) == [1, 2, 3, 4, 5, 8]
    assert prepared.classes == ("negative", "positive")


def test_words_match_the_vectorisers_standardisation():
    assert words("Hello, WORLD! It's 9:30 -- ok?") == ["hello", "world", "its", "930", "ok"]


def test_length_report_counts_truncated_texts_and_padding(tmp_path):
    texts = [" ".join(["word"] * n) for n in range(1, 11)] * 3
    frame = pd.DataFrame({"text": texts, "label": ["a", "b", "c"] * 10})
    prepared = prepare_text_classification(write(tmp_path, frame), RunConfig(task="text-classify", maxlen=5))
    summary = prepared.length_summary()
    assert summary["truncated"] == 15 and summary["truncated_share"] == 0.5
    assert summary["padding_share"] == pytest.approx(1 - (1 + 2 + 3 + 4 + 5 * 6) / 50)
    assert (summary["min"], summary["max"], summary["maxlen"]) == (1, 10, 5)
    auto = prepare_text_classification(write(tmp_path, frame), RunConfig(task="text-classify"))
    assert auto.maxlen == 10  # the 95th percentile of 1 … 10 words


def test_the_split_is_stratified_and_keeps_every_text_once(sample_prepared):
    parts = sample_prepared.parts
    every = np.concatenate([parts["train"], parts["val"], parts["test"]])
    assert sorted(every.tolist()) == list(range(len(sample_prepared.texts)))
    shares = {part: counts["billing"] / sum(counts.values()) for part, counts in sample_prepared.split_counts.items()}
    assert max(shares.values()) - min(shares.values()) < 0.05


def test_the_built_in_sample_has_no_text_finding(sample_prepared):
    assert sample_prepared.ready
    assert [f.code for f in sample_prepared.findings if f.severity != "info"] == []


def test_vectoriser_learns_its_vocabulary_from_the_training_texts_only(tmp_path, messages):
    from lstm_core.tasks.text_classify.model import vectorise

    # Every message gets a word of its own, so validation and test texts hold words training never saw.
    frame = messages.assign(message=[f"ref{i} {text}" for i, text in enumerate(messages["message"])])
    prepared = prepare(write(tmp_path, frame), vocab_size=5000)
    data = vectorise(prepared)
    train_words = {w for text in prepared.part_texts("train") for w in words(text)}
    assert data.vocabulary[:2] == ["", "[UNK]"]
    assert set(data.vocabulary[2:]) == train_words
    first_test = words(prepared.part_texts("test")[0])
    assert first_test[0] not in train_words and data.x_test[0][0] == 1  # unseen: [UNK], as in new text
    assert data.x_train.shape == (len(prepared.parts["train"]), prepared.maxlen)
    lengths = np.minimum(prepared.lengths[prepared.parts["train"]], prepared.maxlen)
    assert np.array_equal((data.x_train > 0).sum(axis=1), lengths)  # padding (0) after the words, nowhere else
    assert (data.x_train[:, 0] > 0).all()


def test_text010_missing_labels_trip_and_name_the_rows(tmp_path, messages):
    frame = messages.copy()
    frame.loc[[3, 40, 41], "department"] = None
    prepared = prepare(write(tmp_path, frame))
    assert finding(prepared, "TEXT010").evidence["rows"] == [4, 41, 42]
    assert len(prepared.texts) == len(frame) - 3


def test_text011_texts_with_no_words_trip(tmp_path, messages):
    frame = messages.copy()
    frame.loc[[0, 7], "message"] = ["", "?!..."]
    assert finding(prepare(write(tmp_path, frame)), "TEXT011").evidence["rows"] == [1, 8]


def test_text012_vocabulary_of_words_seen_once_trips_and_its_fix_clears_it(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(["spam", "ham"], 60)
    texts = [f"{label} " + " ".join(f"w{rng.integers(1e9)}" for _ in range(6)) + " common words here"
             for label in labels]
    dataset = write(tmp_path, pd.DataFrame({"text": texts, "label": labels}))
    prepared = prepare(dataset, text_column="text", label_column="label", vocab_size=5000)
    found = finding(prepared, "TEXT012")
    assert found.evidence["share"] > 0.5
    fixed = prepare(dataset, text_column="text", label_column="label", **found.fix)
    assert "TEXT012" not in codes(fixed)


def test_text013_small_vocabulary_trips_and_its_fix_clears_it(tmp_path, messages):
    dataset = write(tmp_path, messages)
    found = finding(prepare(dataset, vocab_size=20), "TEXT013")
    assert found.evidence["share"] > 0.2
    assert "TEXT013" not in codes(prepare(dataset, **found.fix))


def test_text014_maxlen_far_above_the_texts_trips(sample_prepared, tmp_path, messages):
    dataset = write(tmp_path, messages)
    found = finding(prepare(dataset, maxlen=200), "TEXT014")
    assert found.evidence["padding_share"] > PADDING_SHARE and found.fix == {"maxlen": None}
    assert "TEXT014" not in codes(sample_prepared)


def test_text015_maxlen_far_below_the_texts_trips(sample_prepared, tmp_path, messages):
    found = finding(prepare(write(tmp_path, messages), maxlen=4), "TEXT015")
    assert found.evidence["share"] > TRUNCATED_SHARE and found.fix == {"maxlen": None}
    assert "TEXT015" not in codes(sample_prepared)


def test_text016_numeric_or_id_text_column_trips_with_the_guess_as_fix(tmp_path, messages):
    frame = messages.assign(ticket=[f"T{1000 + i}" for i in range(len(messages))], score=np.arange(len(messages)))
    dataset = write(tmp_path, frame)
    for column in ("ticket", "score"):
        found = finding(prepare(dataset, text_column=column), "TEXT016")
        assert found.severity == "error" and found.fix == {"text_column": "message"}


def test_text017_free_text_labels_trip_with_the_guess_as_fix(tmp_path, messages):
    frame = messages.assign(note=[f"note number {i}" for i in range(len(messages))])
    found = finding(prepare(write(tmp_path, frame), label_column="note"), "TEXT017")
    assert found.severity == "error" and found.fix == {"label_column": "department"}


def test_text018_test_texts_repeated_from_training_trip(sample_prepared, tmp_path, messages):
    doubled = pd.concat([messages, messages], ignore_index=True)
    found = finding(prepare(write(tmp_path, doubled)), "TEXT018")
    assert found.evidence["duplicates"]["test"] > 0.1 * found.evidence["part_sizes"]["test"]
    assert "TEXT018" not in codes(sample_prepared)


def test_text019_one_hot_words_block_training(tmp_path, messages):
    prepared = prepare(write(tmp_path, messages), embedding_dim=0)
    assert finding(prepared, "TEXT019").fix == {"embedding_dim": 32} and not prepared.ready


def test_class_checks_and_head_checks_apply_to_texts(tmp_path, messages):
    few = pd.concat([messages, pd.DataFrame({"message": ["where is my refund", "refund me"],
                                             "department": ["refunds", "refunds"]})], ignore_index=True)
    assert "DATA027" in codes(prepare(write(tmp_path, few)))
    single = messages.assign(department="billing")
    assert "DATA026" in codes(prepare(write(tmp_path, single)))
    head = prepare(write(tmp_path, messages), output_units=1, output_activation="softmax")
    assert {"ARCH010", "ARCH012"} <= set(codes(head))  # softmax over one unit; binary loss on 3 classes


def test_unknown_columns_are_named_not_raised_from_pandas(tmp_path, messages):
    dataset = write(tmp_path, messages)
    with pytest.raises(ProblemError) as caught:
        prepare(dataset, text_column="body")
    assert caught.value.finding.code == "DATA019" and "message, department" in caught.value.finding.detail


def test_a_file_over_the_row_limit_is_refused_naming_the_variable(tmp_path, messages, monkeypatch):
    monkeypatch.setenv("LSTM_PLAYGROUND_MAX_CLASSIFY_TEXTS", "100")
    with pytest.raises(ProblemError) as caught:
        prepare(write(tmp_path, messages))
    assert "450 rows" in caught.value.finding.title
    assert "LSTM_PLAYGROUND_MAX_CLASSIFY_TEXTS" in caught.value.finding.detail

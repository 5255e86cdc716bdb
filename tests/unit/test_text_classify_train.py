"""Text classification trained for real: the built-in sample beats its majority baseline, the report lists the
texts it got wrong, typed sentences get class probabilities, and the runner's events and monitors work unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.tasks.text_classify.model import evaluate_text_classifier, predict_texts, train_text_classifier
from lstm_core.tasks.text_classify.prepare import prepare_text_classification, read_text_csv
from lstm_core.tasks.text_classify.samples import TEXT_CLASSIFY_SAMPLES, text_classify_sample_csv

SAMPLE = TEXT_CLASSIFY_SAMPLES["customer_messages"]


@pytest.fixture(scope="module")
def trained():
    dataset = read_text_csv(text_classify_sample_csv(SAMPLE.name), f"{SAMPLE.name}.csv")
    prepared = prepare_text_classification(dataset, SAMPLE.config(epochs=5))
    events: list[tuple[str, dict]] = []
    state = train_text_classifier(prepared, [lambda kind, payload: events.append((kind, payload))])
    return prepared, state, events


def test_the_sample_beats_its_majority_baseline_clearly(trained):
    prepared, state, _ = trained
    result = evaluate_text_classifier(prepared, state.model)
    metrics = result.metrics
    assert metrics["model"]["accuracy"] >= metrics["baselines"]["majority"]["accuracy"] + 0.3
    assert metrics["baselines"]["majority"]["class"] == "billing"
    counts = np.array(metrics["confusion"]["counts"])
    assert counts.sum() == len(prepared.parts["test"])
    assert result.verdict.startswith("The LSTM beat the majority-class baseline")


def test_mistakes_are_the_test_texts_it_got_wrong(trained):
    prepared, state, _ = trained
    result = evaluate_text_classifier(prepared, state.model)
    report, table = result.report, result.mistakes
    assert len(table) == min(10, int((report.predicted != report.actual).sum()))
    by_row = dict(zip(prepared.rows.tolist(), prepared.texts, strict=True))
    for row in table.itertuples():
        assert row.text == by_row[row.row] and row.true != row.predicted
    assert list(table["probability"]) == sorted(table["probability"], reverse=True)


def test_typed_sentences_get_class_probabilities(trained):
    prepared, state, _ = trained
    table = predict_texts(prepared.windows, state.model, ["I was charged twice for my invoice",
                                                          "the app crashes with an error when I log in",
                                                          "my parcel has not arrived, the courier lost it"])
    assert list(table["predicted"]) == ["billing", "technical", "delivery"]
    probabilities = table[[f"p_{c}" for c in prepared.classes]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5) and (probabilities > 0.5).any(axis=1).all()


def test_the_runner_emits_epochs_and_stops_as_for_any_task(trained):
    _, state, events = trained
    kinds = [kind for kind, _ in events if kind != "tick"]
    assert kinds[0] == "start" and kinds[-1] == "stopped"
    assert kinds.count("epoch_end") == state.epochs_done >= 1
    assert state.status in ("completed", "stopped_early")


def test_two_classes_get_one_sigmoid_unit_and_two_probabilities():
    frame = SAMPLE.make()
    frame = frame[frame["department"] != "delivery"]
    dataset = read_text_csv(frame.to_csv(index=False).encode(), "two_departments.csv")
    prepared = prepare_text_classification(dataset, SAMPLE.config(epochs=3))
    state = train_text_classifier(prepared)
    head = state.model.get_layer("head")
    assert head.units == 1 and head.activation.__name__ == "sigmoid"
    assert state.model.loss == "binary_crossentropy"
    result = evaluate_text_classifier(prepared, state.model)
    assert result.metrics["model"]["accuracy"] > result.metrics["baselines"]["majority"]["accuracy"] + 0.2
    assert result.metrics["model"]["roc_auc"] > 0.8
    table = predict_texts(prepared.windows, state.model, ["please refund the late fee on my invoice"])
    assert table["predicted"][0] == "billing"
    assert table["p_billing"][0] + table["p_technical"][0] == pytest.approx(1.0)

"""Classification scores in plain numpy: accuracy, per-class precision / recall / F1, the confusion matrix, ROC AUC
for two classes, and the majority-class baseline with one sentence on whether the model beat it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Accuracy within this many percentage points of the baseline counts as level with it.
LEVEL_POINTS = 0.5


def probabilities(outputs: np.ndarray, n_classes: int) -> np.ndarray:
    """Model outputs → (examples, K) class probabilities. One sigmoid unit is P(second class); K units are
    normalised to sum to 1 (softmax outputs already do)."""
    outputs = np.asarray(outputs, dtype="float64")
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if outputs.shape[1] == 1 and n_classes == 2:
        positive = np.clip(outputs[:, 0], 0.0, 1.0)
        return np.column_stack([1.0 - positive, positive])
    outputs = np.clip(outputs[:, :n_classes], 0.0, None)
    totals = outputs.sum(axis=1, keepdims=True)
    return np.divide(outputs, totals, out=np.full_like(outputs, 1.0 / n_classes), where=totals > 0)


def confusion_matrix(actual: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts: row = actual class, column = predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype="int64")
    np.add.at(matrix, (np.asarray(actual, dtype="int64"), np.asarray(predicted, dtype="int64")), 1)
    return matrix


def per_class_scores(matrix: np.ndarray, names: tuple[str, ...]) -> dict[str, dict]:
    """Precision, recall and F1 of each class (0.0 where undefined: a class never predicted, or never present)."""
    true_positive = np.diag(matrix).astype("float64")
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    scores = {}
    for index, name in enumerate(names):
        precision = true_positive[index] / predicted[index] if predicted[index] else 0.0
        recall = true_positive[index] / actual[index] if actual[index] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[name] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                        "support": int(actual[index])}
    return scores


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1 … n; tied values share the mean of their ranks."""
    values = np.asarray(values, dtype="float64")
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0  # ranks starts+1 … ends, averaged
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_auc(positive: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve from ranks (the Mann–Whitney U): the chance that a random positive scores above a
    random negative, ties counting half. None when one of the two classes is absent."""
    positive = np.asarray(positive, dtype=bool)
    n_positive, n_negative = int(positive.sum()), int((~positive).sum())
    if not n_positive or not n_negative:
        return None
    ranks = average_ranks(scores)
    return float((ranks[positive].sum() - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative))


@dataclass
class ClassificationReport:
    classes: tuple[str, ...]
    actual: np.ndarray  # class codes of the test examples
    predicted: np.ndarray
    probabilities: np.ndarray  # (examples, K)
    accuracy: float
    per_class: dict[str, dict]
    confusion: np.ndarray
    roc_auc: float | None
    majority_class: str
    baseline_accuracy: float
    verdict: str
    ids: list = field(default_factory=list)

    @property
    def metrics(self) -> dict:
        """The CLI's "metrics": model scores, the majority baseline and the confusion matrix with class names."""
        scores = list(self.per_class.values())
        model = {"accuracy": self.accuracy, "per_class": self.per_class,
                 "macro_f1": float(np.mean([s["f1"] for s in scores])) if scores else 0.0,
                 "examples": len(self.actual)}
        if len(self.classes) == 2:
            model["roc_auc"] = self.roc_auc
        return {"model": model,
                "baselines": {"majority": {"accuracy": self.baseline_accuracy, "class": self.majority_class}},
                "confusion": {"classes": list(self.classes), "counts": self.confusion.tolist()}}

    def to_dict(self) -> dict:
        return {**self.metrics, "verdict": self.verdict}

    def table(self):
        """One row per test example: id, actual and predicted class, one probability column per class."""
        import pandas as pd

        frame = pd.DataFrame({"id": self.ids or list(range(1, len(self.actual) + 1)),
                              "actual": [self.classes[i] for i in self.actual],
                              "predicted": [self.classes[i] for i in self.predicted]})
        for index, name in enumerate(self.classes):
            frame[f"p_{name}"] = self.probabilities[:, index]
        return frame


def classification_report(actual: np.ndarray, probs: np.ndarray, classes: tuple[str, ...], train_codes: np.ndarray,
                          ids: list | None = None) -> ClassificationReport:
    """Score test probabilities against the test labels and against always answering the training majority."""
    actual = np.asarray(actual, dtype="int64")
    predicted = np.argmax(probs, axis=1) if len(probs) else np.empty(0, dtype="int64")
    matrix = confusion_matrix(actual, predicted, len(classes))
    accuracy = float(np.mean(predicted == actual)) if len(actual) else 0.0
    majority = int(np.argmax(np.bincount(np.asarray(train_codes, dtype="int64"), minlength=len(classes))))
    baseline = float(np.mean(actual == majority)) if len(actual) else 0.0
    auc = roc_auc(actual == 1, probs[:, 1]) if len(classes) == 2 and len(actual) else None
    return ClassificationReport(classes, actual, predicted, probs, accuracy, per_class_scores(matrix, classes), matrix,
                                auc, classes[majority], baseline,
                                verdict_sentence(accuracy, baseline, classes[majority], len(actual)), list(ids or []))


def verdict_sentence(accuracy: float, baseline: float, majority: str, examples: int) -> str:
    if not examples:
        return "There is nothing to score: the test part holds no example."
    points = (accuracy - baseline) * 100
    always = f"always answering '{majority}', the most common class in training"
    if points > LEVEL_POINTS:
        return (f"The LSTM beat the majority-class baseline: accuracy {accuracy:.1%} on the test part against "
                f"{baseline:.1%} for {always}.")
    if points >= -LEVEL_POINTS:
        return (f"The LSTM is level with the majority-class baseline ({accuracy:.1%} vs {baseline:.1%} for {always}): "
                "it has learnt nothing beyond the class frequencies.")
    return (f"The LSTM did not beat the majority-class baseline: accuracy {accuracy:.1%} against {baseline:.1%} for "
            f"{always}. Try more epochs or units, or check the labels.")

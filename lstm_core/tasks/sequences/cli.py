"""Sequence classification's part of `python -m lstm_core train`: its scores in the report and the text output
(text classification prints and scores the same way)."""

from __future__ import annotations

import json


def cli_results(args, prepared, state, report: dict):
    from lstm_core.tasks.sequences.run import evaluate_classifier

    return scored(evaluate_classifier, prepared, state, report)


def scored(evaluate, prepared, state, report: dict):
    """A classifier's report (`evaluate`, unless the run diverged) with its metrics and verdict in the CLI's."""
    if state.status == "diverged":
        return None
    result = evaluate(prepared, state.model)
    report["metrics"] = result.metrics
    report["verdict"] = result.verdict
    return result


def print_data(data: dict) -> None:
    """The data line of a classifier (of sequences, windows or texts)."""
    unit = next(u for u in ("sequences", "texts", "windows") if u in data)
    print(f"data: {data['rows']} rows, label {data['label_column']}, classes {', '.join(data['classes'])}, "
          f"{unit} {data[unit]}")


def print_results(report: dict) -> None:
    if "data" in report:
        print_data(report["data"])
    if "metrics" not in report:
        return
    metrics = report["metrics"]
    model, majority = metrics["model"], metrics["baselines"]["majority"]
    auc = f"  ROC AUC {model['roc_auc']:.3f}" if model.get("roc_auc") is not None else ""
    print(f"model: accuracy {model['accuracy']:.3f}  macro F1 {model['macro_f1']:.3f}{auc}")
    print(f"majority baseline ('{majority['class']}'): accuracy {majority['accuracy']:.3f}")
    for name, scores in model["per_class"].items():
        print(f"  {name}: precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  f1 {scores['f1']:.3f}  "
              f"n {scores['support']}")
    print("confusion (rows actual, columns predicted): " + json.dumps(metrics["confusion"]))
    print(report["verdict"])

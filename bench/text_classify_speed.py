"""Text classification with and without XLA: the built-in customer_messages sample, its default model (Embedding 16
→ masked LSTM(16) → softmax over 3 classes, batch 32), a fixed number of epochs and no early stopping, alternating
the two arms in one process (ABBA). Prints each arm's first epoch (build, compile, first pass), the median of the
later epochs, the whole run and the test accuracy, then the number of epochs after which XLA would pay off.

Run: .venv/bin/python bench/text_classify_speed.py [rounds] [epochs]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.tasks.text_classify.model import evaluate_text_classifier, train_text_classifier
from lstm_core.tasks.text_classify.prepare import prepare_text_classification, read_text_csv
from lstm_core.tasks.text_classify.samples import TEXT_CLASSIFY_SAMPLES, text_classify_sample_csv


def one_run(dataset, epochs: int, jit: bool) -> dict:
    config = TEXT_CLASSIFY_SAMPLES["customer_messages"].config(epochs=epochs, early_stopping=False)
    prepared = prepare_text_classification(dataset, config)
    started = time.perf_counter()
    state = train_text_classifier(prepared, jit_compile=jit, monitors=False)
    total = time.perf_counter() - started
    accuracy = evaluate_text_classifier(prepared, state.model).report.accuracy
    return {"first": state.epoch_seconds[0], "later": statistics.median(state.epoch_seconds[1:]), "total": total,
            "accuracy": accuracy, "xla": state.jit_compile}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    dataset = read_text_csv(text_classify_sample_csv("customer_messages"), "customer_messages.csv")
    results: dict[bool, list[dict]] = {True: [], False: []}
    for index in range(rounds):
        order = (True, False) if index % 2 == 0 else (False, True)
        for jit in order:
            results[jit].append(one_run(dataset, epochs, jit))
    for jit, runs in results.items():
        name = "XLA on " if jit else "XLA off"
        print(f"{name}: first epoch {statistics.median(r['first'] for r in runs):.2f} s, later epochs "
              f"{statistics.median(r['later'] for r in runs):.3f} s, run of {epochs} epochs "
              f"{statistics.median(r['total'] for r in runs):.1f} s, accuracy "
              f"{statistics.median(r['accuracy'] for r in runs):.3f}")
    on, off = results[True], results[False]
    extra = statistics.median(r["first"] for r in on) - statistics.median(r["first"] for r in off)
    saved = statistics.median(r["later"] for r in off) - statistics.median(r["later"] for r in on)
    print(f"XLA costs {extra:.1f} s more to start and saves {saved:.3f} s an epoch: it pays after "
          f"{extra / saved:.0f} epochs" if saved > 0 else "XLA saves nothing per epoch")


if __name__ == "__main__":
    main()

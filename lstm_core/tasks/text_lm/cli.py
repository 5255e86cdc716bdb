"""The language model's part of `python -m lstm_core check|train FILE.txt|sample:NAME`: reading the text, its scores
and samples in the report, its epoch log and text output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lstm_core.config import RunConfig
from lstm_core.findings import Finding, ProblemError
from lstm_core.tasks.base import sample_name
from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES


def load_text_source(file: str):
    from lstm_core.tasks.text_lm.corpus import read_text

    name = sample_name(file)
    if name is None:
        return read_text(Path(file))
    if name not in TEXT_SAMPLES:
        raise ProblemError(Finding("DATA002", "error", f"No built-in text named '{name}'",
                                   f"Built-in texts for the language model: {', '.join(TEXT_SAMPLES)}.", area="data"))
    return TEXT_SAMPLES[name].source()


def text_config(file: str, config: RunConfig, given: set[str]) -> RunConfig:
    """The task set to text-lm, and a built-in text's own settings wherever the command line says nothing."""
    config = config.replace(task="text-lm")
    name = sample_name(file)
    if name in TEXT_SAMPLES:
        config = config.replace(**{k: v for k, v in TEXT_SAMPLES[name].settings.items() if k not in given})
    return config


def cli_prepare(file: str, config: RunConfig, given: set[str]):
    from lstm_core.tasks.text_lm.lm import prepare_text

    return prepare_text(load_text_source(file), text_config(file, config, given))


def cli_results(args, prepared, state, report: dict):
    from lstm_core.tasks.text_lm.lm import evaluate_text

    # One string per epoch, epoch 0 (before any training) first; the keyed list adds the seed and bits.
    report["samples"] = [sample["text"] for sample in state.samples]
    report["samples_by_epoch"] = state.samples
    if state.status == "diverged" or not state.epochs_done:
        return None
    result = evaluate_text(prepared, state.model)
    report["metrics"] = {"model": result["model"], "baselines": result["baselines"]}
    report["verdict"] = result["verdict"]
    return result


def write_outputs(directory: Path, prepared, state, result=None) -> dict:
    """model.keras, config.json, and vocabulary.json: the tokens in id order, which the model needs to be used."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"model": directory / "model.keras", "config": directory / "config.json",
             "vocabulary": directory / "vocabulary.json"}
    state.model.save(paths["model"])
    paths["config"].write_text(prepared.config.to_json() + "\n")
    vocab = prepared.corpus.vocab
    paths["vocabulary"].write_text(json.dumps({"level": vocab.level, "tokens": vocab.tokens, "oov": vocab.oov},
                                              ensure_ascii=False, indent=1) + "\n")
    return {key: str(path) for key, path in paths.items()}


def json_log(kind: str, payload: dict) -> None:
    if kind in ("epoch_end", "sample"):
        print(json.dumps({"event": kind, **payload}, default=str, ensure_ascii=False), file=sys.stderr, flush=True)


def text_log(kind: str, payload: dict) -> None:
    if kind == "epoch_end":
        val = f"  val_loss {payload['val_loss']:.4g}" if payload["val_loss"] is not None else ""
        print(f"epoch {payload['epoch']}/{payload['epochs']}  loss {payload['loss']:.4g}{val}  "
              f"{payload['seconds']:.2f}s", file=sys.stderr, flush=True)
    elif kind == "sample":
        print(f"  sample after epoch {payload['epoch']}: {payload['seed']}|{payload['text'][:120]!r}", file=sys.stderr,
              flush=True)


def print_results(report: dict) -> None:
    """The text lines of the plain (non-JSON) output for a language-model run."""
    data = report["data"]
    vocab = data.get("vocabulary")
    if vocab:
        top = ", ".join(f"{t!r} {c}" for t, c in vocab["most_common"][:10])
        print(f"text: {data['file']}, {data['characters']:,} characters, {data['tokens']:,} {data['level']} tokens, "
              f"vocabulary {vocab['size']} (most common: {top}), windows {data['windows']}")
    if "metrics" in report:
        model, unigram = report["metrics"]["model"], report["metrics"]["baselines"]["unigram"]
        print(f"model: {model['bits_per_char']:.3f} bits per character  unigram: {unigram['bits_per_char']:.3f}")
        print(report["verdict"])
    for sample in report.get("samples_by_epoch", [])[-1:]:
        print(f"sample after epoch {sample['epoch']}: {sample['seed']}{sample['text']}")

"""The language model: checked text → lazy windows → Embedding/LSTM/softmax → runner with samples per epoch → report.

Windows are cut batch by batch from the integer-encoded text (WindowBatches), so a corpus of millions of tokens
costs its ids and one batch, never a (windows, timesteps) copy or a one-hot array. Training goes through the
project's Runner (events start / tick / epoch_end / finding / stopped, stop flag, XLA fallback); TextRunner adds a
"sample" event: text generated from the seed before training (epoch 0) and after every epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lstm_core.batches import epoch_batches
from lstm_core.checks import CheckContext, run_checks
from lstm_core.checks.text_lm_checks import TextFacts
from lstm_core.config import RunConfig
from lstm_core.findings import Finding, has_errors
from lstm_core.model import _seed, lstm_seeds, seeded_embedding
from lstm_core.tasks.text_lm.bits import LN2, per_char, unigram_bits
from lstm_core.tasks.text_lm.corpus import Corpus, TextSource, build_corpus
from lstm_core.tasks.text_lm.generate import Generated, context_before_sentence, default_seed, generate
from lstm_core.train import Runner, RunState, _emitter

# Windows per batch when measuring validation loss: larger than training batches, it only runs forward.
EVAL_BATCH = 256
# XLA off: on both built-in texts it made the whole run slower, its first epoch (the compile) and every later one
# alike, for the same bits per character (bench/text_lm_speed.py; the README's speed table has the figures).
LM_JIT = False


@dataclass
class TextPrepared:
    source: TextSource
    config: RunConfig
    corpus: Corpus | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.corpus is not None and not has_errors(self.findings)

    @property
    def window_counts(self) -> dict[str, int]:
        return self.corpus.window_counts(self.config.timesteps) if self.corpus is not None else {}

    def data_summary(self, top: int = 20) -> dict:
        source, corpus = self.source, self.corpus
        out = {"file": source.name, "characters": source.chars, "encoding": source.encoding, "level":
               self.config.level}
        if corpus is not None:
            vocab = corpus.vocab
            out.update({"tokens": len(corpus.ids), "train_tokens": len(corpus.train_ids),
                        "val_tokens": len(corpus.val_ids), "windows": self.window_counts,
                        "vocabulary": {"size": vocab.size, "distinct": vocab.distinct, "oov_token": vocab.oov,
                                       "oov_share": vocab.oov_share,
                                       "most_common": [[t, c] for t, c in vocab.most_common(top)]}})
        return out


def default_text_config(config: RunConfig | None = None) -> RunConfig:
    config = config or RunConfig(task="text-lm")
    return config if config.task == "text-lm" else config.replace(task="text-lm")


def prepare_text(source: TextSource, config: RunConfig) -> TextPrepared:
    """Tokenise, build the vocabulary, split by position and run every check; reading problems become findings."""
    config = default_text_config(config)
    usable = not source.binary and source.text.strip() and len(set(source.text)) > 1
    corpus = build_corpus(source, config.level, config.vocab_size, config.val_fraction) if usable else None
    context = CheckContext(config=config, text=TextFacts(source, corpus),
                           window_counts=corpus.window_counts(config.timesteps) if corpus is not None else {})
    return TextPrepared(source, config, corpus, list(source.notes) + run_checks(context))


def window_batches(ids: np.ndarray, timesteps: int, batch_size: int):
    """A keras.utils.PyDataset of (windows, next tokens) in order, cut from `ids` one batch at a time."""
    import keras

    class WindowBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.ids = np.asarray(ids)
            self.timesteps, self.batch_size = timesteps, batch_size
            self.count = max(0, len(self.ids) - timesteps)
            self.offsets = np.arange(timesteps)

        def __len__(self):
            return math.ceil(self.count / self.batch_size)

        def __getitem__(self, index):
            starts = np.arange(index * self.batch_size, min((index + 1) * self.batch_size, self.count))
            x = self.ids[starts[:, None] + self.offsets].astype("int32")
            return x, self.ids[starts + self.timesteps].astype("int32")

    return WindowBatches()


def shuffled_windows(ids: np.ndarray, timesteps: int, batch_size: int, seed: int):
    """(dataset, callback) for training: the windows in a fresh seeded order every epoch (EpochOrders, as the
    forecast's rows), cut inside tf.data so the runner can end the data at a stop (Runner.halting). The first
    order is skipped: the language model has always started from the second (Keras' PyDataset reshuffled once
    before the first epoch), and the same seed keeps giving the same losses."""
    import tensorflow as tf

    tokens = tf.constant(np.asarray(ids), dtype=tf.int32)
    offsets = tf.range(timesteps, dtype=tf.int64)
    count = max(0, len(ids) - timesteps)
    return epoch_batches(count, batch_size, seed, lambda starts: (tf.gather(tokens, starts[:, None] + offsets),
                                                                  tf.gather(tokens, starts + timesteps)), skipped=1)


def build_lm(config: RunConfig, vocab_size: int):
    """Embedding (or a fixed one-hot table when embedding_dim is 0) → stacked LSTM → Dense(vocab, softmax)."""
    import keras

    inputs = keras.Input((config.timesteps,), dtype="int32", name="tokens")
    if config.embedding_dim:
        x = keras.layers.Embedding(vocab_size, config.embedding_dim, name="embedding",
                                   embeddings_initializer=seeded_embedding(keras, config))(inputs)
    else:
        x = keras.layers.Embedding(vocab_size, vocab_size, embeddings_initializer="identity", trainable=False,
                                   name="one_hot")(inputs)
    for index in range(config.layers):
        x = keras.layers.LSTM(config.units, activation=config.activation,
                              recurrent_activation=config.recurrent_activation, dropout=config.dropout,
                              recurrent_dropout=config.recurrent_dropout, return_sequences=index < config.layers - 1,
                              **lstm_seeds(keras, config, index), name=f"lstm_{index + 1}")(x)
    outputs = keras.layers.Dense(vocab_size, activation="softmax", name="next_token",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(config, 99, 0)))(x)
    return keras.Model(inputs, outputs, name="lstm_language_model")


def compile_lm(model, config: RunConfig, jit_compile: bool):
    """(model to train, kept): `model` compiled, or, in a worker, a kept compiled model of the same shape."""
    from lstm_core.compiled import compiled
    from lstm_core.model import STEPS_PER_EXECUTION, make_optimizer

    return compiled(model, make_optimizer(config), loss="sparse_categorical_crossentropy", jit_compile=jit_compile,
                    steps_per_execution=STEPS_PER_EXECUTION)



@dataclass
class TextRunState(RunState):
    """A language-model run as it grows: besides the curve, one sample per epoch (epoch 0 first) and bits."""

    samples: list[dict] = field(default_factory=list)
    bits: list[dict] = field(default_factory=list)


class TextRunner(Runner):
    """The project's Runner on lazy text windows, emitting a "sample" event before training and after each epoch."""

    def __init__(self, prepared: TextPrepared, listeners=(), jit_compile: bool = LM_JIT, ticks: bool = False):
        super().__init__(prepared.config, prepared, listeners, jit_compile=jit_compile, ticks=ticks)
        self.prepared = prepared
        self.corpus = prepared.corpus
        self.state = TextRunState(config=prepared.config, jit_compile=jit_compile)
        config = prepared.config
        self.seed_text = config.seed_text or default_seed(self.corpus, config.timesteps)
        self.lead_in = context_before_sentence(self.corpus, config.timesteps)

    def run(self) -> TextRunState:
        import keras

        state, config, corpus = self.state, self.config, self.corpus
        windows = max(0, len(corpus.train_ids) - config.timesteps)
        val = window_batches(corpus.val_ids, config.timesteps, EVAL_BATCH)
        sampler = _sampler(self)
        callbacks = [_emitter(self)]
        if config.early_stopping:
            callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                                           restore_best_weights=True))
        callbacks.append(sampler)
        state.status = "running"
        self._build()
        self.emit("start", {"epochs": config.epochs, "steps": math.ceil(windows / config.batch_size),
                            "samples": windows, "kept": state.compiled_kept})

        def fit() -> None:
            if not state.samples:
                self.add_sample(0)
            # shuffle=False: the windows shuffle themselves from the run's seed (Keras' shuffle reads the global one);
            # a fresh order generator per fit, so a retry without XLA replays the same batches.
            batches, follow_epochs = shuffled_windows(corpus.train_ids, config.timesteps, config.batch_size,
                                                      config.seed)
            state.model.fit(self.halting(batches), epochs=config.epochs, validation_data=val, verbose=0,
                            callbacks=[follow_epochs, *callbacks], shuffle=False)

        # Without XLA the samples start again too: the one of epoch 0 came from the model XLA refused.
        self._fit_or_retry(fit, before_retry=state.samples.clear)
        self._finish(callbacks)
        return state

    def _build(self) -> None:
        # Seeded in its initialisers and batch order (never keras.utils.set_random_seed, which is process-wide).
        self.state.model, kept = compile_lm(build_lm(self.config, self.corpus.vocab.size), self.config,
                                            self.state.jit_compile)
        self.state.compiled_kept = kept

    def generate(self, seed_text: str | None = None, length: int | None = None, temperature: float | None = None,
                 seed: int | None = None) -> Generated:
        config = self.config
        return generate(self.state.model, self.corpus.vocab, self.seed_text if seed_text is None else seed_text,
                        config.sample_length if length is None else length,
                        config.temperature if temperature is None else temperature, config.timesteps,
                        self.lead_in, config.seed if seed is None else seed)

    def add_sample(self, epoch: int, logs: dict | None = None) -> None:
        generated = self.generate(seed=self.config.seed + epoch)
        sample = {"epoch": epoch, "seed": generated.seed, "text": generated.text, "unknown": generated.unknown}
        if logs:
            sample.update(self._bits(logs))
            self.state.bits.append({"epoch": epoch, **{k: v for k, v in sample.items() if "bits" in k}})
        self.state.samples.append(sample)
        self.emit("sample", sample)

    def _bits(self, logs: dict) -> dict:
        out = {"bits_per_char": float(logs.get("loss", math.nan)) / LN2 / self.corpus.chars_per_token}
        if "val_loss" in logs:
            out["val_bits_per_char"] = float(logs["val_loss"]) / LN2 / self.corpus.chars_per_token
        return out


def _sampler(runner: TextRunner):
    import keras

    class Sampler(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            losses = logs or {}
            if runner.state.status != "diverged" and math.isfinite(float(losses.get("loss", math.nan))):
                runner.add_sample(epoch + 1, losses)

    return Sampler()


def runner_for_text(prepared: TextPrepared, listeners=(), ticks: bool = False, monitors: bool = True,
                    jit_compile: bool = LM_JIT) -> TextRunner:
    runner = TextRunner(prepared, listeners, jit_compile=jit_compile, ticks=ticks)
    if monitors:
        attach_text_monitors(runner)
    return runner


def attach_text_monitors(runner: TextRunner):
    """The curve monitors, with the unigram model as the zero-skill level; the gradient probe needs arrays."""
    from lstm_core.monitors.engine import Facts, registered_monitors
    from lstm_core.monitors.hub import MonitorHub

    baseline = unigram_bits(runner.corpus, runner.config.timesteps)

    class TextMonitorHub(MonitorHub):
        def __init__(self):  # MonitorHub reads arrays from the windows, which text does not have
            self.runner = runner
            self.facts = Facts(runner.config, "sparse_categorical_crossentropy",
                               zero_skill=baseline["train_bits_per_token"] * LN2,
                               val_zero_skill=baseline["bits_per_token"] * LN2,
                               start_level=math.log(max(runner.corpus.vocab.size, 2)) + 1.0, max_abs_input=0.0)
            self.monitors = [m for m in registered_monitors().values() if not m.uses_probe]
            self.probe, self.probes, self.fired, self.stopped_by, self.seconds = None, [], {}, None, 0.0

    hub = TextMonitorHub()
    runner.listeners.insert(0, hub)
    return hub


def evaluate_text(prepared: TextPrepared, model) -> dict:
    """Bits per character of the model and of the unigram baseline on the validation text."""
    config, corpus = prepared.config, prepared.corpus
    val = window_batches(corpus.val_ids, config.timesteps, EVAL_BATCH)
    loss = float(model.evaluate(val, verbose=0))
    model_bits = per_char(loss / LN2, corpus)
    baseline = unigram_bits(corpus, config.timesteps)
    baseline.pop("train_bits_per_token")
    better = model_bits["bits_per_char"] < baseline["bits_per_char"]
    verdict = (f"The model needs {model_bits['bits_per_char']:.3f} bits per character on the validation text, "
               f"against {baseline['bits_per_char']:.3f} for letter frequencies alone (unigram): "
               + ("it learnt more than which tokens are common." if better else
                  "no better than the frequencies; train longer or give it more units."))
    return {"model": model_bits, "baselines": {"unigram": baseline}, "verdict": verdict}


def train_text(prepared: TextPrepared, listeners=(), monitors: bool = True,
               jit_compile: bool = LM_JIT) -> TextRunState:
    return runner_for_text(prepared, listeners, monitors=monitors, jit_compile=jit_compile).run()

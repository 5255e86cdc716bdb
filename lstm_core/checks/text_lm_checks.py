"""Checks for the character- or word-level language model (task "text-lm"): the text, its vocabulary, the window
length, and the sampling settings. Each is silent for the other tasks."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.checks.engine import CheckContext, register
from lstm_core.findings import Finding
from lstm_core.limits import how_to_change

# TEXT004: fewer training windows than this and a language model learns little beyond letter frequencies.
MIN_TRAIN_WINDOWS = 2000
# TEXT005: window lengths (tokens) that see at least a word or two, and past which steps are slow and mostly unused.
SHORT_STEPS = {"char": 8, "word": 3}
LONG_STEPS = {"char": 250, "word": 80}
USUAL_STEPS = {"char": 40, "word": 10}
# TEXT005: a window longer than this share of the validation tokens leaves few distinct windows to validate on.
VAL_SHARE = 0.25
# TEXT006: a character vocabulary this large is rarely natural text in one script; for words, most seen once.
CHAR_VOCAB_LARGE = 300
SINGLETON_SHARE = 0.5
TOKENS_PER_WORD = 20
# TEXT007: more than this share of the text outside a capped vocabulary.
OOV_SHARE = 0.05
# TEXT009: at or below GREEDY the sampler always takes the likeliest token; above NOISY it is close to uniform noise.
GREEDY = 0.1
NOISY = 1.5


@dataclass
class TextFacts:
    """What the text checks read: the text as read (TextSource) and, when it could be tokenised, its Corpus."""

    source: object
    corpus: object | None = None


def _facts(ctx: CheckContext) -> TextFacts | None:
    return ctx.text if ctx.config.task == "text-lm" and ctx.text is not None else None


def _finding(code: str, severity: str, title: str, detail: str, evidence: dict, fix: dict | None = None,
             area: str = "data") -> Finding:
    return Finding(code, severity, title, detail, evidence=evidence, fix=fix, area=area)


@register("TEXT001")
def empty_text(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.source.binary:
        return
    text = facts.source.text
    distinct = set(text)
    if not text.strip():
        yield _finding("TEXT001", "error", f"{facts.source.name} has no text",
                       "The file is empty or holds only spaces and line breaks. Upload a plain-text file with at "
                       "least a few thousand characters of prose, or pick a built-in sample.",
                       {"characters": len(text)})
    elif len(distinct) < 2:
        yield _finding("TEXT001", "error", f"{facts.source.name} repeats a single character",
                       f"The whole text is {len(text):,} × {next(iter(distinct))!r}: there is nothing to predict, "
                       "the next character is always the same. Upload real text, or pick a built-in sample.",
                       {"characters": len(text), "distinct": len(distinct)})


@register("TEXT002")
def binary_file(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or not facts.source.binary:
        return
    yield _finding("TEXT002", "error", f"{facts.source.name} is not a text file",
                   f"It looks like {facts.source.binary}. The language model reads plain text (.txt): open the "
                   "document, save or export it as plain text (UTF-8), and upload that.",
                   {"kind": facts.source.binary, "bytes": facts.source.size_bytes})


@register("TEXT003")
def text_too_long(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or not facts.source.too_long:
        return
    source = facts.source
    yield _finding("TEXT003", "error", f"{source.name} is longer than this server allows",
                   f"It has {source.chars:,} characters; at most {source.char_limit:,} are read. Upload an excerpt "
                   f"(the first chapters are plenty to learn from). {how_to_change('max_text_chars')}",
                   {"characters": source.chars, "limit": source.char_limit})


@register("TEXT004")
def too_little_text(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.corpus is None or len(facts.corpus.ids) < 2:
        return
    config, corpus = ctx.config, facts.corpus
    counts = corpus.window_counts(config.timesteps)
    unit = "characters" if corpus.level == "char" else "words"
    if config.val_fraction <= 0:
        yield _finding("TEXT004", "error", "No validation text",
                       "val_fraction is 0, so no part of the text is held out: bits per character, the unigram "
                       "baseline and the overfitting signs are all measured on the last part of the text. Hold out "
                       "the last 10 – 15 %.", {"val_fraction": config.val_fraction}, {"val_fraction": 0.15},
                       area="windows")
        return
    if counts["train"] < 1 or counts["val"] < 1:
        shortest = min(len(corpus.train_ids), len(corpus.val_ids))
        fit = max(1, min(config.timesteps, shortest // 2))
        yield _finding("TEXT004", "error", "Too little text for training and validation windows",
                       f"Each window needs {config.timesteps} {unit} plus the next one, inside one part. The training "
                       f"part has {len(corpus.train_ids):,} {unit} and the validation part (the last "
                       f"{config.val_fraction:.0%}) {len(corpus.val_ids):,}, giving {counts['train']} and "
                       f"{counts['val']} windows. Use more text, or windows of {fit} {unit} or fewer.",
                       {**counts, "timesteps": config.timesteps, "train_tokens": len(corpus.train_ids),
                        "val_tokens": len(corpus.val_ids)}, {"timesteps": fit} if fit < config.timesteps else None,
                       area="windows")
    elif counts["train"] < MIN_TRAIN_WINDOWS:
        yield _finding("TEXT004", "warning", f"Only {counts['train']:,} training windows",
                       f"The training part has {len(corpus.train_ids):,} {unit}. Below {MIN_TRAIN_WINDOWS:,} windows "
                       "a language model learns little more than which letters are common, and memorises the rest. "
                       "A few pages of text (20,000 characters or more) give it something to learn.",
                       {**counts, "minimum": MIN_TRAIN_WINDOWS}, area="windows")


@register("TEXT005")
def window_length(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.corpus is None:
        return
    config, corpus = ctx.config, facts.corpus
    level, steps = corpus.level, config.timesteps
    unit = "characters" if level == "char" else "words"
    usual = USUAL_STEPS[level]
    val_tokens = len(corpus.val_ids)
    if steps < SHORT_STEPS[level]:
        yield _finding("TEXT005", "warning", f"Windows of {steps} {unit} are very short",
                       f"The model sees only the last {steps} {unit} before predicting the next. "
                       + ("That is less than a word, so it can learn which letters follow which, but not words. "
                          if level == "char" else "That is too little to learn how a sentence goes on. ")
                       + f"Use about {usual} {unit}.", {"timesteps": steps, "short_below": SHORT_STEPS[level]},
                       {"timesteps": usual}, area="windows")
    elif steps > LONG_STEPS[level] or (val_tokens > steps and steps > VAL_SHARE * val_tokens):
        suggested = max(SHORT_STEPS[level], min(usual, int(VAL_SHARE * val_tokens)))
        yield _finding("TEXT005", "warning", f"Windows of {steps} {unit} are long for this text",
                       f"Each step of the window is one more step the LSTM runs, forward and back, for every "
                       f"window: training gets slow, and an LSTM rarely uses more than the last hundred or so. With "
                       f"{val_tokens:,} validation {unit} a window this long also leaves few distinct windows to "
                       f"validate on. {suggested} {unit} is a good start.",
                       {"timesteps": steps, "long_above": LONG_STEPS[level], "val_tokens": val_tokens},
                       {"timesteps": suggested}, area="windows")


@register("TEXT006")
def vocabulary_too_large(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.corpus is None:
        return
    corpus = facts.corpus
    vocab = corpus.vocab
    if corpus.level == "char" and vocab.distinct > CHAR_VOCAB_LARGE:
        yield _finding("TEXT006", "warning", f"{vocab.distinct:,} different characters",
                       f"Prose in one alphabet uses well under {CHAR_VOCAB_LARGE}. So many usually means mixed "
                       "scripts, symbols or mis-decoded bytes: each rare character is a class the model must learn "
                       "from a handful of examples. Clean the text, or cap the vocabulary at the 200 most frequent "
                       "characters (the rest share one unknown token).",
                       {"distinct": vocab.distinct, "large_above": CHAR_VOCAB_LARGE}, {"vocab_size": 200})
    elif corpus.level == "word":
        tokens = len(corpus.ids)
        few_examples = vocab.size * TOKENS_PER_WORD > tokens
        if corpus.singleton_share > SINGLETON_SHARE or few_examples:
            yield _finding("TEXT006", "warning", "Too many different words for this much text",
                           f"{vocab.distinct:,} different words in {tokens:,}; {corpus.singleton_share:.0%} of them "
                           f"appear only once. A word model needs many examples of each word (here about "
                           f"{tokens / max(vocab.size, 1):.0f} per vocabulary entry): most of its output classes are "
                           "words it has barely seen. At character level the vocabulary is a few dozen letters "
                           "that every word shares.",
                           {"distinct": vocab.distinct, "tokens": tokens, "singleton_share": corpus.singleton_share,
                            "vocab_size": vocab.size}, {"level": "char"})


@register("TEXT007")
def vocabulary_too_small(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.corpus is None:
        return
    vocab = facts.corpus.vocab
    if vocab.oov is None or vocab.oov_share <= OOV_SHARE:
        return
    counts = sorted(vocab.counts[1:], reverse=True)
    unit = "characters" if vocab.level == "char" else "words"
    suggested = min(vocab.distinct + 1, 200_000)
    yield _finding("TEXT007", "warning", f"{vocab.oov_share:.0%} of the text falls outside the vocabulary",
                   f"vocab_size {vocab.size:,} keeps the {vocab.size - 1:,} most frequent of {vocab.distinct:,} "
                   f"different {unit}; every other one becomes {vocab.oov!r}, and the model learns to write that "
                   f"token instead. A vocabulary of {suggested:,} covers the whole text.",
                   {"vocab_size": vocab.size, "distinct": vocab.distinct, "oov_share": vocab.oov_share,
                    "least_kept_count": counts[-1] if counts else 0}, {"vocab_size": suggested})


@register("TEXT008")
def seed_outside_vocabulary(ctx: CheckContext):
    facts = _facts(ctx)
    if facts is None or facts.corpus is None or not ctx.config.seed_text:
        return
    from lstm_core.tasks.text_lm.corpus import tokenize

    vocab = facts.corpus.vocab
    seed = ctx.config.seed_text
    tokens = tokenize(seed, vocab.level)
    unknown = vocab.unknown(tokens)
    if not unknown:
        return
    kept = "".join(t for t in tokens if t in vocab.index) if vocab.level == "char" else None
    what = ", ".join(repr(t) for t in unknown[:10])
    handled = (f"they become {vocab.oov!r}" if vocab.oov else "they are left out of the seed")
    yield _finding("TEXT008", "warning", f"The seed text uses {len(unknown)} token(s) the text never has",
                   f"{what} never appear in the training text, so the model has no input for them: {handled}. "
                   "Start the seed with words from the text.",
                   {"unknown": unknown[:20], "seed_text": seed},
                   {"seed_text": kept} if kept and kept != seed else {"seed_text": ""}, area="generation")


@register("TEXT009")
def temperature_extreme(ctx: CheckContext):
    if ctx.config.task != "text-lm":
        return
    temperature = ctx.config.temperature
    if temperature <= GREEDY:
        yield _finding("TEXT009", "info", f"Temperature {temperature:g} picks the likeliest token every time",
                       "Greedy sampling is reproducible but often falls into a loop (\"the the the\", the same "
                       "sentence over and over). 0.5 – 1.0 gives varied text that still follows what was learnt.",
                       {"temperature": temperature, "greedy_at_or_below": GREEDY}, {"temperature": 0.7},
                       area="generation")
    elif temperature > NOISY:
        yield _finding("TEXT009", "warning", f"Temperature {temperature:g} flattens the model's choices",
                       f"Above {NOISY:g} rare tokens become almost as likely as common ones: the samples look like "
                       "noise even when the model has learnt well. 0.5 – 1.0 shows what it learnt.",
                       {"temperature": temperature, "noisy_above": NOISY}, {"temperature": 0.7}, area="generation")

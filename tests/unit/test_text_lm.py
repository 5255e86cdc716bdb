"""The language model: reading text, vocabulary, the split by position, lazy windows, checks, generation, and the
model beating letter frequencies on the built-in text."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from recording import Recorder

from lstm_core.config import RunConfig
from lstm_core.tasks.text_lm.bits import unigram_bits
from lstm_core.tasks.text_lm.corpus import build_corpus, read_text
from lstm_core.tasks.text_lm.generate import pick, real_word_share
from lstm_core.tasks.text_lm.lm import prepare_text, shuffled_windows, window_batches
from lstm_core.tasks.text_lm.samples import TEXT_SAMPLES, vocabulary_words

SMALL = TEXT_SAMPLES["tales_small"]
PROSE = SMALL.make()


def lm_config(**patch) -> RunConfig:
    return RunConfig(task="text-lm", **{**SMALL.settings, **patch})


def codes(source, **patch) -> dict[str, str]:
    prepared = prepare_text(source, lm_config(**patch))
    return {f.code: f.severity for f in prepared.findings}


def test_utf8_with_bom_is_read_without_the_mark():
    source = read_text("\ufeffNaïve café text.".encode())
    assert source.text == "Naïve café text."
    assert source.encoding == "utf-8" and not source.notes


def test_windows_text_falls_back_with_a_note_and_crlf_becomes_newlines():
    source = read_text("Crème brûlée\r\nand “quotes”.".encode("cp1252"), "menu.txt")
    assert source.text == "Crème brûlée\nand “quotes”."
    assert source.encoding == "cp1252"
    assert [n.code for n in source.notes] == ["DATA101"] and "menu.txt" in source.notes[0].title


def test_utf16_with_bom_is_text_not_binary():
    source = read_text("The fox ran.".encode("utf-16"))
    assert source.binary is None and source.text == "The fox ran."


@pytest.mark.parametrize(("raw", "kind"), [(b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
                                           (b"PK\x03\x04" + bytes(100), "ZIP archive"),
                                           (b"some text\x00\x01\x02 more", "NUL")])
def test_binary_files_are_refused_with_what_they_look_like(raw, kind):
    found = prepare_text(read_text(raw, "upload.txt"), lm_config())
    (finding,) = [f for f in found.findings if f.severity == "error"]
    assert finding.code == "TEXT002" and kind in finding.detail and "upload.txt" in finding.title
    assert not found.ready


@pytest.mark.parametrize("text", ["", "   \n\n  ", "a", "zzzzzzzzzzzz"])
def test_empty_or_one_character_text_is_an_error(text):
    assert codes(read_text(text.encode(), "empty.txt")) == {"TEXT001": "error"}


def test_text_over_the_limit_names_the_limit_and_how_to_change_it(monkeypatch):
    monkeypatch.setenv("LSTM_PLAYGROUND_MAX_TEXT_CHARS", "5000")
    source = read_text(PROSE.encode(), "book.txt")
    assert source.too_long and len(source.text) == 5000
    finding = next(f for f in prepare_text(source, lm_config()).findings if f.code == "TEXT003")
    assert finding.severity == "error" and "5,000" in finding.detail
    assert "LSTM_PLAYGROUND_MAX_TEXT_CHARS" in finding.detail


def test_the_sample_text_passes_every_check():
    prepared = prepare_text(SMALL.source(), lm_config())
    assert prepared.findings == [] and prepared.ready


def test_character_vocabulary_is_reported_most_frequent_first():
    summary = prepare_text(SMALL.source(), lm_config()).data_summary()
    vocab = summary["vocabulary"]
    top = vocab["most_common"]
    assert top[0][0] == " " and top[0][1] == PROSE.count(" ")
    assert [c for _, c in top] == sorted((c for _, c in top), reverse=True)
    assert vocab["size"] == len(set(PROSE)) and vocab["oov_token"] is None


def test_word_level_caps_the_vocabulary_with_an_unknown_token_and_flags_a_tight_cap():
    prepared = prepare_text(SMALL.source(), lm_config(level="word", vocab_size=50, timesteps=10))
    vocab = prepared.corpus.vocab
    assert vocab.size == 50 and vocab.tokens[0] == "<unk>" and vocab.oov_share > 0.05
    assert "the" in vocab.index and vocab.decode(vocab.encode(["the", "zebra"])) == "the <unk>"
    finding = next(f for f in prepared.findings if f.code == "TEXT007")
    assert finding.fix == {"vocab_size": vocab.distinct + 1}
    roomy = prepare_text(SMALL.source(), lm_config(level="word", vocab_size=10000, timesteps=10))
    assert "TEXT007" not in {f.code for f in roomy.findings} and roomy.corpus.vocab.oov is None


def test_word_level_on_words_mostly_seen_once_suggests_characters():
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdefghij"), 7)) for _ in range(6000)]
    source = read_text(" ".join(words).encode(), "words.txt")
    found = {f.code: f for f in prepare_text(source, lm_config(level="word", timesteps=10)).findings}
    assert found["TEXT006"].fix == {"level": "char"}
    assert "TEXT006" not in codes(TEXT_SAMPLES["tales"].source(), level="word", timesteps=10)


def test_validation_is_the_last_part_of_the_text_by_position():
    corpus = build_corpus(SMALL.source(), "char", 10000, 0.2)
    assert np.array_equal(np.concatenate([corpus.train_ids, corpus.val_ids]), corpus.ids)
    assert corpus.vocab.decode(corpus.val_ids) == PROSE[-len(corpus.val_ids):]
    assert abs(len(corpus.val_ids) / len(corpus.ids) - 0.2) < 0.001
    # Every training window and its next token come from the training part only, each once an epoch.
    batches, _ = shuffled_windows(corpus.train_ids, 32, 512, seed=1)
    pairs = [(x.numpy(), y.numpy()) for x, y in batches]
    assert sum(len(y) for _, y in pairs) == len(corpus.train_ids) - 32
    x, y = pairs[0]
    text = corpus.vocab.decode(corpus.train_ids)
    window = corpus.vocab.decode(x[0]) + corpus.vocab.decode([y[0]])
    assert window in text and window not in corpus.vocab.decode(corpus.val_ids)


def test_validation_windows_are_cut_batch_by_batch_never_copied_whole():
    ids = np.random.default_rng(0).integers(0, 60, 2_000_000).astype("uint16")
    timesteps, batch = 100, 64
    tracemalloc.start()
    batches = window_batches(ids, timesteps, batch)
    x, y = batches[3]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert x.shape == (batch, timesteps) and y.shape == (batch,)
    # A full (windows, timesteps) int32 copy would be 800 MB.
    assert peak < 40e6, peak
    assert len(batches) == -(-(len(ids) - timesteps) // batch)


def test_windows_pair_each_window_with_the_token_after_it():
    ids = np.arange(1000, dtype="uint16")
    in_order = window_batches(ids, 10, 16)[0]
    shuffled, _ = shuffled_windows(ids, 10, 16, seed=3)
    first = next(iter(shuffled))
    for x, y in (in_order, (first[0].numpy(), first[1].numpy())):
        assert np.array_equal(x[:, 1:] - x[:, :-1], np.ones((16, 9)))
        assert np.array_equal(y, x[:, -1] + 1)
    # An epoch of training windows: every window once, shuffled.
    starts = np.concatenate([x.numpy()[:, 0] for x, _ in shuffled])
    assert sorted(starts.tolist()) == list(range(990)) and starts[:16].tolist() != list(range(16))


@pytest.mark.parametrize(("patch", "code", "fix"), [
    ({"timesteps": 4}, "TEXT005", {"timesteps": 40}),
    ({"timesteps": 1800}, "TEXT004", {"timesteps": 836}),
    ({"timesteps": 600}, "TEXT005", {"timesteps": 40}),
    ({"val_fraction": 0.0}, "TEXT004", {"val_fraction": 0.15}),
    ({"seed_text": "Zebra §"}, "TEXT008", {"seed_text": "ebra "}),
    ({"temperature": 0.05}, "TEXT009", {"temperature": 0.7}),
    ({"temperature": 3.0}, "TEXT009", {"temperature": 0.7}),
])
def test_settings_a_language_model_user_trips_on(patch, code, fix):
    found = {f.code: f for f in prepare_text(SMALL.source(), lm_config(**patch)).findings}
    assert code in found, list(found)
    if fix is not None:
        assert found[code].fix == fix


def trips(source, patch: dict, code: str) -> None:
    assert code in codes(source, **patch), (code, patch)


def test_every_text_check_has_an_input_that_trips_it():
    trips(read_text(b""), {}, "TEXT001")
    trips(read_text(b"%PDF-1.7" + bytes(50)), {}, "TEXT002")
    trips(read_text(PROSE[:300].encode()), {}, "TEXT004")
    trips(SMALL.source(), {"timesteps": 2}, "TEXT005")
    trips(read_text("".join(chr(0x4E00 + i % 900) for i in range(9000)).encode()), {}, "TEXT006")
    trips(SMALL.source(), {"level": "word", "vocab_size": 20, "timesteps": 10}, "TEXT007")
    trips(SMALL.source(), {"seed_text": "Ωmega"}, "TEXT008")
    trips(SMALL.source(), {"temperature": 2.5}, "TEXT009")


def test_too_little_text_for_windows_is_an_error_with_a_window_that_fits():
    found = {f.code: f for f in prepare_text(read_text(PROSE[:300].encode()), lm_config(timesteps=80)).findings}
    assert found["TEXT004"].severity == "error" and found["TEXT004"].fix == {"timesteps": 22}
    assert prepare_text(read_text(PROSE[:300].encode()), lm_config(timesteps=20)).corpus.window_counts(20)["val"] > 0


def test_a_few_thousand_characters_warn_that_little_can_be_learnt():
    found = {f.code: f.severity for f in prepare_text(read_text(PROSE[:2000].encode()), lm_config()).findings}
    assert found.get("TEXT004") == "warning"


def test_a_huge_character_set_is_flagged_and_ordinary_prose_is_not():
    rng = np.random.default_rng(1)
    text = "".join(chr(c) for c in rng.integers(0x4E00, 0x4E00 + 2000, 20000))
    found = {f.code: f for f in prepare_text(read_text(text.encode()), lm_config()).findings}
    assert found["TEXT006"].fix == {"vocab_size": 200}


def test_greedy_below_a_tenth_and_seeded_sampling_reproduces():
    p = np.array([0.1, 0.6, 0.3])
    assert {pick(p, 0.05, np.random.default_rng(s)) for s in range(20)} == {1}
    draws = [pick(p, 1.0, np.random.default_rng(7)) for _ in range(3)]
    assert len(set(draws)) == 1
    spread = {pick(p, 1.0, np.random.default_rng(s)) for s in range(60)}
    assert spread == {0, 1, 2}


def test_real_word_share_counts_words_of_the_vocabulary():
    words = vocabulary_words()
    assert real_word_share("The old fox ran to the river.", words) == 1.0
    assert real_word_share("Thq xld fox", words) == pytest.approx(1 / 3)
    assert real_word_share("", words) == 0.0


def test_unigram_baseline_is_the_letter_entropy_of_the_validation_text():
    corpus = build_corpus(SMALL.source(), "char", 10000, 0.15)
    bits = unigram_bits(corpus, 32)["bits_per_char"]
    assert 3.8 < bits < 4.6  # English letters and spaces: about 4.1 bits each


@pytest.fixture(scope="module")
def trained():
    """One real run on the short built-in text, shared by the tests that read it."""
    from lstm_core.tasks.text_lm.lm import evaluate_text, train_text

    prepared = prepare_text(SMALL.source(), lm_config(epochs=3))
    recorder = Recorder()
    state = train_text(prepared, [recorder])
    return prepared, state, recorder, evaluate_text(prepared, state.model)


def test_the_model_beats_letter_frequencies_and_learns_real_words(trained):
    _, state, _, result = trained
    assert state.status == "completed", state.reason
    model, unigram = result["model"]["bits_per_char"], result["baselines"]["unigram"]["bits_per_char"]
    assert model < unigram - 1.0, (model, unigram)
    words = vocabulary_words()
    before = real_word_share(state.samples[0]["text"], words)
    after = real_word_share(state.samples[-1]["text"], words)
    assert after > before + 0.2, (before, after, state.samples[-1]["text"])


def test_training_emits_a_sample_before_training_and_after_each_epoch(trained):
    _, state, recorder, _ = trained
    assert recorder.kinds()[:2] == ["start", "sample"]
    samples = recorder.payloads("sample")
    assert [s["epoch"] for s in samples] == [0, 1, 2, 3]
    assert all(len(s["text"]) == state.config.sample_length for s in samples)
    epochs = recorder.payloads("epoch_end")
    assert [s["val_bits_per_char"] for s in samples[1:]] == pytest.approx([e["val_loss"] / np.log(2) for e in epochs])


def test_generation_after_training_any_seed_length_and_temperature(trained):
    from lstm_core.tasks.text_lm.generate import context_before_sentence, generate

    prepared, state, _, _ = trained
    corpus, config = prepared.corpus, prepared.config
    lead = context_before_sentence(corpus, config.timesteps)
    first = generate(state.model, corpus.vocab, "The king ", 30, 0.8, config.timesteps, lead, seed=5)
    again = generate(state.model, corpus.vocab, "The king ", 30, 0.8, config.timesteps, lead, seed=5)
    assert first.text == again.text and len(first.text) == 30
    greedy = {generate(state.model, corpus.vocab, "The king ", 20, 0.05, config.timesteps, lead, seed=s).text
              for s in (1, 2)}
    assert len(greedy) == 1
    odd = generate(state.model, corpus.vocab, "Ze§bra ", 10, 0.8, config.timesteps, lead, seed=1)
    assert odd.unknown == ["Z", "§"] and odd.seed == "ebra " and len(odd.text) == 10

"""Slot filling (engine.slots): the corpus, the word encodings, the shipped taggers and their
card numbers, and the lecture's test (NOTES.md §1): feed-forward gives "Taipei" one slot in
both sentences, the recurrent taggers tell "arrive Taipei" from "leave Taipei"."""

import datetime
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import checkpoint, slots, zoo
from engine.cells import build_model
from engine.trace import trace

ROOT = Path(__file__).resolve().parents[1]
ARRIVE, LEAVE = slots.LECTURE_SENTENCES
RECURRENT = ("elman", "jordan", "lstm", "bilstm")
SHIPPED = [(m, e) for m in slots.MODELS for e in slots.ENCODINGS]
TOL = 0.002  # recomputed metrics may differ from the JSON by float noise and rounding only


@pytest.fixture(scope="module")
def corpus():
    return slots.training_corpus()


@pytest.fixture(scope="module")
def heldout():
    return slots.heldout_corpus()


# -- corpus -----------------------------------------------------------------------------------


def test_tags_align_with_tokens_and_cities_are_tagged_on_every_token(corpus, heldout):
    for s in corpus[:2000] + heldout:
        assert len(s.tags) == len(s.tokens) == len(s.text.split())
        assert set(s.tags) <= set(slots.SLOTS)
        named = {" ".join(w for w, t in zip(s.tokens, s.tags, strict=True) if t == slot)
                 for slot in ("dest", "origin")} - {""}
        assert named == set(s.cities), (s.text, s.tags)
    multi = [s for s in corpus if any(" " in c for c in s.cities)]
    assert multi  # "New York", "Rio de Janeiro", ... appear and are tagged word by word


def test_the_lectures_sentence_is_in_the_corpus_with_the_lectures_tags():
    rng = np.random.default_rng(0)
    seen = {}
    for _ in range(400):
        s = slots.make_sentence(0, rng, ("Taipei",) + slots.city_split("train")[:5])
        seen[s.text] = s.tags
    tags = next(t for text, t in seen.items()
                if re.fullmatch(r"arrive Taipei on \w+ \w+", text))
    assert tags == ["other", "dest", "other", "arrive_time", "arrive_time"]


def test_dates_are_real_calendar_dates(corpus):
    months = {m: k + 1 for k, m in enumerate(slots.MONTHS)}
    months.update({m[:3]: k + 1 for k, m in enumerate(slots.MONTHS)})
    found = 0
    for s in corpus:
        for a, b in zip(s.tokens, s.tokens[1:], strict=False):
            for month, day in ((a, b), (b, a)):
                if month in months and re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", day):
                    number = int(re.match(r"\d+", day).group())
                    datetime.date(2024, months[month], number)  # ValueError if not a date
                    if not day.isdigit():
                        assert day == slots.ordinal(number)
                    found += 1
    assert found > 1000
    assert [slots.ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_heldout_split_is_disjoint_by_template_and_by_city(corpus, heldout):
    train_t, test_t = set(slots.template_ids("train")), set(slots.template_ids("test"))
    assert train_t and test_t and not train_t & test_t
    assert train_t | test_t == set(range(len(slots.TEMPLATES)))
    train_c, test_c = set(slots.city_split("train")), set(slots.city_split("test"))
    assert not train_c & test_c and train_c | test_c == set(slots.CITIES)
    assert len(slots.CITIES) >= 300 and len(set(slots.CITIES)) == len(slots.CITIES)
    assert {"Taipei", "Kaohsiung", "Hualien", "Boston", "New York"} <= set(slots.CITIES)
    assert {s.template for s in corpus} == train_t
    assert {s.template for s in heldout} == test_t
    assert {c for s in corpus for c in s.cities} <= train_c
    assert {c for s in heldout for c in s.cities} <= test_c
    assert len({c for s in heldout for c in s.cities}) > 0.9 * len(test_c)


# -- encodings ----------------------------------------------------------------------------------


def test_one_of_n_lights_one_dimension_and_unknown_words_light_other():
    tagger = slots.load_tagger("lstm", "onehot")
    enc = slots.Encoder(tagger.config)
    vocab = tagger.config.vocabulary
    assert tagger.config.input_size == len(vocab) + 1
    x = enc.encode_words(["arrive", "Taipei", "Zorbulon", "taipei,"])
    assert torch.equal(x.sum(1), torch.ones(4))
    assert x[0, vocab.index("arrive") + 1] == 1 and x[1, vocab.index("taipei") + 1] == 1
    assert x[2, 0] == 1 and enc.dims("Zorbulon") == [(0, slots.OTHER_WORD, 1.0)]
    assert torch.equal(x[3], x[1])  # case and punctuation do not matter
    assert enc.is_unknown("Zorbulon") and not enc.is_unknown("Taipei")
    held = [c for c in slots.city_split("test") if " " not in c]
    assert all(enc.is_unknown(c) for c in held)  # held-out cities were never seen


def test_word_hashing_uses_letter_trigrams_with_boundaries():
    assert slots.trigrams("apple") == ["#ap", "app", "ppl", "ple", "le#"]
    assert slots.trigrams("Taipei") == ["#ta", "tai", "aip", "ipe", "pei", "ei#"]
    tagger = slots.load_tagger("lstm", "trigram")
    enc = slots.Encoder(tagger.config)
    assert tagger.config.input_size == slots.HASH_DIM
    x = enc.encode_words(["Taipei", "anana"])
    expected = torch.zeros(slots.HASH_DIM)
    for tri in slots.trigrams("Taipei"):
        expected[slots.trigram_bucket(tri)] += 1
    assert torch.equal(x[0], expected)
    assert x[1].sum() == len(slots.trigrams("anana")) == 5  # "ana" counted twice
    assert x[1, slots.trigram_bucket("ana")] >= 2
    names = " ".join(name for _, name, _ in enc.dims("Taipei"))
    assert sorted(names.split()) == sorted(slots.trigrams("Taipei"))
    assert not enc.is_unknown("Zorbulon") and enc.encode_words(["Zorbulon"]).sum() == 8


# -- shipped taggers ----------------------------------------------------------------------------


def test_all_shipped_checkpoints_load_and_are_small():
    paths = [slots.checkpoint_path(m, e) for m, e in SHIPPED]
    models = [checkpoint.load(p) for p in paths]
    assert all(isinstance(m, slots.SlotTagger) and not m.training for m in models)
    size = sum(f.stat().st_size for p in paths for f in checkpoint.paths(p))
    assert size < 2_000_000


@pytest.mark.parametrize(("model", "encoding"), SHIPPED)
def test_metrics_recomputed_on_heldout_data_equal_the_json(model, encoding, heldout):
    info = checkpoint.read_info(slots.checkpoint_path(model, encoding))
    score = slots.evaluate(slots.load_tagger(model, encoding), heldout)
    assert score.token_accuracy == pytest.approx(info.metrics["heldout_token_accuracy"], abs=TOL)
    assert score.slot_f1 == pytest.approx(info.metrics["heldout_slot_f1"], abs=TOL)
    assert score.city_accuracy == pytest.approx(info.metrics["heldout_city_accuracy"], abs=TOL)
    assert score.tokens == info.metrics["heldout_tokens"]
    for sentence, tags in info.metrics["lecture_tags"].items():
        assert slots.tag(sentence, model, encoding) == tags
    if model != "feedforward":  # memory helps on unseen templates and cities
        assert score.token_accuracy >= 0.9 and score.slot_f1 >= 0.75


def test_the_card_quotes_the_json_metrics():
    card = (ROOT / "pretrained" / "README.md").read_text().split("## slots/")[1]
    for model, encoding in SHIPPED:
        m = checkpoint.read_info(slots.checkpoint_path(model, encoding)).metrics
        row = next(line for line in card.splitlines()
                   if line.startswith(f"| `{model}_{encoding}` "))
        assert f"{m['heldout_token_accuracy']:.3f}" in row and f"{m['heldout_slot_f1']:.3f}" in row


@pytest.mark.parametrize("encoding", list(slots.ENCODINGS))
def test_lecture_feedforward_gives_taipei_one_slot_recurrent_ones_tell_them_apart(encoding):
    ff_arrive, ff_leave = (slots.tag(s, "feedforward", encoding) for s in (ARRIVE, LEAVE))
    assert ff_arrive[1:] == ff_leave[1:]  # same words, same tags: it has no memory
    for model in RECURRENT:
        arrive, leave = (slots.tag(s, model, encoding) for s in (ARRIVE, LEAVE))
        assert (arrive[1], leave[1]) == ("dest", "origin"), model
        assert arrive[0] == leave[0] == "other"


def test_the_lstm_tags_the_whole_lecture_sentence_like_the_lecture():
    for encoding in slots.ENCODINGS:
        assert slots.tag(ARRIVE, "lstm", encoding) == [
            "other", "dest", "other", "arrive_time", "arrive_time"]
        assert slots.tag(LEAVE, "lstm", encoding) == [
            "other", "origin", "other", "depart_time", "depart_time"]


def test_unknown_cities_are_tagged_by_their_context():
    enc = slots.Encoder(slots.load_tagger("lstm", "onehot").config)
    held = [c for c in slots.city_split("test") if " " not in c][:12]
    for a, b in zip(held[::2], held[1::2], strict=True):
        assert enc.is_unknown(a) and enc.is_unknown(b)
        sentence = f"I want to fly from {a} to {b} on May 3rd"
        for model in ("lstm", "bilstm"):
            tags = slots.tag(sentence, model)
            assert tags[5] == "origin" and tags[7] == "dest", (model, sentence, tags)
        assert slots.tag(f"arrive {a} on May 3rd", "lstm")[1] == "dest"
        assert slots.tag(f"leave {a} on May 3rd", "lstm")[1] == "origin"
    # one-of-N without memory sees only "other" for an unknown city
    ff = slots.tag(f"fly from {held[0]} to {held[1]}", "feedforward")
    assert ff[2] == ff[4]


def test_tag_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        slots.tag("   ", "lstm")
    with pytest.raises(ValueError, match="at most"):
        slots.tag("word " * (slots.MAX_TOKENS + 1), "lstm")
    with pytest.raises(ValueError, match="choose one of"):
        slots.tag(ARRIVE, "transformer")
    with pytest.raises(ValueError, match="choose one of"):
        slots.tag(ARRIVE, "lstm", "bytes")


# -- tracing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "encoding"), [(m, e) for m in RECURRENT
                                                 for e in slots.ENCODINGS])
def test_trace_of_the_recurrent_part_equals_the_taggers_forward(model, encoding):
    tagger = slots.load_tagger(model, encoding)
    x = slots.encode_with(tagger, "I would like to leave New York at 5 pm and arrive Taipei")
    with torch.no_grad():
        scores = tagger(x)
    rec = trace(tagger.rnn, x)
    torch.testing.assert_close(rec.outputs, scores, atol=1e-5, rtol=1e-5)
    reading = slots.read("I would like to leave New York at 5 pm and arrive Taipei", model,
                         encoding)
    np.testing.assert_allclose(reading.probs, torch.softmax(scores, -1).numpy(), atol=1e-6)
    assert reading.directions == (2 if model == "bilstm" else 1)
    assert reading.hidden.shape == (len(reading.tokens), reading.directions * 24)


def test_the_lstm_tagger_is_torchs_lstm_and_linear():
    tagger = slots.load_tagger("bilstm", "onehot")
    cfg = tagger.rnn.config
    ref = torch.nn.LSTM(cfg.input_size, cfg.hidden_size, bidirectional=True)
    state = tagger.rnn.state_dict()
    ref.load_state_dict({k: v for k, v in state.items() if not k.startswith("readout.")})
    x = slots.encode_with(tagger, LEAVE)
    with torch.no_grad():
        expected = torch.nn.functional.linear(ref(x)[0], state["readout.weight"],
                                              state["readout.bias"])
        torch.testing.assert_close(tagger(x), expected, atol=1e-5, rtol=1e-5)


def test_feedforward_reading_is_one_word_at_a_time():
    r1, r2 = slots.read(ARRIVE, "feedforward"), slots.read(LEAVE, "feedforward")
    np.testing.assert_allclose(r1.hidden[1:], r2.hidden[1:], atol=1e-6)
    np.testing.assert_allclose(r1.probs[1:], r2.probs[1:], atol=1e-6)
    assert r1.cell is None and r1.directions == 1


def test_config_rebuilds_from_json_and_rejects_bad_names():
    tagger = slots.load_tagger("jordan", "onehot")
    info = checkpoint.read_info(slots.checkpoint_path("jordan", "onehot"))
    assert info.config == tagger.config and isinstance(info.config.vocabulary, tuple)
    with pytest.raises(ValueError, match="unknown tagger"):
        slots.SlotTaggerConfig(model="gpt", encoding="onehot", hidden_size=4, vocabulary=("a",))
    with pytest.raises(ValueError, match="needs a vocabulary"):
        slots.SlotTaggerConfig(model="lstm", encoding="onehot", hidden_size=4)
    fresh = slots.SlotTagger(tagger.config, seed=3)
    assert build_model(fresh.cell_config(), seed=3).weight_ih_l0.shape == (
        tagger.config.hidden_size, tagger.config.input_size)


# -- stepper registry ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", RECURRENT)
def test_the_stepper_registry_steps_the_slot_taggers(model):
    entry = zoo.shipped(f"slots_{model}")
    net = entry.load()
    x = entry.encode(entry.default_text)
    assert entry.labels(entry.default_text) == slots.tokens(entry.default_text)
    assert x.shape == (5, net.config.input_size)
    rec = trace(net, x)
    assert [slots.SLOTS[k] for k in rec.outputs.argmax(-1).tolist()] == slots.tag(
        entry.default_text, model)

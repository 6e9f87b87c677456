"""The attention lab's engine: translate() against the models' forward pass written out here in
numpy, held-out accuracy, where the year's characters look, the date phrases and the limits."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from engine import attention, checkpoint, date_data

ISSUE_FORMS = ["November 2, 2026", "2 November 2026", "Nov 2 2026", "nov. 2nd, 2026",
               "11/02/2026", "the 2nd of November 2026", "2026年11月2日"]


@pytest.fixture(scope="module")
def models() -> dict[str, attention.DateTranslator]:
    return {name: attention.shipped_model(name) for name in attention.MODELS}


@pytest.fixture(scope="module")
def heldout() -> list[date_data.Phrase]:
    return date_data.heldout_phrases()


# -- the forward pass, written out ------------------------------------------------------------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _gru(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step (PyTorch's gate order r, z, n), float64."""
    gi, gh = w_ih @ x + b_ih, w_hh @ h + b_hh
    H = h.shape[0]
    r = _sigmoid(gi[:H] + gh[:H])
    z = _sigmoid(gi[H:2 * H] + gh[H:2 * H])
    n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
    return (1 - z) * n + z * h


def _p(model, name):
    return dict(model.named_parameters())[name].detach().double().numpy()


def written_out(model: attention.DateTranslator, text: str):
    """Greedy decoding of `text` by hand: (output, weights, contexts, probs, states)."""
    cfg = model.config
    index = {ch: k + 1 for k, ch in enumerate(cfg.input_alphabet)}
    xs = [_p(model, "embed.weight")[index.get(ch.lower(), 0)] for ch in text]
    H = cfg.hidden_size
    fwd, bwd = [], [None] * len(xs)
    h = np.zeros(H)
    for x in xs:
        h = _gru(x, h, *(_p(model, f"encoder.{n}_l0") for n in
                         ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
        fwd.append(h)
    h = np.zeros(H)
    for j in reversed(range(len(xs))):
        h = _gru(xs[j], h, *(_p(model, f"encoder.{n}_l0_reverse") for n in
                             ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
        bwd[j] = h
    states = np.array([np.concatenate([f, b]) for f, b in zip(fwd, bwd, strict=True)])
    summary = np.concatenate([fwd[-1], bwd[0]])
    s = np.tanh(_p(model, "bridge.weight") @ summary + _p(model, "bridge.bias"))
    prev = cfg.output_size  # the start symbol
    out, weights, contexts, probs = "", [], [], []
    for _ in range(cfg.max_output):
        if model.has_attention:
            keys = states @ _p(model, "att_keys.weight").T + _p(model, "att_keys.bias")
            e = np.tanh(keys + _p(model, "att_query.weight") @ s) @ _p(model, "att_v.weight")[0]
            a = np.exp(e - e.max())
            a /= a.sum()
            c = a @ states
        else:
            a, c = None, summary
        inp = np.concatenate([_p(model, "out_embed.weight")[prev], c])
        s = _gru(inp, s, *(_p(model, f"decoder.{n}") for n in
                           ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
        logits = _p(model, "readout.weight") @ np.concatenate([s, c]) + _p(model, "readout.bias")
        k = int(np.argmax(logits))
        if k == 0:
            break
        p = np.exp(logits - logits.max())
        probs.append(p / p.sum())
        weights.append(a)
        contexts.append(c)
        out += cfg.output_alphabet[k - 1]
        prev = k
    return out, weights, np.array(contexts), np.array(probs), states


@pytest.mark.parametrize("name", ["attention", "plain"])
@pytest.mark.parametrize("text", ["nov. 2nd, 2026", "2026年11月2日", "the 31st of december 1999"])
def test_translate_equals_the_forward_pass_written_out(models, name, text):
    tr = attention.translate(text, name)
    out, weights, contexts, probs, states = written_out(models[name], text)
    assert tr.output == out and tr.output_tokens == list(out)
    assert tr.input_tokens == list(text)
    np.testing.assert_allclose(tr.encoder_states, states, atol=1e-5)
    np.testing.assert_allclose(tr.contexts, contexts, atol=1e-5)
    np.testing.assert_allclose(tr.probs, probs, atol=1e-5)
    if name == "plain":
        assert tr.weights is None
    else:
        assert tr.weights.shape == (len(tr.output_tokens), len(tr.input_tokens))
        np.testing.assert_allclose(tr.weights, np.array(weights), atol=1e-5)


def test_weights_are_distributions_and_the_context_is_their_sum_of_states(heldout):
    for p in heldout[:50]:
        tr = attention.translate(p.text)
        assert (tr.weights >= 0).all()
        np.testing.assert_allclose(tr.weights.sum(1), 1.0, atol=1e-5)
        np.testing.assert_allclose(tr.contexts, tr.weights @ tr.encoder_states, atol=1e-5)
        np.testing.assert_allclose(tr.probs.sum(1), 1.0, atol=1e-5)
    plain = attention.translate(heldout[0].text, "plain")
    last = plain.encoder_states.shape[1] // 2
    summary = np.concatenate([plain.encoder_states[-1, :last], plain.encoder_states[0, last:]])
    np.testing.assert_allclose(plain.contexts, np.tile(summary, (len(plain.contexts), 1)),
                               atol=1e-6)


def test_the_top_five_are_the_five_largest_probabilities():
    tr = attention.translate("Nov 2 2026")
    for t in range(len(tr.output_tokens)):
        top = tr.top(t, 5)
        probs = sorted(tr.probs[t], reverse=True)[:5]
        assert [p for _, p in top] == pytest.approx(probs)
        assert top[0][0] == tr.output_tokens[t]


# -- accuracy and where the year looks --------------------------------------------------------


def test_heldout_accuracy_of_the_attention_model_is_at_least_98_percent(models, heldout):
    score = attention.evaluate(models["attention"], heldout)
    assert score.total == date_data.HELDOUT_SIZE
    assert score.accuracy >= 0.98
    assert score.accuracy == pytest.approx(attention.shipped_metrics()["heldout_exact"],
                                           abs=1e-4)
    plain = attention.evaluate(models["plain"], heldout)
    stored = attention.shipped_metrics("plain")
    assert plain.accuracy == pytest.approx(stored["heldout_exact"], abs=1e-4)
    assert {int(k): tuple(v) for k, v in stored["heldout_by_length"].items()} == plain.by_length


def test_evaluate_counts_what_translate_gets_right_one_by_one(models, heldout):
    part = heldout[:140]
    for name in attention.MODELS:
        one_by_one = sum(attention.translate(p.text, name).output == p.iso for p in part)
        assert attention.evaluate(models[name], part).correct == one_by_one


def test_the_year_characters_look_at_the_input_year(heldout):
    """Each of the output's four year characters puts most of its weight on the input's year."""
    masses = []
    for p in heldout[:300]:
        tr = attention.translate(p.text)
        year = re.search(r"\d{4}", p.text).span()
        assert tr.output[:4] == p.iso[:4]
        masses.extend(tr.weights[t, year[0]: year[1]].sum() for t in range(4))
    masses = np.array(masses)
    assert (masses > 0.5).mean() >= 0.95, np.quantile(masses, [0.01, 0.05, 0.5])
    assert np.median(masses) > 0.8


@pytest.mark.parametrize("text", ISSUE_FORMS + ["NOVEMBER 2ND, 2026", "2nd Nov. 2026",
                                                 "２０２６年１１月２日", "  11/2/2026 "])
def test_every_written_form_becomes_the_iso_date(text):
    tr = attention.translate(text)
    assert tr.output == "2026-11-02" and tr.ended and tr.is_date


def test_unknown_characters_are_read_as_unknown_not_raised():
    tr = attention.translate("Nov 2 2026!")
    assert tr.known == [True] * 10 + [False]
    assert tr.output == "2026-11-02"
    assert attention.translate("§±@").input_tokens == ["§", "±", "@"]


def test_empty_and_too_long_texts_are_refused_with_the_limit():
    for empty in ("", "   \n"):
        with pytest.raises(ValueError, match="empty"):
            attention.translate(empty)
    limit = attention.MAX_INPUT_CHARS
    assert len(attention.translate("1" * limit).input_tokens) == limit
    with pytest.raises(ValueError, match=f"at most {limit}"):
        attention.translate("1" * (limit + 1))
    with pytest.raises(ValueError, match="valid: attention, plain"):
        attention.translate("Nov 2 2026", "transformer")


def test_the_shipped_checkpoints_are_small_and_load_as_date_translators():
    for name in attention.MODELS:
        weights, _ = checkpoint.paths(attention.CHECKPOINT_DIR / name)
        assert weights.stat().st_size < 2_000_000
        info = checkpoint.read_info(weights)
        assert info.model_type == "date_translator"
        assert isinstance(checkpoint.load(weights), attention.DateTranslator)
    assert checkpoint.read_info(attention.CHECKPOINT_DIR / "plain").config.attention == "none"


# -- the phrases ------------------------------------------------------------------------------


def test_the_ordinals():
    assert [date_data.ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 30, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "30th",
        "31st"]


def test_phrases_read_back_to_their_day_and_held_out_days_are_never_trained_on(heldout):
    train = date_data.training_phrases()
    for p in train[:5000] + heldout:
        assert date_data.parse(p.text) == dt.date.fromisoformat(p.iso), p
    assert not {p.iso for p in train} & {p.iso for p in heldout}
    assert {p.form for p in heldout} == set(date_data.FORMS)
    years = [int(p.iso[:4]) for p in train]
    assert min(years) >= 1900 and max(years) <= 2099
    for text in ISSUE_FORMS:
        assert date_data.parse(text) == dt.date(2026, 11, 2)
    assert date_data.parse("February 30, 2026") is None
    assert date_data.parse("next Tuesday") is None

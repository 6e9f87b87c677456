"""The character-level LSTM language model: text <-> vectors, reading, cell ranking, the shipped
checkpoint and its card."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import charlm, checkpoint, zoo
from engine.trace import trace

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "pretrained" / "README.md"


@pytest.fixture(scope="module")
def model() -> charlm.CharLM:
    return charlm.shipped_model()


@pytest.fixture(scope="module")
def corpus() -> tuple[str, str]:
    return charlm.split_corpus(charlm.load_corpus())


def card_section() -> str:
    text = CARD.read_text(encoding="utf-8")
    start = text.index("## charlm/")
    end = text.find("\n## ", start + 1)
    return text[start: end if end >= 0 else None]


# -- text <-> vectors -------------------------------------------------------------------------


def test_encode_decode_and_tokens_round_trip():
    text = 'He said "hi" (twice).\nNew line\tand tab ~{|}'
    x = charlm.encode(text)
    assert x.dtype == torch.float32 and x.shape == (len(text), len(charlm.ALPHABET) + 1)
    assert torch.equal(x.sum(dim=1), torch.ones(len(text)))
    assert charlm.decode(x).replace(charlm.UNKNOWN, "\t") == text  # tab is not in the alphabet
    labels = charlm.tokens(text)
    assert len(labels) == len(text)
    back = {v: k for k, v in charlm.GLYPHS.items()}
    assert "".join(back.get(lab, lab) for lab in labels) == text
    assert labels[2] == "␣" and labels[text.index("\n")] == "↵"


def test_unknown_characters_read_as_index_zero():
    text = "café “quoted” 你好"
    idx = charlm.indices(text)
    unknown = [i for i, ch in enumerate(text) if ch not in charlm.ALPHABET]
    assert unknown and all(idx[i] == 0 for i in unknown)
    assert all(idx[i] > 0 for i in range(len(text)) if i not in unknown)
    assert charlm.decode(charlm.encode(text)) == "".join(
        ch if ch in charlm.ALPHABET else charlm.UNKNOWN for ch in text)
    assert charlm.tokens(text)[3] == "é"  # labels show what was typed


def test_bad_text_is_refused_with_a_clear_message(model):
    with pytest.raises(ValueError, match="empty"):
        charlm.encode("")
    with pytest.raises(ValueError, match="2,000"):
        charlm.read(model, "a" * (charlm.MAX_CHARS + 1))
    assert charlm.read(model, "a" * charlm.MAX_CHARS).probs.shape[0] == charlm.MAX_CHARS


# -- reading ----------------------------------------------------------------------------------


def test_trace_of_the_traceable_net_equals_the_models_forward(model):
    text = charlm.DEFAULT_TEXT
    x = charlm.encode(text)
    with torch.no_grad():
        logits, (h_n, c_n) = model(x)
    tr = trace(model.rnn_as_traceable, x)
    assert torch.allclose(model.readout(tr.hidden), logits, atol=1e-5)
    assert torch.allclose(tr.cell[-1], c_n[-1, 0], atol=1e-5)
    reading = charlm.read(model, text)
    assert torch.allclose(reading.logits, logits, atol=1e-5)
    assert torch.allclose(reading.probs, torch.softmax(logits, -1), atol=1e-6)
    assert reading.cells.shape == (len(text), model.config.num_layers * model.config.hidden_size)
    # the zoo entry steps the same network on the same encoding
    entry = zoo.shipped("charlm")
    assert entry.reads_text and entry.labels(text) == charlm.tokens(text)
    with torch.no_grad():
        out, _ = entry.load()(entry.encode(text))
    assert torch.allclose(out, tr.hidden, atol=1e-5)


def test_top_k_is_sorted_sums_to_at_most_one_and_matches_a_full_sort(model):
    reading = charlm.read(model, charlm.DEFAULT_TEXT)
    top = charlm.top_k(reading.probs, model.config.alphabet, k=5)
    assert top.probs.shape == (len(charlm.DEFAULT_TEXT), 5)
    assert np.all(np.diff(top.probs, axis=1) <= 0)
    assert np.all(top.probs.sum(axis=1) <= 1 + 1e-6) and np.all(top.probs > 0)
    chars = charlm.UNKNOWN + model.config.alphabet
    for t in (0, 17, len(charlm.DEFAULT_TEXT) - 1):
        order = np.argsort(-reading.probs[t].numpy(), kind="stable")[:5]
        assert top.chars[t] == [chars[i] for i in order]
        assert np.allclose(top.probs[t], reading.probs[t].numpy()[order])


def test_the_model_predicts_english_and_python_text(model):
    """After 'the built-in functio' the likeliest next character is 'n'."""
    reading = charlm.read(model, "Return the value of the built-in functio")
    assert charlm.top_k(reading.probs, model.config.alphabet, 1).chars[-1] == ["n"]


# -- features and ranking ---------------------------------------------------------------------


def test_features_follow_the_text():
    text = 'ab "c (d)" e\nfg'
    f = charlm.features(text)
    assert f["in_quotes"].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert f["in_parens"].tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert f["pos_in_word"].tolist() == [1, 2, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 2]
    assert f["pos_in_line"].tolist() == [*range(1, 13), 0, 1, 2]
    assert f["after_space"].tolist() == [float(ch == " ") for ch in text]


def test_correlations_match_numpys_corrcoef(model):
    text = charlm.DEFAULT_TEXT
    reading = charlm.read(model, text)
    ranking = charlm.rank_cells(reading, "c")
    feats = charlm.features(text)
    values = reading.cells.double().numpy()
    for f, name in enumerate(ranking.features):
        for n in (0, 5, 100, values.shape[1] - 1):
            want = np.corrcoef(feats[name], values[:, n])[0, 1]
            assert ranking.corr[f, n] == pytest.approx(want, abs=1e-9)
    # the ranking is by |r|, strongest first
    top = ranking.top("in_quotes", 10)
    assert [abs(r) for _, r in top] == sorted((abs(r) for _, r in top), reverse=True)
    assert abs(top[0][1]) == pytest.approx(np.nanmax(np.abs(ranking.corr[0])))


def test_a_constant_feature_has_no_correlation(model):
    reading = charlm.read(model, "no quotes and no parentheses here")
    ranking = charlm.rank_cells(reading, "h")
    assert np.all(np.isnan(ranking.corr[ranking.features.index("in_quotes")]))
    assert ranking.top("in_quotes") == []
    assert not np.all(np.isnan(ranking.corr[ranking.features.index("pos_in_word")]))


def test_some_cell_tracks_quotes_on_the_default_text(model):
    ranking = charlm.rank_cells(charlm.read(model, charlm.DEFAULT_TEXT), "c")
    _, r = ranking.top("in_quotes", 1)[0]
    assert abs(r) > 0.5


# -- the shipped checkpoint and its card ------------------------------------------------------


def test_the_corpus_is_the_recorded_text(corpus):
    train, heldout = corpus
    assert charlm.sha256_text(train + heldout) == charlm.CORPUS_SHA256
    assert 0.08 < len(heldout) / (len(train) + len(heldout)) < 0.12
    with pytest.raises(ValueError, match="SHA-256"):
        charlm.load_corpus(sha256="0" * 64)


def test_shipped_bpc_is_the_cards_and_beats_a_unigram_model(model, corpus):
    train, heldout = corpus
    info = checkpoint.read_info(charlm.CHECKPOINT)
    bpc = charlm.bits_per_char(model, heldout)
    assert bpc == pytest.approx(info.metrics["heldout_bpc"], abs=2e-3)
    card = card_section()
    shown = re.search(r"held-out bits per character[^|]*\|[^\n]*\n\|[-| ]+\|\n\|([^\n]+)", card)
    assert shown, "the card's table of held-out numbers"
    assert f"{info.metrics['heldout_bpc']:.3f}" in shown.group(1)
    unigram = charlm.unigram_bits_per_char(train, heldout)
    assert unigram == pytest.approx(info.metrics["heldout_unigram_bpc"], abs=1e-4)
    assert bpc < unigram - 1.5
    assert bpc < math.log2(model.config.vocab_size)


def test_checkpoint_files_are_small_and_load():
    weights, meta = checkpoint.paths(charlm.CHECKPOINT)
    folder = weights.parent
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 5 * 2**20
    assert json.loads(meta.read_text())["model_type"] == "charlm"
    loaded = checkpoint.load(charlm.CHECKPOINT)
    assert isinstance(loaded, charlm.CharLM) and not loaded.training


def test_the_card_names_source_license_and_rebuild_command():
    card = " ".join(card_section().split())
    assert "pydoc_data/topics.py" in card and "Python Software Foundation License" in card
    assert "python pretrained/charlm.py" in card
    assert charlm.CORPUS_SHA256 in card
    params = sum(p.numel() for p in charlm.shipped_model().parameters())
    assert f"{params:,}" in card

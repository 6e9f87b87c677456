"""The shipped text autoencoder and its maps: the card's numbers, recomputed."""

from __future__ import annotations

import numpy as np
import pytest

from engine import autoencoder as ae
from engine import checkpoint, embeddings, projection


@pytest.fixture(scope="module")
def shipped() -> embeddings.EmbeddingSet:
    return embeddings.load_set("text")


def test_heldout_exact_reconstruction_matches_the_card_and_is_high(shipped):
    held = [w for w, h in zip(shipped.words, shipped.heldout, strict=True) if h]
    rate = ae.exact_rate(shipped.model, held)
    assert rate == pytest.approx(shipped.metrics["heldout_exact"])
    assert rate >= 0.9
    assert len(held) > 500


def test_shipped_codes_are_the_models_codes(shipped):
    assert np.allclose(ae.encode(shipped.model, shipped.words), shipped.codes, atol=1e-5)


def test_shipped_maps_have_their_reported_trustworthiness(shipped):
    for method, p in shipped.maps.items():
        assert p.coords.shape == (len(shipped.words), 2)
        assert np.array_equal(p.data, shipped.codes)
        score, _ = projection.trustworthiness(shipped.codes, p.coords, seed=0)
        assert score == pytest.approx(p.trustworthiness), method
    assert shipped.maps["umap"].trustworthiness > shipped.maps["pca"].trustworthiness


def test_the_checkpoint_names_its_word_source():
    info = checkpoint.read_info(embeddings.DIR / "text_autoencoder")
    assert "SCOWL" in info.data["source"]
    assert (embeddings.DIR / "WORDS_LICENSE").read_text().count("Kevin Atkinson") >= 1
    words = (embeddings.DIR / "words.txt").read_text().splitlines()
    assert len(words) == info.data["words"]

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


@pytest.fixture(scope="module")
def spoken() -> embeddings.EmbeddingSet:
    return embeddings.load_set("audio")


def test_spoken_words_metrics_match_the_card(spoken):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "audio_words", embeddings.DIR.parent / "audio_words.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    words = np.array(spoken.words)
    with np.load(embeddings.DIR / "audio_codes.npz", allow_pickle=False) as z:
        voice = z["voice"]
    codes = ae.encode(spoken.model, spoken.frames)
    assert np.allclose(codes, spoken.codes, atol=1e-4)
    rows = np.arange(len(words))
    nn = build.nearest_same_word(codes, words, rows)
    assert nn == pytest.approx(spoken.metrics["nn_same_word"], abs=1e-3)
    assert nn > 10 * spoken.metrics["nn_chance"]
    plural, rand = build.offset_cosines(codes, words, voice)
    assert plural == pytest.approx(spoken.metrics["plural_offset_cosine"], abs=1e-3)
    assert rand == pytest.approx(spoken.metrics["random_offset_cosine"], abs=1e-3)
    assert plural > rand


def test_spoken_frames_are_rebuilt_better_than_their_mean(spoken):
    orig, rebuilt = embeddings.rebuild_frames(spoken, 0)
    assert rebuilt.shape == orig.shape
    err = np.mean([np.mean((ae.reconstruct(spoken.model, [f])[0] - f) ** 2)
                   for f in spoken.frames[:40]])
    base = np.mean([np.mean(f**2) for f in spoken.frames[:40]])  # frames are normalised
    assert err < 0.5 * base


def _wav(samples: np.ndarray, rate: int) -> bytes:
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _vowel(rate: int, seconds: float = 0.4) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    voice = sum(np.sin(2 * np.pi * f * t) / (k + 1) for k, f in enumerate((220, 660, 1200, 2400)))
    pad = np.zeros(int(rate * 0.2))
    return np.concatenate([pad, 0.3 * voice * np.hanning(len(t)), pad])


def test_a_recording_is_placed_like_the_shipped_features_at_any_sample_rate(spoken):
    frames_a, xy_a, rebuilt = embeddings.place_recording(
        spoken, _wav(_vowel(embeddings.AUDIO_RATE), embeddings.AUDIO_RATE), spoken.maps["umap"])
    frames_b, xy_b, _ = embeddings.place_recording(spoken, _wav(_vowel(16000), 16000),
                                                   spoken.maps["umap"])
    assert frames_a.shape[1] == 40 and rebuilt.shape == frames_a.shape
    assert abs(len(frames_a) - len(frames_b)) <= 1
    n = min(len(frames_a), len(frames_b))
    # the same sound at 16 kHz lands on nearly the same features (bands above 8 kHz are empty)
    assert np.median(np.abs(frames_a[:n, :30] - frames_b[:n, :30])) < 0.5
    lo, hi = spoken.maps["umap"].coords.min(0), spoken.maps["umap"].coords.max(0)
    assert np.all((xy_a >= lo - 1e-3) & (xy_a <= hi + 1e-3))
    with pytest.raises(ValueError, match="shorter"):
        embeddings.place_recording(spoken, _wav(np.zeros(200), 16000), spoken.maps["umap"])
    with pytest.raises(ValueError, match="WAV"):
        embeddings.place_recording(spoken, b"not a wav", spoken.maps["umap"])


def test_words_the_model_cannot_read_are_named_and_the_others_kept(shipped):
    words = ["cat", "cats", "running", "xyzzy", "qwertyuiopasdfgh", "café", "abcdefghijkl"]
    ok, skipped = embeddings.split_placeable(shipped.model, words)
    # the shipped model spells words of at most 12 letters a-z (its card)
    assert ok == [w for w in words if len(w) <= 12 and w.isascii() and w.isalpha()]
    assert skipped == [("qwertyuiopasdfgh", "longer than 12 letters"),
                       ("café", "é is not among its letters (a–z)")]
    codes, coords, rebuilt = embeddings.place_words(shipped, "umap", ok)
    assert np.allclose(codes, ae.encode(shipped.model, ok), atol=1e-6) and len(rebuilt) == 5

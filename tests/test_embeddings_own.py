"""A new autoencoder trained on a user's own sequences (engine.embeddings.own_data, train_own,
place_own): what it accepts, what it refuses, and that what it learns is real."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from engine import autoencoder as ae
from engine import embeddings as E
from engine import projection
from engine.uploads import Sequence, parse

FREQS = (0.15, 0.45, 0.9)  # three kinds of wave; a good code tells them apart


def waves(n: int = 60, seed: int = 0, steps: tuple[int, int] = (20, 36)) -> list[Sequence]:
    """n two-feature sequences: a sine of one of FREQS (random phase) and a slow cosine."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        t = np.arange(rng.integers(*steps))
        v = np.c_[np.sin(FREQS[i % 3] * t + rng.uniform(0, 6)), 3 + 2 * np.cos(0.1 * t)]
        out.append(Sequence(name=f"wave{i}", values=v.astype(np.float32)))
    return out


@pytest.fixture(scope="module")
def trained() -> tuple[E.OwnData, E.EmbeddingSet]:
    data = E.own_data(waves())
    return data, E.train_own(data, E.OwnSettings(epochs=40, hidden_size=64, code_size=16,
                                                 max_seconds=600))


def test_numbers_are_normalised_per_feature_over_all_steps():
    seqs = waves(12)
    data = E.own_data(seqs)
    raw = np.concatenate([s.values for s in seqs])
    mean, std = data.norm
    assert np.allclose(mean, raw.mean(0), atol=1e-5) and np.allclose(std, raw.std(0), atol=1e-5)
    flat = np.concatenate(data.items)
    assert np.allclose(flat.mean(0), 0, atol=1e-5) and np.allclose(flat.std(0), 1, atol=1e-4)
    assert data.mode == "frames" and data.width == 2 and data.labels == [s.name for s in seqs]


def test_a_constant_feature_is_kept_and_not_divided_by_zero():
    seqs = [Sequence(name=f"s{i}", values=np.c_[np.arange(5.0) + i, np.full(5, 7.0)]
                     .astype(np.float32)) for i in range(8)]
    data = E.own_data(seqs)
    assert data.norm[1][1] == 1.0
    assert all(np.all(x[:, 1] == 0) and np.all(np.isfinite(x)) for x in data.items)


def test_windows_cut_one_long_series_into_many_labelled_pieces():
    series = Sequence(name="ecg", values=np.sin(np.arange(1000.0) / 7)[:, None]
                      .astype(np.float32))
    with pytest.raises(ValueError, match="1,000 steps.*window length"):
        E.own_data([series])
    data = E.own_data([series], window=64)
    # 15 full windows, and the last 40 steps: more than half a window, so kept
    assert [len(x) for x in data.items] == [64] * 15 + [40]
    assert data.labels[0] == "ecg [0–63]" and data.labels[1] == "ecg [64–127]"
    assert E._windows(np.zeros((100, 1)), 64)[-1][1].shape == (36, 1)
    assert len(E._windows(np.zeros((80, 1)), 64)) == 1  # 16 steps left over: dropped


@pytest.mark.parametrize("bad, message", [
    (lambda: waves(5), "found 5 sequences; an autoencoder needs at least 8"),
    (lambda: waves(8) + [Sequence(name="wide", values=np.zeros((4, 3), np.float32))],
     "wave0 has 2 features per step but wide has 3"),
    (lambda: waves(8) + [Sequence(name="notes", tokens=["do", "re"], kind="text")],
     "mix text"),
    (lambda: [], "no sequences"),
])
def test_what_cannot_be_trained_on_is_refused_with_a_reason(bad, message):
    with pytest.raises(ValueError, match=message):
        E.own_data(bad())


def test_a_bad_window_length_is_refused():
    with pytest.raises(ValueError, match="window length must be 0"):
        E.own_data(waves(8), window=1)


def test_words_come_from_word_lists_and_from_letter_sequences():
    text = "Cat, cats! dog\ndogs walking walked cat " + "x" * 50
    [doc] = parse(text.encode(), "words.txt")
    letters = parse(b'{"sequences": [{"tokens": ["b","i","r","d"]}, {"tokens": ["o","w","l"]}]}',
                    "birds.json")
    data = E.own_data([doc, *letters] + parse(b"ant bee fly", "more.txt"))
    assert data.items == ["Cat", "cats", "dog", "dogs", "walking", "walked", "cat", "bird",
                          "owl", "ant", "bee", "fly"]
    assert data.mode == "tokens" and set(data.alphabet) == set("".join(data.items))
    assert data.sources[0] == "words" and data.sources[-1] == "more"
    assert data.notes and "longer than 40" in data.notes[0]


def test_training_learns_codes_that_tell_the_waves_apart(trained):
    data, s = trained
    labels = np.arange(len(data.items)) % 3
    held = s.heldout
    assert held.sum() == 9 and s.metrics["heldout_count"] == 9  # 15% of 60, never trained on
    knn = KNeighborsClassifier(3).fit(s.codes[~held], labels[~held])
    assert knn.score(s.codes[held], labels[held]) >= 0.85  # chance: 1/3
    assert s.codes.shape == (60, 16) and s.metrics["epochs"] == 40 and not s.metrics["stopped"]
    assert s.metrics["losses"][-1] < 0.6 * s.metrics["losses"][0]


def test_fit_scores_are_the_r2_of_the_models_reconstructions(trained):
    data, s = trained
    train = [x for x, h in zip(data.items, s.heldout, strict=True) if not h]
    rebuilt = ae.reconstruct(s.model, train)
    err = sum(((a - b) ** 2).sum() for a, b in zip(train, rebuilt, strict=True))
    assert s.metrics["train_fit"] == pytest.approx(1 - err / sum((a**2).sum() for a in train),
                                                   rel=1e-5)
    assert s.metrics["train_fit"] > 0.5 and s.metrics["heldout_fit"] > 0.3  # beats the mean


def test_the_map_is_pca_of_the_codes_and_new_sequences_land_by_the_same_rule(trained):
    data, s = trained
    ref = projection.project(s.codes, "pca")
    assert np.allclose(s.maps["pca"].coords, ref.coords, atol=1e-4)
    new = waves(6, seed=9)
    labels, codes, coords, originals, rebuilt = E.place_own(s, new, s.maps["pca"])
    mean, std = data.norm
    want = ae.encode(s.model, [(q.values - mean) / std for q in new])
    assert labels == [q.name for q in new]
    assert np.allclose(codes, want, atol=1e-5)
    assert np.allclose(coords, projection.place(s.maps["pca"], want), atol=1e-5)
    assert all(a.shape == b.shape for a, b in zip(originals, rebuilt, strict=True))


def test_placing_the_wrong_kind_or_width_is_refused(trained):
    _, s = trained
    with pytest.raises(ValueError, match="trained on 2"):
        E.place_own(s, [Sequence(name="w", values=np.zeros((5, 3), np.float32))], s.maps["pca"])
    with pytest.raises(ValueError, match="trained on numbers"):
        E.place_own(s, parse(b"cat dog", "w.txt"), s.maps["pca"])


def test_stop_keeps_what_was_learned_so_far():
    data = E.own_data(waves(20))
    calls = []
    s = E.train_own(data, E.OwnSettings(epochs=50, code_size=16),
                    progress=lambda f, m: calls.append(m),
                    should_stop=lambda: len(calls) >= 2)
    assert s.metrics["stopped"] and s.metrics["epochs"] == 2 and calls[0].startswith("epoch 1")
    assert s.codes.shape == (20, 16) and np.all(np.isfinite(s.codes))


def test_the_same_seed_trains_the_same_codes():
    data = E.own_data(waves(10))
    a = E.train_own(data, E.OwnSettings(epochs=3, max_seconds=600))
    b = E.train_own(data, E.OwnSettings(epochs=3, max_seconds=600))
    assert np.array_equal(a.codes, b.codes)


def test_words_train_and_new_words_are_placed_like_the_encoder_says():
    text = "cat cats dog dogs bird birds walk walks walked talk talks talked ant ants run runs"
    data = E.own_data(parse(text.encode(), "w.txt"))
    s = E.train_own(data, E.OwnSettings(epochs=120, hidden_size=64, max_seconds=600))
    assert s.mode == "tokens" and s.metrics["train_fit"] >= 0.5  # spelled back from 16 numbers
    assert s.meta["first letter"][0] == "c" and "split" not in s.meta  # too few to hold out
    labels, codes, coords, originals, rebuilt = E.place_own(s, parse(b"cats walk", "n.txt"),
                                                            s.maps["pca"])
    assert labels == ["cats", "walk"] and rebuilt == ae.decode(s.model, codes)
    assert np.allclose(codes, ae.encode(s.model, ["cats", "walk"]), atol=1e-6)
    with pytest.raises(ValueError, match="none of its words can be placed: zebra .z is not "
                                         "among its letters"):
        E.place_own(s, parse(b"zebra", "z.txt"), s.maps["pca"])
    # a word the model cannot read is left out; the others are placed
    labels, *_ = E.place_own(s, parse(b"cats zebra " + b"a" * 30 + b" walk", "m.txt"),
                             s.maps["pca"])
    assert labels == ["cats", "walk"]


def test_too_many_numbers_are_refused_before_anything_is_copied(monkeypatch):
    monkeypatch.setattr(E, "OWN_MAX_VALUES", 1_000)
    seqs = [Sequence(name=f"s{i}", values=np.zeros((100, 2), np.float32)) for i in range(8)]
    with pytest.raises(ValueError, match="1,600 numbers; at most 1,000"):
        E.own_data(seqs)


def test_a_long_text_keeps_its_first_words_and_says_so(monkeypatch):
    monkeypatch.setattr(E, "OWN_MAX", 10)
    data = E.own_data(parse(" ".join(f"w{'a' * i}" for i in range(1, 30)).encode(), "t.txt"))
    assert data.items == [f"w{'a' * i}" for i in range(1, 11)]
    assert data.notes == ["the first 10 of 29 different words are used"]


def test_rebuild_in_chunks_equals_one_reconstruction(trained, monkeypatch):
    data, s = trained
    whole = ae.reconstruct(s.model, data.items[:10])
    monkeypatch.setattr(E, "REBUILD_CHUNK", 3)
    chunked = E.rebuild(s.model, data.items[:10])
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(whole, chunked, strict=True))


def test_the_ready_to_train_waves_example_gives_codes_that_know_the_shapes():
    files = E.own_examples()
    data = E.own_data(parse(files["waves.npz"], "waves.npz"))
    assert len(data.items) == 120 and sorted(set(data.sources)) == ["sawtooth", "sine", "square"]
    s = E.train_own(data, E.OwnSettings(epochs=60, max_seconds=600))
    shape, held = np.array(data.sources), s.heldout
    knn = KNeighborsClassifier(3).fit(s.codes[~held], shape[~held])
    assert knn.score(s.codes[held], shape[held]) >= 0.9  # chance: 1/3
    assert s.meta["group"] == data.sources
    words = E.own_data(parse(files["words.txt"], "words.txt")).items
    assert len(words) == E.OWN_WORDS_EXAMPLE and set(words) <= set(E.load_set("text").words)


def test_the_ready_words_example_with_the_default_settings_spells_new_words():
    """The page's first demo: 'Use words.txt', then Train with the default settings. Most of
    the held-out words (never trained on) are spelled back exactly from their codes; spelling
    a word of 3-14 letters by chance is hopeless (26^-3 at best). Epoch-bound here (the page's
    time limit ends it sooner on a busy CPU)."""
    data = E.own_data(parse(E.own_examples()["words.txt"], "words.txt"))
    defaults = E.OwnSettings()
    s = E.train_own(data, E.OwnSettings(max_seconds=600))
    assert s.metrics["epochs"] == defaults.epochs and not s.metrics["stopped"]
    assert s.metrics["heldout_count"] == round(E.OWN_WORDS_EXAMPLE * E.HELDOUT_FRACTION)
    held = [w for w, h in zip(data.items, s.heldout, strict=True) if h]
    rebuilt = ae.reconstruct(s.model, held)
    exact = np.mean([a == b for a, b in zip(rebuilt, held, strict=True)])
    assert exact == pytest.approx(s.metrics["heldout_fit"])
    assert exact >= 0.6


@pytest.mark.parametrize("name", list(E.OWN_LIMITS))
def test_each_training_setting_is_bounded_one_past_the_limit(name):
    lo, hi = E.OWN_LIMITS[name]
    step = 1 if isinstance(hi, int) else 0.5
    for bad in (lo - step, hi + step):
        with pytest.raises(ValueError, match=f"between {lo:g} and {hi:g}, got {bad:g}"):
            E.OwnSettings(**{name: bad})
    E.OwnSettings(**{name: hi})  # the limit itself is allowed


def test_sizes_of_an_upload_are_bounded_one_past_the_limit():
    with pytest.raises(ValueError, match=f"2 … {E.OWN_MAX_STEPS}, got {E.OWN_MAX_STEPS + 1}"):
        E.own_data(waves(8), window=E.OWN_MAX_STEPS + 1)
    tiny = [Sequence(name=f"s{i}", values=np.zeros((2, 1), np.float32))
            for i in range(E.OWN_MAX + 1)]
    with pytest.raises(ValueError, match=f"found {E.OWN_MAX + 1:,} sequences; at most "
                                         f"{E.OWN_MAX:,}"):
        E.own_data(tiny)
    E.own_data(tiny[:-1])
    words = parse((" ".join(["a" * E.OWN_MAX_WORD, "b" * (E.OWN_MAX_WORD + 1)]
                            + [f"w{'x' * i}" for i in range(8)])).encode(), "w.txt")
    data = E.own_data(words)
    assert "a" * E.OWN_MAX_WORD in data.items and "b" * (E.OWN_MAX_WORD + 1) not in data.items
    assert any(f"1 word longer than {E.OWN_MAX_WORD} characters left out" in n
               for n in data.notes)


def test_placing_more_words_than_the_limit_is_refused_and_the_limit_is_allowed():
    with pytest.raises(ValueError, match=f"{E.MAX_PLACED + 1:,} words to place; at most "
                                         f"{E.MAX_PLACED:,}"):
        E.check_placed_count(E.MAX_PLACED + 1)
    E.check_placed_count(E.MAX_PLACED)

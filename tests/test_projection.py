"""engine.projection: UMAP and PCA maps, placing new points, scores, saving."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sk_trust

from engine import projection as pj


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_digits().data.astype(np.float32)


@pytest.fixture(scope="module")
def digits_map(digits) -> pj.Projection:
    return pj.project(digits, "umap", seed=0)


def test_umap_on_digits_is_trustworthy(digits, digits_map):
    assert digits_map.coords.shape == (len(digits), 2)
    assert digits_map.coords.dtype == np.float32
    assert digits_map.trustworthiness >= 0.95
    # the reported score is scikit-learn's on the points it names
    assert digits_map.trust_points == len(digits) <= pj.TRUST_MAX_POINTS
    assert digits_map.trustworthiness == pytest.approx(
        sk_trust(digits, digits_map.coords, n_neighbors=pj.TRUST_NEIGHBOURS))


def test_umap_beats_a_random_map_on_trustworthiness(digits, digits_map):
    noise = np.random.default_rng(0).normal(size=(len(digits), 2))
    assert sk_trust(digits, noise, n_neighbors=5) < digits_map.trustworthiness - 0.3


def test_same_seed_same_map_other_seed_other_map(digits, digits_map):
    again = pj.project(digits, "umap", seed=0)
    assert np.array_equal(again.coords, digits_map.coords)
    other = pj.project(digits, "umap", seed=1)
    assert not np.allclose(other.coords, digits_map.coords)


def test_place_puts_training_points_near_their_fitted_positions(digits, digits_map):
    coords = digits_map.coords
    extent = np.linalg.norm(coords.max(0) - coords.min(0))
    placed = pj.place(digits_map, digits[:200])
    err = np.linalg.norm(placed - coords[:200], axis=1)
    assert np.median(err) < 0.02 * extent
    # and nearer their own spot than a random other point's spot is
    others = coords[np.random.default_rng(0).permutation(200)]
    assert np.median(err) < 0.1 * np.median(np.linalg.norm(placed - others, axis=1))


def test_place_never_moves_the_old_points(digits):
    p = pj.project(digits[:400], "umap", seed=0)
    before = p.coords.copy()
    new = pj.place(p, digits[400:450])
    assert new.shape == (50, 2)
    assert np.array_equal(p.coords, before)


def test_placed_new_points_land_among_their_own_class():
    d = load_digits()
    X, y = d.data.astype(np.float32), d.target
    p = pj.project(X[:1500], "umap", seed=0)
    placed = pj.place(p, X[1500:])
    # the class of the nearest fitted point on the map matches the true class most of the time
    nearest = np.argmin(((placed[:, None, :] - p.coords[None]) ** 2).sum(-1), axis=1)
    assert np.mean(y[:1500][nearest] == y[1500:]) > 0.85


def test_pca_matches_scikit_learn(digits):
    p = pj.project(digits, "pca")
    ref = PCA(n_components=2, svd_solver="full").fit(digits)
    assert np.allclose(p.coords, ref.transform(digits), atol=1e-3)
    assert np.allclose(pj.place(p, digits[:10]), ref.transform(digits[:10]), atol=1e-3)
    assert p.trustworthiness == pytest.approx(sk_trust(digits, p.coords, n_neighbors=5))


def test_large_maps_score_trustworthiness_on_a_subsample():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 4)).astype(np.float32)
    p = pj.project(X, "pca")
    assert p.trust_points == pj.TRUST_MAX_POINTS
    assert 0.5 < p.trustworthiness <= 1.0


def test_bad_input_raises_clear_errors(digits):
    with pytest.raises(ValueError, match="valid: umap, pca"):
        pj.project(digits, "tsne")
    with pytest.raises(ValueError, match="unknown UMAP parameters"):
        pj.project(digits, "umap", perplexity=30)
    with pytest.raises(ValueError, match="metric"):
        pj.project(digits, "umap", metric="hamming-ish")
    with pytest.raises(ValueError, match="n_neighbors"):
        pj.project(digits[:10], "umap", n_neighbors=10)
    with pytest.raises(ValueError, match="NaN"):
        pj.project(np.full((5, 2), np.nan), "pca")
    p = pj.project(digits[:50], "pca")
    with pytest.raises(ValueError, match="dimensions"):
        pj.place(p, np.zeros((2, 3)))


def test_save_and_load_round_trip(tmp_path, digits):
    p = pj.project(digits[:300], "umap", seed=0, n_neighbors=10, metric="cosine")
    pj.save(p, tmp_path / "map")
    q = pj.load(tmp_path / "map")
    assert q.method == "umap" and q.params == p.params
    assert np.array_equal(q.coords, p.coords) and np.array_equal(q.data, p.data)
    assert np.array_equal(pj.place(q, digits[300:310]), pj.place(p, digits[300:310]))


def test_warm_up_reports_ready():
    state = pj.warm_up()
    assert state.ready and state.fraction == 1.0 and state.error is None

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


def knn_data() -> np.ndarray:
    """60 points in 5-D, a third of them exact copies of others (ties at distance 0), plus a
    few points equally far from a centre (ties at other distances)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 5)).astype(np.float32)
    X = np.concatenate([X, X[rng.integers(0, 40, 20)]])
    X[:4] = np.eye(5, dtype=np.float32)[:4]  # four points at distance √2 from each other
    return X


def assert_same_neighbours(idx, dist, ref_dist, data, queries, metric, skip_self=False):
    """Distances equal the brute-force ones, row by row; every index returned really lies at
    the distance given; and each index strictly nearer than the k-th distance is returned
    (ties at the k-th distance may be broken either way)."""
    from sklearn.metrics import pairwise_distances

    assert np.allclose(dist, ref_dist, atol=1e-5)
    full = pairwise_distances(queries.astype(np.float64), data.astype(np.float64), metric=metric)
    if skip_self:  # the point itself is not among its "others"
        np.fill_diagonal(full, np.inf)
    assert np.allclose(np.take_along_axis(full, idx.astype(int), axis=1), dist, atol=1e-5)
    for row, d in zip(idx, full, strict=True):
        must = set(np.flatnonzero(d < d[row].max() - 1e-5))
        assert must <= set(row.tolist())
        assert len(set(row.tolist())) == len(row)  # no point twice


@pytest.mark.parametrize("metric", pj.METRICS)
def test_exact_knn_matches_scikit_learn(metric):
    from sklearn.neighbors import NearestNeighbors

    X = knn_data()
    queries = np.random.default_rng(4).normal(size=(25, 5)).astype(np.float32)
    queries[:5] = X[[0, 1, 40, 41, 59]]  # queries that sit on (duplicated) data points
    for k in (1, 7, len(X)):
        idx, dist = pj._knn(X, queries, k, metric, skip_self=False)
        nn = NearestNeighbors(n_neighbors=k, metric=metric, algorithm="brute").fit(X)
        ref_dist, _ = nn.kneighbors(queries)
        assert idx.shape == dist.shape == (len(queries), k)
        assert_same_neighbours(idx, dist, ref_dist, X, queries, metric)


@pytest.mark.parametrize("metric", pj.METRICS)
def test_knn_of_the_data_itself_puts_each_point_first(metric):
    """What UMAP is handed: each point first (distance 0, even with exact copies of it), then
    its k − 1 nearest others, as scikit-learn's kneighbors() without queries finds them."""
    from sklearn.neighbors import NearestNeighbors

    X = knn_data()
    k = 6
    idx, dist = pj._knn(X, X, k, metric, skip_self=True)
    assert np.array_equal(idx[:, 0], np.arange(len(X))) and np.all(dist[:, 0] == 0)
    ref_dist, _ = NearestNeighbors(n_neighbors=k - 1, metric=metric,
                                   algorithm="brute").fit(X).kneighbors()
    assert_same_neighbours(idx[:, 1:], dist[:, 1:], ref_dist, X, X, metric, skip_self=True)
    assert not np.any(idx[:, 1:] == np.arange(len(X))[:, None])  # itself only once


def test_each_size_a_user_sets_is_bounded_one_past_the_limit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(pj.MAX_NEIGHBOURS + 50, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=f"at most {pj.MAX_NEIGHBOURS}.*got "
                                         f"{pj.MAX_NEIGHBOURS + 1}"):
        pj.project(X, "umap", n_neighbors=pj.MAX_NEIGHBOURS + 1)
    with pytest.raises(ValueError, match=f"n_epochs must be between 1 and "
                                         f"{pj.MAX_UMAP_EPOCHS:,}"):
        pj.project(X, "umap", n_epochs=pj.MAX_UMAP_EPOCHS + 1)
    with pytest.raises(ValueError, match="min_dist must be between 0 and 1"):
        pj.project(X, "umap", min_dist=1.01)
    many = np.zeros((pj.MAX_POINTS + 1, 3), np.float32)
    with pytest.raises(ValueError, match=f"{pj.MAX_POINTS + 1:,} points; at most "
                                         f"{pj.MAX_POINTS:,} are mapped"):
        pj.project(many, "pca")
    p = pj.project(X, "pca")
    with pytest.raises(ValueError, match=f"at most {pj.MAX_PLACE:,} are placed"):
        pj.place(p, np.zeros((pj.MAX_PLACE + 1, 3), np.float32))
    assert pj.place(p, np.zeros((pj.MAX_PLACE, 3), np.float32)).shape == (pj.MAX_PLACE, 2)

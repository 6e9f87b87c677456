"""2-D maps of code vectors: UMAP (McInnes, Healy & Melville 2018) or PCA, and placing new points.

`project(X, method, seed, **params)` fits a map and returns a `Projection` that carries what
`place` needs to put new points into it without moving the old ones, and the map's
trustworthiness (Venna & Kaski 2001, scikit-learn's `trustworthiness`): 1.0 when every point's
nearest neighbours on the map are also its neighbours in the original space.

UMAP runs through umap-learn with three changes to its defaults that keep the layout quality and
cut the time (see bench/projection.py): the k nearest neighbours are computed exactly with
scikit-learn (brute force) and handed over as `precomputed_knn`, instead of its approximate
search; the layout starts from PCA instead of a spectral embedding (which is very slow on
well-separated clusters); and 200 optimisation epochs. A fixed `random_state` makes umap-learn
single-threaded and the map reproducible. New points are placed like umap-learn's transform
starts them: the average of their k nearest training points' map positions, weighted by UMAP's
fuzzy membership strengths (smooth kNN distances), so the old points never move.

umap-learn compiles numba code when it is first imported and first used in a process (about
20 s on a 2-core CPU); call `warm_up` off the request path.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

METHODS = ("umap", "pca")
METRICS = ("euclidean", "cosine", "manhattan")
UMAP_DEFAULTS = {"n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean", "n_epochs": 200}
MAX_POINTS = 10_000  # most points mapped at once: UMAP on 2 CPU cores takes ~30 s for 5,000
MAX_NEIGHBOURS = 100  # most UMAP neighbours: the kNN graph grows with it, and locality fades
MAX_UMAP_EPOCHS = 1_000  # most UMAP optimisation epochs (200 is the default; time grows with it)
MAX_PLACE = 10_000  # most new points placed into a map at once
TRUST_NEIGHBOURS = 5  # k of the trustworthiness score
TRUST_MAX_POINTS = 2500  # above this, trustworthiness is scored on a seeded subsample


@dataclass
class Projection:
    """A fitted 2-D map of N points in D dimensions.

    method: "umap" or "pca". coords: [N, 2] float32 map positions. data: [N, D] float32 the
    points it was fitted on (placing new points compares against them). params: the settings
    used (seed, and for UMAP n_neighbors, min_dist, metric, n_epochs). trustworthiness: in
    [0, 1], scored with k = TRUST_NEIGHBOURS (on a seeded subsample of TRUST_MAX_POINTS points
    when N is larger, see `trust_points`). mean [D] and components [2, D]: the PCA axes (PCA
    maps only; empty arrays for UMAP). seconds: fit time.
    """

    method: str
    coords: np.ndarray
    data: np.ndarray
    params: dict
    trustworthiness: float
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    components: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    trust_points: int = 0  # how many points the trustworthiness was scored on
    seconds: float = 0.0


def _check(X: np.ndarray, name: str = "X") -> np.ndarray:
    """X as a finite float32 [N, D] array, or ValueError."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array [N, D], got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def _knn(data: np.ndarray, queries: np.ndarray, k: int, metric: str,
         skip_self: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact (indices [M, k] int32, distances [M, k] float32) of each query's nearest data points.

    With `skip_self` (queries is data) each point is its own first neighbour, as umap-learn
    expects in `precomputed_knn`.
    """
    k = min(k, len(data))
    if metric == "manhattan":
        from sklearn.neighbors import NearestNeighbors

        nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric)
        dist, idx = nn.fit(data).kneighbors(queries)
    else:  # euclidean or cosine: one matrix product per block of 1,024 queries
        ref = data.astype(np.float64)
        qs = queries.astype(np.float64)
        if metric == "cosine":
            ref = ref / np.maximum(np.linalg.norm(ref, axis=1, keepdims=True), 1e-12)
            qs = qs / np.maximum(np.linalg.norm(qs, axis=1, keepdims=True), 1e-12)
        sq = (ref**2).sum(1)
        idx = np.empty((len(qs), k), np.int64)
        dist = np.empty((len(qs), k), np.float64)
        for s in range(0, len(qs), 1024):
            q = qs[s:s + 1024]
            if metric == "cosine":
                d = np.maximum(1.0 - q @ ref.T, 0.0)
            else:
                d = np.sqrt(np.maximum((q**2).sum(1)[:, None] - 2.0 * q @ ref.T + sq, 0.0))
            part = np.argpartition(d, k - 1, axis=1)[:, :k] if k < len(ref) else \
                np.tile(np.arange(len(ref)), (len(q), 1))
            pd = np.take_along_axis(d, part, axis=1)
            order = np.argsort(pd, axis=1, kind="stable")
            idx[s:s + 1024] = np.take_along_axis(part, order, axis=1)
            dist[s:s + 1024] = np.take_along_axis(pd, order, axis=1)
    if skip_self:  # put the point itself first even when it has exact duplicates
        own = np.arange(len(queries))
        hit = idx == own[:, None]
        missing = ~hit.any(axis=1)
        idx[missing, -1] = own[missing]
        dist[missing, -1] = 0.0
        order = np.argsort(~(idx == own[:, None]), axis=1, kind="stable")
        idx = np.take_along_axis(idx, order, axis=1)
        dist = np.take_along_axis(dist, order, axis=1)
        dist[:, 0] = 0.0  # exactly: rounding (1e-16 for cosine) would make UMAP read it as a
        # neighbour at a positive distance instead of the point itself
    return idx.astype(np.int32), dist.astype(np.float32)


def trustworthiness(X: np.ndarray, coords: np.ndarray, seed: int = 0,
                    n_neighbors: int = TRUST_NEIGHBOURS) -> tuple[float, int]:
    """(scikit-learn trustworthiness of coords [N, 2] for X [N, D], points scored).

    Above TRUST_MAX_POINTS points, a seeded subsample of that many is scored (the full score
    needs an N×N rank matrix).
    """
    from sklearn.manifold import trustworthiness as sk_trust

    n = len(X)
    k = max(1, min(n_neighbors, n // 2 - 1))
    if n < 4:
        return 1.0, n
    if n > TRUST_MAX_POINTS:
        keep = np.sort(np.random.default_rng(seed).choice(n, TRUST_MAX_POINTS, replace=False))
        X, coords, n = X[keep], coords[keep], TRUST_MAX_POINTS
    return float(sk_trust(X, coords, n_neighbors=k)), n


def project(X: np.ndarray, method: str = "umap", seed: int = 0,
            progress: Callable[[float, str], None] | None = None, **params) -> Projection:
    """Fit a 2-D map of X [N, D] (N ≥ 3). Returns a Projection with coords [N, 2].

    method "umap" takes n_neighbors (2 … N-1), min_dist (0 … 1), metric (one of METRICS) and
    n_epochs; "pca" takes no parameters. `progress(fraction, message)` is called as it goes.
    Unknown methods, parameters or metrics raise ValueError.
    """
    if len(X) > MAX_POINTS:  # before any copy or work
        raise ValueError(f"{len(X):,} points; at most {MAX_POINTS:,} are mapped at once")
    X = _check(X)
    say = progress or (lambda f, m: None)
    if method not in METHODS:
        raise ValueError(f"unknown projection method {method!r}; valid: {', '.join(METHODS)}")
    if len(X) < 3:
        raise ValueError(f"need at least 3 points to make a map, got {len(X)}")
    start = time.perf_counter()
    if method == "pca":
        if params:
            raise ValueError(f"PCA takes no parameters, got {sorted(params)}")
        from sklearn.decomposition import PCA

        say(0.1, "PCA")
        pca = PCA(n_components=2, svd_solver="full").fit(X)
        coords = pca.transform(X).astype(np.float32)
        if coords.shape[1] < 2:  # one-dimensional data
            coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
        mean, comps = pca.mean_.astype(np.float32), pca.components_.astype(np.float32)
        comps = np.pad(comps, ((0, 2 - len(comps)), (0, 0)))
        used = {"seed": seed}
    else:
        unknown = set(params) - set(UMAP_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown UMAP parameters {sorted(unknown)}; "
                             f"valid: {', '.join(UMAP_DEFAULTS)}")
        used = {**UMAP_DEFAULTS, **params, "seed": seed}
        if used["metric"] not in METRICS:
            raise ValueError(f"unknown metric {used['metric']!r}; valid: {', '.join(METRICS)}")
        k = int(used["n_neighbors"])
        if not 2 <= k <= min(len(X) - 1, MAX_NEIGHBOURS):
            raise ValueError(f"n_neighbors must be between 2 and {min(len(X) - 1, MAX_NEIGHBOURS)}"
                             f" (at most {MAX_NEIGHBOURS}, and fewer than the {len(X):,} "
                             f"points), got {k}")
        if not 1 <= int(used["n_epochs"]) <= MAX_UMAP_EPOCHS:
            raise ValueError(f"n_epochs must be between 1 and {MAX_UMAP_EPOCHS:,}, "
                             f"got {used['n_epochs']}")
        if not 0.0 <= float(used["min_dist"]) <= 1.0:
            raise ValueError(f"min_dist must be between 0 and 1, got {used['min_dist']}")
        say(0.05, "loading UMAP")
        import umap

        say(0.15, f"exact {k} nearest neighbours of {len(X):,} points")
        idx, dist = _knn(X, X, k, used["metric"], skip_self=True)
        say(0.35, f"laying out {len(X):,} points ({used['n_epochs']} epochs)")
        model = umap.UMAP(n_neighbors=k, min_dist=float(used["min_dist"]),
                          metric=used["metric"], init="pca", n_epochs=int(used["n_epochs"]),
                          random_state=seed, n_jobs=1, precomputed_knn=(idx, dist, None))
        with warnings.catch_warnings():  # "transform will be unavailable": place() is ours
            warnings.filterwarnings("ignore", message="precomputed_knn", category=UserWarning)
            coords = model.fit_transform(X).astype(np.float32)
        mean, comps = np.zeros(0, np.float32), np.zeros((0, 0), np.float32)
    say(0.9, "scoring trustworthiness")
    trust, n_trust = trustworthiness(X, coords, seed)
    say(1.0, "done")
    return Projection(method=method, coords=coords, data=X, params=used, trustworthiness=trust,
                      mean=mean, components=comps, trust_points=n_trust,
                      seconds=time.perf_counter() - start)


def place(projection: Projection, X_new: np.ndarray) -> np.ndarray:
    """Map positions [M, 2] for new points X_new [M, D]; the fitted points stay where they are.

    PCA: the new points on the fitted axes. UMAP: the membership-weighted average of the
    positions of their n_neighbors nearest fitted points (umap-learn's transform start).
    """
    if len(X_new) > MAX_PLACE:
        raise ValueError(f"{len(X_new):,} new points; at most {MAX_PLACE:,} are placed at once")
    X_new = _check(X_new, "X_new")
    D = projection.data.shape[1]
    if X_new.shape[1] != D:
        raise ValueError(f"new points have {X_new.shape[1]} dimensions, the map was fitted "
                         f"on {D}")
    if len(X_new) == 0:
        return np.zeros((0, 2), np.float32)
    if projection.method == "pca":
        return ((X_new - projection.mean) @ projection.components.T).astype(np.float32)
    from umap.umap_ import smooth_knn_dist

    k = int(projection.params["n_neighbors"])
    idx, dist = _knn(projection.data, X_new, k, projection.params["metric"], skip_self=False)
    sigmas, rhos = smooth_knn_dist(dist.astype(np.float32), float(k))
    weights = np.exp(-np.maximum(dist - rhos[:, None], 0.0) / sigmas[:, None])
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("mk,mkc->mc", weights, projection.coords[idx]).astype(np.float32)


def save(projection: Projection, path: str | Path) -> None:
    """Write `path`.npz (arrays, no pickles) and `path`.json (method, params, scores)."""
    path = Path(path)
    np.savez_compressed(path.with_suffix(".npz"), coords=projection.coords,
                        data=projection.data, mean=projection.mean,
                        components=projection.components)
    meta = {"method": projection.method, "params": projection.params,
            "trustworthiness": projection.trustworthiness,
            "trust_points": projection.trust_points, "seconds": projection.seconds}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")


def load(path: str | Path) -> Projection:
    """A Projection written by `save` (never unpickles)."""
    path = Path(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    with np.load(path.with_suffix(".npz"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in ("coords", "data", "mean", "components")}
    return Projection(method=meta["method"], params=meta["params"],
                      trustworthiness=float(meta["trustworthiness"]),
                      trust_points=int(meta["trust_points"]), seconds=float(meta["seconds"]),
                      **arrays)


@dataclass
class WarmUp:
    """State of a background warm-up: fraction done, what it is doing, seconds, any error."""

    fraction: float = 0.0
    message: str = "not started"
    seconds: float = 0.0
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def ready(self) -> bool:
        return self.done.is_set() and self.error is None


def warm_up(state: WarmUp | None = None) -> WarmUp:
    """Import umap-learn and run one small map and placement so numba has compiled everything.

    Blocks until done (run it in a thread); `state` is updated as it goes and returned.
    """
    state = state or WarmUp()
    start = time.perf_counter()
    try:
        state.fraction, state.message = 0.05, "importing umap-learn (compiles numba code)"
        import umap  # noqa: F401

        state.fraction, state.message = 0.6, "compiling the layout optimiser"
        X = np.random.default_rng(0).normal(size=(200, 8)).astype(np.float32)
        p = project(X, "umap", seed=0, n_epochs=20)
        state.fraction, state.message = 0.9, "compiling placement"
        place(p, X[:3])
        state.fraction, state.message = 1.0, "ready"
    except Exception as exc:  # reported to the page, which falls back to PCA
        state.error = f"{type(exc).__name__}: {exc}"
        state.message = "failed"
    state.seconds = time.perf_counter() - start
    state.done.set()
    return state

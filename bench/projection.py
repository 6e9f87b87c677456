"""How long does a 2-D map take? engine.projection against umap-learn's defaults, same run.

Cases (float32, 64 dimensions): 2,000 standard-normal points, and 5,000 points in 10 separated
Gaussian clusters (scikit-learn's make_blobs, cluster_std 1, centres in a ±10 box). For each,
the warm time of `engine.projection.project(X, "umap", seed=0)` (exact kNN, PCA start,
200 epochs) and of `umap.UMAP(random_state=0).fit_transform(X)` with every other setting left
at umap-learn's defaults, and the trustworthiness (k = 5) of both maps. Then placing 50 new
points: `engine.projection.place` against umap-learn's own `transform` on its default model
(first call and second call). Goals, warm: 2,000 × 64 ≤ 3 s; 5,000 clustered ≤ 8 s;
placing 50 ≤ 1 s.

The first projection in a fresh process (import + numba compilation) is measured in a child
process, for `engine.projection.warm_up`.

    python bench/projection.py           # everything (umap-learn's defaults take ~1 min here)
    python bench/projection.py --quick   # ours only, no umap-learn reference runs
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import cpu_model, timed_call  # noqa: E402

from engine import projection as pj  # noqa: E402

GOALS = {"2,000 normal": 3.0, "5,000 clustered": 8.0}


def cases() -> dict[str, np.ndarray]:
    """The two data sets, seeded."""
    from sklearn.datasets import make_blobs

    normal = np.random.default_rng(0).normal(size=(2000, 64)).astype(np.float32)
    blobs, _ = make_blobs(5000, 64, centers=10, cluster_std=1.0, center_box=(-10, 10),
                          random_state=0)
    return {"2,000 normal": normal, "5,000 clustered": blobs.astype(np.float32)}


def first_call_seconds() -> tuple[float, float]:
    """(import seconds, first warm_up seconds) in a fresh Python process."""
    code = ("import time; t=time.perf_counter(); import umap; a=time.perf_counter()-t; "
            "from engine import projection as pj; s=pj.warm_up(); "
            "print(a, s.seconds)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip umap-learn's defaults")
    args = parser.parse_args()
    import umap
    from sklearn.manifold import trustworthiness

    warnings.filterwarnings("ignore")
    print(f"{cpu_model()}, {os.cpu_count()} cores, umap-learn {umap.__version__}, "
          f"numba threads {os.environ.get('NUMBA_NUM_THREADS', 'default')}")
    imp, first = first_call_seconds()
    print(f"fresh process: import umap {imp:.1f} s; warm_up (import + first small map, "
          f"compiles numba) {first:.1f} s")
    pj.warm_up()
    print()
    print(f"{'case':16} {'ours s':>7} {'trust':>6} {'umap-learn s':>13} {'trust':>6} "
          f"{'speed-up':>9}  goal")
    rng = np.random.default_rng(1)
    for name, X in cases().items():
        ours, t_ours = timed_call(lambda X=X: pj.project(X, "umap", seed=0))
        again = pj.project(X, "umap", seed=0)
        same = np.array_equal(again.coords, ours.coords)
        goal = GOALS[name]
        row = f"{name:16} {t_ours:7.2f} {ours.trustworthiness:6.3f}"
        ref = None
        if not args.quick:
            ref = umap.UMAP(random_state=0)
            ref_coords, t_ref = timed_call(lambda X=X, ref=ref: ref.fit_transform(X))
            ref_trust = trustworthiness(X[:pj.TRUST_MAX_POINTS], ref_coords[:pj.TRUST_MAX_POINTS],
                                        n_neighbors=5)
            row += f" {t_ref:13.2f} {ref_trust:6.3f} {t_ref / t_ours:8.1f}x"
        else:
            row += f" {'-':>13} {'-':>6} {'-':>9}"
        print(f"{row}  {'PASS' if t_ours <= goal else 'MISS'} (≤ {goal:.0f} s); "
              f"same seed same map: {same}")
        new = X[rng.choice(len(X), 50, replace=False)] + rng.normal(
            scale=0.1, size=(50, X.shape[1])).astype(np.float32)
        _, t_place = timed_call(lambda new=new, ours=ours: pj.place(ours, new))
        line = f"  place 50: ours {t_place:.3f} s {'PASS' if t_place <= 1.0 else 'MISS'} (≤ 1 s)"
        if ref is not None:
            _, t1 = timed_call(lambda new=new, ref=ref: ref.transform(new))
            _, t2 = timed_call(lambda new=new, ref=ref: ref.transform(new))
            line += f"; umap-learn transform first call {t1:.2f} s, second {t2:.2f} s"
        print(line)


if __name__ == "__main__":
    main()

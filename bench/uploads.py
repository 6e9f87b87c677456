"""Reading uploaded tables: engine.uploads.parse on a 10,000 × 64 table (the longest sequence
accepted, 64 features), against pandas' own read_csv of the same bytes (the reference: the
floor for a pandas-based reader), timed alternately, medians.

Rows: a plain CSV; a dated CSV (a date column first: the dates become step labels); a European
CSV (semicolons, decimal commas); a long-format CSV (seq_id, t and 64 values: 10 sequences of
1,000 steps); pandas' to_csv with its index; the same table as Parquet and as Excel (.xlsx).
Goal: the plain 10,000 × 64 CSV parses in ≤ 2 s.

Usage: python bench/uploads.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from common import cpu_model, medians

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.uploads import parse  # noqa: E402

STEPS, FEATURES = 10_000, 64
GOAL_S = 2.0


def tables() -> dict[str, tuple[str, bytes, dict]]:
    """name -> (file name, bytes, read_csv keyword arguments of the reference)."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(STEPS, FEATURES)).astype(np.float32),
                      columns=[f"x{k + 1}" for k in range(FEATURES)])
    dated = df.copy()
    dated.insert(0, "date", pd.date_range("2000-01-01", periods=STEPS, freq="h").strftime(
        "%Y-%m-%d %H:%M"))
    long = df.copy()
    long.insert(0, "t", np.tile(np.arange(STEPS // 10), 10))
    long.insert(0, "seq_id", np.repeat([f"s{k}" for k in range(10)], STEPS // 10))
    fmt = "%.6g"
    out = {
        "plain CSV": ("plain.csv", df.to_csv(index=False, float_format=fmt).encode(), {}),
        "dated CSV": ("dated.csv", dated.to_csv(index=False, float_format=fmt).encode(), {}),
        "European CSV": ("eu.csv", df.to_csv(index=False, float_format=fmt, sep=";",
                                             decimal=",").encode(),
                         {"sep": ";", "decimal": ","}),
        "long-format CSV": ("long.csv", long.to_csv(index=False, float_format=fmt).encode(),
                            {}),
        "to_csv with index": ("ix.csv", df.to_csv(float_format=fmt).encode(), {}),
    }
    buf = io.BytesIO()
    dated.to_parquet(buf, index=False)
    out["Parquet"] = ("t.parquet", buf.getvalue(), None)
    buf = io.BytesIO()
    dated.iloc[:2_000].to_excel(buf, index=False)
    out["Excel (2,000 rows)"] = ("t.xlsx", buf.getvalue(), None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{cpu_model()}, pandas {pd.__version__}, {STEPS:,} steps × {FEATURES} features")
    print(f"{'file':<22}{'MB':>6}{'parse s':>10}{'read_csv s':>12}{'ratio':>8}  goal")
    print("-" * 64)
    for name, (filename, data, kw) in tables().items():
        fns = [lambda d=data, f=filename: parse(d, f)]
        if kw is not None:
            fns.append(lambda d=data, k=kw: pd.read_csv(io.BytesIO(d), **k))
        times = medians(fns, args.repeats, budget_s=20.0, max_repeats=args.repeats)
        ref = f"{times[1]:>12.3f}{times[0] / times[1]:>7.1f}x" if kw is not None else " " * 20
        goal = ("PASS" if times[0] <= GOAL_S else "MISS") if name == "plain CSV" else ""
        print(f"{name:<22}{len(data) / 2**20:>6.1f}{times[0]:>10.3f}{ref}  {goal}")


if __name__ == "__main__":
    main()

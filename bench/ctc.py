"""How much does the whole CTC lattice cost? engine.ctc.lattice against torch's ctc_loss.

For each size (T frames, U target labels, C classes) and dtype: the median time of
`torch.nn.functional.ctc_loss(..., reduction="sum")` on one sequence (the reference: the
likelihood only), the median time of `engine.ctc.lattice` on the same log-probabilities and
target (α, β, state and label posteriors, Viterbi path), and their ratio. The two are timed
alternately, repeat by repeat, so that load on the machine hits both alike. Goal: lattice
<= 5x ctc_loss at T = 1000, U = 100, C = 30 with the same input dtype on both sides. The lattice
computes in float64 whatever the input dtype (a float32 input is converted first).

Log-probabilities are log_softmax of standard normal logits; targets are uniform random labels
(so some neighbours repeat).

    python bench/ctc.py            # T = 1000, U = 100, C = 30 in float64 and float32, then others
    python bench/ctc.py --quick    # only the goal size, fewer repeats
    python bench/ctc.py --decoders # also greedy and prefix beam search at the goal size
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import cpu_model, medians  # noqa: E402

from engine.ctc import greedy_decode, lattice, prefix_beam_search  # noqa: E402

GOAL = 5.0  # lattice time / ctc_loss time
GOAL_SIZE = (1000, 100, 30)  # T, U, C
OTHER_SIZES = ((100, 20, 30), (1000, 300, 30), (3000, 200, 30))
MAX_REPEATS = 200  # per timing, when the budget allows


def problem(T: int, U: int, C: int, dtype: torch.dtype, seed: int = 0):
    """Log-probabilities [T, C] and a target [U] (labels 1..C-1; blank 0)."""
    gen = torch.Generator().manual_seed(seed)
    log_probs = torch.randn(T, C, generator=gen, dtype=torch.float64).log_softmax(-1)
    target = torch.randint(1, C, (U,), generator=gen)
    return log_probs.to(dtype), target


def compare(T: int, U: int, C: int, dtype: torch.dtype, min_repeats: int,
            budget: float) -> tuple[float, float]:
    """Median seconds of ctc_loss and of lattice on one problem, timed alternately."""
    log_probs, target = problem(T, U, C, dtype)
    batched, targets = log_probs[:, None], target[None]

    def reference():
        return F.ctc_loss(batched, targets, [T], [U], reduction="sum")

    def full():
        return lattice(log_probs, target)

    gap = abs(full().log_likelihood + float(reference()))
    assert gap < (1e-6 if dtype == torch.float64 else 1e-1), gap
    ref, ours = medians([reference, full], min_repeats, budget, MAX_REPEATS)
    return ref, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the goal size only, fewer repeats")
    parser.add_argument("--decoders", action="store_true",
                        help="also time greedy and prefix beam search at the goal size")
    args = parser.parse_args()
    min_repeats, budget = (5, 0.5) if args.quick else (11, 2.0)

    print(f"torch {torch.__version__}, numpy {np.__version__}, "
          f"{torch.get_num_threads()} torch threads, {cpu_model()}")
    print(f"one sequence, blank 0; median of >= {min_repeats} alternating repeats")
    print()
    header = (f"{'T':>5} {'U':>4} {'C':>3} {'dtype':>7} {'ctc_loss ms':>12} "
              f"{'lattice ms':>11} {'ratio':>7} {'goal':>5}")
    print(header)
    print("-" * len(header))
    sizes = [GOAL_SIZE] if args.quick else [GOAL_SIZE, *OTHER_SIZES]
    for T, U, C in sizes:
        for dtype in (torch.float64, torch.float32):
            ref, ours = compare(T, U, C, dtype, min_repeats, budget)
            ratio = ours / ref
            verdict = ("PASS" if ratio <= GOAL else "MISS") if (T, U, C) == GOAL_SIZE else ""
            print(f"{T:>5} {U:>4} {C:>3} {str(dtype).removeprefix('torch.'):>7} "
                  f"{ref * 1e3:>12.3f} {ours * 1e3:>11.3f} {ratio:>6.2f}x {verdict:>5}",
                  flush=True)
    if args.decoders:
        T, U, C = GOAL_SIZE
        log_probs, _ = problem(T, U, C, torch.float64)
        print()
        for name, fn in (("greedy_decode", lambda: greedy_decode(log_probs)),
                         ("prefix_beam_search, width 8",
                          lambda: prefix_beam_search(log_probs, beam_width=8))):
            (t,) = medians([fn], 3, 1.0, MAX_REPEATS)
            print(f"  {name:<30} T = {T}, C = {C}: {t * 1e3:9.3f} ms")


if __name__ == "__main__":
    main()

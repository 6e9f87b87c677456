"""How much does recording every gate cost? trace() against one fused nn.LSTM forward.

For each hidden size H and length T: the median time of one `nn.LSTM(I, H)` forward over an
unbatched sequence [T, I] (torch's fused kernel, under torch.no_grad), the median time of
`engine.trace.trace` on the same module and input, and their ratio; plus, at T = 1000, a
Python loop over `nn.LSTMCell` for context. The two are timed alternately, repeat by repeat,
so that load on the machine hits both alike. Goal: trace <= 1.5x the fused forward.

    python bench/trace.py            # H in 16 128 256, T in 100 1000 10000, I = H
    python bench/trace.py --quick    # a short run
    python bench/trace.py --input-size 8
    python bench/trace.py --breakdown  # where trace's time goes at T = 1000, H = 256
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import cpu_model, medians  # noqa: E402

from engine.trace import affine_scan, trace  # noqa: E402

GOAL = 1.5  # trace time / fused forward time


def cell_loop(cell: torch.nn.LSTMCell, x: torch.Tensor) -> None:
    """The slow way: one LSTMCell call per step, keeping every h and c."""
    h = x.new_zeros(cell.hidden_size)
    c = x.new_zeros(cell.hidden_size)
    hs, cs = [], []
    for xt in x:
        h, c = cell(xt, (h, c))
        hs.append(h)
        cs.append(c)
    torch.stack(hs), torch.stack(cs)


def breakdown(in_size: int, min_repeats: int, budget: float) -> None:
    """Time trace's parts at T = 1000, H = 256 next to the fused forward."""
    hidden, steps = 256, 1000
    in_size = in_size or hidden
    torch.manual_seed(0)
    module = torch.nn.LSTM(in_size, hidden)
    x = torch.randn(steps, in_size)
    with torch.no_grad():
        h, _ = module(x)
        w_ih, w_hh = module.weight_ih_l0, module.weight_hh_l0
        bias = module.bias_ih_l0 + module.bias_hh_l0
        pre = torch.addmm(bias, x, w_ih.t())
        f, ig = torch.rand(steps, hidden), torch.rand(steps, hidden)
        parts = {
            "fused nn.LSTM forward (reference)": lambda: module(x),
            "trace()": lambda: trace(module, x),
            "x @ W_ih^T + b (input part of the gates)": lambda: torch.addmm(bias, x, w_ih.t()),
            "h_prev @ W_hh^T (recurrent part)": lambda: pre[1:].addmm_(h[:-1], w_hh.t()),
            "sigmoid of all gate pre-activations": lambda: torch.sigmoid(pre),
            "affine_scan for the memory c": lambda: affine_scan(f, ig),
        }
        times = medians(list(parts.values()), min_repeats, budget)
    ref = times[0]
    print(f"T = {steps}, H = {hidden}, I = {in_size}")
    for name, t in zip(parts, times, strict=True):
        print(f"  {name:<45} {t * 1e3:8.3f} ms  {t / ref:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument("--input-size", type=int, default=0,
                        help="input features I (default: I = H)")
    parser.add_argument("--breakdown", action="store_true",
                        help="time trace's parts at T = 1000, H = 256 and stop")
    args = parser.parse_args()
    hiddens = (16, 256) if args.quick else (16, 128, 256)
    lengths = (100, 1000) if args.quick else (100, 1000, 10000)
    min_repeats, budget = (3, 0.3) if args.quick else (7, 2.0)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {cpu_model()}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"input size I = {args.input_size or 'H'}; one unbatched sequence [T, I]; "
          f"1 layer, 1 direction; float32; median of >= {min_repeats} alternating repeats")
    print()
    if args.breakdown:
        breakdown(args.input_size, min_repeats, budget)
        return
    header = (f"{'H':>4} {'T':>6} {'fused ms':>10} {'trace ms':>10} {'ratio':>6} "
              f"{'goal':>5} {'LSTMCell loop':>14}")
    print(header)
    print("-" * len(header))
    torch.manual_seed(0)
    with torch.no_grad():
        for hidden in hiddens:
            in_size = args.input_size or hidden
            module = torch.nn.LSTM(in_size, hidden)
            cell = torch.nn.LSTMCell(in_size, hidden)
            cell.load_state_dict({k.removesuffix("_l0"): v
                                  for k, v in module.state_dict().items()})
            for steps in lengths:
                x = torch.randn(steps, in_size)
                fused, traced = medians([lambda m=module, x=x: m(x),
                                         lambda m=module, x=x: trace(m, x)],
                                        min_repeats, budget)
                ratio = traced / fused
                loop = ""
                if steps == 1000:
                    (slow,) = medians([lambda c=cell, x=x: cell_loop(c, x)], 3, 0.5)
                    loop = f"{slow / fused:13.1f}x"
                verdict = "PASS" if ratio <= GOAL else "MISS"
                print(f"{hidden:>4} {steps:>6} {fused * 1e3:>10.3f} {traced * 1e3:>10.3f} "
                      f"{ratio:>5.2f}x {verdict:>5} {loop:>14}", flush=True)


if __name__ == "__main__":
    main()

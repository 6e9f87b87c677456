"""How much do per-step gradient norms cost? hidden_grad_norms against one forward+backward.

At T = 1000, H = 128 (I = H unless --input-size): the median time of one forward and backward
of a plain `nn.LSTM` (loss = sum of h_T, parameters requiring grad: what one training step
costs), the median time of `engine.gradients.hidden_grad_norms` on the same module and input,
and their ratio (goal <= 2x); for context, a per-step autograd loop that keeps every h_t and c_t
as a graph node and asks autograd for all of them. The same for nn.GRU and nn.RNN (each against
its own forward+backward). Then the time of `error_surface` on a 200 x 200 grid (goal <= 1 s).
Functions are timed alternately, repeat by repeat, so load on the machine hits all alike.

    python bench/gradients.py
    python bench/gradients.py --quick
    python bench/gradients.py --threads 1   # steadier when others share the cores
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import cpu_model, medians  # noqa: E402

from engine.gradients import default_window, error_surface, hidden_grad_norms  # noqa: E402

GOAL = 2.0  # hidden_grad_norms time / one forward+backward
SURFACE_GOAL = 1.0  # seconds for the 200 x 200 error surface


def forward_backward(module: torch.nn.Module, x: torch.Tensor) -> None:
    """One training-style step: forward, loss = sum of h_T, backward into the parameters."""
    out, _ = module(x)
    out[-1].sum().backward()
    module.zero_grad(set_to_none=True)


def step_loop(module: torch.nn.Module, x: torch.Tensor) -> None:
    """The slow way: one step at a time, every h_t (and c_t) a graph node, then autograd.grad."""
    w_hh, b_hh = module.weight_hh_l0, module.bias_hh_l0
    gi = torch.addmm(module.bias_ih_l0, x, module.weight_ih_l0.t())  # all steps at once
    n = module.hidden_size
    h, c = x.new_zeros(n), x.new_zeros(n)
    nodes = []
    for t in range(x.shape[0]):
        gh = torch.addmv(b_hh, w_hh, h)
        if isinstance(module, torch.nn.LSTM):
            i, f, g, o = (gi[t] + gh).chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            nodes += [h, c]
        elif isinstance(module, torch.nn.GRU):
            (xr, xz, xn), (hr, hz, hn) = gi[t].chunk(3), gh.chunk(3)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            h = (1 - z) * torch.tanh(xn + r * hn) + z * h
            nodes.append(h)
        else:
            h = torch.tanh(gi[t] + gh)
            nodes.append(h)
    grads = torch.autograd.grad(h.sum(), nodes, allow_unused=True, materialize_grads=True)
    torch.stack([g.norm() for g in grads])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--input-size", type=int, default=0, help="input features I (default H)")
    parser.add_argument("--steps", type=int, default=1000, help="T (default 1000)")
    parser.add_argument("--hidden", type=int, default=128, help="H (default 128)")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    min_repeats, budget = (3, 0.5) if args.quick else (9, 3.0)
    steps, hidden = args.steps, args.hidden
    in_size = args.input_size or hidden

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {cpu_model()}")
    print(f"T = {steps}, H = {hidden}, I = {in_size}; one unbatched sequence; 1 layer; float32; "
          f"median of >= {min_repeats} alternating repeats")
    print()
    header = (f"{'module':<8} {'fwd+bwd ms':>11} {'grad norms ms':>14} {'ratio':>6} {'goal':>5} "
              f"{'step loop ms':>13} {'loop ratio':>11}")
    print(header)
    print("-" * len(header))
    torch.manual_seed(0)
    x = torch.randn(steps, in_size)
    modules = {"nn.LSTM": torch.nn.LSTM(in_size, hidden), "nn.GRU": torch.nn.GRU(in_size, hidden),
               "nn.RNN": torch.nn.RNN(in_size, hidden)}
    for name, module in modules.items():
        base, ours, loop = medians([lambda m=module: forward_backward(m, x),
                                    lambda m=module: hidden_grad_norms(m, x),
                                    lambda m=module: step_loop(m, x)],
                                   max(3, min_repeats // 3), budget)
        ratio = ours / base
        verdict = "PASS" if ratio <= GOAL else "MISS"
        print(f"{name:<8} {base * 1e3:>11.2f} {ours * 1e3:>14.2f} {ratio:>5.2f}x {verdict:>5} "
              f"{loop * 1e3:>13.1f} {loop / base:>10.1f}x", flush=True)
    # the goal row again, with more repeats and only the two that matter
    module = modules["nn.LSTM"]
    base, ours = medians([lambda: forward_backward(module, x),
                          lambda: hidden_grad_norms(module, x)], min_repeats, budget)
    print(f"\nnn.LSTM again, {min_repeats}+ repeats: fwd+bwd {base * 1e3:.2f} ms, "
          f"hidden_grad_norms {ours * 1e3:.2f} ms, ratio {ours / base:.2f}x "
          f"({'PASS' if ours / base <= GOAL else 'MISS'}, goal <= {GOAL:g}x)")

    ws, bs = default_window(200)
    (surface,) = medians([lambda: error_surface(ws, bs)], min_repeats, budget)
    print(f"error_surface 200 x 200, 50 steps: {surface * 1e3:.1f} ms "
          f"({'PASS' if surface <= SURFACE_GOAL else 'MISS'}, goal <= {SURFACE_GOAL:g} s)")


if __name__ == "__main__":
    main()

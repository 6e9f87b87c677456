"""The lecture's hand-wired LSTM (Hung-yi Lee's RNN lecture; /work/shared/lecture/NOTES.md §3).

One memory cell reads x = [x1, x2, x3] per step. Rules: x2 = 1 adds x1 into the memory,
x2 = -1 resets it, x3 = 1 outputs it. With cell input z, gates z_i, z_f, z_o and memory c:

    c' = g(z) * sigma(z_i) + c * sigma(z_f)        a = h(c') * sigma(z_o)

g and h linear, sigma the logistic sigmoid, and no recurrence. The hand-set weights
(`LECTURE_WEIGHTS`) give z = x1, z_i = 100 x2 - 10, z_f = 100 x2 + 10, z_o = 100 x3 - 10, so
every gate is sigmoid(+-10) or beyond: "open" is 1 - 4.5e-5 and "closed" is 4.5e-5, and the
model follows the rules up to that leak. (The lecture's "forget" gate keeps memory when open.)
The lecture's z, z_i, z_f, z_o are torch's gates g, i, f, o.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from engine.cells import CellConfig, LSTMNet, build_model

# Lecture gate name -> (w_x1, w_x2, w_x3, bias), the hand-set weights of the worked example.
LECTURE_WEIGHTS: dict[str, tuple[float, float, float, float]] = {
    "z": (1.0, 0.0, 0.0, 0.0),  # cell input z = x1
    "i": (0.0, 100.0, 0.0, -10.0),  # input gate opens when x2 = 1
    "f": (0.0, 100.0, 0.0, 10.0),  # forget gate (keeps when open) closes when x2 = -1
    "o": (0.0, 0.0, 100.0, -10.0),  # output gate opens when x3 = 1
}

# Lecture gate name -> the torch gate it is (rows i, f, g, o of weight_ih_l0).
LECTURE_TO_TORCH_GATE: dict[str, str] = {"i": "i", "f": "f", "z": "g", "o": "o"}

# The worked example's sequence [9, 3]: rows (x1, x2, x3) per step.
LECTURE_SEQUENCE: Tensor = torch.tensor(
    [[1, 0, 0], [3, 1, 0], [2, 0, 0], [4, 1, 0], [2, 0, 0],
     [1, 0, 1], [3, -1, 0], [6, 1, 0], [1, 0, 1]], dtype=torch.float32)
# Its outputs y [9] and the memory after each step [9].
LECTURE_OUTPUTS: Tensor = torch.tensor([0, 0, 0, 0, 0, 7, 0, 0, 6], dtype=torch.float32)
LECTURE_MEMORY: Tensor = torch.tensor([0, 3, 3, 7, 7, 7, 0, 6, 6], dtype=torch.float32)

# The step-by-step slides' inputs [5, 3], and the memory and outputs after each step [5].
LECTURE_WALKTHROUGH: Tensor = torch.tensor(
    [[3, 1, 0], [4, 1, 0], [2, 0, 0], [1, 0, 1], [3, -1, 0]], dtype=torch.float32)
LECTURE_WALKTHROUGH_MEMORY: Tensor = torch.tensor([3, 7, 7, 7, 0], dtype=torch.float32)
LECTURE_WALKTHROUGH_OUTPUTS: Tensor = torch.tensor([0, 0, 0, 7, 0], dtype=torch.float32)


def lecture_config() -> CellConfig:
    """The lecture cell's config: input 3, one unit, sigmoid gates, linear g and h."""
    return CellConfig(kind="lstm", input_size=3, hidden_size=1, gate_activation="sigmoid",
                      cell_input_activation="linear", cell_output_activation="linear")


def lecture_lstm(
    weights: Mapping[str, Sequence[float]] | None = None,
) -> LSTMNet:
    """The lecture's one-cell LSTM as an engine model (input [T, 3] -> outputs [T, 1]).

    weights: lecture gate name ("z", "i", "f", "o") -> (w_x1, w_x2, w_x3, bias); missing names
    keep `LECTURE_WEIGHTS`, unknown names or wrong lengths raise ValueError. The recurrent
    weights and `bias_hh_l0` are zero (the lecture's cell does not read its own output).
    """
    merged = dict(LECTURE_WEIGHTS)
    for name, values in (weights or {}).items():
        if name not in LECTURE_WEIGHTS:
            raise ValueError(f"unknown lecture gate {name!r}; valid: "
                             f"{', '.join(LECTURE_WEIGHTS)}")
        vals = tuple(float(v) for v in values)
        if len(vals) != 4:
            raise ValueError(f"gate {name!r} needs 4 numbers (w_x1, w_x2, w_x3, bias), "
                             f"got {len(vals)}")
        merged[name] = vals
    model = build_model(lecture_config(), seed=0)
    rows = {LECTURE_TO_TORCH_GATE[k]: v for k, v in merged.items()}
    w = torch.tensor([rows[g][:3] for g in "ifgo"], dtype=torch.float32)  # [4, 3]
    b = torch.tensor([rows[g][3] for g in "ifgo"], dtype=torch.float32)  # [4]
    with torch.no_grad():
        model.weight_ih_l0.copy_(w)
        model.bias_ih_l0.copy_(b)
        model.weight_hh_l0.zero_()
        model.bias_hh_l0.zero_()
    return model


def lecture_weights(model: LSTMNet) -> dict[str, tuple[float, float, float, float]]:
    """Read a one-cell lecture model's weights back as a `LECTURE_WEIGHTS`-shaped dict."""
    w = model.weight_ih_l0.detach().cpu()
    b = (model.bias_ih_l0 + model.bias_hh_l0).detach().cpu()
    out = {}
    for name, gate in LECTURE_TO_TORCH_GATE.items():
        j = "ifgo".index(gate)
        out[name] = (*(float(v) for v in w[j]), float(b[j]))
    return out


def _as_rule_sequence(x) -> Tensor:
    """x as a float32 [T, 3] tensor obeying the rules' value sets; ValueError otherwise."""
    x = torch.as_tensor(x, dtype=torch.float32).detach().cpu()
    if x.dim() != 2 or x.shape[1] != 3:
        raise ValueError(f"a rule sequence has shape [T, 3] (x1, x2, x3), got {list(x.shape)}")
    if not torch.isin(x[:, 1], torch.tensor([-1.0, 0.0, 1.0])).all():
        raise ValueError("x2 must be -1 (reset), 0 or 1 (add x1) at every step")
    if not torch.isin(x[:, 2], torch.tensor([0.0, 1.0])).all():
        raise ValueError("x3 must be 0 or 1 (output the memory) at every step")
    return x


def follow_rules(x) -> tuple[Tensor, Tensor]:
    """The rules applied by hand: x [T, 3] -> (y [T], memory after each step [T]), float32.

    x2 = 1 adds x1 into the memory, x2 = -1 resets it to 0, x3 = 1 outputs the memory (after
    this step's update), else the output is 0. The memory starts at 0.
    """
    x = _as_rule_sequence(x)
    memory, ys, mems = 0.0, [], []
    for x1, x2, x3 in x.tolist():
        if x2 == 1:
            memory += x1
        elif x2 == -1:
            memory = 0.0
        mems.append(memory)
        ys.append(memory if x3 == 1 else 0.0)
    return torch.tensor(ys, dtype=torch.float32), torch.tensor(mems, dtype=torch.float32)


def random_rule_sequence(steps: int, seed: int | None = None, max_x1: int = 9,
                         p_add: float = 0.35, p_reset: float = 0.1,
                         p_output: float = 0.3) -> Tensor:
    """A random sequence [steps, 3] (float32) that follows the rules; same seed, same sequence.

    x1 uniform in 1..max_x1; x2 = 1 with p_add, -1 with p_reset, else 0; x3 = 1 with p_output.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if max_x1 < 1:
        raise ValueError(f"max_x1 must be at least 1, got {max_x1}")
    if min(p_add, p_reset, p_output) < 0 or p_add + p_reset > 1 or p_output > 1:
        raise ValueError("probabilities must lie in [0, 1] with p_add + p_reset <= 1")
    rng = np.random.default_rng(seed)
    x1 = rng.integers(1, max_x1 + 1, size=steps)
    x2 = rng.choice([1, -1, 0], size=steps, p=[p_add, p_reset, 1 - p_add - p_reset])
    x3 = (rng.random(steps) < p_output).astype(np.int64)
    return torch.tensor(np.stack([x1, x2, x3], axis=1), dtype=torch.float32)


# The same rules, learned: a one-cell LSTM with the lecture's cell (linear g and h, sigmoid
# gates) trained by gradient descent on random rule-following sequences
# (pretrained/lecture_learned.py). Its gates may read h_{t-1} as well.
PRETRAINED = Path(__file__).resolve().parents[1] / "pretrained"
LEARNED_CHECKPOINT = PRETRAINED / "lecture_learned" / "lstm"  # .safetensors + .json
HELDOUT_SEED = 100_000_000  # seeds HELDOUT_SEED + k give the held-out rule sequences
HELDOUT_COUNT = 500  # held-out sequences
HELDOUT_STEPS = 30  # steps per held-out sequence


def learned_lecture_lstm() -> LSTMNet:
    """The shipped learned lecture LSTM (input [T, 3] -> outputs [T, 1]), in eval mode."""
    from engine import checkpoint  # the checkpoint module imports engine.cells too

    return checkpoint.load(LEARNED_CHECKPOINT)


def heldout_rule_sequences(count: int = HELDOUT_COUNT, steps: int = HELDOUT_STEPS) -> Tensor:
    """The held-out rule sequences [steps, count, 3] (seeds never used in training)."""
    return torch.stack([random_rule_sequence(steps, seed=HELDOUT_SEED + k) for k in range(count)],
                       dim=1)


@dataclass(frozen=True)
class RuleScore:
    """How well a one-cell model follows the lecture's rules on a batch of sequences."""

    mae: float  # mean |y - rule output| over every step
    output_mae: float  # the same over the steps with x3 = 1 (where the memory is read)
    max_error: float  # largest |y - rule output| of any step
    exact_rate: float  # share of steps whose y rounds to the rule's output
    gate_agreement: dict[str, float]  # lecture gate -> share of steps where it is open (> 0.5)
    # exactly when the rules want it: i when x2 = 1, f unless x2 = -1, o when x3 = 1


def score_rules(model, x: Tensor) -> RuleScore:
    """Score `model` (a one-cell LSTM, input 3) on rule sequences x [T, B, 3]."""
    from engine.trace import trace  # engine.trace imports engine.cells; keep lee light

    ys, gates = [], {"i": [], "f": [], "o": []}
    with torch.no_grad():
        for b in range(x.shape[1]):
            tr = trace(model, x[:, b])
            ys.append(tr.outputs[:, 0])
            for name in gates:
                gates[name].append(tr.gates[name][:, 0])
    y = torch.stack(ys, 1)
    rule = torch.stack([follow_rules(x[:, b])[0] for b in range(x.shape[1])], 1)
    err = (y - rule).abs()
    reads = x[..., 2] == 1
    wanted = {"i": x[..., 1] == 1, "f": x[..., 1] != -1, "o": x[..., 2] == 1}
    agreement = {name: float(((torch.stack(v, 1) > 0.5) == wanted[name]).float().mean())
                 for name, v in gates.items()}
    return RuleScore(mae=float(err.mean()), output_mae=float(err[reads].mean()),
                     max_error=float(err.max()),
                     exact_rate=float((y.round() == rule).float().mean()),
                     gate_agreement=agreement)

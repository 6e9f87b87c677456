"""Train a one-cell LSTM on the lecture's rules and save it as pretrained/lecture_learned/lstm.

    python pretrained/lecture_learned.py       # about a minute on one CPU core

The lecture wires its LSTM by hand (NOTES.md §3): z = x1, z_i = 100·x2 − 10,
z_f = 100·x2 + 10, z_o = 100·x3 − 10. Here the same cell (linear g and h, sigmoid gates; its
gates may also read h_{t-1}) starts from random weights and learns from examples only:
random sequences that follow the rules (engine.lee.random_rule_sequence) and the outputs the
rules give (engine.lee.follow_rules), with a mean-squared error on every step's output.
The cell keeps linear g and h like the lecture's so that it *can* output sums such as 7 or 13
(a tanh would cap the output at 1) and so its gates compare one to one with the hand-set ones.
Seeded and CPU-only; scored on held-out sequences (engine.lee.heldout_rule_sequences) whose
seeds training never uses.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from engine import checkpoint, lee  # noqa: E402
from engine.cells import build_model  # noqa: E402
from pretrained import training  # noqa: E402


@dataclass
class TrainConfig:
    """Everything that decides the shipped weights."""

    seed: int = 0  # initial weights (engine.cells.build_model's seed) and torch's generator
    steps: int = 8000  # Adam steps
    batch_size: int = 32  # sequences per step
    length: int = 20  # steps per training sequence
    lr: float = 0.05  # Adam's learning rate at the start (cosine decay to 0)
    clip: float = 1.0  # gradient-norm clipping threshold


def batch(size: int, length: int, step: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Training batch `step`: x [length, size, 3] and the rules' outputs y [length, size].

    Seeds step * 1_000 + k stay below engine.lee.HELDOUT_SEED for every step trained here.
    """
    xs = [lee.random_rule_sequence(length, seed=step * 1_000 + k) for k in range(size)]
    return torch.stack(xs, 1), torch.stack([lee.follow_rules(x)[0] for x in xs], 1)


def train(cfg: TrainConfig, log=print) -> torch.nn.Module:
    """A one-cell lecture LSTM trained on the rules."""
    if cfg.batch_size > 1_000 or cfg.steps * 1_000 >= lee.HELDOUT_SEED:
        raise ValueError("training seeds would reach the held-out seeds")
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    model = build_model(lee.lecture_config(), seed=cfg.seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.steps)
    start = time.perf_counter()
    for step in range(cfg.steps):
        x, y = batch(cfg.batch_size, cfg.length, step)
        loss = ((model(x)[0][..., 0] - y) ** 2).mean()
        training.clipped_step(opt, model.parameters(), loss, cfg.clip)
        schedule.step()
        if step % 1000 == 0 or step == cfg.steps - 1:
            log(f"step {step:5d}  loss {loss.item():.4f}  ({time.perf_counter() - start:.0f} s)")
    return model.eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=lee.LEARNED_CHECKPOINT)
    parser.add_argument("--steps", type=int, default=None, help="override TrainConfig.steps")
    args = parser.parse_args(argv)
    cfg = TrainConfig()
    if args.steps is not None:
        cfg.steps = args.steps
    model = train(cfg)
    score = lee.score_rules(model, lee.heldout_rule_sequences())
    metrics = {
        "heldout_mae": round(score.mae, 4),
        "heldout_output_mae": round(score.output_mae, 4),
        "heldout_max_error": round(score.max_error, 4),
        "heldout_exact_rate": round(score.exact_rate, 4),
        "gate_agreement": {k: round(v, 4) for k, v in score.gate_agreement.items()},
    }
    print(metrics)
    data = {
        "source": "engine.lee.random_rule_sequence: x1 uniform in 1..9, x2 = 1 (p 0.35), "
                  "-1 (p 0.1) or 0, x3 = 1 (p 0.3); targets from engine.lee.follow_rules",
        "heldout": f"engine.lee.heldout_rule_sequences(): {lee.HELDOUT_COUNT} sequences of "
                   f"{lee.HELDOUT_STEPS} steps, seeds {lee.HELDOUT_SEED}+k (never trained on)",
        "training": asdict(cfg),
        "command": "python pretrained/lecture_learned.py",
    }
    checkpoint.save(model, model.config, args.out, metrics=metrics, data=data)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()

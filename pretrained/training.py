"""Pieces of the training loop shared by the scripts in pretrained/.

The scripts put the repository root on sys.path first, so they import this file as
`pretrained.training` whether they run as `python pretrained/X.py` or are imported.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch


def seeded_start(threads: int, seed: int) -> np.random.Generator:
    """Set torch's CPU threads and seed; returns a numpy generator with the same seed."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def learning_rate(cfg, step: int, total: int) -> float:
    """Cosine decay from cfg.lr to cfg.final_lr over `total` steps (cfg: a TrainConfig)."""
    frac = min(step / max(total - 1, 1), 1.0)
    return cfg.final_lr + 0.5 * (cfg.lr - cfg.final_lr) * (1 + math.cos(math.pi * frac))


def set_learning_rate(opt: torch.optim.Optimizer, lr: float) -> None:
    """Give every parameter group of opt the learning rate lr."""
    for group in opt.param_groups:
        group["lr"] = lr


def clipped_step(opt: torch.optim.Optimizer, parameters: Iterable[torch.Tensor],
                 loss: torch.Tensor, clip: float) -> None:
    """One optimiser step on loss: clear the gradients, backward, clip their norm to clip, step."""
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(parameters, clip)
    opt.step()


def models_script_args(doc: str, out_dir: Path, models: Iterable[str], what: str,
                       argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of a script that trains several named models: --out, --epochs (an
    override of its TrainConfig.epochs), --models (`what`: their help text) and --dry-run."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=out_dir, help="checkpoint folder")
    parser.add_argument("--epochs", type=int, default=None, help="override TrainConfig.epochs")
    parser.add_argument("--models", nargs="*", default=list(models), help=what)
    parser.add_argument("--dry-run", action="store_true", help="train without saving")
    return parser.parse_args(argv)

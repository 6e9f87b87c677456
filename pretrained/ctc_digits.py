"""Train the CTC digit-strip recogniser and save snapshots from several epochs.

    python pretrained/ctc_digits.py            # writes pretrained/ctc_digits/epoch_XX.*

Seeded and CPU-only (2 threads). Every epoch draws fresh random strips of 1-6 digits from the
training scans (engine.digits), trains a bidirectional LSTM with torch.nn.functional.ctc_loss
and Adam, and scores it on the fixed held-out strips (engine.digits.heldout_strips, built from
scans that training never sees). Snapshots after the epochs in SNAPSHOTS go to
pretrained/ctc_digits/ through engine.checkpoint.save, each with its metrics, so the app can
show the frame posteriors turning into CTC's spikes as training goes on.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from engine import checkpoint, digits  # noqa: E402
from pretrained import training  # noqa: E402

OUT_DIR = ROOT / "pretrained" / "ctc_digits"


@dataclass
class TrainConfig:
    """Everything that decides the shipped weights (besides the model's RecogniserConfig)."""

    seed: int = 0  # torch.manual_seed and the numpy generator of the training strips
    epochs: int = 40  # passes, each over `strips_per_epoch` freshly drawn strips
    strips_per_epoch: int = 4000  # training strips drawn per epoch
    batch_size: int = 32  # strips per Adam step (zero-padded to the widest)
    lr: float = 3e-3  # Adam's learning rate at the start
    final_lr: float = 1e-4  # learning rate reached at the end (cosine decay per step)
    clip: float = 1.0  # gradient-norm clipping threshold
    augment: float = 0.3  # strength of engine.digits.distort on training scans (0: off)
    threads: int = 2  # torch CPU threads
    snapshots: tuple[int, ...] = (1, 2, 4, 40)  # epochs after which a snapshot is saved


def train(cfg: TrainConfig, model_cfg: digits.RecogniserConfig, out_dir: Path | None,
          log=print) -> list[dict]:
    """Train, save the snapshots into out_dir (None: save nothing); returns per-epoch metrics."""
    rng = training.seeded_start(cfg.threads, cfg.seed)
    model = digits.Recogniser(model_cfg, seed=cfg.seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    heldout = digits.heldout_strips()
    steps_per_epoch = math.ceil(cfg.strips_per_epoch / cfg.batch_size)
    total_steps = cfg.epochs * steps_per_epoch
    history, step, start = [], 0, time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        strips = digits.make_strips(cfg.strips_per_epoch, rng, split="train",
                                     augment=cfg.augment)
        losses = []
        for b in range(0, len(strips), cfg.batch_size):
            training.set_learning_rate(opt, training.learning_rate(cfg, step, total_steps))
            images, widths, targets, lengths = digits.batch(strips[b: b + cfg.batch_size])
            log_probs = model(images)  # [W, B, 11]
            loss = torch.nn.functional.ctc_loss(log_probs, targets, widths, lengths,
                                                blank=digits.BLANK, zero_infinity=True)
            training.clipped_step(opt, model.parameters(), loss, cfg.clip)
            losses.append(loss.item())
            step += 1
        score = digits.evaluate(model, heldout)
        elapsed = time.perf_counter() - start
        metrics = {
            "epoch": epoch,
            "heldout_exact_accuracy": round(score.exact_accuracy, 4),
            "heldout_cer": round(score.cer, 4),
            "heldout_loss": round(score.loss, 4),
            "train_loss": round(float(np.mean(losses)), 4),
            "strips_seen": epoch * cfg.strips_per_epoch,
            "seconds": round(elapsed, 1),
        }
        history.append(metrics)
        log(f"epoch {epoch:2d}  train loss {metrics['train_loss']:.4f}  held-out: exact "
            f"{score.exact_accuracy:.3f}  CER {score.cer:.4f}  loss {score.loss:.3f}  "
            f"({elapsed:.0f} s)")
        if out_dir is not None and epoch in cfg.snapshots:
            path = out_dir / f"epoch_{epoch:02d}"
            checkpoint.save(model, model.config, path, metrics=metrics,
                            data=data_description(cfg))
            log(f"  saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return history


def data_description(cfg: TrainConfig) -> dict:
    """What the snapshots were trained and scored on (stored in each checkpoint's JSON)."""
    return {
        "source": "sklearn.datasets.load_digits (UCI Optical Recognition of Handwritten "
                  "Digits, test part: 1797 scans of 8x8, pixels 0-16 scaled to 0-1)",
        "split": f"by source scan, per digit, seed {digits.SPLIT_SEED}: "
                 f"{len(digits.split_indices('train'))} train / "
                 f"{len(digits.split_indices('test'))} test scans",
        "strips": "1-6 digits side by side, gaps and margins 0-3 columns, vertical shift +-1 "
                  f"px; training scans distorted by engine.digits.distort(strength="
                  f"{cfg.augment}), held-out scans never",
        "labels": "CTC: blank = 0, digit d = d + 1 (11 classes)",
        "heldout": f"engine.digits.heldout_strips(): {digits.HELDOUT_SIZE} strips from test "
                   f"scans, seed {digits.HELDOUT_SEED}; greedy decoding",
        "training": asdict(cfg),
        "command": "python pretrained/ctc_digits.py",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="snapshot folder")
    parser.add_argument("--epochs", type=int, default=None, help="override TrainConfig.epochs")
    parser.add_argument("--hidden", type=int, default=None, help="override hidden_size")
    parser.add_argument("--dry-run", action="store_true", help="train without saving")
    args = parser.parse_args(argv)
    cfg, model_cfg = TrainConfig(), digits.RecogniserConfig()
    if args.epochs is not None:
        cfg.epochs = args.epochs
        cfg.snapshots = tuple(sorted({e for e in cfg.snapshots if e < args.epochs}
                                     | {args.epochs}))
    if args.hidden is not None:
        model_cfg.hidden_size = args.hidden
    out = None if args.dry_run else args.out
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    train(cfg, model_cfg, out)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

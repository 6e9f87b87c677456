"""Train the two date translators (with and without attention) and save them to
pretrained/attention/.

    python pretrained/attention.py            # writes pretrained/attention/{attention,plain}.*

Seeded and CPU-only, one thread. Both models read the same phrases
(engine.date_data.training_phrases(): 40,000 dates in seven written forms, from the training
days only) and learn, with teacher forcing and a cross-entropy loss on every output character
(the end symbol included), to write the ISO date. Batches hold phrases of one length (no
padding, so the backward encoder never reads padding). A tenth of the training phrases get one
character the models do not know inserted at a random place, so an unexpected character reads
as noise to skip. Both are scored on engine.date_data.heldout_phrases() (days training never
saw); the scores, by input length and by form, go into each checkpoint's JSON.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from engine import attention, checkpoint, date_data  # noqa: E402
from engine.attention_model import END, UNKNOWN  # noqa: E402
from pretrained import training  # noqa: E402

OUT_DIR = ROOT / "pretrained" / "attention"


@dataclass
class TrainConfig:
    """Everything that decides the shipped weights (besides each TranslatorConfig)."""

    seed: int = 0  # initial weights, batch order and the inserted unknown characters
    epochs: int = 1  # passes over the training phrases: the same short budget for both
    batch_size: int = 64  # phrases per Adam step (all of one input length)
    lr: float = 3e-3  # Adam's learning rate at the start
    final_lr: float = 1e-4  # ... at the end of the cosine decay
    clip: float = 1.0  # gradient-norm clipping threshold
    unknown_rate: float = 0.1  # share of training phrases with one unknown character inserted
    threads: int = 1  # torch CPU threads (a shared 2-core machine)


def target(iso: str, config: attention.TranslatorConfig) -> list[int]:
    """Output indices of an ISO date, then the end symbol."""
    return [config.output_alphabet.index(ch) + 1 for ch in iso] + [END]


def batches(model: attention.DateTranslator, phrases: list[date_data.Phrase], cfg: TrainConfig,
            rng: np.random.Generator) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch of (x [B, T], y [B, U + 1]) batches of one input length, in random order;
    some phrases carry one inserted unknown character."""
    by_len: dict[int, list[tuple[list[int], list[int]]]] = {}
    for p in phrases:
        x = model.indices(p.text)
        if rng.random() < cfg.unknown_rate:
            x.insert(int(rng.integers(0, len(x) + 1)), UNKNOWN)
        by_len.setdefault(len(x), []).append((x, target(p.iso, model.config)))
    out = []
    for group in by_len.values():
        order = rng.permutation(len(group))
        for start in range(0, len(group), cfg.batch_size):
            part = [group[k] for k in order[start: start + cfg.batch_size]]
            out.append((torch.tensor([x for x, _ in part]), torch.tensor([y for _, y in part])))
    return [out[k] for k in rng.permutation(len(out))]


def train_one(kind: str, phrases, heldout, cfg: TrainConfig, log=print):
    """One model trained on the phrases; returns it with its held-out Accuracy per epoch."""
    rng = training.seeded_start(cfg.threads, cfg.seed)
    model = attention.DateTranslator(attention.TranslatorConfig(attention=kind))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    steps_per_epoch = len(batches(model, phrases, cfg, np.random.default_rng(0)))
    total, step, curve = cfg.epochs * steps_per_epoch, 0, []
    for epoch in range(cfg.epochs):
        model.train()
        loss_sum, n = 0.0, 0
        for x, y in batches(model, phrases, cfg, rng):
            training.set_learning_rate(opt, training.learning_rate(cfg, step, total))
            y_in = torch.cat([torch.full((len(y), 1), model.start), y[:, :-1]], 1)
            logits = model(x, y_in)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            training.clipped_step(opt, model.parameters(), loss, cfg.clip)
            loss_sum, n, step = loss_sum + loss.item(), n + 1, step + 1
        score = attention.evaluate(model, heldout)
        curve.append(round(score.accuracy, 4))
        log(f"  {kind:8s} epoch {epoch + 1:2d}  loss {loss_sum / n:.4f}  "
            f"held-out exact {score.accuracy:.4f}")
    return model.eval(), curve


def metrics_of(model: attention.DateTranslator, heldout, curve: list[float],
               seconds: float) -> dict:
    """Held-out scores, as stored in the checkpoint JSON."""
    score = attention.evaluate(model, heldout)
    return {
        "heldout_exact": round(score.accuracy, 4),
        "heldout_phrases": score.total,
        "heldout_by_length": {str(k): list(v) for k, v in score.by_length.items()},
        "heldout_by_form": {k: list(v) for k, v in score.by_form.items()},
        "heldout_wrong_examples": [list(w) for w in score.wrong[:10]],
        "heldout_exact_by_epoch": curve,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(seconds, 1),
    }


def data_description(cfg: TrainConfig) -> dict:
    """What the models were trained and scored on (stored in each checkpoint's JSON)."""
    return {
        "source": f"engine.date_data.training_phrases(): {date_data.TRAIN_SIZE} phrases, seed "
                  f"{date_data.TRAIN_SEED}, days of {date_data.FIRST_YEAR}-"
                  f"{date_data.LAST_YEAR} outside the held-out tenth, forms in turn: "
                  + ", ".join(date_data.FORMS.values()),
        "heldout": f"engine.date_data.heldout_phrases(): {date_data.HELDOUT_SIZE} phrases, "
                   f"seed {date_data.HELDOUT_SEED}, days training never saw",
        "training": asdict(cfg),
        "command": "python pretrained/attention.py",
    }


def main(argv: list[str] | None = None) -> None:
    args = training.models_script_args(__doc__, OUT_DIR, attention.MODELS,
                                       "models to train (default: both)", argv)
    cfg = TrainConfig()
    if args.epochs is not None:
        cfg.epochs = args.epochs
    torch.set_num_threads(cfg.threads)
    start = time.perf_counter()
    phrases = date_data.training_phrases()
    heldout = date_data.heldout_phrases()
    for name in args.models:
        kind = "additive" if name == "attention" else "none"
        began = time.perf_counter()
        model, curve = train_one(kind, phrases, heldout, cfg)
        metrics = metrics_of(model, heldout, curve, time.perf_counter() - began)
        print(f"{name:9s} held-out exact {metrics['heldout_exact']:.4f}  "
              f"({time.perf_counter() - start:.0f} s)")
        if not args.dry_run:
            checkpoint.save(model, model.config, args.out / attention.MODELS[name],
                            metrics=metrics, data=data_description(cfg))
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

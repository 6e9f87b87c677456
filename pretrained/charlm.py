"""Train the character-level LSTM language model on Python's language reference text.

    python pretrained/charlm.py            # writes pretrained/charlm/lstm.{safetensors,json}
    python pretrained/charlm.py --corpus   # first rewrites pretrained/charlm/corpus.txt from
                                           # this Python's pydoc_data/topics.py

Seeded and CPU-only (2 threads). The text is the shipped corpus (pretrained/charlm/corpus.txt,
checked against engine.charlm.CORPUS_SHA256); its last tenth is held out. Training reads the
rest as `batch_size` contiguous streams, `seq_len` characters at a time, carrying the LSTM state
from one chunk to the next (truncated backpropagation through time), with Adam, a cosine
learning-rate decay and gradient clipping. The held-out bits per character are measured with
engine.charlm.bits_per_char and stored in the checkpoint's JSON.
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

from engine import charlm, checkpoint  # noqa: E402
from pretrained import training  # noqa: E402

OUT_DIR = ROOT / "pretrained" / "charlm"


@dataclass
class TrainConfig:
    """Everything that decides the shipped weights (besides the model's CharLMConfig)."""

    seed: int = 0  # torch.manual_seed and the numpy generator of the epoch offsets
    epochs: int = 20  # passes over the training text
    batch_size: int = 32  # contiguous streams read side by side
    seq_len: int = 100  # characters per chunk (truncated backpropagation through time)
    lr: float = 3e-3  # Adam's learning rate at the start
    final_lr: float = 1e-4  # learning rate reached at the end (cosine decay per step)
    clip: float = 1.0  # gradient-norm clipping threshold
    threads: int = 1  # torch CPU threads (one is faster than two when the other core is busy)
    eval_every: int = 4  # epochs between held-out measurements (and checkpoint saves)


def streams(idx: torch.Tensor, batch: int, offset: int) -> torch.Tensor:
    """The index sequence from `offset` cut into `batch` contiguous streams: [L, B]."""
    idx = idx[offset:]
    length = len(idx) // batch
    return idx[: length * batch].view(batch, length).t().contiguous()


def train(cfg: TrainConfig, model_cfg: charlm.CharLMConfig, out_dir: Path | None,
          log=print) -> dict:
    """Train, save the checkpoint into out_dir (None: save nothing); returns its metrics."""
    rng = training.seeded_start(cfg.threads, cfg.seed)
    text = charlm.load_corpus()
    train_text, heldout = charlm.split_corpus(text)
    idx = charlm.indices(train_text, model_cfg.alphabet)
    model = charlm.CharLM(model_cfg, seed=cfg.seed)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    v = model_cfg.vocab_size
    steps_per_epoch = (len(idx) - cfg.seq_len) // (cfg.batch_size * cfg.seq_len)
    total, step, start = cfg.epochs * steps_per_epoch, 0, time.perf_counter()
    history = []
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        data = streams(idx, cfg.batch_size, int(rng.integers(0, cfg.seq_len)))
        state, losses = None, []
        for s in range(steps_per_epoch):
            chunk = data[s * cfg.seq_len: (s + 1) * cfg.seq_len + 1]
            if len(chunk) < cfg.seq_len + 1:
                break
            training.set_learning_rate(opt, training.learning_rate(cfg, step, total))
            x = torch.nn.functional.one_hot(chunk[:-1], v).to(torch.float32)
            logits, state = model(x, state)
            state = tuple(h.detach() for h in state)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, v),
                                                     chunk[1:].reshape(-1))
            training.clipped_step(opt, model.parameters(), loss, cfg.clip)
            losses.append(loss.item())
            step += 1
        train_bpc = float(np.mean(losses)) / math.log(2)
        line = f"epoch {epoch:2d}  train {train_bpc:.3f} bpc"
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            metrics = evaluate(model, train_text, heldout, epoch, step, train_bpc,
                               time.perf_counter() - start)
            history.append({"epoch": epoch, "heldout_bpc": metrics["heldout_bpc"]})
            metrics["history"] = list(history)
            line += f"  held-out {metrics['heldout_bpc']:.4f} bpc"
            if out_dir is not None:  # saved at every measurement, so a stopped run keeps one
                checkpoint.save(model, model_cfg, out_dir / "lstm", metrics=metrics,
                                data=data_description(cfg))
                line += "  saved"
        log(f"{line}  ({time.perf_counter() - start:.0f} s)")
    model.eval()
    return metrics


def evaluate(model: charlm.CharLM, train_text: str, heldout: str, epoch: int, steps: int,
             train_bpc: float, seconds: float) -> dict:
    """The checkpoint's metrics after `epoch` epochs (held-out bits per character first)."""
    v = model.config.vocab_size
    return {
        "heldout_bpc": round(charlm.bits_per_char(model, heldout), 4),
        "heldout_unigram_bpc": round(charlm.unigram_bits_per_char(
            train_text, heldout, model.config.alphabet), 4),
        "uniform_bpc": round(math.log2(v), 4),
        "train_bpc_last_epoch": round(train_bpc, 4),
        "heldout_chars": len(heldout),
        "train_chars": len(train_text),
        "parameters": sum(p.numel() for p in model.parameters()),
        "epoch": epoch,
        "steps": steps,
        "seconds": round(seconds, 1),
    }


def data_description(cfg: TrainConfig) -> dict:
    """What the model was trained and scored on (stored in the checkpoint's JSON)."""
    return {
        "source": "Python 3.11.7's pydoc_data/topics.py (the language reference's topics as "
                  "plain text, generated by Sphinx from the CPython documentation), cleaned by "
                  "engine.charlm.clean_topics; shipped as pretrained/charlm/corpus.txt",
        "license": "Python Software Foundation License Version 2 (the CPython documentation); "
                   "see pretrained/charlm/LICENSE",
        "corpus_sha256": charlm.CORPUS_SHA256,
        "split": f"held out: the last {charlm.HELDOUT_FRACTION:.0%} of the corpus from the "
                 "next blank line on (engine.charlm.split_corpus)",
        "heldout_metric": f"engine.charlm.bits_per_char: {charlm.EVAL_STREAMS} contiguous "
                          "streams, each from a zero state",
        "training": asdict(cfg),
        "command": "python pretrained/charlm.py",
    }


def write_corpus() -> str:
    """Rewrite corpus.txt from this Python's pydoc topics; returns its SHA-256."""
    from pydoc_data.topics import topics

    text = charlm.clean_topics(topics)
    charlm.CORPUS_PATH.parent.mkdir(parents=True, exist_ok=True)
    charlm.CORPUS_PATH.write_text(text, encoding="utf-8", newline="\n")
    digest = charlm.sha256_text(text)
    print(f"wrote {charlm.CORPUS_PATH} ({len(text):,} characters, SHA-256 {digest})")
    if digest != charlm.CORPUS_SHA256:
        print("note: this differs from engine.charlm.CORPUS_SHA256 (another Python version?)")
    return digest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="checkpoint folder")
    parser.add_argument("--corpus", action="store_true",
                        help="rewrite corpus.txt from pydoc_data first")
    parser.add_argument("--epochs", type=int, default=None, help="override TrainConfig.epochs")
    parser.add_argument("--hidden", type=int, default=None, help="override hidden_size")
    parser.add_argument("--layers", type=int, default=None, help="override num_layers")
    parser.add_argument("--threads", type=int, default=None, help="override threads")
    parser.add_argument("--dry-run", action="store_true", help="train without saving")
    args = parser.parse_args(argv)
    if args.corpus:
        write_corpus()
    cfg, model_cfg = TrainConfig(), charlm.CharLMConfig()
    if args.epochs is not None:
        cfg.epochs = args.epochs
    if args.threads is not None:
        cfg.threads = args.threads
    if args.hidden is not None:
        model_cfg.hidden_size = args.hidden
    if args.layers is not None:
        model_cfg.num_layers = args.layers
    out = None if args.dry_run else args.out
    start = time.perf_counter()
    train(cfg, model_cfg, out)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

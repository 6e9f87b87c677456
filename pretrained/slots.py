"""Train the five slot-filling taggers in both word encodings and save them to pretrained/slots/.

    python pretrained/slots.py                 # writes pretrained/slots/<model>_<encoding>.*

Seeded and CPU-only. The training sentences come from engine.slots.training_corpus()
(training templates, training cities); each tagger (feed-forward, Elman, Jordan, LSTM,
bidirectional LSTM) is trained with a cross-entropy loss on every token, Adam, batches of
sentences of equal length (no padding, so the backward direction never reads padding). Word
dropout teaches the taggers to use context for words they have never seen: with 1-of-N a
training word is replaced by the "other" dimension with probability `word_dropout`; with word
hashing each lit trigram bucket is switched off with probability `trigram_dropout`. Every
tagger is scored on engine.slots.heldout_corpus() (held-out templates filled with held-out
cities) and on the lecture's two sentences; the scores go into each checkpoint's JSON.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from engine import checkpoint, slots  # noqa: E402
from pretrained import training  # noqa: E402

OUT_DIR = ROOT / "pretrained" / "slots"


@dataclass
class TrainConfig:
    """Everything that decides the shipped weights (besides each SlotTaggerConfig)."""

    seed: int = 0  # initial weights and torch's generator (batch order, dropout)
    hidden_size: int = 24  # H of every tagger (per direction for the bidirectional LSTM)
    epochs: int = 6  # passes over the training corpus
    batch_size: int = 32  # sentences per Adam step (all of one length)
    lr: float = 0.01  # Adam's learning rate at the start (cosine decay to 0)
    clip: float = 1.0  # gradient-norm clipping threshold
    word_dropout: float = 0.15  # 1-of-N: chance a training word reads as "other"
    trigram_dropout: float = 0.25  # hashing: chance a lit trigram bucket is switched off
    threads: int = 2  # torch CPU threads


def encoded_buckets(encoder: slots.Encoder,
                    corpus: list[slots.Sentence]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The corpus as (x [T, N, I], y [T, N]) per sentence length T."""
    by_len: dict[int, list[slots.Sentence]] = {}
    for s in corpus:
        by_len.setdefault(len(s.tokens), []).append(s)
    out = []
    for group in by_len.values():
        x = torch.stack([encoder.encode_words(s.tokens) for s in group], 1)
        y = torch.tensor([[slots.SLOTS.index(t) for t in s.tags] for s in group]).T
        out.append((x, y.contiguous()))
    return out


def dropped(x: torch.Tensor, encoding: str, cfg: TrainConfig, gen: torch.Generator):
    """A copy of the batch x [T, B, I] with word (1-of-N) or trigram (hashing) dropout."""
    if encoding == "onehot":
        drop = torch.rand(x.shape[:2], generator=gen) < cfg.word_dropout
        x = x.clone()
        x[drop] = 0.0
        x[..., 0][drop] = 1.0
        return x
    keep = torch.rand(x.shape, generator=gen) >= cfg.trigram_dropout
    return x * keep


def train_one(model: str, encoding: str, vocabulary: tuple[str, ...], buckets, cfg: TrainConfig,
              log=print) -> slots.SlotTagger:
    """One tagger trained on the bucketed corpus."""
    config = slots.SlotTaggerConfig(model=model, encoding=encoding,
                                    hidden_size=cfg.hidden_size,
                                    vocabulary=vocabulary if encoding == "onehot" else ())
    torch.manual_seed(cfg.seed)
    tagger = slots.SlotTagger(config, seed=cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    batches = [(b, s) for b, (x, _) in enumerate(buckets)
               for s in range(0, x.shape[1], cfg.batch_size)]
    opt = torch.optim.Adam(tagger.parameters(), lr=cfg.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs * len(batches))
    loss_fn = torch.nn.CrossEntropyLoss()
    tagger.train()
    for epoch in range(cfg.epochs):
        order = torch.randperm(len(batches), generator=gen).tolist()
        perms = [torch.randperm(x.shape[1], generator=gen) for x, _ in buckets]
        total = 0.0
        for k in order:
            b, start = batches[k]
            idx = perms[b][start: start + cfg.batch_size]
            x, y = buckets[b][0][:, idx], buckets[b][1][:, idx]
            scores = tagger(dropped(x, encoding, cfg, gen))
            loss = loss_fn(scores.reshape(-1, len(slots.SLOTS)), y.reshape(-1))
            training.clipped_step(opt, tagger.parameters(), loss, cfg.clip)
            schedule.step()
            total += loss.item()
        log(f"  {model:11s} {encoding:7s} epoch {epoch + 1}  loss {total / len(batches):.4f}")
    return tagger.eval()


def metrics_of(tagger: slots.SlotTagger, heldout: list[slots.Sentence]) -> dict:
    """Held-out scores and the lecture's test, as stored in the checkpoint JSON."""
    score = slots.evaluate(tagger, heldout)
    lecture = {}
    enc = slots.Encoder(tagger.config)
    with torch.no_grad():
        for sentence in slots.LECTURE_SENTENCES:
            best = tagger(enc.encode_words(slots.tokens(sentence))).argmax(-1).tolist()
            lecture[sentence] = [slots.SLOTS[k] for k in best]
    return {
        "heldout_token_accuracy": round(score.token_accuracy, 4),
        "heldout_slot_f1": round(score.slot_f1, 4),
        "heldout_city_accuracy": round(score.city_accuracy, 4),
        "heldout_tokens": score.tokens,
        "lecture_tags": lecture,
        "parameters": sum(p.numel() for p in tagger.parameters()),
    }


def data_description(cfg: TrainConfig, vocabulary: tuple[str, ...]) -> dict:
    """What the taggers were trained and scored on (stored in each checkpoint's JSON)."""
    return {
        "source": "engine.slots.training_corpus(): ticket-booking sentences generated from "
                  f"{len(slots.template_ids('train'))} templates, "
                  f"{len(slots.city_split('train'))} real city names (Taiwanese and world), "
                  f"real calendar dates and times of day; {slots.TRAIN_SIZE} sentences, "
                  f"seed {slots.TRAIN_SEED}",
        "heldout": f"engine.slots.heldout_corpus(): {slots.HELDOUT_SIZE} sentences, seed "
                   f"{slots.HELDOUT_SEED}, from the {len(slots.HELDOUT_TEMPLATES)} held-out "
                   f"templates filled with the {len(slots.city_split('test'))} held-out "
                   "cities only",
        "slots": list(slots.SLOTS),
        "vocabulary_size": len(vocabulary),
        "training": asdict(cfg),
        "command": "python pretrained/slots.py",
    }


def main(argv: list[str] | None = None) -> None:
    args = training.models_script_args(__doc__, OUT_DIR, slots.MODELS,
                                       "taggers to train (default: all)", argv)
    cfg = TrainConfig()
    if args.epochs is not None:
        cfg.epochs = args.epochs
    torch.set_num_threads(cfg.threads)
    start = time.perf_counter()
    corpus = slots.training_corpus()
    heldout = slots.heldout_corpus()
    vocabulary = slots.build_vocabulary(corpus)
    for encoding in slots.ENCODINGS:
        probe = slots.SlotTaggerConfig(model="feedforward", encoding=encoding, hidden_size=1,
                                       vocabulary=vocabulary if encoding == "onehot" else ())
        buckets = encoded_buckets(slots.Encoder(probe), corpus)
        for model in args.models:
            tagger = train_one(model, encoding, probe.vocabulary, buckets, cfg)
            metrics = metrics_of(tagger, heldout)
            print(f"{model:11s} {encoding:7s} held-out accuracy "
                  f"{metrics['heldout_token_accuracy']:.4f}  F1 {metrics['heldout_slot_f1']:.4f}"
                  f"  cities {metrics['heldout_city_accuracy']:.4f}  lecture "
                  f"{[m[1] for m in metrics['lecture_tags'].values()]}  "
                  f"({time.perf_counter() - start:.0f} s)")
            if not args.dry_run:
                checkpoint.save(tagger, tagger.config, args.out / f"{model}_{encoding}",
                                metrics=metrics, data=data_description(cfg, vocabulary))
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

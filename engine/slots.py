"""Slot filling: tag each word of a ticket-booking sentence with its slot (NOTES.md §1–§2).

The lecture's opening example: in "arrive Taipei on November 2nd" Taipei is the destination
and "November 2nd" the arrival time; in "leave Taipei on November 2nd" Taipei is the place of
departure. A tagger that sees one word at a time (feed-forward, no memory) must give "Taipei"
the same slot in both; a recurrent network remembers "arrive" or "leave" and tells them apart.

This module is the public API. Its pieces:
- engine.slot_data: the corpus generator (templates, cities, dates, times; `make_corpus`);
- engine.slot_model: the word encodings and the taggers (`Encoder`, `SlotTagger`);
- here: the shipped checkpoints (pretrained/slots/, built by pretrained/slots.py) read through
  `tag` and `read`, scores, and the stepper's view of the recurrent taggers.
Every public name of the other two is re-exported, so `engine.slots.X` works for all of them.

Shapes: T = tokens, B = batch, I = input size of the encoding, H = hidden units per
direction, D = directions, S = 5 slots.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from engine import checkpoint
from engine.messages import UserError
from engine.slot_data import (  # noqa: F401 (re-exported: engine.slots is the public API)
    CITIES,
    HELDOUT_CITY_FRACTION,
    HELDOUT_SEED,
    HELDOUT_SIZE,
    HELDOUT_TEMPLATES,
    LECTURE_SENTENCES,
    MONTH_DAYS,
    MONTHS,
    PINNED_TRAIN_CITIES,
    PLEASES,
    SPLIT_SEED,
    SPLITS,
    TAIWAN_CITIES,
    TEMPLATES,
    TRAIN_SEED,
    TRAIN_SIZE,
    WANTS,
    WEEKDAYS,
    WORLD_CITIES,
    Sentence,
    city_split,
    heldout_corpus,
    make_corpus,
    make_sentence,
    ordinal,
    template_ids,
    training_corpus,
)
from engine.slot_model import (  # noqa: F401 (re-exported: engine.slots is the public API)
    BOUNDARY,
    DEFAULT_ENCODING,
    ENCODINGS,
    HASH_DIM,
    MIN_COUNT,
    MODEL_TITLES,
    MODELS,
    OTHER_WORD,
    SLOTS,
    Encoder,
    SlotTagger,
    SlotTaggerConfig,
    build_vocabulary,
    normalise,
    tokens,
    trigram_bucket,
    trigrams,
)
from engine.trace import trace

MAX_TOKENS = 40  # longest sentence `tag` and `read` accept
CHECKPOINTS = Path(__file__).resolve().parents[1] / "pretrained" / "slots"


@functools.lru_cache(maxsize=16)
def load_tagger(model: str, encoding: str = DEFAULT_ENCODING) -> SlotTagger:
    """The shipped tagger (pretrained/slots/<model>_<encoding>), loaded once, in eval mode."""
    _check_choice(model, encoding)
    tagger = checkpoint.load(checkpoint_path(model, encoding))
    if not isinstance(tagger, SlotTagger):
        raise checkpoint.CheckpointError(f"{checkpoint_path(model, encoding)} is not a tagger")
    return tagger


def checkpoint_path(model: str, encoding: str) -> Path:
    """Where the shipped tagger's files live (without suffix)."""
    return CHECKPOINTS / f"{model}_{encoding}"


def _check_choice(model: str, encoding: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown tagger {model!r}; choose one of {list(MODELS)}")
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; choose one of {list(ENCODINGS)}")


def check_sentence(sentence: str) -> list[str]:
    """The tokens of a sentence a tagger accepts; ValueError for an empty or too long one."""
    words = tokens(sentence)
    if not words:
        raise UserError("slots.empty", "The sentence is empty: type a few words, e.g. "
                        "“arrive Taipei on November 2nd”.")
    if len(words) > MAX_TOKENS:
        raise UserError("slots.too_long",
                        "The sentence has {count} words; at most {limit} are tagged here.",
                        count=len(words), limit=MAX_TOKENS)
    return words


def encode_with(tagger: SlotTagger, sentence: str) -> Tensor:
    """`sentence` as `tagger`'s input [T, I]."""
    return Encoder(tagger.config).encode_words(check_sentence(sentence))


def tag(sentence: str, model: str, encoding: str = DEFAULT_ENCODING) -> list[str]:
    """One slot of SLOTS per whitespace token of `sentence`, by the shipped tagger `model`
    ("feedforward", "elman", "jordan", "lstm" or "bilstm") with `encoding`."""
    tagger = load_tagger(model, encoding)
    with torch.no_grad():
        scores = tagger(encode_with(tagger, sentence))
    return [SLOTS[k] for k in scores.argmax(-1).tolist()]


@dataclass
class Reading:
    """A tagger reading one sentence, step by step."""

    model: str  # one of MODELS
    encoding: str  # one of ENCODINGS
    tokens: list[str]  # [T] the words read
    inputs: np.ndarray  # [T, I] the encoded words
    active: list[list[tuple[int, str, float]]]  # per word: (dimension, name, value) lit
    unknown: list[bool]  # [T] the word maps to 1-of-N's "other" dimension
    hidden: np.ndarray  # [T, D*H] hidden state after each word (feed-forward: its hidden layer)
    directions: int  # D: 2 for the bidirectional LSTM (forward units first), else 1
    cell: np.ndarray | None  # [T, D*H] LSTM memory after each word, else None
    probs: np.ndarray  # [T, S] slot probabilities (softmax of the scores)
    tags: list[str]  # [T] the likeliest slot per word

    @property
    def steps(self) -> int:
        return len(self.tokens)


def read(sentence: str, model: str, encoding: str = DEFAULT_ENCODING) -> Reading:
    """Run the shipped tagger over `sentence` and record every step (see `Reading`).

    Recurrent taggers are recorded with `engine.trace.trace`; ValueError for a bad sentence,
    tagger or encoding.
    """
    tagger = load_tagger(model, encoding)
    words = check_sentence(sentence)
    enc = Encoder(tagger.config)
    x = enc.encode_words(words)
    cell = None
    directions = 1
    with torch.no_grad():
        if tagger.rnn is None:
            hidden = tagger.features(x)
            scores = tagger.readout(hidden)
        else:
            rec = trace(tagger.rnn, x)
            hidden, scores = rec.hidden, rec.outputs
            cell = rec.cell.numpy() if rec.cell is not None else None
            directions = rec.num_directions
    probs = torch.softmax(scores, -1)
    return Reading(model=model, encoding=encoding, tokens=words, inputs=x.numpy(),
                   active=[enc.dims(w) for w in words],
                   unknown=[enc.is_unknown(w) for w in words], hidden=hidden.numpy(),
                   directions=directions, cell=cell, probs=probs.numpy(),
                   tags=[SLOTS[k] for k in probs.argmax(-1).tolist()])


def shared_words(a: Reading, b: Reading) -> list[tuple[str, str, str]]:
    """Words both sentences contain that either tags as a slot: (word, slot in a, slot in b),
    in a's order; each word of b is matched once (case and punctuation ignored)."""
    used: set[int] = set()
    out = []
    for word, tag_a in zip(a.tokens, a.tags, strict=True):
        j = next((j for j, w in enumerate(b.tokens)
                  if j not in used and normalise(w) == normalise(word)), None)
        if j is None:
            continue
        used.add(j)
        if tag_a != "other" or b.tags[j] != "other":
            out.append((word, tag_a, b.tags[j]))
    return out


# --------------------------------------------------------------------------------------------
# Scores


def chunks(tags: list[str]) -> set[tuple[int, int, str]]:
    """Slot spans (start, stop, slot) of runs of one non-"other" slot."""
    out, start = set(), None
    for t, tg in enumerate([*tags, "other"]):
        if start is not None and tg != tags[start]:
            out.add((start, t, tags[start]))
            start = None
        if start is None and tg != "other" and t < len(tags):
            start = t
    return out


@dataclass
class Score:
    """A tagger's scores on a corpus."""

    token_accuracy: float  # share of tokens tagged right
    slot_f1: float  # micro F1 of exact slot spans (chunks), "other" not counted
    city_accuracy: float  # share of city tokens (dest/origin) tagged right
    tokens: int  # tokens scored


def score_tags(gold: list[list[str]], predicted: list[list[str]]) -> Score:
    """Token accuracy, slot-span F1 and city accuracy of predicted against gold tags."""
    right = total = city_right = city_total = 0
    tp = n_pred = n_gold = 0
    for g, p in zip(gold, predicted, strict=True):
        right += sum(a == b for a, b in zip(g, p, strict=True))
        total += len(g)
        city = [(a, b) for a, b in zip(g, p, strict=True) if a in ("dest", "origin")]
        city_right += sum(a == b for a, b in city)
        city_total += len(city)
        cg, cp = chunks(g), chunks(p)
        tp += len(cg & cp)
        n_pred += len(cp)
        n_gold += len(cg)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(token_accuracy=right / total, slot_f1=f1,
                 city_accuracy=city_right / city_total if city_total else 0.0, tokens=total)


def predict(tagger: SlotTagger, corpus: list[Sentence]) -> list[list[str]]:
    """The tagger's slots for every sentence (batched by length)."""
    enc = Encoder(tagger.config)
    out: list[list[str] | None] = [None] * len(corpus)
    by_len: dict[int, list[int]] = {}
    for i, s in enumerate(corpus):
        by_len.setdefault(len(s.tokens), []).append(i)
    with torch.no_grad():
        for idx in by_len.values():
            x = torch.stack([enc.encode_words(corpus[i].tokens) for i in idx], 1)
            best = tagger(x).argmax(-1)  # [T, B]
            for b, i in enumerate(idx):
                out[i] = [SLOTS[k] for k in best[:, b].tolist()]
    return out  # type: ignore[return-value]


def evaluate(tagger: SlotTagger, corpus: list[Sentence]) -> Score:
    """The tagger's Score on `corpus`."""
    return score_tags([s.tags for s in corpus], predict(tagger, corpus))


# --------------------------------------------------------------------------------------------
# The stepper's view of the recurrent taggers (engine.zoo)


def _rnn(model: str) -> nn.Module:
    """The recurrent part of a shipped tagger (its readout gives the slot scores)."""
    return load_tagger(model, DEFAULT_ENCODING).rnn


def load_elman_rnn() -> nn.Module:
    """The shipped Elman tagger's network (1-of-N input, readout to the 5 slots)."""
    return _rnn("elman")


def load_jordan_rnn() -> nn.Module:
    """The shipped Jordan tagger's network (its fed-back output is the 5 slot scores)."""
    return _rnn("jordan")


def load_lstm_rnn() -> nn.Module:
    """The shipped LSTM tagger's network (1-of-N input, readout to the 5 slots)."""
    return _rnn("lstm")


def load_bilstm_rnn() -> nn.Module:
    """The shipped bidirectional LSTM tagger's network (1-of-N input, readout to 5 slots)."""
    return _rnn("bilstm")


def encode(text: str) -> Tensor:
    """`text` in the shipped taggers' default encoding (1-of-N + "other"): [T, I]."""
    return encode_with(load_tagger("lstm", DEFAULT_ENCODING), text)

"""Slot taggers and their word encodings (NOTES.md §1–§2): the models, no data, no files.

- two word encodings (`ENCODINGS`): 1-of-N over the training vocabulary with one "other"
  dimension for every unknown word, and word hashing: the word's letter trigrams with word
  boundaries ("#ta", "tai", ..., "ei#") counted into `HASH_DIM` buckets (Huang et al. 2013,
  "Learning deep structured semantic models for web search using clickthrough data").
- taggers (`MODELS`): feed-forward, Elman, Jordan, LSTM and bidirectional LSTM; the recurrent
  ones are `engine.cells` networks with a linear readout to the five slots (Jordan: its
  fed-back output *is* the five slot scores), so `engine.trace.trace` steps them.

Shapes: T = tokens, B = batch, I = input size of the encoding, H = hidden units per
direction, D = directions, S = 5 slots.
"""

from __future__ import annotations

import string
import zlib
from collections import Counter
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from engine.cells import CellConfig, build_model
from engine.slot_data import Sentence

# The five slots, in the order of the readout's outputs.
SLOTS: tuple[str, ...] = ("other", "dest", "origin", "arrive_time", "depart_time")
# Taggers by name: the engine.cells kind of their recurrent part (None: no memory).
MODELS: dict[str, str | None] = {
    "feedforward": None,
    "elman": "rnn",
    "jordan": "jordan",
    "lstm": "lstm",
    "bilstm": "lstm",
}
MODEL_TITLES: dict[str, str] = {
    "feedforward": "Feed-forward (no memory)",
    "elman": "Elman RNN",
    "jordan": "Jordan RNN",
    "lstm": "LSTM",
    "bilstm": "Bidirectional LSTM",
}
# Word encodings by name.
ENCODINGS: dict[str, str] = {
    "onehot": "1-of-N + “other”",
    "trigram": "word hashing (letter trigrams)",
}
DEFAULT_ENCODING = "onehot"
OTHER_WORD = "<other>"  # the name of the 1-of-N dimension every unknown word lights up
BOUNDARY = "#"  # word-boundary mark of the trigrams
HASH_DIM = 384  # trigram buckets of the word-hashing encoding
MIN_COUNT = 2  # 1-of-N: words seen fewer times in the training corpus count as "other"

# --------------------------------------------------------------------------------------------
# Word encodings

_STRIP = string.punctuation.replace("'", "").replace(":", "")


def tokens(text: str) -> list[str]:
    """The whitespace tokens of `text` (one tag per token)."""
    return str(text).split()


def normalise(word: str) -> str:
    """A token as the encodings read it: lower case, outer punctuation removed."""
    return word.lower().strip(_STRIP)


def trigrams(word: str) -> list[str]:
    """The letter trigrams of a word with boundary marks: "tai" -> ["#ta", "tai", "ai#"]."""
    w = BOUNDARY + normalise(word) + BOUNDARY
    return [w[k: k + 3] for k in range(len(w) - 2)]


def build_vocabulary(corpus: list[Sentence], min_count: int = MIN_COUNT) -> tuple[str, ...]:
    """The 1-of-N words: normalised tokens seen at least `min_count` times, sorted."""
    counts = Counter(normalise(t) for s in corpus for t in s.tokens)
    return tuple(sorted(w for w, c in counts.items() if c >= min_count and w))


@dataclass
class SlotTaggerConfig:
    """Everything needed to rebuild a slot tagger (see `SlotTagger`)."""

    model: str  # one of MODELS
    encoding: str  # one of ENCODINGS
    hidden_size: int  # H, hidden units (per direction for the bidirectional LSTM)
    vocabulary: tuple[str, ...] = ()  # 1-of-N words (dimension k + 1; 0 is "other")
    hash_dim: int = HASH_DIM  # word hashing: number of trigram buckets

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown tagger {self.model!r}; valid: {', '.join(MODELS)}")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}; "
                             f"valid: {', '.join(ENCODINGS)}")
        self.vocabulary = tuple(self.vocabulary)
        if self.encoding == "onehot" and not self.vocabulary:
            raise ValueError("the 1-of-N encoding needs a vocabulary")

    @property
    def input_size(self) -> int:
        """I: 1 + len(vocabulary) for 1-of-N, hash_dim for word hashing."""
        return 1 + len(self.vocabulary) if self.encoding == "onehot" else self.hash_dim


class Encoder:
    """Turns words into input vectors for one configuration (1-of-N or word hashing)."""

    def __init__(self, config: SlotTaggerConfig):
        self.encoding = config.encoding
        self.size = config.input_size
        self.hash_dim = config.hash_dim
        self.vocabulary = config.vocabulary
        self.index = {w: k + 1 for k, w in enumerate(config.vocabulary)}

    def dims(self, word: str) -> list[tuple[int, str, float]]:
        """The dimensions `word` lights up: (index, name, value); names are the word itself
        (or "<other>") for 1-of-N and the trigrams that fall into each bucket for hashing."""
        if self.encoding == "onehot":
            k = self.index.get(normalise(word), 0)
            return [(k, self.vocabulary[k - 1] if k else OTHER_WORD, 1.0)]
        lit: dict[int, list[str]] = {}
        for tri in trigrams(word):
            lit.setdefault(trigram_bucket(tri, self.hash_dim), []).append(tri)
        return [(k, " ".join(tris), float(len(tris))) for k, tris in sorted(lit.items())]

    def encode_words(self, words: list[str]) -> Tensor:
        """words -> float tensor [T, I]."""
        x = torch.zeros(len(words), self.size)
        for t, word in enumerate(words):
            for k, _, value in self.dims(word):
                x[t, k] = value
        return x

    def is_unknown(self, word: str) -> bool:
        """True when 1-of-N maps `word` to the "other" dimension (never for hashing)."""
        return self.encoding == "onehot" and normalise(word) not in self.index


def trigram_bucket(trigram: str, hash_dim: int = HASH_DIM) -> int:
    """The hashing bucket (0..hash_dim-1) of one trigram; stable across runs (CRC-32)."""
    return zlib.crc32(trigram.encode("utf-8")) % hash_dim


# --------------------------------------------------------------------------------------------
# Taggers


class SlotTagger(nn.Module):
    """A word-by-word slot tagger over already-encoded words.

    `tagger(x)` with x [T, I] (or [T, B, I]) returns slot scores (logits) [T, S] ([T, B, S]).
    Feed-forward: scores_t = W_o tanh(W_h x_t + b_h) + b_o, each word alone. Recurrent: an
    engine.cells network (`self.rnn`) whose readout gives the scores (Jordan: its fed-back
    output y_t is the scores), so `engine.trace.trace(tagger.rnn, x).outputs` are the scores.
    """

    def __init__(self, config: SlotTaggerConfig, seed: int | None = None):
        super().__init__()
        self.config = config
        kind = MODELS[config.model]
        self.rnn = None
        if kind is None:
            gen = None if seed is None else torch.Generator().manual_seed(int(seed))
            self.hidden = nn.Linear(config.input_size, config.hidden_size)
            self.readout = nn.Linear(config.hidden_size, len(SLOTS))
            with torch.no_grad():
                for lin in (self.hidden, self.readout):
                    bound = 1.0 / lin.in_features ** 0.5
                    lin.weight.uniform_(-bound, bound, generator=gen)
                    lin.bias.uniform_(-bound, bound, generator=gen)
        else:
            self.rnn = build_model(self.cell_config(), seed=seed)

    def cell_config(self) -> CellConfig:
        """The engine.cells config of the recurrent part (ValueError for feed-forward)."""
        kind = MODELS[self.config.model]
        if kind is None:
            raise ValueError("the feed-forward tagger has no recurrent part")
        return CellConfig(kind=kind, input_size=self.config.input_size,
                          hidden_size=self.config.hidden_size,
                          bidirectional=self.config.model == "bilstm",
                          output_size=len(SLOTS))

    def features(self, x: Tensor) -> Tensor:
        """Feed-forward only: the hidden layer tanh(W_h x + b_h) [T, H]."""
        return torch.tanh(self.hidden(x))

    def forward(self, x: Tensor) -> Tensor:
        """x [T, I] or [T, B, I] -> slot scores [T, S] or [T, B, S]."""
        if self.rnn is None:
            return self.readout(self.features(x))
        return self.rnn(x)[0]



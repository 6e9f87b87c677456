"""Sequence-to-sequence autoencoders: an RNN reads a sequence into one fixed-size code vector and
a second RNN must rebuild the sequence from that code alone (the lecture's §6; Li, Luong &
Jurafsky 2015 for text, Chung et al. 2016 "Audio Word2Vec" for speech).

Two kinds of sequence:
- "tokens": characters of a word from the config's alphabet. The decoder is trained with teacher
  forcing (it reads the true previous character) and predicts the next character or EOS;
  `reconstruct` decodes greedily from the code, feeding back its own guesses.
- "frames": continuous feature vectors (e.g. log-mel frames [T, F]). The decoder is run for the
  original number of frames and reads only the code (or, with `feed_frames`, also the previous
  frame: the true one in training, its own output in `reconstruct`); the loss is the mean
  squared error.

The encoder (GRU or LSTM, optionally bidirectional) ends in code = tanh(W [h_T]); the decoder's
first hidden state is tanh(W' code) and it also reads the code at every step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

KINDS = ("gru", "lstm")
MODES = ("tokens", "frames")
PAD, BOS, EOS = 0, 1, 2  # token ids before the alphabet's characters
SPECIALS = 3


@dataclass
class AutoencoderConfig:
    """Shape of a sequence autoencoder (stored in its checkpoint)."""

    kind: str = "gru"  # recurrent cell of encoder and decoder: "gru" or "lstm"
    mode: str = "tokens"  # "tokens" (characters of `alphabet`) or "frames" (vectors)
    alphabet: str = "abcdefghijklmnopqrstuvwxyz"  # tokens: the characters a word may use
    input_size: int = 0  # frames: numbers per frame (unused for tokens)
    embed_size: int = 32  # tokens: width of the character embedding
    hidden_size: int = 128  # width of encoder and decoder hidden states
    code_size: int = 64  # length of the code vector a sequence becomes
    bidirectional: bool = True  # encoder reads both ways (the decoder always runs forward)
    max_len: int = 24  # tokens: longest word reconstructed, in characters
    feed_frames: bool = False  # frames: the decoder also reads the previous frame (the true one
    # in training, its own output in reconstruction); False: it reads only the code, so training
    # and reconstruction run the decoder the same way

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown cell kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; valid: {', '.join(MODES)}")
        if self.mode == "frames" and self.input_size < 1:
            raise ValueError("frames mode needs input_size ≥ 1")
        if self.mode == "tokens" and len(set(self.alphabet)) != len(self.alphabet):
            raise ValueError("alphabet has repeated characters")

    @property
    def vocab_size(self) -> int:
        """tokens: PAD, BOS, EOS and one id per alphabet character."""
        return SPECIALS + len(self.alphabet)


@dataclass
class TrainConfig:
    """How to train an autoencoder."""

    epochs: int = 30  # passes over the data (upper bound)
    batch_size: int = 64  # sequences per step
    lr: float = 3e-3  # Adam learning rate
    clip: float = 1.0  # gradient-norm clipping
    seed: int = 0  # shuffling and dropout-free init are seeded with this
    max_seconds: float = 600.0  # stop after this much wall time


@dataclass
class TrainResult:
    """What training did: mean loss per epoch [E], epochs run, whether it was stopped early."""

    losses: list[float] = field(default_factory=list)
    epochs: int = 0
    stopped: bool = False  # the stop callback (or max_seconds) ended it
    seconds: float = 0.0


def _rnn(kind: str, input_size: int, hidden: int, bidirectional: bool) -> nn.RNNBase:
    """One-layer batch-first GRU or LSTM."""
    cls = nn.GRU if kind == "gru" else nn.LSTM
    return cls(input_size, hidden, batch_first=True, bidirectional=bidirectional)


class SeqAutoencoder(nn.Module):
    """Encoder RNN → code [B, code_size] → decoder RNN. See the module docstring."""

    def __init__(self, config: AutoencoderConfig):
        super().__init__()
        self.config = c = config
        if c.mode == "tokens":
            self.embed = nn.Embedding(c.vocab_size, c.embed_size, padding_idx=PAD)
            step_in = c.embed_size
            out = c.vocab_size
        else:
            step_in = c.input_size
            out = c.input_size
        dirs = 2 if c.bidirectional else 1
        self.encoder = _rnn(c.kind, step_in, c.hidden_size, c.bidirectional)
        self.to_code = nn.Linear(dirs * c.hidden_size, c.code_size)
        self.from_code = nn.Linear(c.code_size, c.hidden_size)
        self.decoder = _rnn(c.kind, step_in + c.code_size, c.hidden_size, False)
        self.out = nn.Linear(c.hidden_size, out)

    def _inputs(self, x: torch.Tensor) -> torch.Tensor:
        """Step inputs [B, T, E]: embedded ids [B, T] or the frames themselves [B, T, F]."""
        return self.embed(x) if self.config.mode == "tokens" else x

    def _fed(self, prev: torch.Tensor) -> torch.Tensor:
        """What the decoder reads of the previous frames: them, or zeros without feed_frames."""
        return prev if self.config.feed_frames else torch.zeros_like(prev)

    def encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Codes [B, code_size] for a padded batch x ([B, T] ids or [B, T, F]) of `lengths` [B]."""
        packed = pack_padded_sequence(self._inputs(x), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, h = self.encoder(packed)
        if isinstance(h, tuple):  # LSTM: (h, c)
            h = h[0]
        last = torch.cat(list(h), dim=-1)  # [B, dirs * H]
        return torch.tanh(self.to_code(last))

    def _start(self, code: torch.Tensor):
        """The decoder's initial state from the code."""
        h0 = torch.tanh(self.from_code(code)).unsqueeze(0)
        return (h0, torch.zeros_like(h0)) if self.config.kind == "lstm" else h0

    def decode_teacher(self, code: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """Decoder outputs [B, T, out] reading the true previous steps prev [B, T] / [B, T, F]."""
        steps = self._inputs(prev) if self.config.mode == "tokens" else self._fed(prev)
        codes = code.unsqueeze(1).expand(-1, steps.shape[1], -1)
        y, _ = self.decoder(torch.cat([steps, codes], dim=-1), self._start(code))
        return self.out(y)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """Teacher-forced outputs [B, T', out] for inputs x and shifted targets `prev`."""
        return self.decode_teacher(self.encode(x, lengths), prev)


# ---------------------------------------------------------------- data <-> tensors


def token_ids(words: Sequence[str], config: AutoencoderConfig) -> list[list[int]]:
    """Character ids of each word; ValueError naming any character outside the alphabet."""
    index = {ch: i + SPECIALS for i, ch in enumerate(config.alphabet)}
    out = []
    for w in words:
        bad = sorted({ch for ch in w if ch not in index})
        if bad:
            raise ValueError(f"{w!r} has characters outside the alphabet: {''.join(bad)!r}")
        if not w:
            raise ValueError("empty word")
        if len(w) > config.max_len:
            raise ValueError(f"{w!r} is longer than {config.max_len} characters")
        out.append([index[ch] for ch in w])
    return out


def _token_batch(ids: list[list[int]]):
    """(x [B, T], lengths [B], prev [B, T+1], target [B, T+1]) with BOS/EOS and PAD."""
    B, T = len(ids), max(len(s) for s in ids)
    x = torch.full((B, T), PAD, dtype=torch.long)
    prev = torch.full((B, T + 1), PAD, dtype=torch.long)
    target = torch.full((B, T + 1), PAD, dtype=torch.long)
    for b, s in enumerate(ids):
        x[b, : len(s)] = torch.tensor(s)
        prev[b, 0] = BOS
        prev[b, 1 : len(s) + 1] = torch.tensor(s)
        target[b, : len(s)] = torch.tensor(s)
        target[b, len(s)] = EOS
    return x, torch.tensor([len(s) for s in ids]), prev, target


def _frame_batch(seqs: list[np.ndarray]):
    """(x [B, T, F], lengths [B], prev [B, T, F] shifted by one with a zero first frame, mask)."""
    B, T, F = len(seqs), max(len(s) for s in seqs), seqs[0].shape[1]
    x = torch.zeros(B, T, F)
    mask = torch.zeros(B, T, dtype=torch.bool)
    for b, s in enumerate(seqs):
        x[b, : len(s)] = torch.as_tensor(np.asarray(s, dtype=np.float32))
        mask[b, : len(s)] = True
    prev = torch.cat([torch.zeros(B, 1, F), x[:, :-1]], dim=1)
    return x, torch.tensor([len(s) for s in seqs]), prev, mask


def _check_frames(seqs: Sequence[np.ndarray], config: AutoencoderConfig) -> list[np.ndarray]:
    """Frames as float32 [T_i, F] arrays with T_i ≥ 1 and F = input_size, or ValueError."""
    out = []
    for i, s in enumerate(seqs):
        a = np.asarray(s, dtype=np.float32)
        if a.ndim != 2 or a.shape[1] != config.input_size or len(a) == 0:
            raise ValueError(f"sequence {i} has shape {a.shape}; need [T ≥ 1, "
                             f"{config.input_size}]")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"sequence {i} has NaN or infinite values")
        out.append(a)
    return out


def _loss(model: SeqAutoencoder, batch) -> torch.Tensor:
    """Mean loss of one batch: cross-entropy per character (tokens) or masked MSE (frames)."""
    x, lengths, prev, target = batch
    y = model(x, lengths, prev)
    if model.config.mode == "tokens":
        return nn.functional.cross_entropy(y.reshape(-1, y.shape[-1]), target.reshape(-1),
                                           ignore_index=PAD)
    mask = target  # frames: the 4th item is the mask
    return ((y - x) ** 2).mean(-1)[mask].mean()


def _batches(model: SeqAutoencoder, data: list, order: list[int], size: int):
    """Tensors for each batch of `data` in `order`."""
    for s in range(0, len(order), size):
        chunk = [data[i] for i in order[s : s + size]]
        yield _token_batch(chunk) if model.config.mode == "tokens" else _frame_batch(chunk)


def build(config: AutoencoderConfig, seed: int = 0) -> SeqAutoencoder:
    """A freshly initialised autoencoder, the same for the same seed."""
    torch.manual_seed(seed)
    return SeqAutoencoder(config)


def train(model: SeqAutoencoder, data: Sequence, config: TrainConfig | None = None,
          progress: Callable[[int, float], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train on words (tokens mode) or frame arrays [T_i, F] (frames mode), in place.

    `progress(epoch, mean_loss)` is called after each epoch; `should_stop()` is asked before
    each batch and ends training when it returns True (as does running past max_seconds).
    Same model seed, data and config → same weights.
    """
    config = config or TrainConfig()
    items = (token_ids(data, model.config) if model.config.mode == "tokens"
             else _check_frames(data, model.config))
    if not items:
        raise ValueError("no sequences to train on")
    gen = torch.Generator().manual_seed(config.seed)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    result = TrainResult()
    start = time.perf_counter()
    model.train()
    for epoch in range(config.epochs):
        order = torch.randperm(len(items), generator=gen).tolist()
        total, n = 0.0, 0
        for batch in _batches(model, items, order, config.batch_size):
            if (should_stop and should_stop()) or time.perf_counter() - start > config.max_seconds:
                result.stopped = True
                break
            loss = _loss(model, batch)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            opt.step()
            total += loss.item() * len(batch[1])
            n += len(batch[1])
        if n:
            result.losses.append(total / n)
            result.epochs = epoch + 1
            if progress:
                progress(epoch + 1, total / n)
        if result.stopped:
            break
    model.eval()
    result.seconds = time.perf_counter() - start
    return result


@torch.no_grad()
def encode(model: SeqAutoencoder, data: Sequence, batch_size: int = 512) -> np.ndarray:
    """Codes [N, code_size] float32 of words or frame arrays."""
    model.eval()
    items = (token_ids(data, model.config) if model.config.mode == "tokens"
             else _check_frames(data, model.config))
    if not items:
        return np.zeros((0, model.config.code_size), np.float32)
    out = [model.encode(b[0], b[1]) for b in
           _batches(model, items, list(range(len(items))), batch_size)]
    return torch.cat(out).numpy().astype(np.float32)


@torch.no_grad()
def decode(model: SeqAutoencoder, codes: np.ndarray, lengths: Sequence[int] | None = None):
    """Greedy decoding of codes [N, code_size]: words (tokens) or frame arrays [T_i, F].

    Tokens stop at EOS or max_len characters; frames run for `lengths` (required) frames.
    """
    model.eval()
    c = model.config
    code = torch.as_tensor(np.asarray(codes, dtype=np.float32))
    N = code.shape[0]
    state = model._start(code)
    if c.mode == "tokens":
        prev = torch.full((N, 1), BOS, dtype=torch.long)
        steps, done = [], torch.zeros(N, dtype=torch.bool)
        for _ in range(c.max_len + 1):
            inp = torch.cat([model.embed(prev), code.unsqueeze(1)], dim=-1)
            y, state = model.decoder(inp, state)
            nxt = model.out(y[:, -1]).argmax(-1)
            steps.append(nxt)
            done |= nxt == EOS
            if bool(done.all()):
                break
            prev = nxt.unsqueeze(1)
        ids = torch.stack(steps, 1).tolist()
        words = []
        for row in ids:
            chars = []
            for t in row:
                if t == EOS:
                    break
                chars.append(c.alphabet[t - SPECIALS] if t >= SPECIALS else "?")
            words.append("".join(chars))
        return words
    if lengths is None or len(lengths) != N:
        raise ValueError("frames decoding needs one length per code")
    T = max(lengths) if N else 0
    prev = torch.zeros(N, 1, c.input_size)
    frames = []
    for _ in range(T):
        y, state = model.decoder(torch.cat([model._fed(prev), code.unsqueeze(1)], dim=-1), state)
        prev = model.out(y)
        frames.append(prev[:, 0])
    stacked = torch.stack(frames, 1).numpy() if T else np.zeros((N, 0, c.input_size))
    return [stacked[i, : lengths[i]].astype(np.float32) for i in range(N)]


def reconstruct(model: SeqAutoencoder, data: Sequence):
    """Each word (or frame array) encoded and greedily decoded back."""
    codes = encode(model, data)
    lengths = None if model.config.mode == "tokens" else [len(s) for s in data]
    return decode(model, codes, lengths)


def exact_rate(model: SeqAutoencoder, words: Sequence[str]) -> float:
    """Fraction of words reconstructed exactly, character for character."""
    if not words:
        return math.nan
    return float(np.mean([a == b for a, b in zip(reconstruct(model, words), words, strict=True)]))

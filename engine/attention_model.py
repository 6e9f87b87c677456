"""Encoder–decoder GRUs that turn a written date into its ISO form, with and without attention.

Additive attention after Bahdanau, Cho & Bengio (2015), "Neural machine translation by jointly
learning to align and translate" (arXiv:1409.0473); the plain model is the encoder–decoder of
Cho et al. (2014) / Sutskever et al. (2014), whose decoder sees one fixed vector.

Both models share every part but the context the decoder reads at step t:

    encoder   h_j = [GRU→(x_1..x_j); GRU←(x_j..x_T)]                  j = 1..T, each 2H
    summary   h = [h→_T; h←_1]        (the encoder's last states, 2H)
    start     s_0 = tanh(W_b h + b_b)
    context   plain:      c_t = h                                  (the §6 bottleneck)
              attention:  e_tj = vᵀ tanh(W_k h_j + b_k + W_q s_{t-1})
                          a_t = softmax_j(e_t)    c_t = Σ_j a_tj h_j
    decoder   s_t = GRUCell([E y_{t-1}; c_t], s_{t-1})   (y_0: the start symbol)
    output    p(y_t) = softmax(W_o [s_t; c_t] + b_o)

Characters are normalised before they are read (`normalise_char`: NFKC, lower case), so any
letter case and full-width digits read the same; any other character reads as index 0
(unknown). Output symbols: index 0 ends the output, 1.. are `OUTPUT_ALPHABET`.

Shapes: B = batch, T = input characters, U = output steps, E = embedding size, H = encoder
units per direction, D = decoder units, A = attention units, V = 1 + len(OUTPUT_ALPHABET).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import torch
from torch import Tensor, nn

INPUT_ALPHABET = " ,./0123456789abcdefghijklmnopqrstuvwxyz年月日"  # after normalise_char
OUTPUT_ALPHABET = "0123456789-"
END = 0  # output index that ends the output
UNKNOWN = 0  # input index of any character outside the alphabet
ATTENTION = {"additive": "additive (Bahdanau)", "none": "none: the encoder's last state only"}


def normalise_char(ch: str) -> str:
    """One character as the models read it: NFKC (full-width digits become ASCII) and lower
    case, when that keeps it one character; otherwise the character itself."""
    folded = unicodedata.normalize("NFKC", ch).lower()
    return folded if len(folded) == 1 else ch


@dataclass
class TranslatorConfig:
    """Everything needed to rebuild a date translator (see `DateTranslator`)."""

    attention: str  # one of ATTENTION: "additive" or "none" (the plain model)
    input_alphabet: str = INPUT_ALPHABET  # characters the encoder knows (index k + 1)
    output_alphabet: str = OUTPUT_ALPHABET  # characters the decoder writes (index k + 1)
    embed_size: int = 24  # E, character embedding size (input and output)
    hidden_size: int = 64  # H, encoder GRU units per direction
    decoder_size: int = 128  # D, decoder GRU units
    attention_size: int = 64  # A, units of the additive scorer
    max_output: int = 12  # decoder steps at most (an ISO date is 10 characters and the end)

    def __post_init__(self) -> None:
        if self.attention not in ATTENTION:
            raise ValueError(f"unknown attention {self.attention!r}; "
                             f"valid: {', '.join(ATTENTION)}")

    @property
    def input_size(self) -> int:
        """Input symbols: unknown + the alphabet."""
        return 1 + len(self.input_alphabet)

    @property
    def output_size(self) -> int:
        """V: end + the output alphabet."""
        return 1 + len(self.output_alphabet)


class DateTranslator(nn.Module):
    """Characters in, ISO characters out (see the module docstring for the equations)."""

    def __init__(self, config: TranslatorConfig):
        super().__init__()
        self.config = config
        c = config
        self.embed = nn.Embedding(c.input_size, c.embed_size)
        self.encoder = nn.GRU(c.embed_size, c.hidden_size, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * c.hidden_size, c.decoder_size)
        self.out_embed = nn.Embedding(c.output_size + 1, c.embed_size)  # + the start symbol
        self.decoder = nn.GRUCell(c.embed_size + 2 * c.hidden_size, c.decoder_size)
        self.readout = nn.Linear(c.decoder_size + 2 * c.hidden_size, c.output_size)
        if self.has_attention:
            self.att_keys = nn.Linear(2 * c.hidden_size, c.attention_size)
            self.att_query = nn.Linear(c.decoder_size, c.attention_size, bias=False)
            self.att_v = nn.Linear(c.attention_size, 1, bias=False)

    @property
    def has_attention(self) -> bool:
        return self.config.attention != "none"

    @property
    def start(self) -> int:
        """The index of the start symbol y_0 in `out_embed`."""
        return self.config.output_size

    def indices(self, text: str) -> list[int]:
        """Input indices of `text`, one per character (0 for unknown characters)."""
        index = {ch: k + 1 for k, ch in enumerate(self.config.input_alphabet)}
        return [index.get(normalise_char(ch), UNKNOWN) for ch in text]

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        """x [B, T] indices -> (states [B, T, 2H], summary [B, 2H], keys [B, T, A] or None)."""
        states, last = self.encoder(self.embed(x))
        summary = torch.cat([last[0], last[1]], dim=-1)
        keys = self.att_keys(states) if self.has_attention else None
        return states, summary, keys

    def step(self, prev: Tensor, s: Tensor, states: Tensor, summary: Tensor,
             keys: Tensor | None) -> tuple[Tensor, Tensor, Tensor | None, Tensor]:
        """One decoder step: prev [B] (y_{t-1}), s [B, D] (s_{t-1}) ->
        (logits [B, V], s_t [B, D], weights a_t [B, T] or None, context c_t [B, 2H])."""
        if keys is None:
            weights, context = None, summary
        else:
            scores = self.att_v(torch.tanh(keys + self.att_query(s)[:, None])).squeeze(-1)
            weights = torch.softmax(scores, dim=-1)
            context = torch.bmm(weights[:, None], states)[:, 0]
        s = self.decoder(torch.cat([self.out_embed(prev), context], dim=-1), s)
        return self.readout(torch.cat([s, context], dim=-1)), s, weights, context

    def forward(self, x: Tensor, y_in: Tensor) -> Tensor:
        """Teacher forcing: x [B, T], y_in [B, U] (start symbol, then the target shifted) ->
        logits [B, U, V]."""
        states, summary, keys = self.encode(x)
        s = torch.tanh(self.bridge(summary))
        out = []
        for t in range(y_in.shape[1]):
            logits, s, _, _ = self.step(y_in[:, t], s, states, summary, keys)
            out.append(logits)
        return torch.stack(out, 1)

    @torch.no_grad()
    def greedy(self, x: Tensor) -> Tensor:
        """x [B, T] -> the most likely output indices [B, max_output] (END, then END on)."""
        states, summary, keys = self.encode(x)
        s = torch.tanh(self.bridge(summary))
        prev = torch.full((x.shape[0],), self.start, dtype=torch.long)
        done = torch.zeros(x.shape[0], dtype=torch.bool)
        out = []
        for _ in range(self.config.max_output):
            logits, s, _, _ = self.step(prev, s, states, summary, keys)
            prev = logits.argmax(-1).masked_fill(done, END)
            done |= prev == END
            out.append(prev)
        return torch.stack(out, 1)

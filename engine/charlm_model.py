"""The character-level LSTM language model itself (engine.charlm holds the tools around it):
one-hot characters -> `torch.nn.LSTM` -> linear readout to the next character's logits.

After Karpathy, Johnson & Fei-Fei (2015), "Visualizing and understanding recurrent networks"
(arXiv:1506.02078). Shapes: T = characters, B = batch, V = vocabulary (unknown + alphabet).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

# The characters the model knows, in vocabulary order after the unknown symbol at index 0.
ALPHABET: str = "\n" + "".join(chr(c) for c in range(32, 127))
UNKNOWN = "\ufffd"  # how an unknown character is shown (it reads and predicts index 0)


@dataclass
class CharLMConfig:
    """Everything that decides the shape of a CharLM."""

    alphabet: str = ALPHABET  # known characters in vocabulary order (index 0: unknown)
    hidden_size: int = 256  # units (memory cells) per LSTM layer
    num_layers: int = 1  # stacked LSTM layers
    dropout: float = 0.1  # dropout between layers and before the readout (training only)

    def __post_init__(self):
        if len(set(self.alphabet)) != len(self.alphabet) or not self.alphabet:
            raise ValueError("alphabet must be a non-empty string of distinct characters")
        if UNKNOWN in self.alphabet:
            raise ValueError(f"alphabet must not contain the unknown symbol {UNKNOWN!r}")
        if not 1 <= self.hidden_size <= 4096 or not 1 <= self.num_layers <= 4:
            raise ValueError("hidden_size must be 1-4096 and num_layers 1-4")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")

    @property
    def vocab_size(self) -> int:
        """V: the unknown symbol and the alphabet."""
        return len(self.alphabet) + 1


class CharLM(nn.Module):
    """One-hot characters [T, B, V] -> `torch.nn.LSTM` -> linear readout -> next-char logits."""

    def __init__(self, config: CharLMConfig, seed: int | None = None):
        super().__init__()
        if seed is not None:
            torch.manual_seed(seed)
        self.config = config
        v = config.vocab_size
        drop = config.dropout if config.num_layers > 1 else 0.0
        self.rnn = nn.LSTM(v, config.hidden_size, config.num_layers, dropout=drop)
        self.drop = nn.Dropout(config.dropout)
        self.readout = nn.Linear(config.hidden_size, v)

    @property
    def rnn_as_traceable(self) -> nn.LSTM:
        """The recurrent part, reading one-hot [T, V]: what `engine.trace.trace` records."""
        return self.rnn

    def forward(self, x: Tensor, state=None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """x one-hot [T, B, V] (or [T, V]) -> (logits [T, B, V] (or [T, V]), (h_n, c_n))."""
        single = x.dim() == 2
        if single:
            x = x.unsqueeze(1)
        out, state = self.rnn(x, state)
        logits = self.readout(self.drop(out))
        return (logits.squeeze(1) if single else logits), state

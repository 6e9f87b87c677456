"""The shipped trained models the stepper can step, by name.

Each entry says how to load the recurrent network (something `engine.trace.trace` accepts: an
engine.cells model or a plain `torch.nn.LSTM/GRU/RNN`) and, for models that read text, how to
turn a text into its input sequence [T, I] and the label of each step. Loading is lazy: the
modules that own the models are imported only when an entry is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass(frozen=True)
class ShippedModel:
    """One trained model from pretrained/ that the stepper offers."""

    key: str  # short name, used in URLs
    title: str  # name in the model picker
    description: str  # one or two sentences: what it was trained to do
    module: str  # the engine module that owns it, e.g. "engine.slots"
    loader: str  # name of a function in `module`: () -> nn.Module that trace() accepts
    encoder: str | None = None  # function in `module`: (text) -> float tensor [T, I]; None when
    # the model reads vectors typed into the stepper's table
    labeller: str | None = None  # function in `module`: (text) -> list[str], one label per step
    default_text: str = ""  # the text the stepper starts with (text models)
    extra: dict = field(default_factory=dict)  # anything else a view may show (e.g. metrics)

    @property
    def reads_text(self) -> bool:
        return self.encoder is not None

    def _function(self, name: str) -> Callable:
        return getattr(importlib.import_module(self.module), name)

    def load(self) -> nn.Module:
        """The trained recurrent network, in eval mode."""
        return self._function(self.loader)().eval()

    def encode(self, text: str) -> torch.Tensor:
        """`text` as this model's input sequence [T, I] (text models only)."""
        if self.encoder is None:
            raise ValueError(f"{self.title} reads vectors, not text.")
        return self._function(self.encoder)(text)

    def labels(self, text: str) -> list[str]:
        """One label per step of `encode(text)`: the token or character it reads."""
        if self.labeller is None:
            return [str(t + 1) for t in range(len(self.encode(text)))]
        return self._function(self.labeller)(text)


# The slot taggers of pretrained/slots: (model, title after "Slot filling: ", description).
_SLOT_TAGGERS = (
    ("elman", "Elman RNN",
     "An Elman network that tags each word of a ticket-booking sentence with its slot "
     "(other, dest, origin, arrive_time, depart_time); the readout's 5 outputs are the slot "
     "scores."),
    ("jordan", "Jordan RNN",
     "A Jordan network that tags each word of a ticket-booking sentence with its slot; its "
     "fed-back output is the 5 slot scores."),
    ("lstm", "LSTM",
     "An LSTM that tags each word of a ticket-booking sentence with its slot (other, dest, "
     "origin, arrive_time, depart_time); the readout's 5 outputs are the slot scores."),
    ("bilstm", "bidirectional LSTM",
     "A bidirectional LSTM that tags each word of a ticket-booking sentence with its slot, "
     "reading the sentence both ways; the readout's 5 outputs are the slot scores."),
)


def _slot_tagger(spec: tuple[str, str, str]) -> ShippedModel:
    """The stepper's entry for one slot tagger: engine.slots.load_<model>_rnn, reading words."""
    model, title, description = spec
    return ShippedModel(
        key=f"slots_{model}",
        title=f"Slot filling: {title}",
        description=description,
        module="engine.slots",
        loader=f"load_{model}_rnn",
        encoder="encode",
        labeller="tokens",
        default_text="arrive Taipei on November 2nd",
    )


# Shipped models by key. Add one entry per model that pretrained/ ships.
SHIPPED: dict[str, ShippedModel] = {
    "charlm": ShippedModel(
        key="charlm",
        title="Character LSTM (Python docs)",
        description="A 256-cell LSTM that reads text one character at a time and predicts the "
        "next, trained on Python's language reference; it reads one-hot characters.",
        module="engine.charlm",
        loader="shipped_lstm",
        encoder="encode",
        labeller="tokens",
        default_text='The "print" function (a built-in) writes "text" to a file.',
    ),
    **{tagger.key: tagger for tagger in map(_slot_tagger, _SLOT_TAGGERS)},
    "lecture_learned": ShippedModel(
        key="lecture_learned",
        title="Lecture: learned LSTM",
        description="The lecture's one-cell LSTM (linear g and h) trained from random weights on "
        "sequences that follow its rules: x2 = 1 adds x1, x2 = −1 resets, x3 = 1 outputs.",
        module="engine.lee",
        loader="learned_lecture_lstm",
    ),
}


def shipped(key: str) -> ShippedModel:
    """The entry called `key`; ValueError listing the valid keys otherwise."""
    try:
        return SHIPPED[key]
    except KeyError:
        valid = sorted(SHIPPED)
        raise ValueError(f"unknown shipped model {key!r}; choose one of {valid}") from None

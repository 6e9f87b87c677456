"""Plain data types and constants shared by the caches (resources) and the widgets (components):
no Streamlit here, so the caches never import a widget module.

- `MODELS`, `ModelChoice`: the stepper's models, and what its picker chose (hashable: a cache key).
- `run_label`: the name of one training run of the gradient lab.
- `DIGITS`: the CTC recogniser's classes, φ first.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import ctc, zoo
from i18n import N_, _

# The stepper's models by key, with their names in the picker (in English: `model_name` says
# them in the reader's language; the shipped models' titles are the engine's, translated in
# the catalog like every msgid).
MODELS = {
    "lecture": N_("Lecture: hand-wired LSTM"),
    **{key: entry.title for key, entry in zoo.SHIPPED.items()},
    "lstm": N_("Untrained LSTM"),
    "gru": N_("Untrained GRU"),
    "rnn": N_("Untrained Elman RNN"),
    "jordan": N_("Untrained Jordan RNN"),
    "own": N_("Your own trained model (upload)"),
}


def model_name(key: str) -> str:
    """The name of the stepper's model `key` in the reader's language."""
    return _(MODELS[key]) if key in MODELS else key


def model_description(key: str) -> str:
    """What the shipped model `key` was trained to do, in the reader's language."""
    return _(zoo.shipped(key).description)


@dataclass(frozen=True)
class ModelChoice:
    """What the user picked; hashable, so it can key a cache."""

    kind: str  # one of components.model_picker.MODELS
    input_size: int  # I, inputs per step
    hidden_size: int  # H, units per layer and direction
    num_layers: int = 1  # stacked layers
    bidirectional: bool = False  # a backward network reads the sequence too
    nonlinearity: str = "tanh"  # Elman/Jordan activation
    seed: int = 0  # initial weights
    digest: str = ""  # own: SHA-256 of the uploaded checkpoint (components.upload)
    cell: str = ""  # own: the cell kind found in it ("lstm", "gru", "rnn")

    @property
    def is_lecture(self) -> bool:
        return self.kind == "lecture"

    @property
    def is_shipped(self) -> bool:
        """A trained model from pretrained/ (engine.zoo.SHIPPED)."""
        return self.kind in zoo.SHIPPED

    @property
    def is_own(self) -> bool:
        """A model the user uploaded (its weights live in the session and the cache)."""
        return self.kind == "own" and bool(self.digest)

    @property
    def reads_text(self) -> bool:
        """A shipped model whose input is typed text (one step per token or character)."""
        return self.is_shipped and zoo.SHIPPED[self.kind].reads_text


LECTURE = ModelChoice("lecture", input_size=3, hidden_size=1)


def run_label(kind: str, clip: float | None) -> str:
    """The name of a gradient-lab training run, e.g. "LSTM, clipped at 1"."""
    name = "tanh RNN" if kind == "rnn" else "LSTM"
    return f"{name}, clipped at {clip:g}" if clip else f"{name}, no clipping"


DIGITS = [ctc.BLANK_SYMBOL] + [str(d) for d in range(10)]  # the CTC recogniser's classes

"""Record every gate, cell and hidden value of a recurrent model over one sequence.

`trace(model, x)` runs a model (an engine model from `engine.cells`, or a plain
`torch.nn.LSTM` / `torch.nn.GRU` / `torch.nn.RNN`) over one sequence `x` [T, I] and returns a
`Trace`: the values a view needs, per step, per unit.

Shapes: T = steps, I = input size, H = hidden units per direction, D = directions (1 or 2),
O = output size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

# Gate names per cell kind, in the order views should show them.
GATE_NAMES: dict[str, tuple[str, ...]] = {
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
    "rnn": (),
    "jordan": (),
}


@dataclass
class LayerTrace:
    """One layer in one direction.

    Step t of a reverse-direction trace reads x_t and its previous state is the state of t + 1.
    """

    hidden: Tensor  # [T, H] h_t after step t
    cell: Tensor | None  # [T, H] c_t after step t (LSTM), else None
    gates: dict[str, Tensor]  # [T, H] each, after activation: LSTM i f g o; GRU r z n; else {}
    preacts: dict[str, Tensor]  # [T, H] each, before activation (same keys; RNN/Jordan: "h")
    hidden0: Tensor  # [H] state before the first step of this direction
    cell0: Tensor | None  # [H] memory before the first step (LSTM), else None
    reverse: bool = False  # True for the backward direction of a bidirectional layer


@dataclass
class Trace:
    """Everything recorded while a model read one sequence (detached, on the model's device).

    The top-level fields describe the last layer, directions concatenated along the unit axis
    the way torch's own output is ([T, D*H]); `layers[l][d]` has each layer and direction alone.
    """

    kind: str  # "lstm" | "gru" | "rnn" | "jordan"
    inputs: Tensor  # [T, I] the sequence read
    hidden: Tensor  # [T, D*H] hidden state h_t of the last layer after step t
    cell: Tensor | None  # [T, D*H] memory c_t of the last layer after step t (LSTM), else None
    gates: dict[str, Tensor]  # [T, D*H] each, last layer; see GATE_NAMES
    preacts: dict[str, Tensor]  # [T, D*H] each, last layer, gate pre-activations
    outputs: Tensor  # [T, O] the model's output per step (its readout; h_t for a bare cell)
    hidden0: Tensor  # [D*H] last layer's hidden state before step 0 (per direction)
    cell0: Tensor | None  # [D*H] last layer's memory before step 0 (LSTM), else None
    layers: list[list[LayerTrace]]  # [num_layers][num_directions]
    activations: dict[str, str] = field(default_factory=dict)  # e.g. {"cell_input": "linear"}

    @property
    def steps(self) -> int:
        """T, the number of steps."""
        return int(self.inputs.shape[0])

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])

    def series(self) -> dict[str, Tensor]:
        """Every [T, D*H] quantity of the last layer by name: gates, then "c" (LSTM), then "h"."""
        out = dict(self.gates)
        if self.cell is not None:
            out["c"] = self.cell
        out["h"] = self.hidden
        return out

    def top_units(self, k: int, name: str = "h") -> list[int]:
        """Indices of the k units of `series()[name]` with the largest variance over time."""
        values = self.series()[name].float()
        var = values.var(dim=0, unbiased=False) if values.shape[0] > 1 else values.abs()[0]
        k = max(0, min(int(k), values.shape[1]))
        return sorted(torch.topk(var, k).indices.tolist())


def trace(model: torch.nn.Module, x: Tensor) -> Trace:
    """Run `model` over one sequence `x` [T, I] and record every value; see `Trace`."""
    raise NotImplementedError

"""Recurrent networks: Elman RNN, Jordan RNN, GRU and LSTM with configurable activations.

Elman (1990), "Finding structure in time": the previous hidden state is fed back.
Jordan (1986), "Serial order: a parallel distributed processing approach": the previous
*output* is fed back. Hochreiter & Schmidhuber (1997), "Long short-term memory"; Cho et al.
(2014) for the GRU.

Parameters are named and shaped exactly like `torch.nn.RNN` / `torch.nn.GRU` / `torch.nn.LSTM`
(`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`, with a `_reverse` suffix for
the backward direction; gate rows i, f, g, o for the LSTM and r, z, n for the GRU), so a torch
module's `state_dict()` loads into the matching engine model as is. With the default activations
the forward pass runs torch's fused kernels; other activations and the Jordan network run a
plain step loop.

Equations (per layer and direction; sigma = gate activation, phi_g = cell-input activation,
phi_h = cell-output activation, phi = nonlinearity):

    LSTM    i, f, g, o = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh   (split in four)
            c_t = sigma(f) * c_{t-1} + sigma(i) * phi_g(g)      h_t = sigma(o) * phi_h(c_t)
    GRU     r = sigma(.), z = sigma(.), n = phi_g(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
            h_t = (1 - z) * n + z * h_{t-1}
    Elman   h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    Jordan  h_t = phi(W_ih x_t + b_ih + W_hh y_{t-1} + b_hh)    y_t = W_ho h_t + b_ho

Jordan parameters per layer k (no torch twin): `weight_ih_l{k}` [H, I_k], `weight_hh_l{k}`
[H, O] (reads y_{t-1}), `bias_ih_l{k}` [H], `bias_hh_l{k}` [H], `weight_ho_l{k}` [O, H],
`bias_ho_l{k}` [O], each with `_reverse` for the backward direction. Every Jordan layer's
output y has O = `output_size` (default: `hidden_size`) units per direction, and layer k + 1
reads the D*O outputs of layer k.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


def _linear(x: Tensor) -> Tensor:
    """The identity activation."""
    return x


# Activation functions by name.
ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "linear": _linear,
    "hard_sigmoid": nn.functional.hardsigmoid,
}


def activation(name: str) -> Callable[[Tensor], Tensor]:
    """The activation function called `name`; ValueError listing the valid names otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid: {', '.join(sorted(ACTIVATIONS))}"
        ) from None


# Gate blocks stacked in weight_ih / weight_hh per cell kind (torch's layout).
GATE_BLOCKS: dict[str, int] = {"rnn": 1, "jordan": 1, "gru": 3, "lstm": 4}


@dataclass
class CellConfig:
    """Everything needed to rebuild a recurrent model (see `build_model`)."""

    kind: str  # "rnn" (Elman) | "jordan" | "gru" | "lstm"; see CELLS
    input_size: int  # I, features per step of the input sequence
    hidden_size: int  # H, hidden units per layer and direction
    num_layers: int = 1  # stacked layers; layer k + 1 reads layer k's output
    bidirectional: bool = False  # add a backward direction per layer (outputs concatenated)
    nonlinearity: str = "tanh"  # rnn and jordan: phi in h_t = phi(...); torch allows tanh, relu
    gate_activation: str = "sigmoid"  # lstm i f o and gru r z
    cell_input_activation: str = "tanh"  # lstm g (the lecture's g(z)); gru candidate n
    cell_output_activation: str = "tanh"  # lstm h in h_t = o * h(c_t) (the lecture's h(c'))
    output_size: int | None = None  # O: rnn/gru/lstm add a linear readout of the top layer
    # (outputs [T, O]); jordan: size of the fed-back output y (default hidden_size)
    bias: bool = True  # include the bias vectors (torch's `bias` flag)

    def __post_init__(self) -> None:
        if self.kind not in CELLS:
            raise ValueError(f"unknown cell kind {self.kind!r}; valid: {', '.join(CELLS)}")
        for name in ("nonlinearity", "gate_activation", "cell_input_activation",
                     "cell_output_activation"):
            activation(getattr(self, name))
        for name in ("input_size", "hidden_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.output_size is not None and (
            not isinstance(self.output_size, int) or self.output_size < 1
        ):
            raise ValueError(f"output_size must be a positive integer or None, "
                             f"got {self.output_size!r}")

    @property
    def num_directions(self) -> int:
        """D: 2 if bidirectional else 1."""
        return 2 if self.bidirectional else 1

    @property
    def fusable(self) -> bool:
        """True when torch's fused kernel computes exactly this model."""
        if self.kind == "lstm":
            return (self.gate_activation, self.cell_input_activation,
                    self.cell_output_activation) == ("sigmoid", "tanh", "tanh")
        if self.kind == "gru":
            return (self.gate_activation, self.cell_input_activation) == ("sigmoid", "tanh")
        if self.kind == "rnn":
            return self.nonlinearity in ("tanh", "relu")
        return False

    def activations(self) -> dict[str, str]:
        """The activations this kind uses, by role (the names in the equations above)."""
        if self.kind == "lstm":
            return {"gate": self.gate_activation, "cell_input": self.cell_input_activation,
                    "cell_output": self.cell_output_activation}
        if self.kind == "gru":
            return {"gate": self.gate_activation, "candidate": self.cell_input_activation}
        if self.kind == "jordan":
            return {"nonlinearity": self.nonlinearity, "output": "linear"}
        return {"nonlinearity": self.nonlinearity}

    def to_dict(self) -> dict:
        """The config as a plain JSON-ready dict."""
        return asdict(self)


def _suffix(layer: int, reverse: bool) -> str:
    """torch's parameter-name suffix, e.g. "_l1_reverse"."""
    return f"_l{layer}" + ("_reverse" if reverse else "")


class RecurrentNet(nn.Module):
    """A stack of recurrent layers; subclasses fix the cell kind (see CELLS).

    `model(x)` with x [T, I] (one sequence) or [T, B, I] (a batch) returns `(outputs, state)`:
    outputs [T, D*H] ([T, B, D*H] batched), or [T, O] through the readout when
    `config.output_size` is set (Jordan: the top layer's fed-back outputs [T, D*O]); state is
    the final state like torch's: LSTM (h_n, c_n) each [L*D, H], GRU/Elman h_n [L*D, H],
    Jordan y_n [L*D, O] (with a batch axis [L*D, B, .] for batched input). An optional `hx` of
    the same shapes sets the initial state (zeros otherwise).
    """

    kind = ""

    def __init__(self, config: CellConfig):
        super().__init__()
        if config.kind != self.kind:
            raise ValueError(f"{type(self).__name__} needs kind={self.kind!r}, "
                             f"got {config.kind!r}")
        self.config = config
        # Set False to run the step loop even where a fused kernel applies (tests, benchmarks).
        self.prefer_fused = True
        cfg = config
        hidden, blocks = cfg.hidden_size, GATE_BLOCKS[self.kind]
        for layer in range(cfg.num_layers):
            in_size = cfg.input_size if layer == 0 else cfg.num_directions * self.layer_output_size
            for reverse in (False, True)[: cfg.num_directions]:
                sfx = _suffix(layer, reverse)
                fed_back = self.layer_output_size if self.kind == "jordan" else hidden
                self._param(f"weight_ih{sfx}", blocks * hidden, in_size)
                self._param(f"weight_hh{sfx}", blocks * hidden, fed_back)
                if cfg.bias:
                    self._param(f"bias_ih{sfx}", blocks * hidden)
                    self._param(f"bias_hh{sfx}", blocks * hidden)
                if self.kind == "jordan":
                    self._param(f"weight_ho{sfx}", self.layer_output_size, hidden)
                    if cfg.bias:
                        self._param(f"bias_ho{sfx}", self.layer_output_size)
        self.readout: nn.Linear | None = None
        if cfg.output_size is not None and self.kind != "jordan":
            self.readout = nn.Linear(cfg.num_directions * hidden, cfg.output_size, bias=cfg.bias)

    def _param(self, name: str, *shape: int) -> None:
        """Register an uninitialised parameter (see `reset_parameters`)."""
        self.register_parameter(name, nn.Parameter(torch.empty(*shape)))

    @property
    def layer_output_size(self) -> int:
        """Units per direction that a layer passes on (H; Jordan: O)."""
        return self.config.hidden_size

    @property
    def output_size(self) -> int:
        """Width of `outputs`."""
        if self.readout is not None:
            return self.readout.out_features
        return self.config.num_directions * self.layer_output_size

    @property
    def fused(self) -> bool:
        """True when forward runs torch's fused kernel."""
        return self.prefer_fused and self.config.fusable

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """torch's default init: weights U(+-1/sqrt(H)); readout U(+-1/sqrt(fan_in))."""
        bound = 1.0 / math.sqrt(self.config.hidden_size)
        with torch.no_grad():
            for name, p in self.named_parameters():
                b = bound
                if name.startswith("readout."):
                    b = 1.0 / math.sqrt(self.readout.in_features)
                p.uniform_(-b, b, generator=generator)

    def layer_weights(self, layer: int, reverse: bool = False) -> dict[str, Tensor | None]:
        """One layer-direction's parameters: w_ih, w_hh, b_ih, b_hh, w_ho, b_ho (None if absent)."""
        sfx = _suffix(layer, reverse)
        keys = ("ih", "hh", "ho")
        out = {f"w_{k}": getattr(self, f"weight_{k}{sfx}", None) for k in keys}
        out.update({f"b_{k}": getattr(self, f"bias_{k}{sfx}", None) for k in keys})
        return out

    def flat_weights(self) -> list[Tensor]:
        """Parameters in the order torch's fused kernels take them."""
        flat = []
        for layer in range(self.config.num_layers):
            for reverse in (False, True)[: self.config.num_directions]:
                w = self.layer_weights(layer, reverse)
                flat += [t for t in (w["w_ih"], w["w_hh"], w["b_ih"], w["b_hh"]) if t is not None]
        return flat

    def forward(self, x: Tensor, hx=None):
        """x [T, I] or [T, B, I], optional initial state -> (outputs, final state); see class."""
        cfg = self.config
        if x.dim() not in (2, 3) or x.shape[-1] != cfg.input_size:
            raise ValueError(f"expected input [T, {cfg.input_size}] or [T, B, {cfg.input_size}], "
                             f"got {list(x.shape)}")
        batched = x.dim() == 3
        x3 = x if batched else x.unsqueeze(1)
        state = self._initial_state(x3, hx, batched)
        if self.fused:
            out, state = self._forward_fused(x3, state)
        else:
            out, state = self._forward_loop(x3, state)
        if self.readout is not None:
            out = self.readout(out)
        if not batched:
            out = out.squeeze(1)
            state = tuple(s.squeeze(1) for s in state)
        return out, (state if self.kind == "lstm" else state[0])

    def _state_sizes(self) -> tuple[int, ...]:
        """Units of each state tensor per layer-direction."""
        fed_back = self.layer_output_size if self.kind == "jordan" else self.config.hidden_size
        return (fed_back, self.config.hidden_size) if self.kind == "lstm" else (fed_back,)

    def _initial_state(self, x3: Tensor, hx, batched: bool) -> tuple[Tensor, ...]:
        """hx as a tuple of [L*D, B, .] tensors (zeros when None)."""
        n, b = self.config.num_layers * self.config.num_directions, x3.shape[1]
        sizes = self._state_sizes()
        if hx is None:
            return tuple(x3.new_zeros(n, b, s) for s in sizes)
        hx = tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
        if len(hx) != len(sizes):
            raise ValueError(f"{self.kind} state has {len(sizes)} tensor(s), got {len(hx)}")
        out = []
        for h, s in zip(hx, sizes, strict=True):
            h = h if batched else h.unsqueeze(1)
            if tuple(h.shape) != (n, b, s):
                raise ValueError(f"expected a state of shape {[n, b, s] if batched else [n, s]}, "
                                 f"got {list(h.shape) if batched else list(h.squeeze(1).shape)}")
            out.append(h)
        return tuple(out)

    def _forward_fused(self, x3: Tensor, state: tuple[Tensor, ...]):
        """torch's fused multi-layer kernel over x3 [T, B, I]."""
        cfg = self.config
        fn = fused_kernel(self.kind, cfg.nonlinearity)
        res = call_fused(fn, x3, state if self.kind == "lstm" else state[0], self.flat_weights(),
                         cfg.bias, cfg.num_layers, cfg.bidirectional)
        return res[0], tuple(res[1:])

    def _forward_loop(self, x3: Tensor, state: tuple[Tensor, ...]):
        """The plain step loop over x3 [T, B, I]."""
        cfg = self.config
        acts = {k: activation(getattr(cfg, k)) for k in (
            "nonlinearity", "gate_activation", "cell_input_activation", "cell_output_activation")}
        inp, finals = x3, [[] for _ in state]
        for layer in range(cfg.num_layers):
            outs = []
            for d, reverse in enumerate((False, True)[: cfg.num_directions]):
                idx = layer * cfg.num_directions + d
                rec = loop_layer(self.kind, self.layer_weights(layer, reverse), inp,
                                 tuple(s[idx] for s in state), acts, reverse=reverse)
                outs.append(rec["output"])
                for f, s in zip(finals, rec["final"], strict=True):
                    f.append(s)
            inp = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)
        return inp, tuple(torch.stack(f) for f in finals)


class ElmanRNN(RecurrentNet):
    """Elman network; with tanh/relu identical to `torch.nn.RNN`."""

    kind = "rnn"


class JordanRNN(RecurrentNet):
    """Jordan network: each layer feeds its previous output y_{t-1} back (see module docstring)."""

    kind = "jordan"

    @property
    def layer_output_size(self) -> int:
        """O, the size of each layer's fed-back output."""
        return self.config.output_size or self.config.hidden_size


class GRUNet(RecurrentNet):
    """GRU; with default activations identical to `torch.nn.GRU`."""

    kind = "gru"


class LSTMNet(RecurrentNet):
    """LSTM; with default activations identical to `torch.nn.LSTM` (proj_size=0)."""

    kind = "lstm"


# Model classes by cell kind.
CELLS: dict[str, type[RecurrentNet]] = {
    "rnn": ElmanRNN,
    "jordan": JordanRNN,
    "gru": GRUNet,
    "lstm": LSTMNet,
}


def build_model(config: CellConfig, seed: int | None = None) -> RecurrentNet:
    """A freshly initialised model for `config` (on the CPU, float32).

    Weights follow torch's default init, U(-1/sqrt(H), 1/sqrt(H)); with `seed` the draw comes
    from its own generator, so the same seed gives the same weights (for rnn/gru/lstm the same
    weights `torch.manual_seed(seed)` followed by the torch module's constructor gives).
    """
    if not isinstance(config, CellConfig):
        raise TypeError(f"build_model needs a CellConfig, got {type(config).__name__}")
    model = CELLS[config.kind](config)
    gen = None if seed is None else torch.Generator().manual_seed(int(seed))
    model.reset_parameters(gen)
    return model


def fused_kernel(kind: str, nonlinearity: str = "tanh") -> Callable:
    """torch's fused multi-layer kernel for a cell kind."""
    if kind == "lstm":
        return torch.lstm
    if kind == "gru":
        return torch.gru
    if kind == "rnn" and nonlinearity in ("tanh", "relu"):
        return torch.rnn_tanh if nonlinearity == "tanh" else torch.rnn_relu
    raise ValueError(f"no fused kernel for kind={kind!r}, nonlinearity={nonlinearity!r}")


def call_fused(fn: Callable, x3: Tensor, hx, weights: list[Tensor], bias: bool,
               num_layers: int, bidirectional: bool):
    """Run a fused kernel on x3 [T, B, I] (no dropout); returns its (output, *final states)."""
    args = (x3, hx, weights, bias, num_layers, 0.0, False, bidirectional, False)
    if x3.is_cuda:  # cuDNN warns when weights are not one flat buffer; harmless here
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*contiguous chunk of memory.*")
            return fn(*args)
    return fn(*args)


def _addmm(bias: Tensor | None, x: Tensor, w: Tensor) -> Tensor:
    """x @ w^T (+ bias) for x [..., K]."""
    out = x @ w.t()
    return out if bias is None else out + bias


def loop_layer(kind: str, w: dict[str, Tensor | None], x: Tensor, state0: tuple[Tensor, ...],
               acts: dict[str, Callable[[Tensor], Tensor]], reverse: bool = False,
               record: bool = False) -> dict:
    """Run one layer in one direction step by step.

    x [T, B, I]; state0 = (h0,) or (h0, c0) for the LSTM, (y0,) for Jordan, each [B, .];
    acts maps config field names to functions. Returns a dict: "output" [T, B, .] (what the
    next layer reads: h, or y for Jordan), "final" (the last state tuple) and, with `record`,
    "hidden" [T, B, H], "cell" [T, B, H] or None, "out_y" [T, B, O] or None (Jordan),
    "preacts" and "gates" (dicts of [T, B, H]).
    """
    steps = x.shape[0]
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    gi = _addmm(w["b_ih"], x, w["w_ih"])  # [T, B, G*H], all input projections at once
    w_hh_t = w["w_hh"].t()
    b_hh = w["b_hh"]
    sig, cin = acts["gate_activation"], acts["cell_input_activation"]
    cout, phi = acts["cell_output_activation"], acts["nonlinearity"]
    h = state0[0]
    c = state0[1] if kind == "lstm" else None
    outs, hid, cells = [None] * steps, [None] * steps, [None] * steps
    pre: dict[str, list] = {}
    gat: dict[str, list] = {}

    def keep(store, t, **vals):
        for k, v in vals.items():
            store.setdefault(k, [None] * steps)[t] = v

    for t in order:
        gh = h @ w_hh_t
        if b_hh is not None:
            gh = gh + b_hh
        if kind == "lstm":
            p = gi[t] + gh
            pi, pf, pg, po = p.chunk(4, dim=-1)
            i, f, g, o = sig(pi), sig(pf), cin(pg), sig(po)
            c = f * c + i * g
            h = o * cout(c)
            if record:
                keep(pre, t, i=pi, f=pf, g=pg, o=po)
                keep(gat, t, i=i, f=f, g=g, o=o)
                cells[t] = c
            outs[t] = h
        elif kind == "gru":
            xr, xz, xn = gi[t].chunk(3, dim=-1)
            hr, hz, hn = gh.chunk(3, dim=-1)
            r, z = sig(xr + hr), sig(xz + hz)
            pn = xn + r * hn
            n = cin(pn)
            h = (1 - z) * n + z * h
            if record:
                keep(pre, t, r=xr + hr, z=xz + hz, n=pn)
                keep(gat, t, r=r, z=z, n=n)
            outs[t] = h
        elif kind == "rnn":
            p = gi[t] + gh
            h = phi(p)
            if record:
                keep(pre, t, h=p)
            outs[t] = h
        elif kind == "jordan":  # here `h` holds y_{t-1}, the fed-back output
            p = gi[t] + gh
            hidden = phi(p)
            h = _addmm(w["b_ho"], hidden, w["w_ho"])
            if record:
                keep(pre, t, h=p)
                hid[t] = hidden
            outs[t] = h
        else:
            raise ValueError(f"unknown cell kind {kind!r}; valid: {', '.join(CELLS)}")
    result = {"output": torch.stack(outs), "final": (h,) if c is None else (h, c)}
    if record:
        result["preacts"] = {k: torch.stack(v) for k, v in pre.items()}
        result["gates"] = {k: torch.stack(v) for k, v in gat.items()}
        result["cell"] = torch.stack(cells) if kind == "lstm" else None
        if kind == "jordan":
            result["hidden"], result["out_y"] = torch.stack(hid), result["output"]
        else:
            result["hidden"], result["out_y"] = result["output"], None
    return result

"""Record every gate, cell and hidden value of a recurrent model over one sequence.

`trace(model, x)` runs a model (an engine model from `engine.cells`, or a plain
`torch.nn.LSTM` / `torch.nn.GRU` / `torch.nn.RNN`) over one sequence `x` [T, I] and returns a
`Trace`: the values a view needs, per step, per unit.

Shapes: T = steps, I = input size, H = hidden units per direction, D = directions (1 or 2),
O = output size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from engine.cells import RecurrentNet, activation, call_fused, fused_kernel, loop_layer
from engine.messages import UserError

MAX_RECORDED = 10_000_000  # numbers a trace may record (40 MB of float32): one trace per
# model and sequence is cached per server, so 10,000 steps × 256 units × 3 layers × 2
# directions (150 million numbers, 600 MB) must be refused before the run, not after
_PER_UNIT = {"lstm": 9, "gru": 6, "rnn": 1, "jordan": 2}  # values per unit and step besides
# the layer's output: LSTM c, 4 gates, 4 pre-activations; GRU 3 + 3; Elman its
# pre-activation; Jordan h and its pre-activation (the fed-back output is the layer's output)

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
    output: Tensor | None = None  # [T, O] Jordan: y_t = W_ho h_t + b_ho, fed back; else None
    output0: Tensor | None = None  # [O] Jordan: y before the first step (zeros); else None


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
    # activations keys: lstm "gate", "cell_input" (g), "cell_output" (h); gru "gate",
    # "candidate" (n); rnn "nonlinearity"; jordan "nonlinearity", "output" (always "linear")

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


def trace(model: nn.Module, x) -> Trace:
    """Run `model` over one sequence `x` [T, I] and record every value; see `Trace`.

    model: an engine model (`engine.cells.build_model`) or a plain `torch.nn.LSTM` /
    `torch.nn.GRU` / `torch.nn.RNN` (any layers, directions, bias; an LSTM with proj_size P > 0
    records hidden values of P units per direction and gates/cells of H). x: a tensor or
    array [T, I], moved to the model's device and dtype. Dropout between layers is never
    applied (the trace shows the model as used for inference).

    Returns a `Trace` of detached tensors on the model's device, gates after activation and
    pre-activations before, per layer and direction, with the initial states (zeros).
    For fused-kernel models the hidden states come from torch's own kernel (one call per
    layer); the gates then follow exactly from two batched matmuls and the LSTM memory from a
    parallel scan (`affine_scan`), so recording costs little more than the forward pass.
    Other activations and the Jordan network run the step loop.
    """
    spec = _spec(model)
    param = next(model.parameters())
    x = _check_input(x, spec.input_size)
    _check_budget(spec, int(x.shape[0]))
    x = x.to(device=param.device, dtype=param.dtype)
    with torch.no_grad():
        layers: list[list[LayerTrace]] = []
        inp = x
        for layer in range(spec.num_layers):
            run = _fused_layer if spec.fused else _loop_layer
            per_dir, inp = run(spec, layer, inp)
            layers.append(per_dir)
        top = layers[-1]
        hidden = _cat([lt.hidden for lt in top])
        if spec.kind == "jordan":
            outputs = _cat([lt.output for lt in top])
        elif spec.readout is not None:
            outputs = spec.readout(hidden)
        else:
            outputs = hidden
        lstm = spec.kind == "lstm"
        return Trace(
            kind=spec.kind,
            inputs=x.detach().clone(),
            hidden=hidden,
            cell=_cat([lt.cell for lt in top]) if lstm else None,
            gates={k: _cat([lt.gates[k] for lt in top]) for k in top[0].gates},
            preacts={k: _cat([lt.preacts[k] for lt in top]) for k in top[0].preacts},
            outputs=outputs,
            hidden0=_cat([lt.hidden0 for lt in top]),
            cell0=_cat([lt.cell0 for lt in top]) if lstm else None,
            layers=layers,
            activations=dict(spec.activations),
        )


def affine_scan(a: Tensor, b: Tensor, c0: Tensor | None = None, reverse: bool = False) -> Tensor:
    """Solve c_t = a_t * c_{t-1} + b_t for every t at once; a, b [T, ...] -> c [T, ...].

    c_{-1} = c0 (zeros if None). With `reverse`, c_t = a_t * c_{t+1} + b_t and c0 is the state
    after the last step. A parallel scan over the affine maps c -> a*c + b, composed as
    (a2, b2) o (a1, b1) = (a2*a1, a2*b1 + b2): the sequence is cut into blocks of
    `_SCAN_BLOCK` steps, every block is scanned at once (one whole-tensor operation per
    position in the block), the block ends are scanned the same way, recursively, and one
    pass carries each block's starting state in. That is O(T) work in about
    3 * log4(T) whole-tensor steps, no Python loop over t. Each c_t is a sum of products of
    the a's and b's (nothing is divided), so with |a| <= 1 (LSTM forget gates) rounding stays
    at a few ulps.
    """
    if a.shape != b.shape or a.dim() == 0 or a.shape[0] == 0:
        raise ValueError(f"a and b must have one shape [T, ...] with T > 0, "
                         f"got {list(a.shape)} and {list(b.shape)}")
    if reverse:
        return affine_scan(a.flip(0), b.flip(0), c0).flip(0)
    a = a.clone(memory_format=torch.contiguous_format)
    b = b.clone(memory_format=torch.contiguous_format)
    if c0 is not None:
        b[0] += a[0] * c0
    _block_scan(a, b)
    return b


def _memory(f: Tensor, ig: Tensor, reverse: bool) -> Tensor:
    """c_t = f_t * c_{t-1} + ig_t from c = 0, overwriting ig (a fresh tensor) with the result."""
    if reverse:
        return affine_scan(f, ig, reverse=True)
    _block_scan(f.clone(memory_format=torch.contiguous_format), ig)
    return ig


_SCAN_BLOCK = 4  # steps per block in affine_scan (picked by timing on 2 CPU cores)


def _block_scan(a: Tensor, b: Tensor) -> None:
    """In place on contiguous a, b [n, ...]: b becomes the scan's c (a is overwritten)."""
    n, k = a.shape[0], _SCAN_BLOCK
    if n <= k:
        for t in range(1, n):
            b[t].addcmul_(a[t], b[t - 1])
        return
    blocks = n // k
    whole = blocks * k
    aa = a[:whole].view(blocks, k, *a.shape[1:])
    bb = b[:whole].view(blocks, k, *b.shape[1:])
    for j in range(1, k):  # scan inside every block at once; aa becomes the running product
        bb[:, j].addcmul_(aa[:, j], bb[:, j - 1])
        aa[:, j].mul_(aa[:, j - 1])
    ends = bb[:, -1].clone()
    _block_scan(aa[:, -1].clone(), ends)  # the state at the end of every block
    bb[1:].addcmul_(aa[1:], ends[:-1].unsqueeze(1))  # carry each block's start state in
    for t in range(whole, n):  # the last, partial block
        b[t].addcmul_(a[t], b[t - 1])


@dataclass
class _Spec:
    """What trace needs to know about a model, whoever built it."""

    kind: str
    input_size: int
    hidden_size: int
    layer_out: int  # units per direction a layer passes on (H, proj P, or Jordan's O)
    num_layers: int
    num_directions: int
    bias: bool
    proj: bool
    fused: bool
    nonlinearity: str
    activations: dict[str, str]
    loop_acts: dict[str, Callable[[Tensor], Tensor]]
    weights: Callable[[int, bool], dict[str, Tensor | None]]
    readout: Callable[[Tensor], Tensor] | None


_TORCH_ACTIVATIONS = {
    "lstm": {"gate": "sigmoid", "cell_input": "tanh", "cell_output": "tanh"},
    "gru": {"gate": "sigmoid", "candidate": "tanh"},
}


def _spec(model) -> _Spec:
    """Describe an engine model or a torch.nn.LSTM / GRU / RNN; TypeError for anything else."""
    if isinstance(model, RecurrentNet):
        cfg = model.config
        return _Spec(
            kind=cfg.kind, input_size=cfg.input_size, hidden_size=cfg.hidden_size,
            layer_out=model.layer_output_size, num_layers=cfg.num_layers,
            num_directions=cfg.num_directions, bias=cfg.bias, proj=False, fused=model.fused,
            nonlinearity=cfg.nonlinearity, activations=cfg.activations(),
            loop_acts={k: activation(getattr(cfg, k)) for k in (
                "nonlinearity", "gate_activation", "cell_input_activation",
                "cell_output_activation")},
            weights=model.layer_weights, readout=model.readout,
        )
    if isinstance(model, (nn.LSTM, nn.GRU, nn.RNN)):
        if isinstance(model, nn.LSTM):
            kind, nonlin = "lstm", "tanh"
        elif isinstance(model, nn.GRU):
            kind, nonlin = "gru", "tanh"
        else:
            kind, nonlin = "rnn", model.nonlinearity
        proj = int(getattr(model, "proj_size", 0) or 0)

        def weights(layer: int, reverse: bool) -> dict[str, Tensor | None]:
            sfx = f"_l{layer}" + ("_reverse" if reverse else "")
            return {k: getattr(model, f"{name}{sfx}", None) for k, name in (
                ("w_ih", "weight_ih"), ("w_hh", "weight_hh"), ("b_ih", "bias_ih"),
                ("b_hh", "bias_hh"), ("w_hr", "weight_hr"))}

        return _Spec(
            kind=kind, input_size=model.input_size, hidden_size=model.hidden_size,
            layer_out=proj or model.hidden_size, num_layers=model.num_layers,
            num_directions=2 if model.bidirectional else 1, bias=bool(model.bias),
            proj=proj > 0, fused=True, nonlinearity=nonlin,
            activations=_TORCH_ACTIVATIONS.get(kind, {"nonlinearity": nonlin}),
            loop_acts={}, weights=weights, readout=None,
        )
    if isinstance(model, nn.Module):
        raise TypeError(
            f"trace needs an engine model or torch.nn.LSTM / GRU / RNN, got "
            f"{type(model).__name__} (cells such as nn.LSTMCell are not supported)")
    raise TypeError(f"trace needs a model (torch.nn.Module), got {type(model).__name__}")


def describe_model(model: nn.Module):
    """What the engine needs to know about an engine model or a torch.nn.LSTM / GRU / RNN:
    kind, sizes, layers, directions, whether a fused kernel runs it, and a
    `weights(layer, reverse)` accessor (a `_Spec`); TypeError for anything else."""
    return _spec(model)


def recorded_numbers(model: nn.Module, steps: int) -> int:
    """How many numbers `trace(model, x)` records for a sequence of `steps` steps: every
    layer's and direction's output, memory, gates and pre-activations at every step."""
    return _recorded(_spec(model), steps)


def _recorded(spec: _Spec, steps: int) -> int:
    per_step = spec.layer_out + _PER_UNIT[spec.kind] * spec.hidden_size
    return steps * spec.num_layers * spec.num_directions * per_step


def _check_budget(spec: _Spec, steps: int) -> None:
    """ValueError, before anything is computed, when the trace would pass `MAX_RECORDED`."""
    count = _recorded(spec, steps)
    if count > MAX_RECORDED:
        raise UserError(
            "trace.too_much",
            "stepping this model through {steps:,} steps would record {count:,} numbers "
            "({units} units × {layers} layer(s) × {directions} direction(s), every gate and "
            "memory at every step); the stepper records at most {limit:,}. Use fewer steps, "
            "units or layers.", steps=steps, count=count, units=spec.hidden_size,
            layers=spec.num_layers, directions=spec.num_directions, limit=MAX_RECORDED)


def check_sequence(x, input_size: int) -> Tensor:
    """x as a tensor [T, I] with I = input_size; ValueError with the expected shape otherwise."""
    return _check_input(x, input_size)


def recover_layer(spec: _Spec, weights: dict, x: Tensor, h: Tensor,
                  reverse: bool = False) -> LayerTrace:
    """Gates, pre-activations and memory of one fused layer-direction, exactly, from its input
    x [T, I_l] and hidden states h [T, H] (batched matmuls and a scan; `spec` from
    `describe_model`, `weights` from `spec.weights(layer, reverse)`)."""
    return _recover(spec, weights, x, h, reverse)


def _check_input(x, input_size: int) -> Tensor:
    """x as a tensor [T, I]; ValueError with the expected shape otherwise."""
    try:
        x = torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"the sequence must be numbers shaped [T, {input_size}]: {err}") from None
    if x.dim() != 2 or x.shape[1] != input_size:
        raise UserError(
            "trace.wrong_shape", "the sequence must have shape [T, {width}] (T steps of "
            "{width} features, this model's input size), got shape {shape}",
            width=input_size, shape=list(x.shape))
    if x.shape[0] == 0:
        raise UserError("trace.empty", "the sequence is empty: it needs at least one step")
    if not (x.is_floating_point() or x.dtype in (torch.bool, torch.int8, torch.int16,
                                                 torch.int32, torch.int64, torch.uint8)):
        raise ValueError(f"the sequence must hold real numbers, got dtype {x.dtype}")
    return x


def _cat(parts: list[Tensor]) -> Tensor:
    """Concatenate directions along the last axis (a single part is returned as is)."""
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1)


def _directions(spec: _Spec) -> tuple[bool, ...]:
    """The `reverse` flag of each direction."""
    return (False, True)[: spec.num_directions]


def _fused_layer(spec: _Spec, layer: int, inp: Tensor) -> tuple[list[LayerTrace], Tensor]:
    """One layer, all directions: fused kernel for h, batched matmuls and a scan for the rest."""
    hidden_size, out_size = spec.hidden_size, spec.layer_out
    ws = [spec.weights(layer, rev) for rev in _directions(spec)]
    flat = []
    for w in ws:
        flat += [w["w_ih"], w["w_hh"]]
        flat += [w["b_ih"], w["b_hh"]] if spec.bias else []
        flat += [w["w_hr"]] if spec.proj else []
    h0 = inp.new_zeros(spec.num_directions, 1, out_size)
    c0 = inp.new_zeros(spec.num_directions, 1, hidden_size)
    hx = (h0, c0) if spec.kind == "lstm" else h0
    res = call_fused(fused_kernel(spec.kind, spec.nonlinearity), inp.unsqueeze(1), hx, flat,
                     spec.bias, 1, spec.num_directions == 2)
    out = res[0].squeeze(1)  # [T, D*out_size]
    traces = []
    for d, (w, rev) in enumerate(zip(ws, _directions(spec), strict=True)):
        h = out if spec.num_directions == 1 else out[:, d * out_size:(d + 1) * out_size].clone()
        traces.append(_recover(spec, w, inp, h, rev))
    return traces, out


def _tanh(x: Tensor) -> Tensor:
    """tanh(x) as 2*sigmoid(2x) - 1: same values to ~1e-7, several times faster on CPU."""
    return torch.sigmoid(x * 2).mul_(2).sub_(1)


def _add_recurrent(pre: Tensor, h: Tensor, w_hh: Tensor, reverse: bool) -> Tensor:
    """pre_t += W_hh h_{t-1} in place (h_{t+1} when reverse) as one matmul; h_{-1} = 0."""
    if h.shape[0] > 1:
        if reverse:
            pre[:-1].addmm_(h[1:], w_hh.t())
        else:
            pre[1:].addmm_(h[:-1], w_hh.t())
    return pre


def _proj(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """x @ w^T (+ b), the bias fused into the matmul."""
    return x @ w.t() if b is None else torch.addmm(b, x, w.t())


def _recover(spec: _Spec, w: dict, x: Tensor, h: Tensor, reverse: bool) -> LayerTrace:
    """Gates, pre-activations and memory of one direction from its hidden states h [T, .]."""
    n = spec.hidden_size
    zeros_h = x.new_zeros(n)
    if spec.kind == "lstm":
        bias = w["b_ih"] + w["b_hh"] if spec.bias else None
        pre = _add_recurrent(_proj(x, w["w_ih"], bias), h, w["w_hh"], reverse)  # [T, 4H] ifgo
        i, f = torch.sigmoid(pre[:, :2 * n]).split(n, dim=1)
        g = _tanh(pre[:, 2 * n:3 * n])
        o = torch.sigmoid(pre[:, 3 * n:])
        cell = _memory(f, i * g, reverse)
        return LayerTrace(
            hidden=h, cell=cell, gates={"i": i, "f": f, "g": g, "o": o},
            preacts={k: pre[:, j * n:(j + 1) * n] for j, k in enumerate("ifgo")},
            hidden0=x.new_zeros(h.shape[1]), cell0=zeros_h, reverse=reverse)
    if spec.kind == "gru":
        gi = _proj(x, w["w_ih"], w["b_ih"])  # [T, 3H]: r z n
        gh = x.new_zeros(h.shape[0], 3 * n)
        if w["b_hh"] is not None:
            gh += w["b_hh"]
        gh = _add_recurrent(gh, h, w["w_hh"], reverse)  # [T, 3H]: W_h h_prev + b_h
        pre_rz = gi[:, :2 * n] + gh[:, :2 * n]
        r, z = torch.sigmoid(pre_rz).split(n, dim=1)
        pre_n = torch.addcmul(gi[:, 2 * n:], r, gh[:, 2 * n:])
        return LayerTrace(
            hidden=h, cell=None, gates={"r": r, "z": z, "n": _tanh(pre_n)},
            preacts={"r": pre_rz[:, :n], "z": pre_rz[:, n:], "n": pre_n},
            hidden0=zeros_h, cell0=None, reverse=reverse)
    bias = w["b_ih"] + w["b_hh"] if spec.bias else None
    pre = _add_recurrent(_proj(x, w["w_ih"], bias), h, w["w_hh"], reverse)
    return LayerTrace(hidden=h, cell=None, gates={}, preacts={"h": pre}, hidden0=zeros_h,
                      cell0=None, reverse=reverse)


def _loop_layer(spec: _Spec, layer: int, inp: Tensor) -> tuple[list[LayerTrace], Tensor]:
    """One layer, all directions, by the recording step loop of `engine.cells.loop_layer`."""
    traces, outs = [], []
    n, out_size = spec.hidden_size, spec.layer_out
    for rev in _directions(spec):
        state0 = (inp.new_zeros(1, out_size),)
        if spec.kind == "lstm":
            state0 += (inp.new_zeros(1, n),)
        rec = loop_layer(spec.kind, spec.weights(layer, rev), inp.unsqueeze(1), state0,
                         spec.loop_acts, reverse=rev, record=True)
        jordan = spec.kind == "jordan"
        traces.append(LayerTrace(
            hidden=rec["hidden"].squeeze(1),
            cell=rec["cell"].squeeze(1) if rec["cell"] is not None else None,
            gates={k: v.squeeze(1) for k, v in rec["gates"].items()},
            preacts={k: v.squeeze(1) for k, v in rec["preacts"].items()},
            hidden0=inp.new_zeros(n),
            cell0=inp.new_zeros(n) if spec.kind == "lstm" else None,
            reverse=rev,
            output=rec["out_y"].squeeze(1) if jordan else None,
            output0=inp.new_zeros(out_size) if jordan else None,
        ))
        outs.append(rec["output"].squeeze(1))
    return traces, _cat(outs)

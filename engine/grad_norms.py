"""||dL/dh_t|| (and ||dL/dc_t||) of a recurrent model for every step t: vanishing and exploding
gradients made visible (Pascanu, Mikolov & Bengio 2013, Sec. 2; the lecture's §4).

Norms are returned as numbers and as log10 norms. The fast path is one forward and one backward
pass in the model's own precision; where that overflows (inf, NaN) or underflows (a norm below
the smallest normal number, e.g. 0), a float64 step loop that rescales the backward vector at
every step and keeps its log10 scale recomputes them, so 10^500 and 10^-500 are both exact
numbers in `log10_hidden` / `log10_cell`. (ReLU RNNs, whose forward state itself can overflow,
are run rescaled too: relu(a*u) = a*relu(u) for a > 0.)

    hidden_grad_norms    one model, one sequence -> GradNorms
    norm_models          a tanh RNN, a ReLU RNN, a GRU and an LSTM with a chosen spectral radius
    compare_grad_norms   the four on one seeded input
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from engine.cells import (
    CellConfig,
    RecurrentNet,
    build_model,
    call_fused,
    fused_kernel,
    loop_layer,
)
from engine.messages import UserError
from engine.trace import affine_scan, check_sequence, describe_model, recover_layer

# Work budget of one gradient-norm computation, in multiply-adds of the recurrences:
# steps x layers x directions x gates x units x (units + inputs). The lab's largest comparison
# (LSTM, 256 units, 1,000 steps) is ~2.6e8; 1e9 keeps one computation to a few seconds on a
# laptop CPU even when the rescaled step loop has to run.
MAX_NORM_WORK = 1_000_000_000
GATES = {"lstm": 4, "gru": 3, "rnn": 1, "jordan": 1}


@dataclass
class GradNorms:
    """||dL/dh_t|| for every step t of one sequence (see `hidden_grad_norms`).

    dL/dh_t is the total derivative: every path from h_t to the loss, through later steps
    included. t indexes input positions 0..T-1; D = directions of the last layer, H = its units.
    `hidden` / `cell` are in the model's precision (0 or inf where the true norm is out of its
    range); `log10_hidden` / `log10_cell` hold the true log10 norms (-inf exactly where a norm
    is 0), from the rescaled float64 computation when the fast one left the range.
    """

    kind: str  # "lstm" | "gru" | "rnn" | "jordan"
    hidden: Tensor  # [T] ||dL/dh_t|| over the last layer's D*H hidden units
    cell: Tensor | None  # [T] ||dL/dc_t|| over the last layer's D*H memory cells (LSTM), else None
    hidden_grads: Tensor  # [T, D*H] dL/dh_t itself
    cell_grads: Tensor | None  # [T, D*H] dL/dc_t (LSTM), else None
    loss: float  # the value of L (inf when it is beyond float64)
    num_directions: int = 1  # D
    log10_hidden: np.ndarray | None = None  # [T] float64 log10 ||dL/dh_t|| (-inf: exactly 0)
    log10_cell: np.ndarray | None = None  # [T] float64 log10 ||dL/dc_t|| (LSTM), else None
    rescaled: bool = False  # True when the rescaled float64 step loop computed the norms
    notes: list[str] = field(default_factory=list)  # what could not be computed, in words

    def __post_init__(self) -> None:
        if self.log10_hidden is None:
            self.log10_hidden = _log10(self.hidden)
        if self.log10_cell is None and self.cell is not None:
            self.log10_cell = _log10(self.cell)

    @property
    def steps(self) -> int:
        """T, the number of steps."""
        return int(self.hidden.shape[0])

    def log10(self, which: str = "hidden") -> np.ndarray:
        """[T] log10 norms of "hidden" or "cell" (-inf: exactly 0; NaN: not computable)."""
        v = self.log10_hidden if which == "hidden" else self.log10_cell
        if v is None:
            raise ValueError(f"no {which!r} norms for a {self.kind} model")
        return v

    def slope(self, which: str = "hidden", since: int = 0) -> float:
        """Least-squares slope of log10 ||dL/dh_t|| (or "cell") per step *back* in time, over
        steps t >= since.

        Negative: the gradient vanishes going back; positive: it explodes. Steps whose norm is
        zero or not finite are left out; NaN when fewer than two remain.
        """
        v = self.log10(which)
        back = np.arange(v.shape[0])[::-1].astype(np.float64)  # T-1-t
        ok = np.isfinite(v) & (np.arange(v.shape[0]) >= since)
        if ok.sum() < 2:
            return float("nan")
        return float(np.polyfit(back[ok], v[ok], 1)[0])

    def cut(self, which: str = "hidden", decades: float = 10.0) -> int | None:
        """The latest step t (0-based) whose own computation cuts the gradient: going from
        dL/d(state_t) to dL/d(state_{t-1}) it falls to exactly 0 or by more than `decades`
        decades. None when there is no such step."""
        v = self.log10(which)
        for t in range(v.shape[0] - 1, 0, -1):
            later, earlier = v[t], v[t - 1]
            if np.isfinite(later) and (earlier == -np.inf or earlier < later - decades):
                return t
        return None


def _log10(norms: Tensor) -> np.ndarray:
    """log10 of norms as float64 (-inf for 0, NaN for NaN, +inf for inf)."""
    v = norms.detach().double().cpu().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(v)


def norm_work(model: nn.Module, steps: int) -> int:
    """Multiply-adds of the recurrences of `model` over `steps` steps (see MAX_NORM_WORK)."""
    spec = describe_model(model)
    gates = GATES.get(spec.kind, 4)
    work, inputs = 0, spec.input_size
    for _ in range(spec.num_layers):
        work += spec.num_directions * gates * spec.hidden_size * (spec.hidden_size + inputs)
        inputs = spec.num_directions * spec.layer_out
    return int(steps) * work


def check_norm_work(model: nn.Module, steps: int) -> None:
    """ValueError, in words, when `norm_work(model, steps)` is above MAX_NORM_WORK."""
    work = norm_work(model, steps)
    if work > MAX_NORM_WORK:
        raise UserError(
            "grad_norms.too_much_work",
            "this model on {steps:,} steps is {work:,} multiply-adds of work; gradient norms "
            "are computed up to {limit:,} (steps × layers × directions × gates × units × "
            "(units + inputs)). Use a shorter sequence or a smaller model.",
            steps=steps, work=work, limit=MAX_NORM_WORK)


def hidden_grad_norms(model: nn.Module, x, loss: Callable[[Tensor], Tensor] | None = None
                      ) -> GradNorms:
    """||dL/dh_t|| (and ||dL/dc_t|| for an LSTM) of the last layer for t = 0..T-1.

    model: an engine model (`engine.cells`) or a plain torch.nn.LSTM / GRU / RNN (any layers;
    bidirectional allowed; LSTM proj_size > 0 is refused). x: [T, I] tensor or array.
    loss: optional callable on the model's output sequence [T, O] (what `model(x)[0]` returns:
    the readout's outputs when the engine model has one, Jordan: the fed-back outputs y, else
    the last layer's hidden states [T, D*H]) returning a scalar; default L = sum of h_T, the
    last layer's hidden state after the last step (readout not applied).

    Multi-layer models: h_t is the last layer's hidden state (lower layers only feed it).
    Bidirectional models: h_t is the last layer's state at position t, both directions
    concatenated [D*H] as in torch's output; the backward direction's "later steps" are the
    earlier positions. Jordan networks: h_t is the hidden layer (dL/dh_t = W_ho^T dL/dy_t +
    the direct term); their recurrence runs through y.

    Cost: for fused-kernel models one forward and one backward of the fused kernel (the last
    layer's input widened by H zeros whose gradient is W_hh^T dL/d(pre-activations), see
    `_fused_top`), then a few batched ops; about 1.5x one forward+backward of torch.nn.LSTM
    at T = 1000, H = 128 (bench/gradients.py). Non-fused engine models (custom activations,
    Jordan) run a step loop. When a norm leaves the model's range (inf, NaN, or below its
    smallest normal number), the last layer is recomputed by `_rescaled_top` (float64, one
    small backward per step). Dropout is never applied. ValueError above MAX_NORM_WORK.
    """
    if not isinstance(model, (RecurrentNet, nn.LSTM, nn.GRU, nn.RNN)):
        raise TypeError(f"hidden_grad_norms needs an engine model or torch.nn.LSTM / GRU / RNN, "
                        f"got {type(model).__name__}")
    spec = describe_model(model)
    if spec.proj:
        raise ValueError("LSTMs with proj_size > 0 are not supported by hidden_grad_norms")
    param = next(model.parameters())
    x = check_sequence(x, spec.input_size)
    check_norm_work(model, x.shape[0])
    x = x.to(device=param.device, dtype=param.dtype)
    readout = spec.readout
    with torch.enable_grad():
        inp = _lower_layers(spec, x)
        if spec.fused:
            dh, dc, value = _fused_top(spec, inp, loss, readout)
        else:
            dh, dc, value = _loop_top(spec, inp, loss, readout)
    result = GradNorms(
        kind=spec.kind, hidden=dh.norm(dim=1), cell=None if dc is None else dc.norm(dim=1),
        hidden_grads=dh, cell_grads=dc, loss=value, num_directions=spec.num_directions)
    if not _out_of_range(result, param.dtype):
        return result
    if spec.kind == "jordan":
        result.notes.append("some norms are beyond the range of the model's numbers "
                            "(Jordan networks are not recomputed in a wider range)")
        return result
    if not torch.isfinite(inp).all():
        result.notes.append("the lower layers' outputs overflow, so the top layer's "
                            "gradients cannot be recomputed")
        return result
    with torch.enable_grad():
        return _rescaled_top(spec, inp, loss, readout, param.dtype)


def _out_of_range(gn: GradNorms, dtype: torch.dtype) -> bool:
    """True when a norm is inf, NaN, or below the smallest normal number of `dtype` (so that
    it may have overflowed or underflowed)."""
    tiny = torch.finfo(dtype).tiny
    for norms in (gn.hidden, gn.cell):
        if norms is not None and (~torch.isfinite(norms) | (norms < tiny)).any():
            return True
    return not math.isfinite(gn.loss)


def _check_count(value, name: str = "steps") -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _directions(spec) -> tuple[bool, ...]:
    return (False, True)[: spec.num_directions]


def _detached(w: dict) -> dict:
    return {k: (None if v is None else v.detach()) for k, v in w.items()}


def _lower_layers(spec, x: Tensor) -> Tensor:
    """The input of the last layer [T, I_l] (no graph): x itself or the lower layers' output."""
    layers = spec.num_layers - 1
    if layers == 0:
        return x
    with torch.no_grad():
        if spec.fused:
            flat = []
            for layer in range(layers):
                for rev in _directions(spec):
                    w = spec.weights(layer, rev)
                    flat += [w["w_ih"], w["w_hh"]] + ([w["b_ih"], w["b_hh"]] if spec.bias else [])
            n = layers * spec.num_directions
            h0 = x.new_zeros(n, 1, spec.hidden_size)
            hx = (h0, h0) if spec.kind == "lstm" else h0
            res = call_fused(fused_kernel(spec.kind, spec.nonlinearity), x.unsqueeze(1), hx, flat,
                             spec.bias, layers, spec.num_directions == 2)
            return res[0].squeeze(1)
        inp = x.unsqueeze(1)
        for layer in range(layers):
            outs = []
            for rev in _directions(spec):
                rec = loop_layer(spec.kind, spec.weights(layer, rev), inp,
                                 _zero_state(spec, inp), spec.loop_acts, reverse=rev)
                outs.append(rec["output"])
            inp = torch.cat(outs, dim=-1)
        return inp.squeeze(1)


def _zero_state(spec, ref: Tensor) -> tuple[Tensor, ...]:
    """Zero initial state tuple, each [1, .]."""
    state = (ref.new_zeros(1, spec.layer_out),)
    if spec.kind == "lstm":
        state += (ref.new_zeros(1, spec.hidden_size),)
    return state


def _apply_loss(loss, outputs: Tensor, h_last: Tensor) -> Tensor:
    """The scalar loss: loss(outputs), or the sum of h_T when loss is None."""
    value = h_last.sum() if loss is None else loss(outputs)
    if not isinstance(value, Tensor) or value.numel() != 1:
        raise ValueError("loss must return a scalar tensor")
    return value.reshape(())


def _fused_top(spec, inp: Tensor, loss, readout):
    """dL/dh_t (and dL/dc_t) of the last layer of a fused model, in one backward pass.

    Per direction, in its processing order, with a_t = dL/d(gate pre-activations of step t)
    and d_t = dL/d(out_t) the direct term (autograd gives it for the kernel's output):
        RNN, LSTM   dL/dh_{t-1} = d_{t-1} + W_hh^T a_t
        GRU         dL/dh_{t-1} = d_{t-1} + z_t * dL/dh_t + W_hh^T [a_r, a_z, r_t * a_n]_t
        LSTM        dL/dc_t = o_t * tanh'(c_t) * dL/dh_t + f_{t+1} * dL/dc_{t+1}
    The W_hh^T a_t terms come out of the same backward pass: the kernel reads [x_t, u_t] with
    u = 0 (a leaf) through the input weight [W_ih, W_hh] (GRU: [W_ih, [W_hr; W_hz; 0],
    [0; 0; 1]]), so dL/du_t = W_hh^T a_t (GRU: W_hr^T a_r + W_hz^T a_z, and a_n). The z_t and
    f_{t+1} recurrences are solved by a reverse affine scan over gates recovered from h.
    """
    kind, n = spec.kind, spec.hidden_size
    layer = spec.num_layers - 1
    fn = fused_kernel(kind, spec.nonlinearity)
    steps = inp.shape[0]
    runs = []
    for rev in _directions(spec):
        w = _detached(spec.weights(layer, rev))
        xs = inp.flip(0) if rev else inp
        w_hh = w["w_hh"]
        if kind == "gru":
            zero = w_hh.new_zeros(n, n)
            extra = torch.cat([torch.cat([w_hh[:2 * n], zero]),
                               torch.cat([zero, zero, torch.eye(n, dtype=w_hh.dtype,
                                                                device=w_hh.device)])], dim=1)
        else:
            extra = w_hh
        u = inp.new_zeros(steps, extra.shape[1], requires_grad=True)
        flat = [torch.cat([w["w_ih"], extra], dim=1), w_hh]
        flat += [w["b_ih"], w["b_hh"]] if spec.bias else []
        h0 = inp.new_zeros(1, 1, n)
        out = call_fused(fn, torch.cat([xs, u], dim=1).unsqueeze(1),
                         (h0, h0) if kind == "lstm" else h0, flat, spec.bias, 1,
                         False)[0].squeeze(1)
        runs.append((rev, w, xs, u, out))
    hs = [out.flip(0) if rev else out for rev, _, _, _, out in runs]
    hidden = hs[0] if len(hs) == 1 else torch.cat(hs, dim=1)
    outputs = readout(hidden) if readout is not None else hidden
    value = _apply_loss(loss, outputs, hidden[-1])
    wrt = [t for run in runs for t in (run[3], run[4])]
    grads = torch.autograd.grad(value, wrt, allow_unused=True, materialize_grads=True)
    dhs, dcs = [], []
    for k, (rev, w, xs, _, out) in enumerate(runs):
        du, b = grads[2 * k].detach(), grads[2 * k + 1].detach().clone()
        out = out.detach()
        if kind == "gru":
            tr = recover_layer(spec, w, xs, out)
            r, z = tr.gates["r"], tr.gates["z"]
            b[:-1] += du[1:, :n]
            b[:-1].addmm_(r[1:] * du[1:, n:], w["w_hh"][2 * n:])
            decay = torch.zeros_like(z)
            decay[:-1] = z[1:]
            dh = affine_scan(decay, b, reverse=True)
        else:
            dh = b
            dh[:-1] += du[1:]
        dc = None
        if kind == "lstm":
            tr = recover_layer(spec, w, xs, out)
            f, o, c = tr.gates["f"], tr.gates["o"], tr.cell
            keep = torch.zeros_like(f)
            keep[:-1] = f[1:]
            dc = affine_scan(keep, dh * o * (1 - torch.tanh(c) ** 2), reverse=True)
        dhs.append(dh.flip(0) if rev else dh)
        dcs.append(None if dc is None else (dc.flip(0) if rev else dc))
    dh = dhs[0] if len(dhs) == 1 else torch.cat(dhs, dim=1)
    dc = None if dcs[0] is None else (dcs[0] if len(dcs) == 1 else torch.cat(dcs, dim=1))
    return dh, dc, float(value.detach())


def _loop_top(spec, inp: Tensor, loss, readout):
    """dL/dh_t (and dL/dc_t) of the last layer by a step loop (non-fused engine models):
    every state tensor is a node of the graph and autograd returns its total derivative."""
    kind, steps = spec.kind, inp.shape[0]
    layer = spec.num_layers - 1
    jordan = kind == "jordan"
    runs = []
    for rev in _directions(spec):
        w = spec.weights(layer, rev)
        state = _zero_state(spec, inp)
        states, hiddens, outs = [None] * steps, [None] * steps, [None] * steps
        for t in (range(steps - 1, -1, -1) if rev else range(steps)):
            rec = loop_layer(kind, w, inp[t:t + 1].unsqueeze(1), state, spec.loop_acts,
                             record=jordan)
            state = rec["final"]
            states[t] = state
            outs[t] = rec["output"].reshape(-1)
            hiddens[t] = rec["hidden"].reshape(-1) if jordan else state[0].reshape(-1)
        runs.append((w, states, hiddens, outs))
    hidden = torch.cat([torch.stack(r[2]) for r in runs], dim=1)
    outputs = torch.cat([torch.stack(r[3]) for r in runs], dim=1)
    if readout is not None:
        outputs = readout(outputs)
    value = _apply_loss(loss, outputs, hidden[-1])
    # The hidden tensors themselves: Jordan's recorded hidden layer; else the state h_t.
    wrt = []
    for _, states, hiddens, _ in runs:
        wrt += [s for st in states for s in st]
        if jordan:
            wrt += hiddens
    grads = list(torch.autograd.grad(value, wrt, allow_unused=True, materialize_grads=True))
    dhs, dcs = [], []
    per = len(runs[0][1][0])
    for w, _states, _, _ in runs:
        g_states = [grads.pop(0) for _ in range(steps * per)]
        h_g = torch.stack([g_states[t * per].reshape(-1) for t in range(steps)])
        if per == 2:
            dcs.append(torch.stack([g_states[t * per + 1].reshape(-1) for t in range(steps)]))
        if jordan:  # h_t reaches L through y_t = W_ho h_t + b_ho and directly (its record)
            direct = torch.stack([grads.pop(0).reshape(-1) for _ in range(steps)])
            h_g = direct + h_g @ w["w_ho"].detach()
        dhs.append(h_g)
    dh = torch.cat(dhs, dim=1).detach()
    dc = torch.cat(dcs, dim=1).detach() if dcs else None
    return dh, dc, float(value.detach())


# --------------------------------------------------------------------------------------------
# The rescaled float64 path: exact log-norms far outside float32 / float64's range
# --------------------------------------------------------------------------------------------

_TORCH_ACTS = {"gate_activation": torch.sigmoid, "cell_input_activation": torch.tanh,
               "cell_output_activation": torch.tanh}


def _acts(spec) -> dict:
    """The loop activations of an engine model, or torch's for a torch module."""
    if spec.loop_acts:
        return spec.loop_acts
    return {**_TORCH_ACTS,
            "nonlinearity": torch.relu if spec.nonlinearity == "relu" else torch.tanh}


def _rescaled_top(spec, inp: Tensor, loss, readout, dtype: torch.dtype) -> GradNorms:
    """GradNorms of the last layer by a float64 step loop that keeps the backward vector at
    norm 1 and its log10 scale apart (and, for a ReLU RNN, the forward state too).

    Per direction, in processing order k = K-1 .. 0, with g_k = dL/d(state_k) = 10^s v_k:
        g_k = d_k + J_{k+1}^T g_{k+1}     (d_k: the direct term, J: one step's Jacobian)
    J^T v is one matrix-vector product per step (see `_rescaled_backward`), and v is
    renormalised after every step, so no intermediate value leaves float64's range.
    """
    kind = spec.kind
    layer = spec.num_layers - 1
    acts = _acts(spec)
    relu = kind == "rnn" and spec.nonlinearity == "relu"
    x64 = inp.detach().double()
    runs = []
    with torch.no_grad():
        for rev in _directions(spec):
            w = {k: None if v is None else v.detach().double()
                 for k, v in spec.weights(layer, rev).items()}
            xs = x64.flip(0) if rev else x64
            fwd = _relu_forward(w, xs) if relu else _plain_forward(spec, kind, w, xs, acts)
            runs.append((rev, w, xs, fwd))
    hs = [fwd["h"].flip(0) if rev else fwd["h"] for rev, _, _, fwd in runs]
    hidden = torch.cat(hs, dim=1)  # [T, D*H] (inf where a ReLU state is beyond float64)
    d, value = _direct_terms(hidden, loss, readout, dtype)
    n = spec.hidden_size
    logs_h, logs_c, dhs, dcs = [], [], [], []
    for k, (rev, w, _, fwd) in enumerate(runs):
        dk = d[:, k * n:(k + 1) * n]
        back = _rescaled_backward(kind, w, fwd, dk.flip(0) if rev else dk)
        for out, part in zip((logs_h, dhs, logs_c, dcs), back, strict=True):
            out.append(None if part is None else (np.flip(part, 0) if rev else part))
    log_h = _combine(logs_h)
    log_c = None if logs_c[0] is None else _combine(logs_c)
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(dtype)  # noqa: E731
    with np.errstate(over="ignore"):
        hidden_n = as_t(np.power(10.0, log_h))
        cell_n = None if log_c is None else as_t(np.power(10.0, log_c))
    return GradNorms(
        kind=kind, hidden=hidden_n, cell=cell_n, hidden_grads=as_t(np.concatenate(dhs, 1)),
        cell_grads=None if log_c is None else as_t(np.concatenate(dcs, 1)), loss=value,
        num_directions=spec.num_directions, log10_hidden=log_h, log10_cell=log_c,
        rescaled=True)


def _derivative(act: Callable[[Tensor], Tensor], pre: Tensor) -> Tensor:
    """act'(pre), elementwise, for all steps at once."""
    with torch.enable_grad():
        p = pre.detach().clone().requires_grad_(True)
        return torch.autograd.grad(act(p).sum(), p, allow_unused=True,
                                   materialize_grads=True)[0].detach()


def _plain_forward(spec, kind: str, w: dict, xs: Tensor, acts: dict) -> dict:
    """One direction's states in float64 (bounded for tanh/sigmoid cells) and what the
    backward recurrence needs, all [K, H]: h; "prev" h_{k-1}; the activations' derivatives
    at each step's pre-activations; the LSTM's c, c_{k-1}, gates i f g o and cout(c), cout'(c);
    the GRU's r, z, n and W_hn h_{k-1} + b_hn."""
    rec = loop_layer(kind, w, xs.unsqueeze(1), _zero_state(spec, xs), acts, record=True)
    pre = {k: v[:, 0] for k, v in rec["preacts"].items()}
    gates = {k: v[:, 0] for k, v in rec["gates"].items()}
    h = rec["hidden"][:, 0]
    out = {"h": h, "prev": torch.cat([torch.zeros_like(h[:1]), h[:-1]])}
    sig, cin = acts["gate_activation"], acts["cell_input_activation"]
    if kind == "rnn":
        out["d"] = _derivative(acts["nonlinearity"], pre["h"])
    elif kind == "lstm":
        c = rec["cell"][:, 0]
        out.update(gates, c=c, c_prev=torch.cat([torch.zeros_like(c[:1]), c[:-1]]),
                   cout=acts["cell_output_activation"](c),
                   d_cout=_derivative(acts["cell_output_activation"], c),
                   d_i=_derivative(sig, pre["i"]), d_f=_derivative(sig, pre["f"]),
                   d_g=_derivative(cin, pre["g"]), d_o=_derivative(sig, pre["o"]))
    else:  # gru
        n = spec.hidden_size
        hn = out["prev"] @ w["w_hh"][2 * n:].t()
        if w["b_hh"] is not None:
            hn = hn + w["b_hh"][2 * n:]
        out.update(gates, hn=hn, d_r=_derivative(sig, pre["r"]), d_z=_derivative(sig, pre["z"]),
                   d_n=_derivative(cin, pre["n"]))
    return out


def _relu_forward(w: dict, xs: Tensor) -> dict:
    """A ReLU RNN's states kept as h_k = e^(a_k) u_k with max|u_k| = 1:
    relu(W_hh e^a u + g) = e^a relu(W_hh u + e^-a g), so the units' on/off pattern (all that
    the backward pass needs) is exact even where h itself is beyond float64."""
    gi = xs @ w["w_ih"].t()
    for b in (w["b_ih"], w["b_hh"]):
        if b is not None:
            gi = gi + b
    u = xs.new_zeros(w["w_hh"].shape[0])
    a = 0.0
    masks, hs = [], []
    for k in range(xs.shape[0]):
        pre = w["w_hh"] @ u + math.exp(-a) * gi[k]
        masks.append(pre > 0)
        u = torch.relu(pre)
        top = float(u.max()) if u.numel() else 0.0
        if top > 0:
            u, a = u / top, a + math.log(top)
        else:
            a = 0.0
        hs.append(u * (math.exp(a) if a < 709 else math.inf))
    h = torch.nan_to_num(torch.stack(hs), nan=0.0)  # 0 * inf where a unit is off
    return {"h": h, "d": torch.stack(masks).to(xs.dtype)}


def _direct_terms(hidden: Tensor, loss, readout, dtype) -> tuple[Tensor, float]:
    """(dL/d(out_t) directly, [T, D*H] float64; the loss value) for the hidden states."""
    if loss is None:
        d = torch.zeros_like(hidden)
        d[-1] = 1.0
        return d, float(hidden[-1].sum())
    if not torch.isfinite(hidden).all():
        raise UserError("grad_norms.overflow", "the hidden states grow beyond 10^308, so "
                        "this loss cannot be evaluated (the default loss, the sum of h_T, can)")
    hid = hidden.to(dtype).requires_grad_(True)
    value = _apply_loss(loss, readout(hid) if readout is not None else hid, hid[-1])
    d = torch.autograd.grad(value, hid, allow_unused=True, materialize_grads=True)[0]
    return d.detach().double(), float(value.detach())


def _rescaled_backward(kind, w, fwd, d):
    """(log10 ||g_h|| [K], g_h [K, H], log10 ||g_c|| [K] or None, g_c or None) of one
    direction in its processing order (values beyond float64 are inf). One step back:
        RNN   g_{k-1} = W_hh^T (phi'_k * g_k)
        LSTM  g^c_k = g^c'_k + g_k o_k cout'(c_k)  (g^c'_k: through step k+1 only);
              g_{k-1} = W_hh^T [di, df, dg, do]_k,  g^c'_{k-1} = f_k g^c_k
        GRU   g_{k-1} = z_k g_k + W_hh^T [dr, dz, r_k dn]_k
    plus the direct term d_{k-1}."""
    steps, n = d.shape
    lstm = kind == "lstm"
    w_hh = w["w_hh"]
    log_h, log_c = np.full(steps, -np.inf), np.full(steps, -np.inf) if lstm else None
    g_h = np.zeros((steps, n))
    g_c = np.zeros((steps, n)) if lstm else None
    vh, vc, s = _add_direct(d.new_zeros(n), d.new_zeros(n) if lstm else None, 0.0, d[-1])
    for k in range(steps - 1, -1, -1):
        log_h[k], g_h[k] = _scaled(vh, s)
        if lstm:
            vc = vc + vh * fwd["o"][k] * fwd["d_cout"][k]
            log_c[k], g_c[k] = _scaled(vc, s)
        if k == 0:
            break
        if kind == "rnn":
            vh = w_hh.t() @ (fwd["d"][k] * vh)
        elif lstm:
            da = torch.cat([vc * fwd["g"][k] * fwd["d_i"][k],
                            vc * fwd["c_prev"][k] * fwd["d_f"][k],
                            vc * fwd["i"][k] * fwd["d_g"][k],
                            vh * fwd["cout"][k] * fwd["d_o"][k]])
            vh, vc = w_hh.t() @ da, vc * fwd["f"][k]
        else:
            z, r = fwd["z"][k], fwd["r"][k]
            dpn = vh * (1 - z) * fwd["d_n"][k]
            da = torch.cat([dpn * fwd["hn"][k] * fwd["d_r"][k],
                            vh * (fwd["prev"][k] - fwd["n"][k]) * fwd["d_z"][k], dpn * r])
            vh = z * vh + w_hh.t() @ da
        vh, vc, s = _normalise(vh, vc, s)
        vh, vc, s = _add_direct(vh, vc, s, d[k - 1])
    return log_h, g_h, log_c, g_c


def _joint_norm(vh: Tensor, vc: Tensor | None) -> float:
    return float(torch.sqrt(vh.square().sum() + (0 if vc is None else vc.square().sum())))


def _normalise(vh, vc, s):
    """(vh, vc, s) rescaled so that ||(vh, vc)|| = 1 (all zero: s = 0)."""
    size = _joint_norm(vh, vc)
    if size == 0:
        return vh, vc, 0.0
    return vh / size, None if vc is None else vc / size, s + math.log10(size)


def _add_direct(vh, vc, s, dk):
    """10^s (vh, vc) + (dk, 0), as a unit vector and its log10 scale."""
    dn = float(dk.norm())
    if dn == 0:
        return vh, vc, s
    size = _joint_norm(vh, vc)
    if size == 0:
        return dk / dn, None if vc is None else torch.zeros_like(vc), math.log10(dn)
    mag_v, mag_d = s + math.log10(size), math.log10(dn)
    top = max(mag_v, mag_d)
    kv, kd = 10.0 ** (mag_v - top) / size, 10.0 ** (mag_d - top) / dn
    return _normalise(vh * kv + dk * kd, None if vc is None else vc * kv, top)


def _scaled(v: Tensor, s: float) -> tuple[float, np.ndarray]:
    """(log10 ||10^s v||, 10^s v as float64 values: inf beyond float64, 0 exactly at 0)."""
    a = v.detach().cpu().numpy()
    size = float(np.linalg.norm(a))
    if size == 0:
        return -np.inf, np.zeros_like(a)
    with np.errstate(divide="ignore", over="ignore"):
        values = np.sign(a) * np.power(10.0, s + np.log10(np.abs(a)))
    return s + math.log10(size), values


def _combine(logs: list[np.ndarray]) -> np.ndarray:
    """log10 of the joint norm of several parts from their log10 norms (-inf: zero)."""
    if len(logs) == 1:
        return np.asarray(logs[0], dtype=np.float64)
    stack = np.stack(logs)
    top = np.max(stack, axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        joint = 0.5 * np.log10(np.sum(np.power(10.0, 2 * (stack - safe)), axis=0)) + safe
    return np.where(np.isfinite(top), joint, top)


# Labels of the four models `norm_models` builds, in display order.
NORM_MODELS = ("tanh_rnn", "relu_rnn", "gru", "lstm")


def norm_models(hidden_size: int = 64, radius: float = 1.0, forget_bias: float = 1.0,
                seed: int = 0, input_size: int = 1) -> dict[str, RecurrentNet]:
    """A tanh RNN, a ReLU RNN, a GRU and an LSTM (keys NORM_MODELS) for comparing gradients.

    Each starts from torch's default init (seeded), then every H x H block of W_hh (each gate's
    block for the GRU/LSTM) is rescaled to spectral radius `radius`; the LSTM's forget-gate
    bias (b_ih + b_hh, rows H..2H) is set to `forget_bias` on every unit.
    """
    if not radius >= 0:
        raise ValueError(f"radius must be >= 0, got {radius!r}")
    _check_count(hidden_size, "hidden_size")
    configs = {
        "tanh_rnn": CellConfig("rnn", input_size, hidden_size, nonlinearity="tanh"),
        "relu_rnn": CellConfig("rnn", input_size, hidden_size, nonlinearity="relu"),
        "gru": CellConfig("gru", input_size, hidden_size),
        "lstm": CellConfig("lstm", input_size, hidden_size),
    }
    models = {}
    for name, cfg in configs.items():
        model = build_model(cfg, seed=seed)
        with torch.no_grad():
            w_hh = model.weight_hh_l0
            for block in w_hh.split(hidden_size, dim=0):
                rho = torch.linalg.eigvals(block.double()).abs().max().item()
                block.mul_(radius / rho if rho > 0 else 0.0)
            if cfg.kind == "lstm":
                model.bias_ih_l0[hidden_size:2 * hidden_size] = forget_bias
                model.bias_hh_l0[hidden_size:2 * hidden_size] = 0.0
        models[name] = model
    return models


def compare_grad_norms(steps: int = 200, hidden_size: int = 64, radius: float = 1.0,
                       forget_bias: float = 1.0, seed: int = 0, input_size: int = 1,
                       loss: Callable[[Tensor], Tensor] | None = None) -> dict[str, GradNorms]:
    """`hidden_grad_norms` of the four `norm_models` on one seeded N(0, 1) input [steps, I]."""
    _check_count(steps)
    _check_count(hidden_size, "hidden_size")
    work = steps * GATES["lstm"] * hidden_size * (hidden_size + input_size)  # the LSTM's
    if work > MAX_NORM_WORK:
        raise UserError(
            "grad_norms.compare_too_much_work",
            "{steps:,} steps of {units:,} units is {work:,} multiply-adds for the LSTM; "
            "gradient norms are computed up to {limit:,}. Use fewer steps or units.",
            steps=steps, units=hidden_size, work=work, limit=MAX_NORM_WORK)
    x = torch.randn(steps, input_size, generator=torch.Generator().manual_seed(seed + 1))
    return {name: hidden_grad_norms(m, x, loss)
            for name, m in norm_models(hidden_size, radius, forget_bias, seed,
                                       input_size).items()}

"""Why recurrent networks are hard to train: vanishing and exploding gradients, the cliff, clipping.

Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural networks"
(ICML 2013): the one-unit network x_t = w * sigmoid(x_{t-1}) + b whose error surface has a wall
(Sec. 3, Fig. 6), and gradient-norm clipping (Algorithm 1). The lecture's toy (a one-neuron
linear RNN, y = w^999) is Hung-yi Lee's.

Four parts, each a function returning plain numbers or a small dataclass:

    power_toy            the lecture's y = w^(T-1) and dy/dw
    error_surface        Pascanu's one-unit loss on a (w, b) grid; `cliff_loss_and_grad`,
    descend              the gradient, and gradient descent with and without clipping
    hidden_grad_norms    ||dL/dh_t|| (and ||dL/dc_t||) of a recurrent model for every t
                         (in engine.grad_norms, re-exported here)
    train_long_range     a tanh RNN or an LSTM on the adding problem, clipped or not
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from engine.cells import CellConfig, build_model
from engine.grad_norms import (  # noqa: F401  (re-exported: engine.gradients.GradNorms, ...)
    MAX_NORM_WORK,
    NORM_MODELS,
    GradNorms,
    check_norm_work,
    compare_grad_norms,
    hidden_grad_norms,
    norm_models,
    norm_work,
)

# --------------------------------------------------------------------------------------------
# A. The lecture's toy: y^T = w^(T-1)
# --------------------------------------------------------------------------------------------


def power_toy(w, steps: int = 1000):
    """The lecture's one-neuron linear RNN: input 1 at the first step, then zeros.

    h_1 = 1, h_t = w * h_{t-1} (input and output weights 1), so after `steps` steps
    y = w^(steps - 1) and dy/dw = (steps - 1) * w^(steps - 2).
    w: a float, or an array / tensor of weights (any shape, e.g. [N] for a plot across w).
    Returns (y, dy_dw) of the same shape and kind as w: floats for a float, float64 numpy
    arrays for arrays and lists, float64 tensors for tensors. Values too large for float64
    become inf (no warning).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    is_tensor = isinstance(w, Tensor)
    arr = np.asarray(w.detach().cpu().numpy() if is_tensor else w, dtype=np.float64)
    n = int(steps) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        y = arr ** n
        dy = n * arr ** (n - 1) if n > 0 else np.zeros_like(arr)
    if is_tensor:
        return torch.from_numpy(np.asarray(y)), torch.from_numpy(np.asarray(dy))
    if arr.ndim == 0 and not isinstance(w, np.ndarray):
        return float(y), float(dy)
    return np.asarray(y), np.asarray(dy)


def power_toy_log10(w, steps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """log10 |y| and log10 |dy/dw| of `power_toy`, exact where y itself under- or overflows
    (0.01^999 = 10^-1998). w: a float or an array; returns float64 arrays of w's shape
    (-inf where the value is exactly 0: w = 0, or dy/dw for steps = 1)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if steps > MAX_POWER_STEPS:
        raise ValueError(f"steps must be at most {MAX_POWER_STEPS:,}, got {steps:,}")
    arr = np.abs(np.asarray(w, dtype=np.float64))
    n = int(steps) - 1
    with np.errstate(divide="ignore"):
        lw = np.log10(arr)  # -inf at w = 0
    log_y = np.zeros_like(lw) if n == 0 else n * lw
    if n == 0:
        log_dy = np.full_like(lw, -np.inf)
    elif n == 1:
        log_dy = np.zeros_like(lw)
    else:
        log_dy = np.log10(n) + (n - 1) * lw
    return np.asarray(log_y, dtype=np.float64), np.asarray(log_dy, dtype=np.float64)


# Longest toy sequence: the page's slider stops at 1,000 (the lecture's); this bound only keeps
# a caller from asking for nonsense (the work does not grow with steps).
MAX_POWER_STEPS = 1_000_000


# --------------------------------------------------------------------------------------------
# B. Pascanu's cliff: x_t = w * sigmoid(x_{t-1}) + b, loss (sigmoid(x_T) - target)^2
# --------------------------------------------------------------------------------------------

# The default window of the error surface. The wall is where x0 = 0.5 is the *unstable* fixed
# point of x -> w*sigmoid(x) + b: b = x0 - w*sigmoid(x0) (see `wall_b`), which exists for
# w > 1/sigmoid'(x0) ~ 4.25. On one side x_t runs to the upper attractor, on the other to the
# lower one, so the loss steps from ~0.04-0.07 to ~0.4-0.49; on the wall the gradient grows like
# (w*sigmoid'(x0))^50: ||grad|| ~ 8e2 at w = 5, 3e6 at w = 6, 2.5e12 at w = 8, while a step of
# 0.05 in b away from it the gradient is below 1. Left of w ~ 4.25 the surface is smooth, which
# the window shows too. (The window was picked here by scanning the surface and the closed
# form of the wall, not read off Pascanu et al.'s figure.)
CLIFF_W_RANGE = (3.0, 8.0)
CLIFF_B_RANGE = (-5.0, 0.0)
# A descent that the wall throws far away unless its gradient is clipped (lr 0.5, 100 steps:
# unclipped it lands near (201, 314); clipped at 1 it settles at loss ~0.004).
CLIFF_DESCENT = {"w0": 5.5, "b0": -2.0, "lr": 0.5, "steps": 100, "clip": 1.0}
# Bounds on the cliff's work: the page asks for at most 300 descent steps and a 160 x 160 grid;
# these keep a caller to about a second of numpy on a laptop.
MAX_DESCENT_STEPS = 10_000  # gradient-descent steps (each one 50-step pass of the network)
MAX_SURFACE_WORK = 100_000_000  # grid points x network steps of one error surface


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid without overflow warnings."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def default_window(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(ws [n], bs [n]): the default error-surface grid axes (CLIFF_W_RANGE, CLIFF_B_RANGE)."""
    return np.linspace(*CLIFF_W_RANGE, n), np.linspace(*CLIFF_B_RANGE, n)


def wall_b(ws, x0: float = 0.5) -> np.ndarray:
    """b of the wall for each w (same shape as ws): x0 - w*sigmoid(x0), where x0 is the
    unstable fixed point; NaN where w*sigmoid'(x0) <= 1 (no wall: x0 would be stable)."""
    ws = np.asarray(ws, dtype=np.float64)
    s = _sigmoid(np.float64(x0))
    return np.where(ws * s * (1 - s) > 1.0, x0 - ws * s, np.nan)


def cliff_loss_and_grad(w, b, steps: int = 50, x0: float = 0.5, target: float = 0.7):
    """Loss (sigmoid(x_steps) - target)^2 and its exact gradient for x_t = w*sigmoid(x_{t-1}) + b.

    w, b: floats or arrays (broadcast together to a shape S). Returns (loss, dL/dw, dL/db),
    float64 arrays of shape S, by forward-mode differentiation along the recurrence (one pass
    over t for the whole batch of points).
    """
    _check_steps(steps)
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    x = np.full(w.shape, float(x0))
    dw = np.zeros(w.shape)
    db = np.zeros(w.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            s = _sigmoid(x)
            slope = w * s * (1 - s)
            dw = s + slope * dw
            db = 1.0 + slope * db
            x = w * s + b
        s = _sigmoid(x)
        err = s - target
        outer = 2 * err * s * (1 - s)
        return err**2, outer * dw, outer * db


def error_surface(ws, bs, steps: int = 50, x0: float = 0.5, target: float = 0.7) -> np.ndarray:
    """Pascanu et al.'s loss (sigmoid(x_steps) - target)^2 on a grid.

    ws [NW], bs [NB] -> loss [NW, NB] (float64), loss[i, j] at w = ws[i], b = bs[j], for
    x_t = w*sigmoid(x_{t-1}) + b from x_0 = x0. The whole grid runs at once (one numpy pass
    per step). See CLIFF_W_RANGE / CLIFF_B_RANGE / `default_window` for a window with the wall.
    """
    _check_steps(steps)
    ws = np.asarray(ws, dtype=np.float64).reshape(-1, 1)
    bs = np.asarray(bs, dtype=np.float64).reshape(1, -1)
    work = ws.shape[0] * bs.shape[1] * int(steps)
    if work > MAX_SURFACE_WORK:
        raise ValueError(f"an error surface of {ws.shape[0]:,} x {bs.shape[1]:,} points and "
                         f"{steps:,} steps is {work:,} evaluations; at most "
                         f"{MAX_SURFACE_WORK:,}")
    x = np.full((ws.shape[0], bs.shape[1]), float(x0))
    for _ in range(steps):
        x = ws * _sigmoid(x) + bs
    return (_sigmoid(x) - target) ** 2


def _check_steps(steps) -> None:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")


@dataclass
class Trajectory:
    """Gradient descent on Pascanu's one-unit loss (see `descend`); n = descent steps."""

    points: np.ndarray  # [n+1, 2] (w, b) before each step, then the end point
    losses: np.ndarray  # [n+1] loss at each point
    grad_norms: np.ndarray  # [n] ||(dL/dw, dL/db)|| at points[k], before clipping
    clipped: np.ndarray  # [n] bool, True where the gradient was rescaled to the threshold
    unclipped: np.ndarray  # [n, 2] where step k would have landed without clipping
    lr: float  # learning rate
    clip: float | None  # clipping threshold (None: no clipping)
    settings: dict = field(default_factory=dict)  # rnn_steps, x0, target

    @property
    def step_norms(self) -> np.ndarray:
        """[n] length of each step actually taken, ||points[k+1] - points[k]||."""
        return np.linalg.norm(np.diff(self.points, axis=0), axis=1)


def descend(w0: float, b0: float, lr: float, steps: int, clip: float | None = None, *,
            rnn_steps: int = 50, x0: float = 0.5, target: float = 0.7) -> Trajectory:
    """`steps` steps of gradient descent on Pascanu's loss from (w0, b0).

    Each step takes g = (dL/dw, dL/db) at the current point; with `clip`, a gradient with
    ||g|| > clip is rescaled to norm clip (Pascanu et al., Algorithm 1) before
    (w, b) <- (w, b) - lr * g. rnn_steps, x0, target: the network (see `error_surface`).
    A step that makes the point non-finite ends the descent there (fewer than `steps` steps).
    """
    _check_steps(steps)
    if steps > MAX_DESCENT_STEPS:
        raise ValueError(f"at most {MAX_DESCENT_STEPS:,} descent steps, got {steps:,}")
    _check_steps(rnn_steps)
    if rnn_steps > MAX_DESCENT_STEPS:
        raise ValueError(f"at most {MAX_DESCENT_STEPS:,} network steps, got {rnn_steps:,}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be positive or None, got {clip!r}")
    p = np.array([w0, b0], dtype=np.float64)
    points, losses, norms, flags, unclipped = [p.copy()], [], [], [], []
    for _ in range(int(steps)):
        loss, gw, gb = cliff_loss_and_grad(p[0], p[1], rnn_steps, x0, target)
        losses.append(float(loss))
        g = np.array([gw, gb], dtype=np.float64)
        norm = float(np.hypot(g[0], g[1]))
        if not np.isfinite(norm):
            break
        unclipped.append(p - lr * g)
        was_clipped = clip is not None and norm > clip
        if was_clipped:
            g = g * (clip / norm)
        p = p - lr * g
        norms.append(norm)
        flags.append(was_clipped)
        points.append(p.copy())
        if not np.all(np.isfinite(p)):
            break
    if len(losses) < len(points):
        losses.append(float(cliff_loss_and_grad(p[0], p[1], rnn_steps, x0, target)[0]))
    return Trajectory(
        points=np.array(points), losses=np.array(losses), grad_norms=np.array(norms),
        clipped=np.array(flags, dtype=bool), unclipped=np.array(unclipped).reshape(-1, 2),
        lr=float(lr), clip=None if clip is None else float(clip),
        settings={"rnn_steps": int(rnn_steps), "x0": float(x0), "target": float(target)})


# --------------------------------------------------------------------------------------------
# D. Training on a long-range task, with and without clipping
# --------------------------------------------------------------------------------------------

TRAIN_KINDS = ("rnn", "lstm")  # tanh RNN, LSTM
OPTIMIZERS = ("adam", "sgd")
MAX_ITERATIONS = 5000
MAX_TIME_LIMIT = 60.0  # seconds


def adding_problem(batch: int, seq_len: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """The adding problem (Hochreiter & Schmidhuber 1997): x [T, B, 2], y [B, 1].

    Channel 0 holds U(0, 1) numbers, channel 1 marks two positions (one in each half) with 1;
    the target is the sum of the two marked numbers. Predicting 1 always gives MSE 1/6.
    """
    values = torch.rand(seq_len, batch, generator=generator)
    half = max(seq_len // 2, 1)
    first = torch.randint(0, half, (batch,), generator=generator)
    second = torch.randint(half, seq_len, (batch,), generator=generator) if seq_len > 1 else first
    marks = torch.zeros(seq_len, batch)
    cols = torch.arange(batch)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    y = (values * marks).sum(dim=0, keepdim=True).t()
    return torch.stack([values, marks], dim=2), y


@dataclass
class TrainingRun:
    """One training run of `train_long_range`; n = iterations actually run."""

    losses: np.ndarray  # [n] training MSE of each iteration's batch (before its update)
    grad_norms: np.ndarray  # [n] total gradient norm over all parameters, before clipping
    clipped: np.ndarray  # [n] bool, True where clipping rescaled the gradient
    applied_norms: np.ndarray  # [n] norm of the gradient handed to the optimizer (clipped)
    settings: dict  # kind seq_len clip iterations seed hidden_size batch_size lr optimizer task
    stopped_early: bool  # True when it ended before `iterations` (see stop_reason)
    stop_reason: str = "done"  # "done" | "stopped" | "time_limit" | "non_finite"
    elapsed_s: float = 0.0  # wall-clock seconds
    baseline_loss: float = 1.0 / 6.0  # MSE of always answering 1 (the mean target)

    def to_dict(self, digits: int = 5) -> dict:
        """A JSON-ready dict (floats rounded to `digits` significant digits; inf/NaN as None)."""
        def r(v):
            v = float(v)
            return float(f"{v:.{digits}g}") if math.isfinite(v) else None
        return {
            "losses": [r(v) for v in self.losses], "grad_norms": [r(v) for v in self.grad_norms],
            "clipped": [bool(v) for v in self.clipped],
            "applied_norms": [r(v) for v in self.applied_norms], "settings": dict(self.settings),
            "stopped_early": self.stopped_early, "stop_reason": self.stop_reason,
            "elapsed_s": round(self.elapsed_s, 2), "baseline_loss": r(self.baseline_loss)}

    @classmethod
    def from_dict(cls, d: dict) -> TrainingRun:
        """Inverse of `to_dict` (None becomes NaN)."""
        def arr(key):
            return np.array([np.nan if v is None else v for v in d[key]], dtype=np.float64)
        return cls(losses=arr("losses"), grad_norms=arr("grad_norms"),
                   clipped=np.array(d["clipped"], dtype=bool), applied_norms=arr("applied_norms"),
                   settings=dict(d["settings"]), stopped_early=bool(d["stopped_early"]),
                   stop_reason=d.get("stop_reason", "done"), elapsed_s=d.get("elapsed_s", 0.0),
                   baseline_loss=d.get("baseline_loss", 1.0 / 6.0))


@dataclass
class _TrainSettings:
    kind: str
    seq_len: int
    clip: float | None
    iterations: int
    seed: int
    hidden_size: int
    batch_size: int
    lr: float
    optimizer: str
    task: str = "adding"


def train_long_range(kind: str = "rnn", seq_len: int = 30, clip: float | None = None,
                     iterations: int = 1000, seed: int = 0,
                     on_progress: Callable[[float], None] | None = None,
                     should_stop: Callable[[], bool] | None = None,
                     time_limit: float = MAX_TIME_LIMIT, *, hidden_size: int = 32,
                     batch_size: int = 32, lr: float = 0.01,
                     optimizer: str = "adam") -> TrainingRun:
    """Train a tanh RNN ("rnn") or an LSTM ("lstm") on the adding problem of length seq_len.

    A one-layer model of hidden_size units with a linear readout of h_T, trained by Adam (or
    plain SGD, optimizer="sgd") with learning rate lr on the MSE of fresh batches of
    `batch_size` sequences; with `clip`, a total gradient norm above clip is rescaled to clip
    before it reaches the optimizer (Pascanu et al., Algorithm 1). With the defaults
    (seq_len 30) the LSTM learns the task within 1000 iterations and the tanh RNN stays
    near the baseline MSE 1/6; at seq_len ~15 both learn.
    Seeded: the same arguments give the same run (same machine and threads).
    on_progress(fraction in (0, 1]) is called about 100 times at most and at the end;
    should_stop() is checked before every iteration and ends the run when it returns True.
    Stops after `iterations` (<= MAX_ITERATIONS), after time_limit seconds (<= 60), or when
    the loss or gradient stops being finite.
    """
    if kind not in TRAIN_KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(TRAIN_KINDS)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
    for name, v, hi in (("seq_len", seq_len, 10_000), ("iterations", iterations, MAX_ITERATIONS),
                        ("hidden_size", hidden_size, 1024), ("batch_size", batch_size, 1024)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= hi:
            raise ValueError(f"{name} must be an integer in 1..{hi}, got {v!r}")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be positive or None, got {clip!r}")
    if not 0 < time_limit <= MAX_TIME_LIMIT:
        raise ValueError(f"time_limit must be in (0, {MAX_TIME_LIMIT:g}] seconds, "
                         f"got {time_limit!r}")
    settings = _TrainSettings(kind, int(seq_len), None if clip is None else float(clip),
                              int(iterations), int(seed), int(hidden_size), int(batch_size),
                              float(lr), optimizer)
    cfg = CellConfig(kind, 2, hidden_size, nonlinearity="tanh", output_size=1)
    model = build_model(cfg, seed=seed)
    params = list(model.parameters())
    opt = (torch.optim.Adam(params, lr=lr) if optimizer == "adam"
           else torch.optim.SGD(params, lr=lr))
    gen = torch.Generator().manual_seed(int(seed) + 1)
    losses, norms, flags, applied = [], [], [], []
    every = max(1, iterations // 100)
    start = time.perf_counter()
    reason = "done"
    for it in range(iterations):
        if should_stop is not None and should_stop():
            reason = "stopped"
            break
        if time.perf_counter() - start > time_limit:
            reason = "time_limit"
            break
        x, y = adding_problem(batch_size, seq_len, gen)
        out, _ = model(x)
        loss = nn.functional.mse_loss(out[-1], y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            norm = torch.linalg.vector_norm(torch.stack(
                [torch.linalg.vector_norm(p.grad) for p in params])).item()
            if not (math.isfinite(norm) and math.isfinite(loss.item())):
                losses.append(loss.item())
                norms.append(norm)
                flags.append(False)
                applied.append(float("nan"))
                reason = "non_finite"
                break
            was_clipped = clip is not None and norm > clip
            if was_clipped:
                scale = clip / (norm + 1e-12)
                for p in params:
                    p.grad.mul_(scale)
            applied.append(torch.linalg.vector_norm(torch.stack(
                [torch.linalg.vector_norm(p.grad) for p in params])).item())
        opt.step()
        losses.append(loss.item())
        norms.append(norm)
        flags.append(was_clipped)
        if on_progress is not None and ((it + 1) % every == 0 or it + 1 == iterations):
            on_progress((it + 1) / iterations)
    return TrainingRun(
        losses=np.array(losses), grad_norms=np.array(norms), clipped=np.array(flags, dtype=bool),
        applied_norms=np.array(applied), settings=asdict(settings),
        stopped_early=reason != "done", stop_reason=reason,
        elapsed_s=time.perf_counter() - start)


# The precomputed runs the page ships (pretrained/gradient_runs.json): (kind, clip) pairs,
# each trained with train_long_range's defaults otherwise.
DEFAULT_RUNS: tuple[tuple[str, float | None], ...] = (
    ("rnn", None), ("rnn", 1.0), ("lstm", None), ("lstm", 1.0))


def run_key(kind: str, clip: float | None) -> str:
    """The name of a run: "rnn", "rnn_clip1", "lstm_clip0.5", ..."""
    return kind if clip is None else f"{kind}_clip{clip:g}"


def default_runs(seed: int = 0, on_progress: Callable[[float], None] | None = None,
                 **overrides) -> dict[str, TrainingRun]:
    """Train every (kind, clip) of DEFAULT_RUNS (seeded), by `run_key`; overrides go to
    train_long_range (e.g. iterations=50 for a quick look). on_progress gets the overall
    fraction done."""
    runs = {}
    for k, (kind, clip) in enumerate(DEFAULT_RUNS):
        def part(f, k=k):
            if on_progress is not None:
                on_progress((k + f) / len(DEFAULT_RUNS))
        runs[run_key(kind, clip)] = train_long_range(kind, clip=clip, seed=seed,
                                                     on_progress=part, **overrides)
    return runs

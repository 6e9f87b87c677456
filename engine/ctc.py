"""Connectionist Temporal Classification: the lattice of alignments, its posteriors and decoders.

Reference: A. Graves, S. Fernández, F. Gomez and J. Schmidhuber, "Connectionist Temporal
Classification: Labelling Unsegmented Sequence Data with Recurrent Neural Networks", ICML 2006.

The lecture's example (/work/shared/lecture/NOTES.md §5): a recogniser emits one label per
frame. Merging repeats alone, "好 好 好 棒 棒 棒 棒" collapses to "好棒", so "好棒棒" could never be
produced. CTC adds a null symbol φ (the *blank*, label 0 here): a frame path collapses by first
merging repeats and then dropping blanks, so "好 φ φ 棒 φ φ 棒 φ" → "好棒棒". The probability of a
labelling is the sum over every frame path that collapses to it; a dynamic program over the
*extended* target (blanks interleaved, "φ 好 φ 棒 φ 棒 φ") computes it.

Shapes: T = frames, C = classes (blank included), U = target length, S = 2U + 1 states of the
extended target. State s is a blank when s is even and target[(s - 1) // 2] when s is odd. A path
starts in state 0 or 1, ends in state S - 1 or S - 2, and from frame to frame moves from state
s' to s with s' = s (stay), s' = s - 1 (advance) or s' = s - 2 (skip a blank, allowed when state
s is a label that differs from the label two states back).

`lattice` runs the forward-backward recursions in probability space rescaled per frame (Graves
et al. §4.1), one Python step per frame vectorised over states, checks that every frame's
occupancies add up to the same likelihood, and falls back to the exact log-space recursions
when they do not (log-probabilities more than ~700 nats apart can underflow the rescaled ones).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from engine.messages import Phrase, UserError

BLANK_SYMBOL = "φ"  # how the blank label is displayed

# The lecture's example (§5), as text; `encode_text` turns them into labels.
LECTURE_TARGET = "好棒棒"
LECTURE_PATH = "好φφ棒φφ棒φ"  # a valid frame path for LECTURE_TARGET
LECTURE_NAIVE_PATH = "好好好棒棒棒棒"  # without a blank this can only collapse to "好棒"

_NEG_INF = -math.inf
_RESCALE_BUDGET = 50.0  # nats the rescaled rows may shrink by before they are renormalised
_RESCALE_EVERY = 16  # renormalise at least this often (rows can grow at most 3x per frame)
_TINY = 1e-270  # after renormalising, smaller values may have passed through subnormal range
_CONSISTENCY_TOL = 1e-6  # nats: every frame's total occupancy must give the same likelihood

# Limits on work a caller can size, checked before anything is allocated.
MAX_LATTICE_BYTES = 256 * 2**20  # a lattice's arrays above this would crowd a laptop's memory
_BYTES_PER_NODE = 104  # peak bytes per node (T·S) measured with tracemalloc: α, β, Viterbi,
#                        posteriors, the rescaled rows, and the log-space fallback's arrays
_BYTES_PER_ENTRY = 24  # peak bytes per [T, C] entry: log-probabilities, label posteriors, a sum
MAX_COUNT_NODES = 250_000  # T·S of an exact count: one big-integer sum per node (~0.05 s)
MAX_LISTED_ALIGNMENTS = 100_000  # alignment k is reached by walking the k before it (~2.5 s
#                                  for 100,000 at T = 1,000 and a 60-label target)
MAX_BEAM_WORK = 1_000_000  # T · beam width · C of a beam search (~0.5 s in its Python loop)


@dataclass
class Lattice:
    """The CTC lattice of one target under one matrix of per-frame log-probabilities.

    Arrays are numpy float64 (int64 for `states`). α and β follow Graves et al. (2006): both
    include the emission of frame t, so the probability of the paths through state s at frame t
    is α_t(s) β_t(s) / y_t(states[s]), and `posterior` is that divided by the likelihood.
    """

    log_probs: np.ndarray  # [T, C] the log-probabilities read (float64)
    target: list[int]  # [U] the target labels
    blank: int  # the blank label
    states: np.ndarray  # [S] extended labels, S = 2U + 1: blank, target[0], blank, ..., blank
    moves: list[tuple[int, ...]]  # [S] for each state, the states it can come from (ascending)
    log_alpha: np.ndarray  # [T, S] log α_t(s): paths of frames 0..t ending in s, emission at t
    log_beta: np.ndarray  # [T, S] log β_t(s): paths of frames t..T-1 from s, emission at t
    posterior: np.ndarray  # [T, S] P(state s at frame t | target, input); rows sum to 1
    label_posterior: np.ndarray  # [T, C] P(frame t emits class c | target, input); rows sum to 1
    log_likelihood: float  # log P(target | input) = -ctc_loss(..., reduction="sum")
    best_path: list[int]  # [T] Viterbi frame labels (blanks included); collapses to target
    best_path_states: list[int]  # [T] the state index of best_path at each frame
    best_path_log_prob: float  # log-probability of best_path (sum of its frame log-probs)

    @property
    def num_frames(self) -> int:
        """T."""
        return int(self.log_probs.shape[0])

    @property
    def num_states(self) -> int:
        """S = 2U + 1."""
        return int(self.states.shape[0])

    @property
    def start_states(self) -> tuple[int, ...]:
        """States a path may start in: (0, 1), or (0,) for an empty target."""
        return (0,) if self.num_states == 1 else (0, 1)

    @property
    def final_states(self) -> tuple[int, ...]:
        """States a path may end in: (S - 2, S - 1), or (0,) for an empty target."""
        s = self.num_states
        return (0,) if s == 1 else (s - 2, s - 1)


# ---------------------------------------------------------------------------------------------
# Paths, collapsing and counting


def collapse(path: Iterable[int], blank: int = 0) -> list[int]:
    """The labelling a frame path [T] stands for: merge repeated labels, then drop blanks.

    >>> collapse([1, 0, 0, 2, 0, 0, 2, 0])   # 好 φ φ 棒 φ φ 棒 φ
    [1, 2, 2]
    >>> collapse([1, 1, 1, 2, 2, 2, 2])      # 好 好 好 棒 棒 棒 棒
    [1, 2]
    """
    out: list[int] = []
    previous = None
    for value in path:
        label = int(value)
        if label != previous and label != blank:
            out.append(label)
        previous = label
    return out


def _target_list(target: Iterable[int] | torch.Tensor | np.ndarray) -> list[int]:
    """A target as a list of Python ints (1-D sequences, arrays and tensors accepted)."""
    if isinstance(target, torch.Tensor):
        target = target.detach().cpu().numpy()
    if isinstance(target, np.ndarray):
        if target.ndim != 1:
            raise ValueError(f"the target must be 1-D (a list of labels), got shape "
                             f"{tuple(target.shape)}.")
        target = target.tolist()
    out = []
    for i, value in enumerate(target):
        try:
            label = int(value)
        except (TypeError, ValueError):
            label = None
        if label is None or isinstance(value, bool) or label != value:
            raise ValueError(f"target[{i}] = {value!r} is not an integer label.")
        out.append(label)
    return out


def _num_repeats(target: Sequence[int]) -> int:
    """How many adjacent pairs of the target are equal (each needs a blank between them)."""
    return sum(1 for a, b in zip(target, target[1:], strict=False) if a == b)


def min_frames(target: Iterable[int]) -> int:
    """The fewest frames a path for `target` [U] needs: U plus one blank per adjacent repeat."""
    labels = _target_list(target)
    return len(labels) + _num_repeats(labels)


def _skips(target: Sequence[int]) -> list[bool]:
    """[S] whether state s may be entered from s - 2 (a label differing from the one before)."""
    skips = [False] * (2 * len(target) + 1)
    for u in range(1, len(target)):
        skips[2 * u + 1] = target[u] != target[u - 1]
    return skips


def allowed_moves(target: Iterable[int], blank: int = 0) -> list[tuple[int, ...]]:
    """For each state s of the extended target [S], the states a path can come from (ascending).

    State s can be reached from s (stay) and s - 1 (advance), and from s - 2 when s is a label
    different from the label two states back (skipping the blank between two labels). State 0
    is only reached from itself. `blank` is only checked against the target.
    """
    labels = _target_list(target)
    if blank in labels:
        raise UserError("ctc.blank_in_target", "the target contains the blank label {blank}; "
                        "the blank cannot be part of a target.", blank=blank)
    skips = _skips(labels)
    moves = []
    for s, skip in enumerate(skips):
        moves.append(tuple(p for p in (s - 2, s - 1, s) if p >= 0 and (p != s - 2 or skip)))
    return moves


def count_alignments(T: int, target: Iterable[int]) -> int:
    """The exact number of frame paths of length T that collapse to `target` [U].

    Only U and which adjacent labels are equal matter, not the label values. Returns 0 when
    T is below `min_frames(target)`. Exact Python integers, so large T and U do not overflow
    (T = 1000, U = 100 without repeats: a 226-digit number). A target without adjacent repeats has
    binomial(T + U, 2U) of them.
    """
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}.")
    labels = _target_list(target)
    S = 2 * len(labels) + 1
    if T * S > MAX_COUNT_NODES:
        raise UserError("ctc.count_too_much", "counting the alignments of {frames:,} frames × "
                        "{states:,} states ({nodes:,} nodes) is too much work: at most "
                        "{limit:,} nodes (fewer frames or a shorter target).",
                        frames=T, states=S, nodes=T * S, limit=MAX_COUNT_NODES)
    if T == 0:
        return 1 if S == 1 else 0
    if min_frames(labels) > T:
        return 0
    skips = _skips(labels)
    counts = [0] * S
    counts[0] = 1
    if S > 1:
        counts[1] = 1
    for _ in range(1, T):
        new = counts[:]
        for s in range(1, S):
            new[s] += counts[s - 1]
            if skips[s]:
                new[s] += counts[s - 2]
        counts = new
    return counts[-1] + (counts[-2] if S > 1 else 0)


def alignments(T: int, target: Iterable[int], blank: int = 0,
               as_states: bool = False) -> Iterator[list[int]]:
    """Every frame path of length T that collapses to `target` [U], one list [T] at a time.

    Order: lexicographic over the state sequences (the path that stays longest in the early
    states comes first). Frame paths and state sequences correspond one to one, so nothing is
    yielded twice. With `as_states=True`, yields the state indices [T] instead of the labels.
    There are `count_alignments(T, target)` of them; meant for small cases.
    """
    labels = _target_list(target)
    if blank in labels:
        raise UserError("ctc.blank_in_target", "the target contains the blank label {blank}; "
                        "the blank cannot be part of a target.", blank=blank)
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}.")
    S = 2 * len(labels) + 1
    ext = [blank if s % 2 == 0 else labels[s // 2] for s in range(S)]
    skips = _skips(labels)
    # need[s]: the fewest further frames from state s to a final state.
    need = [0] * S
    for s in range(S - 3, -1, -1):
        need[s] = 1 + min(need[s + 1], need[s + 2] if skips[s + 2] else math.inf)
    if T == 0:
        if S == 1:
            yield []
        return

    def children(s: int, frames_left: int) -> list[int]:
        return [n for n in (s, s + 1, s + 2)
                if n < S and (n != s + 2 or skips[n]) and need[n] <= frames_left]

    path: list[int] = []
    stack = [iter([s for s in (0, 1) if s < S and need[s] <= T - 1])]
    while stack:
        state = next(stack[-1], None)
        if state is None:
            stack.pop()
            if path:
                path.pop()
            continue
        path.append(state)
        if len(path) == T:
            yield list(path) if as_states else [ext[s] for s in path]
            path.pop()
        else:
            stack.append(iter(children(state, T - len(path) - 1)))


def check_listed(stop: int) -> None:
    """Raise a ValueError, stating the limit, when alignments up to number `stop` are asked
    for: reaching alignment k walks the k before it, so at most MAX_LISTED_ALIGNMENTS."""
    if stop > MAX_LISTED_ALIGNMENTS:
        raise UserError("ctc.too_far_to_list", "only the first {limit:,} alignments can be "
                        "listed (asked for number {stop:,}): each is reached by walking through "
                        "the ones before it.", limit=MAX_LISTED_ALIGNMENTS, stop=stop)


def alignment_page(T: int, target: Iterable[int], start: int, stop: int, blank: int = 0,
                   as_states: bool = False) -> list[list[int]]:
    """Alignments start .. stop-1 of `alignments(T, target, blank, as_states)` (each [T]);
    `stop` may be at most MAX_LISTED_ALIGNMENTS (`check_listed`)."""
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop, got {start} and {stop}.")
    check_listed(stop)
    return list(itertools.islice(alignments(T, target, blank, as_states), start, stop))


# ---------------------------------------------------------------------------------------------
# Input matrices


def _as_matrix(matrix: object, name: str | Phrase = "log_probs") -> np.ndarray:
    """A [T, C] float64 numpy array from a tensor, array or nested list; no NaN or +inf."""
    if isinstance(matrix, torch.Tensor):
        array = matrix.detach().cpu().to(torch.float64).numpy()
    else:
        try:
            array = np.asarray(matrix, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise UserError("ctc.not_numbers", "{name} must be a matrix of numbers [T, C]: "
                            "{error}", name=name, error=error) from None
    if array.ndim != 2:
        raise UserError("ctc.not_2d", "{name} must be 2-D [T, C] (frames × classes), got "
                        "shape {shape}.", name=name, shape=tuple(array.shape))
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise UserError("ctc.empty_matrix", "{name} needs at least one frame and one class, "
                        "got shape {shape}.", name=name, shape=tuple(array.shape))
    bad = np.isnan(array) | (array == np.inf)
    if bad.any():
        t, c = (int(i) for i in np.argwhere(bad)[0])
        raise UserError("ctc.not_a_number", "row {row} (frame {row}), class {c} of {name} is "
                        "{value}; entries must be numbers (−inf is allowed for log-probability "
                        "0).", row=t, c=c, name=name, value=array[t, c])
    return np.ascontiguousarray(array)


def to_log_probs(matrix: object, tol: float = 1e-3) -> np.ndarray:
    """Validate per-frame posteriors [T, C] and return them as log-probabilities [T, C].

    Accepts either probabilities (every entry >= 0, every row sums to 1) or log-probabilities
    (every entry <= 0, every row's logsumexp is 0), as a tensor, array or nested lists. Rows
    within `tol` of normalised are accepted and renormalised exactly. Anything else raises a
    ValueError naming the first row that is wrong and why. Probability 0 becomes −inf.
    """
    x = _as_matrix(matrix, Phrase("ctc.value.posteriors", "the posterior matrix"))
    if x.shape[1] == 1 and not x.any():
        return x  # one class: log-probability 0 everywhere
    if (x >= 0).all():
        sums = x.sum(axis=1)
        wrong = np.flatnonzero(np.abs(sums - 1.0) > tol)
        if wrong.size:
            t = int(wrong[0])
            raise UserError("ctc.row_sum", "row {row} (frame {row}) sums to {total:.6g}: read "
                            "as probabilities (all entries >= 0), every row must sum to 1.",
                            row=t, total=sums[t])
        with np.errstate(divide="ignore"):
            return np.log(x / sums[:, None])
    positive = x > tol
    if positive.any():
        t = int(np.flatnonzero(positive.any(axis=1))[0])
        raise UserError("ctc.mixed_signs", "row {row} (frame {row}) mixes negative and "
                        "positive entries: give probabilities (all >= 0, rows sum to 1) or "
                        "log-probabilities (all <= 0, rows logsumexp to 0).", row=t)
    top = x.max(axis=1)
    if (top == _NEG_INF).any():
        t = int(np.flatnonzero(top == _NEG_INF)[0])
        raise UserError("ctc.all_minus_inf", "row {row} (frame {row}) is all −inf: as "
                        "log-probabilities it must logsumexp to 0.", row=t)
    lse = top + np.log(np.exp(x - top[:, None]).sum(axis=1))
    wrong = np.flatnonzero(np.abs(lse) > tol)
    if wrong.size:
        t = int(wrong[0])
        raise UserError("ctc.logsumexp", "row {row} (frame {row}) has logsumexp {total:.6g}: "
                        "read as log-probabilities (entries <= 0), every row must logsumexp to "
                        "0 (its probabilities must sum to 1).", row=t, total=lse[t])
    return x - lse[:, None]


def _check_log_probs(log_probs: object) -> np.ndarray:
    """[T, C] float64 log-probabilities, refusing matrices that are plainly not log-probs."""
    x = _as_matrix(log_probs)
    if (x > 1e-4).any():
        t = int(np.flatnonzero((x > 1e-4).any(axis=1))[0])
        raise ValueError(f"row {t} (frame {t}) of log_probs has positive entries: pass "
                         "log-probabilities (log_softmax output), or convert probabilities "
                         "with to_log_probs().")
    return x


def _check_target(target: object, num_classes: int, blank: int) -> list[int]:
    """The target as a list of ints in [0, C), none of them the blank."""
    if not 0 <= blank < num_classes:
        raise ValueError(f"blank = {blank} is not a class: classes are 0 … {num_classes - 1}.")
    labels = _target_list(target)
    for u, label in enumerate(labels):
        if not 0 <= label < num_classes:
            raise ValueError(f"target[{u}] = {label} is not a class: classes are "
                             f"0 … {num_classes - 1}.")
        if label == blank:
            raise ValueError(f"target[{u}] is the blank label {blank}; the blank cannot be "
                             "part of a target.")
    return labels


def lattice_bytes(T: int, C: int, U: int) -> int:
    """About how many bytes `lattice` allocates at its peak for T frames, C classes and a target
    of U labels (S = 2U + 1 states): ~104 bytes per node T·S plus ~24 per entry T·C."""
    return _BYTES_PER_NODE * T * (2 * U + 1) + _BYTES_PER_ENTRY * T * C + 8 * U * C


def check_lattice_size(T: int, C: int, U: int) -> None:
    """Raise a ValueError, stating the limit, when a lattice would exceed MAX_LATTICE_BYTES."""
    need = lattice_bytes(T, C, U)
    if need > MAX_LATTICE_BYTES:
        raise ValueError(f"the lattice of {T:,} frames × {2 * U + 1:,} states (a target of "
                         f"{U:,} labels, {C:,} classes) would need about {need / 2**20:,.0f} "
                         f"MB; at most {MAX_LATTICE_BYTES // 2**20} MB is allowed. Use fewer "
                         "frames or a shorter target.")


def _check_feasible(T: int, labels: Sequence[int]) -> None:
    """Raise a ValueError when T frames are too few for the target."""
    repeats = _num_repeats(labels)
    need = len(labels) + repeats
    if need > T:
        why = (f" plus {repeats} blank{'s' if repeats != 1 else ''} between repeated labels "
               "(a blank must separate two equal labels, or they merge)" if repeats else "")
        raise ValueError(f"the target needs at least {need} frames ({len(labels)} "
                         f"label{'s' if len(labels) != 1 else ''}{why}), but there are only "
                         f"{T}.")


# ---------------------------------------------------------------------------------------------
# The lattice


def _reversed_skips(skips: np.ndarray) -> np.ndarray:
    """[S] the skip rule of the reversed extended target (β runs as α over reversed states)."""
    out = np.zeros_like(skips)
    out[2:] = skips[2:][::-1]  # reversed state r is state S-1-r; entering it from r-2 is
    return out  # leaving state S-1-r for S+1-r, allowed exactly when skips[S+1-r] is


def _rescaled_pass(E: np.ndarray, skips: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """α and β (rescaled probability space) and Viterbi scores (log space) in one loop over T.

    β over frames T-1..0 and states S-1..0 obeys α's recursion on the reversed extended target,
    so both advance together as the two rows of one [2, S] array per frame. Returns log α
    [T, S], log β [T, S] and the Viterbi scores V [T, S + 2] (state s in column s + 2); or None
    when a rescaled row underflowed (the caller then uses `_log_pass`).
    """
    T, S = E.shape
    frame_max = E.max(axis=1)  # [T]
    Y = np.empty((T, 2, S))
    Y[:, 0] = E
    Y[:, 1] = E[::-1, ::-1]
    Y[:, 0] -= frame_max[:, None]
    Y[:, 1] -= frame_max[::-1, None]
    low = E.min(axis=1) - frame_max  # [T] each frame's smallest emission, relative (log)
    shrink = np.minimum(low, low[::-1]).tolist()  # row 1 at step t reads frame T-1-t
    np.exp(Y, out=Y)  # [T, 2, S] emissions, each frame's largest is 1
    # Renormalise when the rows may have shrunk by more than the budget (a row shrinks by at
    # most its smallest emission per frame, since staying put is always allowed), and at least
    # every few frames (a row grows by at most 3x per frame).
    renorm = [False] * T
    spent, since = 0.0, 0
    for t in range(T):
        spent += shrink[t]
        since += 1
        if spent < -_RESCALE_BUDGET or since >= _RESCALE_EVERY:
            renorm[t] = True
            spent, since = 0.0, 0
    skip_mul = np.stack([skips, _reversed_skips(skips)]).astype(np.float64)
    vmask = np.where(skips, 0.0, _NEG_INF)
    A = np.zeros((T, 2, S + 2))  # two zero columns in front stand for states -2 and -1
    V = np.empty((T, S + 2))
    V[:, :2] = _NEG_INF
    V[0] = _NEG_INF
    scale = np.ones((T, 2))
    A[0, :, 2] = Y[0, :, 0]
    V[0, 2] = E[0, 0]
    if S > 1:
        A[0, :, 3] = Y[0, :, 1]
        V[0, 3] = E[0, 1]
    total = A[0].sum(axis=1)
    if total[0] < _TINY or total[1] < _TINY:
        return None
    A[0] /= total[:, None]
    scale[0] = total
    tmp = np.empty((2, S))
    tmp1 = np.empty(S)
    add, mul, maximum = np.add, np.multiply, np.maximum
    # Views of frame t-1's states s, s-1, s-2 and of frame t, iterated together (cheaper than
    # indexing per frame).
    a0, a1, a2 = A[:, :, 2:], A[:, :, 1:-1], A[:, :, :-2]
    v0, v1, v2 = V[:, 2:], V[:, 1:-1], V[:, :-2]
    for x0, x1, x2, r, y, w0, w1, w2, v, e, rescale, factor in zip(
            a0[:-1], a1[:-1], a2[:-1], a0[1:], Y[1:], v0[:-1], v1[:-1], v2[:-1], v0[1:], E[1:],
            renorm[1:], scale[1:], strict=True):
        add(x0, x1, out=r)  # α_t(s) = (α_{t-1}(s) + α_{t-1}(s-1) + [skip] α_{t-1}(s-2)) y_t(s)
        mul(x2, skip_mul, out=tmp)
        r += tmp
        r *= y
        if rescale:
            total = r.sum(axis=1)
            if total[0] < _TINY or total[1] < _TINY:
                return None
            r /= total[:, None]
            r[r < _TINY] = 0.0  # values this small may have passed through subnormal range
            factor[:] = total
        maximum(w0, w1, out=v)  # V_t(s) = max(V_{t-1}(s), V_{t-1}(s-1), [skip] V_{t-1}(s-2))
        add(w2, vmask, out=tmp1)  # −inf where the skip is not allowed
        maximum(v, tmp1, out=v)
        v += e  # + log y_t(s)
    log_scale = np.log(scale)
    log_scale[:, 0] += frame_max
    log_scale[:, 1] += frame_max[::-1]
    np.cumsum(log_scale, axis=0, out=log_scale)
    log_alpha = A[:, 0, 2:]
    log_beta = np.empty((T, S))
    with np.errstate(divide="ignore"):
        np.log(log_alpha, out=log_alpha)
        np.log(A[::-1, 1, :1:-1], out=log_beta)
    log_alpha += log_scale[:, 0, None]
    log_beta += log_scale[::-1, 1, None]
    return log_alpha, log_beta, V


def _log_pass(E: np.ndarray, skips: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same as `_rescaled_pass` with exact log-space recursions (no underflow); slower."""
    T, S = E.shape
    E3 = np.stack([E, E[::-1, ::-1], E], axis=1)  # rows: α, reversed β, Viterbi
    mask3 = np.where(np.stack([skips, _reversed_skips(skips), skips]), 0.0, _NEG_INF)
    L = np.full((T, 3, S + 2), _NEG_INF)
    L[0, :, 2] = E3[0, :, 0]
    if S > 1:
        L[0, :, 3] = E3[0, :, 1]
    logaddexp, maximum = np.logaddexp, np.maximum
    for t in range(1, T):
        a = L[t - 1]
        r = L[t, :, 2:]
        jump = a[:, :-2] + mask3
        logaddexp(a[:2, 2:], a[:2, 1:-1], out=r[:2])
        logaddexp(r[:2], jump[:2], out=r[:2])
        maximum(a[2, 2:], a[2, 1:-1], out=r[2])
        maximum(r[2], jump[2], out=r[2])
        r += E3[t]
    return L[:, 0, 2:], np.ascontiguousarray(L[::-1, 1, :1:-1]), L[:, 2]


def _viterbi_backtrack(V: np.ndarray, skips: Sequence[bool]) -> tuple[list[int], float]:
    """The best state sequence [T] from Viterbi scores V [T, S] and its log-probability.

    Ties go to the later final state and to the predecessor with the larger index (the path
    that advances earliest).
    """
    T, S = V.shape
    state = S - 1 if S == 1 or V[T - 1, S - 1] >= V[T - 1, S - 2] else S - 2
    best = float(V[T - 1, state])
    states = [0] * T
    states[T - 1] = state
    for t in range(T - 1, 0, -1):
        row = V[t - 1]
        s = state
        choice, score = s, row[s]
        if s >= 1 and row[s - 1] > score:
            choice, score = s - 1, row[s - 1]
        if s >= 2 and skips[s] and row[s - 2] > score:
            choice = s - 2
        state = choice
        states[t - 1] = state
    return states, best


def _occupancy(log_alpha: np.ndarray, log_beta: np.ndarray, E: np.ndarray, out: np.ndarray
               ) -> np.ndarray:
    """State posteriors into `out` [T, S] (rows normalised); returns each frame's log total [T].

    The paths through state s at frame t have probability α_t(s) β_t(s) / y_t(s); summed over
    s, every frame gives the likelihood.
    """
    np.add(log_alpha, log_beta, out=out)
    if E.min() == _NEG_INF:  # α and β are −inf wherever E is; keep −inf, not NaN
        out -= np.where(E == _NEG_INF, 0.0, E)
    else:
        out -= E
    top = out.max(axis=1)
    finite = np.isfinite(top)
    top[~finite] = 0.0
    out -= top[:, None]
    np.exp(out, out=out)
    total = out.sum(axis=1)
    with np.errstate(divide="ignore"):
        log_total = np.where(finite, top + np.log(total), _NEG_INF)
    out /= np.where(total > 0, total, 1.0)[:, None]
    return log_total


def _final_log_likelihood(log_alpha: np.ndarray) -> float:
    """log P(target) from the last row of log α: paths end in the last label or the blank after."""
    last = log_alpha[-1]
    if last.shape[0] == 1:
        return float(last[0])
    return float(np.logaddexp(last[-1], last[-2]))


def lattice(log_probs: torch.Tensor | np.ndarray, target: Iterable[int],
            blank: int = 0) -> Lattice:
    """Forward-backward and Viterbi over the CTC lattice of `target` [U] under `log_probs` [T, C].

    `log_probs` are per-frame log-probabilities (log_softmax output; a tensor, array or nested
    list); convert probabilities with `to_log_probs`. Labels must be in [0, C) and differ from
    `blank`. Raises a ValueError when T is too short for the target (T < U + number of adjacent
    repeats: repeats need a blank between them) or when every alignment has probability 0. An
    empty target is fine (its only path is all blanks). A lattice that would need more than
    MAX_LATTICE_BYTES (`lattice_bytes`) is refused with a ValueError before anything is
    allocated. Returns a `Lattice`.

    Precision: the likelihood, posteriors and Viterbi path are exact to float64 rounding. Entries
    of log α and log β more than about 600 nats below the largest of their frame (relative
    size < 1e-260) are outside what the rescaled recursion keeps: they may be −inf or inexact.
    """
    lp = _check_log_probs(log_probs)
    T, C = lp.shape
    labels = _check_target(target, C, blank)
    check_lattice_size(T, C, len(labels))
    _check_feasible(T, labels)
    S = 2 * len(labels) + 1
    states = np.full(S, blank, dtype=np.int64)
    states[1::2] = labels
    skips_list = _skips(labels)
    skips = np.array(skips_list, dtype=bool)
    E = lp[:, states]  # [T, S] log-emission of each state
    if (E.max(axis=1) == _NEG_INF).any():
        t = int(np.flatnonzero(E.max(axis=1) == _NEG_INF)[0])
        raise ValueError(f"the target has probability 0: at frame {t} the blank and every "
                         "target label have probability 0.")

    passes = _rescaled_pass(E, skips)
    if passes is not None:
        log_alpha, log_beta, V = passes
        log_likelihood = _final_log_likelihood(log_alpha)
        states_best, best_log_prob = _viterbi_backtrack(V[:, 2:], skips_list)
        posterior = V[:, 2:]  # V is spent: reuse its memory
        log_total = _occupancy(log_alpha, log_beta, E, posterior)
        if not (np.isfinite(log_likelihood)
                and (np.abs(log_total - log_likelihood) <= _CONSISTENCY_TOL).all()):
            passes = None
    if passes is None:
        log_alpha, log_beta, V = _log_pass(E, skips)
        log_likelihood = _final_log_likelihood(log_alpha)
        if log_likelihood == _NEG_INF:
            raise ValueError("the target has probability 0 under these log-probabilities: "
                             "every alignment passes through a probability-0 entry.")
        states_best, best_log_prob = _viterbi_backtrack(V[:, 2:], skips_list)
        posterior = np.empty((T, S))
        _occupancy(log_alpha, log_beta, E, posterior)

    label_posterior = np.zeros((T, C))
    label_posterior[:, blank] = posterior[:, 0::2].sum(axis=1)
    if labels:
        onehot = np.zeros((len(labels), C))
        onehot[np.arange(len(labels)), labels] = 1.0
        label_posterior += posterior[:, 1::2] @ onehot
    return Lattice(
        log_probs=lp,
        target=labels,
        blank=blank,
        states=states,
        moves=allowed_moves(labels, blank),
        log_alpha=log_alpha,
        log_beta=log_beta,
        posterior=posterior,
        label_posterior=label_posterior,
        log_likelihood=log_likelihood,
        best_path=[int(states[s]) for s in states_best],
        best_path_states=states_best,
        best_path_log_prob=best_log_prob,
    )


# ---------------------------------------------------------------------------------------------
# Decoding


def greedy_decode(log_probs: torch.Tensor | np.ndarray, blank: int = 0) -> list[int]:
    """Best-path decoding: the most likely class per frame of `log_probs` [T, C], collapsed.

    Returns the labelling [≤ T]. This is the collapse of the single most probable frame path,
    not necessarily the most probable labelling (see `prefix_beam_search`).
    """
    lp = _as_matrix(log_probs)
    return collapse(lp.argmax(axis=1).tolist(), blank)


def prefix_beam_search(log_probs: torch.Tensor | np.ndarray, beam_width: int = 8,
                       blank: int = 0) -> list[tuple[list[int], float]]:
    """CTC prefix beam search over `log_probs` [T, C]: the likeliest labellings, best first.

    Each prefix carries the log-probability of its alignments so far that end in a blank and
    of those that end in its last label; a frame either keeps a prefix (blank, or repeating its
    last label) or extends it by one label (a repeat of the last label extends only from the
    blank-ending alignments). After each frame the `beam_width` prefixes with the largest
    total are kept. Returns up to `beam_width` pairs (labels, log score), best first (ties by
    labels).

    Guarantees: every score is at most the exact log-probability of its labelling (it sums over
    the alignments that stayed in the beam), and equals it when the beam is wide enough to keep
    every prefix (then the first result is the most probable labelling). `beam_width=1` keeps
    one prefix per frame: it is not greedy decoding, which follows one frame path, though the
    two agree when every frame is confident. T · beam_width · C may be at most MAX_BEAM_WORK
    (otherwise a ValueError says so).
    """
    if beam_width < 1:
        raise ValueError(f"beam_width must be >= 1, got {beam_width}.")
    lp = _as_matrix(log_probs)
    T, C = lp.shape
    if T * beam_width * C > MAX_BEAM_WORK:
        raise ValueError(f"a beam of {beam_width:,} over {T:,} frames × {C:,} classes is too "
                         f"much work: frames × beam width × classes may be at most "
                         f"{MAX_BEAM_WORK:,} (a narrower beam or fewer frames).")
    if not 0 <= blank < C:
        raise ValueError(f"blank = {blank} is not a class: classes are 0 … {C - 1}.")
    prefixes: list[tuple[int, ...]] = [()]
    pb = np.zeros(1)  # [B] log-prob of each prefix's alignments ending in a blank
    pnb = np.full(1, _NEG_INF)  # [B] ... ending in its last label
    not_blank = np.zeros(C)
    not_blank[blank] = _NEG_INF
    for row in lp:
        B = len(prefixes)
        total = np.logaddexp(pb, pnb)
        last = np.array([p[-1] if p else blank for p in prefixes])
        has_last = np.array([bool(p) for p in prefixes])
        # Keep the prefix: a blank after anything, or its last label again after that label.
        stay_pb = total + row[blank]
        stay_pnb = np.where(has_last, pnb + row[last], _NEG_INF)
        # Extend by label c [B, C]: from every alignment, or only from blank-ending ones when c
        # repeats the last label (otherwise the two would merge).
        grow = total[:, None] + row[None, :] + not_blank
        rows = np.flatnonzero(has_last)
        grow[rows, last[rows]] = pb[rows] + row[last[rows]]
        # An extension that is already in the beam adds to that prefix instead.
        index = {p: i for i, p in enumerate(prefixes)}
        for j, p in enumerate(prefixes):
            i = index.get(p[:-1]) if p else None
            if i is not None:
                stay_pnb[j] = np.logaddexp(stay_pnb[j], grow[i, p[-1]])
                grow[i, p[-1]] = _NEG_INF
        scores = np.concatenate([np.logaddexp(stay_pb, stay_pnb), grow.ravel()])
        order = np.argsort(-scores, kind="stable")[:beam_width]
        if scores[order[0]] > _NEG_INF:
            order = order[scores[order] > _NEG_INF]  # drop impossible prefixes
        new_prefixes, new_pb, new_pnb = [], [], []
        for k in order.tolist():
            if k < B:
                new_prefixes.append(prefixes[k])
                new_pb.append(stay_pb[k])
                new_pnb.append(stay_pnb[k])
            else:
                i, c = divmod(k - B, C)
                new_prefixes.append(prefixes[i] + (c,))
                new_pb.append(_NEG_INF)
                new_pnb.append(grow[i, c])
        prefixes, pb, pnb = new_prefixes, np.array(new_pb), np.array(new_pnb)
    totals = np.logaddexp(pb, pnb).tolist()
    results = [(list(p), score) for p, score in zip(prefixes, totals, strict=True)]
    results.sort(key=lambda x: (-x[1], x[0]))
    return results


# ---------------------------------------------------------------------------------------------
# Text


def encode_text(text: str, alphabet: Sequence[str] | None = None) -> tuple[list[int], list[str]]:
    """Characters of `text` → labels [len(text)] and the alphabet (index = label).

    The blank is label 0, shown as φ (`alphabet[0] == "φ"`, and a φ in the text is the blank);
    other characters get labels 1..K in order of first appearance ("好棒棒" → [1, 2, 2], alphabet
    ["φ", "好", "棒"]; "好φφ棒" → [1, 0, 0, 2]). With a given `alphabet` (the blank's symbol
    first), characters are looked up in it instead; a missing one raises a ValueError.
    """
    if alphabet is None:
        letters = [BLANK_SYMBOL]
        index = {BLANK_SYMBOL: 0}
        for ch in text:
            if ch not in index:
                index[ch] = len(letters)
                letters.append(ch)
        return [index[ch] for ch in text], letters
    letters = list(alphabet)
    index = {ch: i for i, ch in enumerate(letters)}
    missing = sorted({ch for ch in text if ch not in index})
    if missing:
        raise ValueError(f"characters {''.join(missing)!r} are not in the alphabet "
                         f"{''.join(letters)!r}.")
    return [index[ch] for ch in text], letters


def decode_labels(labels: Iterable[int], alphabet: Sequence[str]) -> str:
    """Labels → text using `alphabet` (index = label); the blank shows as alphabet[0] (φ)."""
    out = []
    for label in labels:
        label = int(label)
        if not 0 <= label < len(alphabet):
            raise ValueError(f"label {label} is not in the alphabet (labels 0 … "
                             f"{len(alphabet) - 1}).")
        out.append(alphabet[label])
    return "".join(out)

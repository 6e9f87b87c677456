"""CTC lattice, counting and decoding against torch's ctc_loss and brute-force enumeration."""

import itertools
import math
import random
import tracemalloc

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from engine import ctc
from engine.ctc import (
    LECTURE_NAIVE_PATH,
    LECTURE_PATH,
    LECTURE_TARGET,
    alignments,
    allowed_moves,
    collapse,
    count_alignments,
    decode_labels,
    encode_text,
    greedy_decode,
    lattice,
    min_frames,
    prefix_beam_search,
    to_log_probs,
)


def torch_log_likelihood(lp, target, blank=0) -> float:
    """−ctc_loss(reduction="sum") in float64 for one sequence."""
    lp = torch.as_tensor(lp, dtype=torch.float64)
    tgt = torch.tensor(list(target), dtype=torch.long)
    loss = F.ctc_loss(lp[:, None], tgt, [lp.shape[0]], [len(tgt)], blank=blank,
                      reduction="sum")
    return -float(loss)


def random_log_probs(T, C, scale=1.0, seed=0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(T, C, generator=gen, dtype=torch.float64) * scale).log_softmax(-1)


def random_target(rng, U, C, blank, repeats=False) -> list[int]:
    labels = [c for c in range(C) if c != blank]
    target = [rng.choice(labels) for _ in range(U)]
    if repeats and U >= 2:
        for i in rng.sample(range(1, U), k=max(1, U // 3)):
            target[i] = target[i - 1]
    return target


def collapse_by_hand(path, blank=0) -> list[int]:
    """CTC's collapse written out: merge runs of one label into one, then drop the blanks."""
    merged = [label for k, label in enumerate(path) if k == 0 or label != path[k - 1]]
    return [int(label) for label in merged if label != blank]


def argmax_by_hand(lp) -> list[int]:
    """The most probable class of each frame, first one on ties, with plain Python loops."""
    rows = np.asarray(lp).tolist()
    return [max(range(len(row)), key=lambda c, row=row: (row[c], -c)) for row in rows]


def brute_force(lp: np.ndarray, target, blank=0):
    """Every frame path: (valid paths with their log-probs, log-probs of every labelling)."""
    T, C = lp.shape
    valid, labellings = [], {}
    for path in itertools.product(range(C), repeat=T):
        logp = float(sum(lp[t, c] for t, c in enumerate(path)))
        key = tuple(collapse_by_hand(path, blank))
        labellings[key] = np.logaddexp(labellings.get(key, -math.inf), logp)
        if list(key) == list(target):
            valid.append((list(path), logp))
    return valid, labellings


# ---------------------------------------------------------------------------------------------
# The lecture's example


def test_lecture_example_collapses():
    labels, alphabet = encode_text(LECTURE_TARGET)
    assert labels == [1, 2, 2] and alphabet == ["φ", "好", "棒"]
    path, _ = encode_text(LECTURE_PATH, alphabet)
    assert path == [1, 0, 0, 2, 0, 0, 2, 0]
    assert encode_text(LECTURE_PATH) == (path, alphabet)
    assert collapse(path) == [1, 2, 2]
    assert decode_labels(collapse(path), alphabet) == "好棒棒"
    assert decode_labels(path, alphabet) == "好φφ棒φφ棒φ"
    naive, _ = encode_text(LECTURE_NAIVE_PATH, alphabet)
    assert naive == [1, 1, 1, 2, 2, 2, 2]
    assert collapse(naive) == [1, 2]  # without φ, 好棒棒 cannot come out
    assert decode_labels(collapse(naive), alphabet) == "好棒"


def test_lecture_path_is_one_of_the_alignments():
    assert path_in(alignments(8, [1, 2, 2]), [1, 0, 0, 2, 0, 0, 2, 0])
    assert not path_in(alignments(7, [1, 2, 2]), [1, 1, 1, 2, 2, 2, 2])
    assert min_frames([1, 2, 2]) == 4  # 好 棒 φ 棒
    assert list(alignments(4, [1, 2, 2])) == [[1, 2, 0, 2]]


def path_in(paths, path) -> bool:
    return any(p == path for p in paths)


def test_lecture_lattice_puts_the_blank_between_the_two_棒():
    labels, alphabet = encode_text(LECTURE_TARGET)
    lp = random_log_probs(8, len(alphabet), seed=3)
    lat = lattice(lp, labels)
    assert collapse(lat.best_path) == labels
    assert abs(lat.log_likelihood - torch_log_likelihood(lp, labels)) < 1e-9
    assert lat.moves[5] == (4, 5)  # the second 棒 cannot skip the blank after the first


# ---------------------------------------------------------------------------------------------
# Collapsing, counting, enumerating


def test_collapse():
    assert collapse([]) == []
    assert collapse([0, 0, 0]) == []
    assert collapse([3, 3, 0, 3, 1, 1]) == [3, 3, 1]
    assert collapse([2, 2, 1, 2], blank=2) == [1]
    assert collapse(np.array([1, 0, 1])) == [1, 1]
    assert collapse(torch.tensor([1, 1, 0, 2])) == [1, 2]


SMALL = [([], 1), ([], 4), ([1], 1), ([1], 4), ([1, 1], 3), ([1, 1], 5), ([1, 2], 4),
         ([1, 2, 1], 5), ([2, 2, 2], 5), ([1, 1, 2], 6), ([1, 2], 1), ([1, 1], 2)]


@pytest.mark.parametrize(("target", "T"), SMALL)
def test_counting_and_enumerating_match_brute_force(target, T):
    C = 3
    expected = [list(p) for p in itertools.product(range(C), repeat=T)
                if collapse(p) == target]
    found = list(alignments(T, target))
    assert count_alignments(T, target) == len(expected) == len(found)
    assert sorted(found) == sorted(expected)
    assert len({tuple(p) for p in found}) == len(found)  # no duplicates
    assert all(collapse(p) == target for p in found)
    states = list(alignments(T, target, as_states=True))
    assert states == sorted(states)  # the documented order
    ext = [0 if s % 2 == 0 else target[s // 2] for s in range(2 * len(target) + 1)]
    assert [[ext[s] for s in seq] for seq in states] == found


def test_alignments_with_another_blank():
    found = list(alignments(3, [0], blank=2))
    assert sorted(found) == sorted(p for p in map(list, itertools.product(range(3), repeat=3))
                                   if collapse(p, blank=2) == [0])


def test_count_depends_only_on_which_neighbours_repeat():
    for T in (5, 9, 20):
        assert count_alignments(T, [5, 5, 3]) == count_alignments(T, [1, 1, 2])
        assert count_alignments(T, [7, 1, 7]) == count_alignments(T, [1, 2, 3])
        assert count_alignments(T, [1, 1, 2]) < count_alignments(T, [1, 2, 3])


def test_count_is_exact_for_long_sequences():
    # Without adjacent repeats the count is binomial(T + U, 2U).
    for T, U in [(1, 1), (3, 1), (10, 4), (1000, 100)]:
        assert count_alignments(T, list(range(1, U + 1))) == math.comb(T + U, 2 * U)
    big = count_alignments(1000, [1] * 100)  # every neighbour repeats
    assert isinstance(big, int) and big > 10**200


def test_count_edge_cases():
    assert count_alignments(0, []) == 1
    assert count_alignments(0, [1]) == 0
    assert count_alignments(5, []) == 1
    assert count_alignments(2, [1, 1]) == 0  # 1 φ 1 needs 3 frames
    assert count_alignments(3, [1, 1]) == 1
    with pytest.raises(ValueError):
        count_alignments(-1, [1])
    assert list(alignments(0, [])) == [[]]
    assert list(alignments(2, [1, 1])) == []


def test_allowed_moves():
    # states: φ 1 φ 2 φ 2 φ
    assert allowed_moves([1, 2, 2]) == [(0,), (0, 1), (1, 2), (1, 2, 3), (3, 4), (4, 5),
                                        (5, 6)]
    assert allowed_moves([]) == [(0,)]
    with pytest.raises(ValueError, match="blank"):
        allowed_moves([1, 0])


# ---------------------------------------------------------------------------------------------
# The lattice against torch's ctc_loss


def ctc_cases(n=60):
    rng = random.Random(1234)
    cases = []
    for i in range(n):
        C = rng.randint(2, 8)
        blank = 0 if i % 3 else rng.randrange(C)
        U = rng.randint(0, 8)
        target = random_target(rng, U, C, blank, repeats=i % 2 == 0)
        need = min_frames(target)
        T = max(1, need + (rng.choice([0, 1, 2]) if i % 4 else rng.randint(0, 30)))
        scale = rng.choice([0.5, 1.0, 3.0, 8.0])
        cases.append((random_log_probs(T, C, scale, seed=i), target, blank))
    return cases


def test_log_likelihood_matches_ctc_loss():
    cases = ctc_cases()
    assert sum(1 for _, t, _ in cases if ctc._num_repeats(t)) >= 15
    assert sum(1 for lp, t, _ in cases if lp.shape[0] == min_frames(t)) >= 10
    for lp, target, blank in cases:
        lat = lattice(lp, target, blank=blank)
        ref = torch_log_likelihood(lp, target, blank)
        assert abs(lat.log_likelihood - ref) <= 1e-9 * max(1.0, abs(ref)), (target, blank)
        assert np.allclose(lat.posterior.sum(axis=1), 1.0, atol=1e-12)
        assert np.allclose(lat.label_posterior.sum(axis=1), 1.0, atol=1e-12)
        assert collapse(lat.best_path, blank) == target


def test_label_posterior_is_the_ctc_gradient():
    # d(−log p)/d(logits) = softmax(logits) − label_posterior (Graves et al., eq. 16).
    for i, (lp, target, blank) in enumerate(ctc_cases(12)):
        logits = (lp * (1 + i % 3)).clone().requires_grad_(True)
        log_probs = logits.log_softmax(-1)
        loss = F.ctc_loss(log_probs[:, None], torch.tensor(target, dtype=torch.long),
                          [lp.shape[0]], [len(target)], blank=blank, reduction="sum")
        loss.backward()
        lat = lattice(log_probs.detach(), target, blank=blank)
        expected = log_probs.detach().exp().numpy() - logits.grad.numpy()
        assert np.allclose(lat.label_posterior, expected, atol=1e-9)


def test_alpha_and_beta_meet_at_every_frame():
    lp = random_log_probs(40, 6, seed=5)
    target = [1, 2, 2, 3, 1]
    lat = lattice(lp, target)
    E = lat.log_probs[:, lat.states]
    per_frame = np.logaddexp.reduce(lat.log_alpha + lat.log_beta - E, axis=1)
    assert np.allclose(per_frame, lat.log_likelihood, atol=1e-10)
    assert np.isclose(np.logaddexp(lat.log_beta[0, 0], lat.log_beta[0, 1]),
                      lat.log_likelihood, atol=1e-10)
    assert lat.log_alpha.shape == lat.log_beta.shape == lat.posterior.shape == (40, 11)
    assert lat.label_posterior.shape == (40, 6)
    # unreachable corners: the last state at frame 0, the first state at the last frame
    assert lat.log_alpha[0, -1] == -math.inf and lat.log_beta[-1, 0] == -math.inf
    assert lat.posterior[0, 2:].sum() == 0.0


@pytest.mark.parametrize(("target", "T", "C"), [([1, 2], 5, 3), ([1, 1], 5, 3),
                                                ([2, 1, 2], 6, 3), ([1], 4, 4), ([], 4, 3),
                                                ([1, 1, 1], 6, 2)])
def test_lattice_matches_brute_force(target, T, C):
    lp = random_log_probs(T, C, scale=2.0, seed=T * 10 + C).numpy()
    lat = lattice(lp, target)
    valid, _ = brute_force(lp, target)
    logps = np.array([p for _, p in valid])
    total = np.logaddexp.reduce(logps)
    assert abs(lat.log_likelihood - total) < 1e-10
    # Viterbi: the most probable valid path
    best = int(np.argmax(logps))
    assert abs(lat.best_path_log_prob - logps[best]) < 1e-10
    assert lat.best_path == valid[best][0]
    assert abs(sum(lp[t, c] for t, c in enumerate(lat.best_path)) - lat.best_path_log_prob) \
        < 1e-10
    assert [int(lat.states[s]) for s in lat.best_path_states] == lat.best_path
    # state and label occupancy: share of the probability of paths in state s at frame t
    occupancy = np.zeros((T, 2 * len(target) + 1))
    labels = np.zeros((T, C))
    state_seqs = dict(zip(map(tuple, alignments(T, target)),
                          alignments(T, target, as_states=True), strict=True))
    for path, logp in valid:
        seq = state_seqs[tuple(path)]
        weight = math.exp(logp - total)
        occupancy[np.arange(T), seq] += weight
        labels[np.arange(T), path] += weight
    assert np.allclose(lat.posterior, occupancy, atol=1e-12)
    assert np.allclose(lat.label_posterior, labels, atol=1e-12)


def test_best_path_is_a_path_on_the_lattice():
    lat = lattice(random_log_probs(300, 12, seed=9), [3, 3, 5, 1, 1, 7, 2, 9, 9, 4] * 3)
    s = lat.best_path_states
    assert s[0] in lat.start_states and s[-1] in lat.final_states
    assert all(s[t - 1] in lat.moves[s[t]] for t in range(1, len(s)))
    assert collapse(lat.best_path) == lat.target


def test_empty_target_is_all_blanks():
    lp = random_log_probs(6, 4, seed=2)
    lat = lattice(lp, [], blank=2)
    assert lat.states.tolist() == [2] and lat.best_path == [2] * 6
    assert abs(lat.log_likelihood - float(lp[:, 2].sum())) < 1e-12
    assert abs(lat.log_likelihood - torch_log_likelihood(lp, [], blank=2)) < 1e-9
    assert np.all(lat.posterior == 1.0)
    assert np.allclose(lat.label_posterior[:, 2], 1.0)
    assert lat.start_states == lat.final_states == (0,)


def test_minimum_length_target_has_one_alignment():
    target = [1, 1, 2, 2, 2, 3]
    T = min_frames(target)
    assert T == 9
    lp = random_log_probs(T, 4, seed=4)
    lat = lattice(lp, target)
    (only,) = list(alignments(T, target))
    assert lat.best_path == only == [1, 0, 1, 2, 0, 2, 0, 2, 3]
    assert abs(lat.log_likelihood - lat.best_path_log_prob) < 1e-10
    assert np.allclose(lat.posterior.max(axis=1), 1.0)


def test_long_sequences_match_ctc_loss():
    rng = random.Random(7)
    for seed, (T, U, C) in enumerate([(1000, 100, 30), (500, 200, 6), (400, 150, 3)]):
        target = random_target(rng, U, C, 0, repeats=seed > 0)
        lp = random_log_probs(T, C, seed=seed)
        lat = lattice(lp, target)
        ref = torch_log_likelihood(lp, target)
        assert abs(lat.log_likelihood - ref) < 1e-4
        assert np.allclose(lat.posterior.sum(axis=1), 1.0, atol=1e-12)
        assert collapse(lat.best_path) == target
        assert abs(float(lp.numpy()[np.arange(T), lat.best_path].sum())
                   - lat.best_path_log_prob) < 1e-8


@pytest.mark.parametrize("scale", [1.0, 30.0, 300.0, 3000.0])
def test_rescaled_and_log_space_recursions_agree(scale):
    # Peaked log-probabilities (hundreds of nats apart) make the rescaled recursion underflow;
    # the lattice then uses the exact log-space one. Both agree with ctc_loss.
    T, C = 200, 8
    target = random_target(random.Random(int(scale)), 40, C, 0, repeats=True)
    lp = random_log_probs(T, C, scale=scale, seed=int(scale))
    lat = lattice(lp, target)
    ref = torch_log_likelihood(lp, target)
    assert abs(lat.log_likelihood - ref) <= 1e-9 * max(1.0, abs(ref))
    assert np.allclose(lat.posterior.sum(axis=1), 1.0, atol=1e-12)
    assert not np.isnan(lat.posterior).any() and not np.isnan(lat.log_alpha).any()
    E = lat.log_probs[:, lat.states]
    skips = np.array(ctc._skips(target))
    exact_alpha, exact_beta, V = ctc._log_pass(E, skips)
    for ours, exact in ((lat.log_alpha, exact_alpha), (lat.log_beta, exact_beta)):
        near = exact > exact.max(axis=1, keepdims=True) - 500  # within 500 nats of the top
        assert np.allclose(ours[near], exact[near], rtol=1e-12, atol=1e-8)
    assert abs(V[-1, -2:].max() - lat.best_path_log_prob) < 1e-8


def test_rescaled_pass_matches_log_pass_directly():
    lp = random_log_probs(120, 5, seed=11).numpy()
    target = [1, 2, 2, 4, 3, 3, 1]
    states = np.zeros(15, dtype=np.int64)
    states[1::2] = target
    E = lp[:, states]
    skips = np.array(ctc._skips(target))
    alpha1, beta1, V1 = ctc._rescaled_pass(E, skips)
    alpha2, beta2, V2 = ctc._log_pass(E, skips)
    assert np.allclose(alpha1, alpha2, atol=1e-10) and np.allclose(beta1, beta2, atol=1e-10)
    assert np.array_equal(V1[:, 2:], V2[:, 2:])


def test_probability_zero_entries():
    # Posteriors typed by hand can contain exact zeros (log-probability −inf).
    P = np.array([[0.5, 0.5, 0.0], [0.2, 0.0, 0.8], [1.0, 0.0, 0.0], [0.1, 0.6, 0.3],
                  [0.0, 0.5, 0.5]])
    lp = to_log_probs(P)
    target = [1, 2, 1]
    lat = lattice(lp, target)
    valid, _ = brute_force(lp, target)
    assert abs(lat.log_likelihood - np.logaddexp.reduce([p for _, p in valid])) < 1e-12
    assert not np.isnan(lat.posterior).any() and not np.isnan(lat.log_beta).any()
    assert np.allclose(lat.posterior.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="probability 0"):
        lattice(lp, [1, 1, 1])  # its only path 1 φ 1 φ 1 needs class 1 at frame 2
    with pytest.raises(ValueError, match="probability 0"):
        lattice(to_log_probs([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]), [1])


def test_accepts_tensors_arrays_and_lists_of_any_float_dtype():
    lp = random_log_probs(12, 5, seed=8)
    ref = lattice(lp, [1, 2]).log_likelihood
    assert lattice(lp.numpy(), [1, 2]).log_likelihood == ref
    assert lattice(lp.tolist(), torch.tensor([1, 2])).log_likelihood == ref
    lat32 = lattice(lp.float(), np.array([1, 2]))
    assert abs(lat32.log_likelihood - ref) < 1e-5
    assert lat32.log_alpha.dtype == np.float64


# ---------------------------------------------------------------------------------------------
# Errors


def test_infeasible_target_says_how_many_frames_it_needs():
    lp = random_log_probs(3, 4)
    with pytest.raises(ValueError, match=r"at least 4 frames.*blank"):
        lattice(lp, [1, 2, 2])  # 好 棒 φ 棒
    with pytest.raises(ValueError, match="at least 4 frames"):
        lattice(lp, [1, 2, 3, 1])
    with pytest.raises(ValueError, match="at least 3 frames"):
        lattice(random_log_probs(2, 4), [1, 1])  # 1 φ 1


def test_bad_targets_and_inputs():
    lp = random_log_probs(6, 4)
    with pytest.raises(ValueError, match=r"target\[1\] = 4 is not a class"):
        lattice(lp, [1, 4])
    with pytest.raises(ValueError, match="not a class"):
        lattice(lp, [-1])
    with pytest.raises(ValueError, match="blank"):
        lattice(lp, [1, 0, 2])
    with pytest.raises(ValueError, match="blank"):
        lattice(lp, [1, 2], blank=2)
    with pytest.raises(ValueError, match="blank = 7"):
        lattice(lp, [1], blank=7)
    with pytest.raises(ValueError, match="integer"):
        lattice(lp, [1.5])
    with pytest.raises(ValueError, match="integer"):
        lattice(lp, ["a"])
    with pytest.raises(ValueError, match="to_log_probs"):
        lattice(lp.exp(), [1])  # probabilities passed as log-probabilities
    with pytest.raises(ValueError, match="2-D"):
        lattice(lp[0], [1])
    bad = lp.clone()
    bad[2, 1] = float("nan")
    with pytest.raises(ValueError, match="row 2"):
        lattice(bad, [1])


def test_to_log_probs():
    P = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    lp = to_log_probs(P)
    assert np.allclose(np.exp(lp), P) and lp[1, 1] == -math.inf
    assert np.allclose(to_log_probs(np.log(P[:1])), np.log(P[:1]))
    assert np.array_equal(to_log_probs(torch.tensor(P).log()), lp)
    assert np.allclose(np.exp(to_log_probs([[0.3333, 0.3333, 0.3333]])).sum(), 1.0)
    with pytest.raises(ValueError, match=r"row 1 .*sums to 0.9"):
        to_log_probs([[0.5, 0.5], [0.4, 0.5]])
    with pytest.raises(ValueError, match=r"row 0 .*logsumexp"):
        to_log_probs([[-0.1, -0.2]])
    with pytest.raises(ValueError, match="row 1 .*mixes"):
        to_log_probs([[0.0, -math.inf], [0.5, -1.0]])
    with pytest.raises(ValueError, match="row 0"):
        to_log_probs([[float("nan"), 1.0]])
    with pytest.raises(ValueError, match="2-D"):
        to_log_probs([0.5, 0.5])
    assert np.array_equal(to_log_probs([[1.0], [1.0]]), [[0.0], [0.0]])  # one class
    assert np.array_equal(to_log_probs([[0.0], [0.0]]), [[0.0], [0.0]])


# ---------------------------------------------------------------------------------------------
# Decoding


@pytest.mark.parametrize("seed", range(5))
def test_greedy_decode_is_collapsed_argmax(seed):
    lp = random_log_probs(30, 5, seed=seed)
    assert greedy_decode(lp) == collapse_by_hand(argmax_by_hand(lp))
    assert greedy_decode(lp, blank=2) == collapse_by_hand(argmax_by_hand(lp), blank=2)


def test_greedy_decode_reads_the_lectures_path():
    # φ=0, 好=1, 棒=2: the lecture's 好 φ φ 棒 φ φ 棒 φ reads 好棒棒, 好好好棒棒棒棒 only 好棒
    for path, reading in [([1, 0, 0, 2, 0, 0, 2, 0], [1, 2, 2]), ([1, 1, 1, 2, 2, 2, 2], [1, 2])]:
        onehot = np.full((len(path), 3), -20.0)
        onehot[np.arange(len(path)), path] = 0.0
        assert greedy_decode(onehot) == reading


@pytest.mark.parametrize(("T", "C", "seed"), [(3, 3, 0), (4, 3, 1), (5, 3, 2), (4, 4, 3)])
def test_beam_search_best_is_the_brute_force_best_labelling(T, C, seed):
    lp = random_log_probs(T, C, scale=2.0, seed=seed).numpy()
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(C), repeat=T):  # every frame path, by hand
        p = math.exp(sum(lp[t, c] for t, c in enumerate(path)))
        key = tuple(collapse_by_hand(path))
        totals[key] = totals.get(key, 0.0) + p
    assert math.isclose(sum(totals.values()), 1.0, rel_tol=1e-9)
    best = max(totals, key=totals.get)
    labels, score = prefix_beam_search(lp, beam_width=C ** T)[0]
    assert labels == list(best)
    assert math.isclose(math.exp(score), totals[best], rel_tol=1e-9)


@pytest.mark.parametrize(("T", "C", "seed"), [(4, 3, 0), (5, 3, 1), (6, 3, 2), (5, 4, 3),
                                              (6, 2, 4), (4, 4, 5)])
def test_wide_beam_finds_the_most_probable_labelling(T, C, seed):
    lp = random_log_probs(T, C, scale=1.5, seed=seed).numpy()
    _, labellings = brute_force(lp, [])
    best = max(labellings, key=labellings.get)
    results = prefix_beam_search(lp, beam_width=10_000)
    assert results[0][0] == list(best)
    assert len(results) == len(labellings)  # nothing pruned: every labelling, exactly
    for labels, score in results:
        assert abs(score - labellings[tuple(labels)]) < 1e-10
    scores = [s for _, s in results]
    assert scores == sorted(scores, reverse=True)
    # the lattice agrees on each labelling's probability
    for labels, score in results[:5]:
        if len(labels) + ctc._num_repeats(labels) <= T:
            assert abs(lattice(lp, labels).log_likelihood - score) < 1e-10


def test_narrow_beams_underestimate_never_overestimate():
    for seed in range(6):
        lp = random_log_probs(6, 3, scale=1.0, seed=seed).numpy()
        _, labellings = brute_force(lp, [])
        for width in (1, 2, 4):
            results = prefix_beam_search(lp, beam_width=width)
            assert 1 <= len(results) <= width
            for labels, score in results:
                assert score <= labellings[tuple(labels)] + 1e-12


def reference_prefix_beam_search(lp, beam_width, blank=0):
    """The textbook prefix beam search, one prefix and one class at a time, with dicts."""
    beams = {(): (0.0, -math.inf)}
    for row in lp.tolist():
        nxt = {}
        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            entry = nxt.setdefault(prefix, [-math.inf, -math.inf])
            entry[0] = np.logaddexp(entry[0], total + row[blank])
            for c, p in enumerate(row):
                if c == blank:
                    continue
                longer = nxt.setdefault(prefix + (c,), [-math.inf, -math.inf])
                if prefix and c == prefix[-1]:
                    entry[1] = np.logaddexp(entry[1], pnb + p)
                    longer[1] = np.logaddexp(longer[1], pb + p)
                else:
                    longer[1] = np.logaddexp(longer[1], total + p)
        ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:beam_width]
        beams = {prefix: tuple(v) for prefix, v in ranked}
    return sorted(((list(p), float(np.logaddexp(*v))) for p, v in beams.items()),
                  key=lambda x: -x[1])


@pytest.mark.parametrize("width", [1, 2, 3, 8, 16])
def test_beam_search_matches_the_textbook_version(width):
    for seed in range(4):
        lp = random_log_probs(30, 5, scale=2.0, seed=100 + seed).numpy()
        ours = prefix_beam_search(lp, beam_width=width)
        ref = reference_prefix_beam_search(lp, width)
        assert [labels for labels, _ in ours] == [labels for labels, _ in ref]
        assert np.allclose([s for _, s in ours], [s for _, s in ref], rtol=0, atol=1e-10)


def test_width_one_agrees_with_greedy_on_confident_frames():
    rng = np.random.default_rng(0)
    for _ in range(20):
        T, C = 25, 5
        path = rng.integers(0, C, T)
        lp = np.full((T, C), math.log(0.05 / (C - 1)))
        lp[np.arange(T), path] = math.log(0.95)
        assert prefix_beam_search(lp, beam_width=1)[0][0] == collapse_by_hand(path.tolist())


def test_beam_search_with_another_blank_and_errors():
    lp = random_log_probs(5, 3, seed=6).numpy()
    _, labellings = brute_force(lp, [], blank=2)
    results = prefix_beam_search(lp, beam_width=1000, blank=2)
    assert results[0][0] == list(max(labellings, key=labellings.get))
    assert all(abs(score - labellings[tuple(labels)]) < 1e-10 for labels, score in results)
    with pytest.raises(ValueError):
        prefix_beam_search(lp, beam_width=0)
    with pytest.raises(ValueError):
        prefix_beam_search(lp, blank=3)


# ---------------------------------------------------------------------------------------------
# Text


def test_encode_and_decode_text():
    labels, alphabet = encode_text("hello")
    assert labels == [1, 2, 3, 3, 4] and alphabet == ["φ", "h", "e", "l", "o"]
    assert decode_labels(labels, alphabet) == "hello"
    assert min_frames(labels) == 6  # h e l φ l o
    assert encode_text("") == ([], ["φ"])
    again, same = encode_text("hole", alphabet)
    assert again == [1, 4, 3, 2] and same == alphabet
    with pytest.raises(ValueError, match="'x'"):
        encode_text("hex", alphabet)
    assert encode_text("aφba") == ([1, 0, 2, 1], ["φ", "a", "b"])
    with pytest.raises(ValueError, match="label 9"):
        decode_labels([9], alphabet)


def test_ordinary_inputs_take_the_rescaled_path(monkeypatch):
    def refuse(*args):
        raise AssertionError("fell back to the log-space recursion")

    monkeypatch.setattr(ctc, "_log_pass", refuse)
    for seed, (T, U, C) in enumerate([(1000, 100, 30), (50, 10, 5), (7, 3, 4)]):
        target = random_target(random.Random(seed), U, C, 0, repeats=True)
        if min_frames(target) <= T:
            lattice(random_log_probs(T, C, scale=3.0, seed=seed), target)


# ---------------------------------------------------------------------------------------------
# Limits on work


def test_a_lattice_over_the_memory_budget_is_refused_before_allocating():
    lp = random_log_probs(10_000, 30, seed=3).numpy()
    target = random_target(random.Random(0), 4_000, 30, 0)
    tracemalloc.start()
    with pytest.raises(ValueError, match="at most 256 MB"):
        lattice(lp, target)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * lp.nbytes  # nothing of the size of the lattice (10,000 × 8,001) was made


def test_the_memory_estimate_covers_what_the_lattice_really_allocates(monkeypatch):
    lp = random_log_probs(600, 7, seed=4).numpy()
    target = random_target(random.Random(1), 40, 7, 0, repeats=True)
    for fallback in (False, True):  # the rescaled pass, then the log-space fallback after it
        if fallback:
            monkeypatch.setattr(ctc, "_CONSISTENCY_TOL", -1.0)
        tracemalloc.start()
        lattice(lp, target)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak <= ctc.lattice_bytes(600, 7, 40)


def test_the_lattice_limit_one_past():
    C, U = 3, 100
    per_frame = ctc.lattice_bytes(1, C, U) - 8 * U * C
    T = (ctc.MAX_LATTICE_BYTES - 8 * U * C) // per_frame  # the most frames within the budget
    ctc.check_lattice_size(T, C, U)
    with pytest.raises(ValueError, match="at most 256 MB"):
        ctc.check_lattice_size(T + 1, C, U)


def test_counting_and_listing_limits_one_past():
    T = ctc.MAX_COUNT_NODES // 5  # a 2-label target has S = 5 states
    assert count_alignments(T, [1, 2]) == math.comb(T + 2, 4)
    with pytest.raises(ValueError, match="at most 250,000 nodes"):
        count_alignments(T + 1, [1, 2])
    ctc.check_listed(ctc.MAX_LISTED_ALIGNMENTS)
    with pytest.raises(ValueError, match="first 100,000 alignments"):
        ctc.check_listed(ctc.MAX_LISTED_ALIGNMENTS + 1)
    with pytest.raises(ValueError, match="first 100,000 alignments"):
        ctc.alignment_page(1000, [1, 2], 0, ctc.MAX_LISTED_ALIGNMENTS + 1)
    page = ctc.alignment_page(8, [1, 2, 2], 20, 40)
    assert page == list(alignments(8, [1, 2, 2]))[20:40]


def test_the_beam_search_limit_one_past():
    lp = random_log_probs(100, 10, seed=5).numpy()
    width = ctc.MAX_BEAM_WORK // (100 * 10)
    assert len(prefix_beam_search(lp, beam_width=width)) == width
    with pytest.raises(ValueError, match="at most 1,000,000"):
        prefix_beam_search(lp, beam_width=width + 1)

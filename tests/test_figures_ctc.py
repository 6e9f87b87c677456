"""The CTC lab's figures hold the engine's numbers: nodes, edges, paths, heatmaps, frames."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import ctc
from figures.ctc import (
    alpha_animation,
    drawable,
    frames_figure,
    lattice_figure,
    node_values,
    reachable_nodes,
)

LECTURE, ALPHABET = ctc.encode_text(ctc.LECTURE_TARGET)  # [1, 2, 2], ["φ", "好", "棒"]


def uniform(T: int, C: int) -> np.ndarray:
    return np.full((T, C), -np.log(C))


def random_lattice(T: int, target: list[int], C: int, seed: int = 0) -> ctc.Lattice:
    logits = torch.randn(T, C, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return ctc.lattice(torch.log_softmax(3 * logits, dim=-1), target)


def trace(fig, role: str):
    return next(t for t in fig.data if (t.meta or {}).get("role") == role)


def node_set(fig) -> set[tuple[int, int]]:
    nodes = trace(fig, "nodes")
    return {(int(x) - 1, int(y)) for x, y in zip(nodes.x, nodes.y, strict=True)}


def segments(fig, kind: str) -> list[tuple[int, int, int, int]]:
    edges = trace(fig, f"edges:{kind}")
    xs, ys = list(edges.x), list(edges.y)
    assert all(np.isnan(xs[2::3])) and all(np.isnan(ys[2::3]))  # breaks between segments
    return [(int(xs[i]) - 1, int(ys[i]), int(xs[i + 1]) - 1, int(ys[i + 1]))
            for i in range(0, len(xs), 3)]


@pytest.mark.parametrize(("T", "target"), [(8, LECTURE), (6, [1, 2, 3]), (5, [1, 1]), (3, [])])
def test_the_nodes_are_exactly_the_states_some_alignment_visits(T, target):
    structure = ctc.lattice(uniform(T, 4), target)
    fig = lattice_figure(structure, ["φ", "a", "b", "c"], reachable_nodes(structure), "share")
    visited = {(t, s) for path in ctc.alignments(T, target, as_states=True)
               for t, s in enumerate(path)}
    assert node_set(fig) == visited
    assert len(trace(fig, "nodes").x) == int(reachable_nodes(structure).sum())


def test_every_edge_is_an_allowed_move_and_skips_only_join_different_labels():
    structure = ctc.lattice(uniform(8, 3), LECTURE)
    fig = lattice_figure(structure, ALPHABET, reachable_nodes(structure))
    moves = ctc.allowed_moves(LECTURE)
    used = {(t, s) for path in ctc.alignments(8, LECTURE, as_states=True)
            for t, s in enumerate(zip(path, path[1:], strict=False))}
    for kind, step in (("stay", 0), ("advance", 1), ("skip", 2)):
        for t0, p, t1, s in segments(fig, kind):
            assert t1 == t0 + 1 and s - p == step and p in moves[s]
            assert (t0, (p, s)) in used  # some alignment takes this move
    # 好 → 棒 may skip the φ between them (state 1 → 3); 棒 → 棒 may not (state 3 → 5).
    assert {(p, s) for _, p, _, s in segments(fig, "skip")} == {(1, 3)}
    assert len(segments(fig, "stay")) + len(segments(fig, "advance")) + len(
        segments(fig, "skip")) == len(used)


def test_the_viterbi_path_is_drawn_through_best_path_states():
    lat = random_lattice(12, [1, 3, 3, 2], 5, seed=3)
    structure = ctc.lattice(uniform(12, 5), lat.target)
    fig = lattice_figure(lat, list("φabcd"), reachable_nodes(structure), "posterior",
                         [("Viterbi path", lat.best_path_states)])
    path = trace(fig, "path:Viterbi path")
    assert list(path.x) == list(range(1, 13))
    assert list(path.y) == lat.best_path_states


@pytest.mark.parametrize("values", ["posterior", "alpha", "beta"])
def test_node_colours_are_the_lattice_values(values):
    lat = random_lattice(10, [2, 1, 2], 4, seed=1)
    reach = reachable_nodes(ctc.lattice(uniform(10, 4), lat.target))
    nodes = trace(lattice_figure(lat, list("φabc"), reach, values), "nodes")
    ts, ss = np.asarray(nodes.x) - 1, np.asarray(nodes.y)
    shown = np.asarray(nodes.marker.color)
    if values == "posterior":
        np.testing.assert_allclose(shown, lat.posterior[ts, ss])
    else:  # α, β scaled within each frame: proportional to exp(log α) and summing to 1
        logs = lat.log_alpha if values == "alpha" else lat.log_beta
        expected = np.exp(logs - logs.max(axis=1, keepdims=True))
        expected /= expected.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(shown, expected[ts, ss], atol=1e-12)
        np.testing.assert_allclose(node_values(lat, values).sum(axis=1), 1.0)


def test_the_probability_heatmap_is_the_frame_posteriors_under_the_image():
    lat = random_lattice(9, [1, 2], 3, seed=2)
    probs = np.exp(lat.log_probs)
    image = np.linspace(0, 1, 8 * 9).reshape(8, 9)
    fig = frames_figure(probs, ["φ", "1", "2"], image, [("Viterbi path", lat.best_path)])
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    np.testing.assert_allclose(np.asarray(heatmaps[0].z), image)
    np.testing.assert_allclose(np.asarray(heatmaps[1].z), probs.T)
    assert list(heatmaps[1].y) == ["φ", "1", "2"]
    text = next(t for t in fig.data if t.name == "Viterbi path")
    assert list(text.text) == [["φ", "1", "2"][c] for c in lat.best_path]
    assert list(heatmaps[0].x) == list(heatmaps[1].x) == list(range(1, 10))  # frames = columns
    assert fig.layout.dragmode is False


def test_the_alpha_animation_has_one_frame_per_time_step_filling_column_by_column():
    lat = random_lattice(7, LECTURE, 3, seed=4)
    reach = reachable_nodes(ctc.lattice(uniform(7, 3), LECTURE))
    fig = alpha_animation(lat, ALPHABET, reach)
    assert len(fig.frames) == lat.num_frames
    assert [f.name for f in fig.frames] == [str(t) for t in range(7)]
    for t, frame in enumerate(fig.frames):
        nodes = frame.data[0]
        assert max(nodes.x) == t + 1
        assert len(nodes.x) == int(reach[: t + 1].sum())
    last = fig.frames[-1].data[0]
    np.testing.assert_allclose(
        last.marker.color, node_values(lat, "alpha")[np.asarray(last.x) - 1, np.asarray(last.y)])
    assert len(fig.layout.sliders[0].steps) == 7
    assert [b.label for b in fig.layout.updatemenus[0].buttons][:2] == ["▶ Play", "❚❚ Pause"]


def test_long_targets_keep_the_lattice_readable():
    target = list(range(1, 41))
    structure = ctc.lattice(uniform(90, 41), target)
    fig = lattice_figure(structure, [str(i) for i in range(41)], reachable_nodes(structure),
                         "share")
    nodes = trace(fig, "nodes")
    assert nodes.text is None and nodes.mode == "markers"  # values on hover only
    assert len(fig.layout.yaxis.tickvals) <= 41
    assert fig.layout.height <= 780
    assert all(ax.fixedrange for ax in (fig.layout.xaxis, fig.layout.yaxis))
    assert drawable(90, 81) and not drawable(1000, 201)


def test_per_frame_posteriors_are_drawn_up_to_their_limit_and_not_one_past():
    from figures.ctc import MAX_FRAMES_DRAWN, frames_drawable

    assert frames_drawable(MAX_FRAMES_DRAWN // 100, 100)
    assert not frames_drawable(MAX_FRAMES_DRAWN // 100 + 1, 100)

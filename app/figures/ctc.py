"""Figures of the CTC lab (pure: engine.ctc Lattice and arrays → plotly figures).

The lattice is drawn as in Graves et al. (2006), Fig. 3: frames run left to right (x = frame
1 … T), the states of the extended target run top to bottom (φ, first label, φ, second label,
…, φ). A node is drawn where some valid alignment passes; an edge where a path may move between
two drawn nodes: stay, advance, or skip a blank (only between two different labels).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.ctc import BLANK_SYMBOL, Lattice
from figures.animation import at_step
from figures.style import FAINT, FONT_FAMILY, MUTED, TEXT, base_layout
from i18n import N_, _

# What a node's colour can show, as (title, colour of the scale's top, hover name).
VALUES: dict[str, tuple[str, str, str]] = {
    "share": (N_("share of the alignments through this node"), "#0f766e", N_("share")),
    "posterior": (N_("occupancy P(state s at frame t | target)"), "#7c3aed", N_("occupancy")),
    "alpha": (N_("α forward (each frame scaled to sum 1)"), "#2563eb", "α"),
    "beta": (N_("β backward (each frame scaled to sum 1)"), "#d97706", "β"),
}
BLANK_COLOR, LABEL_COLOR = "#9ca3af", "#1e3a8a"  # node outlines (and plain node fills)
EDGE_COLOR, SKIP_COLOR = "#cbd5e1", "#f472b6"
PATH_COLORS = ("#dc2626", "#16a34a")  # Viterbi path, then a path of the user's
IMAGE_SCALE = [[0.0, "#ffffff"], [1.0, "#111827"]]
PROB_SCALE = [[0.0, "#ffffff"], [0.25, "#c7d2fe"], [1.0, "#312e81"]]
MAX_NODE_TEXT = 160  # write values in the nodes only up to this many nodes
MAX_DRAWN = 24_000  # T · S above this: too many nodes to draw (see `drawable`)
MAX_FRAMES_DRAWN = 100_000  # T · C above this: a heatmap too heavy to send to the browser
BASE_MS = 350  # animation time per frame


def two_lines(title: str) -> str:
    """A long colour-bar title on two lines (broken at the space nearest its middle), so that
    it stays within the bar's height on a short lattice or a phone's narrow one."""
    if len(title) <= 24 or " " not in title:
        return title
    middle = len(title) / 2
    cut = min((i for i, ch in enumerate(title) if ch == " "), key=lambda i: abs(i - middle))
    return title[:cut] + "<br>" + title[cut + 1:]


def drawable(num_frames: int, num_states: int) -> bool:
    """Whether a lattice of this size is drawn (otherwise a page shows its numbers only)."""
    return num_frames * num_states <= MAX_DRAWN


def frames_drawable(num_frames: int, num_classes: int) -> bool:
    """Whether per-frame posteriors of this size are drawn (`frames_figure`)."""
    return num_frames * num_classes <= MAX_FRAMES_DRAWN


def state_symbols(lat: Lattice, symbols: Sequence[str]) -> list[str]:
    """[S] the display symbol of each state of the extended target (φ for the blank)."""
    return [BLANK_SYMBOL if int(c) == lat.blank else str(symbols[int(c)]) for c in lat.states]


def reachable_nodes(structure: Lattice) -> np.ndarray:
    """[T, S] bool: nodes some valid alignment passes through.

    `structure` is the lattice under uniform per-frame probabilities (every alignment equally
    likely), so its occupancy is positive exactly on those nodes.
    """
    return structure.posterior > 0


def node_values(lat: Lattice, values: str) -> np.ndarray:
    """[T, S] what a node's colour shows; α and β scaled within each frame to sum 1."""
    if values in ("share", "posterior"):
        return lat.posterior
    logs = lat.log_alpha if values == "alpha" else lat.log_beta
    top = np.max(logs, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    scaled = np.exp(logs - top)
    total = scaled.sum(axis=1, keepdims=True)
    return scaled / np.where(total > 0, total, 1.0)


def _sizes(num_frames: int, num_states: int) -> tuple[int, int]:
    """(figure height px, marker diameter px) for a lattice of T frames and S states."""
    height = int(np.clip(130 + 46 * num_states, 330, 780))
    per_frame = 1000 / max(num_frames, 1)
    per_state = (height - 130) / max(num_states, 1)
    return height, int(np.clip(0.62 * min(per_frame, per_state), 5, 30))


def _edges(lat: Lattice, reach: np.ndarray) -> dict[str, tuple[list, list]]:
    """Line segments (x, y with NaN breaks) of stays, advances and skips between drawn nodes."""
    out: dict[str, tuple[list, list]] = {"stay": ([], []), "advance": ([], []), "skip": ([], [])}
    for t in range(1, lat.num_frames):
        for s in np.flatnonzero(reach[t]):
            for p in lat.moves[s]:
                if reach[t - 1, p]:
                    kind = "stay" if p == s else "advance" if p == s - 1 else "skip"
                    xs, ys = out[kind]
                    xs += [t, t + 1, np.nan]  # NaN breaks the line between segments
                    ys += [int(p), int(s), np.nan]
    return out


def _edge_traces(lat: Lattice, reach: np.ndarray) -> list[go.Scatter]:
    names = {"stay": _("stay"), "advance": _("advance one state"),
             "skip": _("skip a φ (only between different labels)")}
    traces = []
    for kind, (xs, ys) in _edges(lat, reach).items():
        color = SKIP_COLOR if kind == "skip" else EDGE_COLOR
        traces.append(go.Scatter(
            x=np.array(xs, dtype=float), y=np.array(ys, dtype=float), mode="lines",
            name=names[kind], hoverinfo="skip",
            line={"color": color, "width": 1.6, "dash": "dot" if kind == "skip" else "solid"},
            connectgaps=False, showlegend=bool(xs), meta={"role": f"edges:{kind}"}))
    return traces


def _short(value: float) -> str:
    """A share in [0, 1] in at most three characters: .37, 1, <.01, 0."""
    if value >= 0.995:
        return "1"
    if value == 0:
        return "0"
    return "<.01" if value < 0.005 else f"{value:.2f}".lstrip("0")


def _node_hover(lat: Lattice, syms: list[str], ts: np.ndarray, ss: np.ndarray,
                vals: np.ndarray | None, values: str | None) -> list[str]:
    out = []
    for i, (t, s) in enumerate(zip(ts.tolist(), ss.tolist(), strict=True)):
        line = _("frame {frame} · state {state} ({symbol})").format(
            frame=t + 1, state=s, symbol=syms[s])
        if vals is not None and values is not None:
            line += f"<br>{_(VALUES[values][2])} = {vals[i]:.4g}"
            if values in ("alpha", "beta"):
                logs = lat.log_alpha if values == "alpha" else lat.log_beta
                line += f"<br>log {VALUES[values][2]} = {logs[t, s]:.4g}"
        out.append(line)
    return out


def _node_trace(lat: Lattice, syms: list[str], reach: np.ndarray, values: str | None,
                marker_size: int, upto: int | None = None) -> go.Scatter:
    """The drawn nodes (frames 0..upto when given), coloured by `values` or by blank/label."""
    mask = reach.copy()
    if upto is not None:
        mask[upto + 1:] = False
    ts, ss = np.nonzero(mask)
    blank = lat.states[ss] == lat.blank
    vals = node_values(lat, values)[ts, ss] if values else None
    # Outlines: grey for blanks, dark blue for labels, as numbers on a two-colour scale (arrays
    # of colour names are slow for plotly to check, and an animation has one trace per frame).
    marker = {"size": marker_size, "line": {
        "width": 1.5, "color": blank.astype(float), "cmin": 0.0, "cmax": 1.0,
        "colorscale": [[0.0, LABEL_COLOR], [1.0, BLANK_COLOR]]}}
    text, textfont = None, None
    few = int(reach.sum()) <= MAX_NODE_TEXT and marker_size >= 24
    if values:
        title, color, _hover = VALUES[values]
        marker |= {"color": vals, "cmin": 0.0, "cmax": 1.0,
                   "colorscale": [[0.0, "#ffffff"], [1.0, color]],
                   "colorbar": {"title": {"text": two_lines(_(title)), "side": "right",
                                          "font": {"size": 13}},
                                "thickness": 14, "len": 0.9, "tickfont": {"size": 13}}}
        if few:
            text = [_short(v) for v in vals.tolist()]
            textfont = {"size": 13,
                        "color": ["#ffffff" if v > 0.55 else TEXT for v in vals.tolist()]}
    else:
        marker["color"] = np.where(blank, "#f3f4f6", "#dbeafe").tolist()
        if few:
            text = [syms[s] for s in ss.tolist()]
            textfont = {"size": 13, "color": TEXT}
    return go.Scatter(
        x=ts + 1, y=ss, mode="markers+text" if text else "markers", marker=marker, text=text,
        textfont=textfont, textposition="middle center", name="nodes", showlegend=False,
        hovertext=np.array(_node_hover(lat, syms, ts, ss, vals, values), dtype=object),
        hoverinfo="text",
        meta={"role": "nodes"})


def _path_trace(states: Sequence[int], name: str, color: str, syms: list[str]) -> go.Scatter:
    frames = list(range(1, len(states) + 1))
    return go.Scatter(
        x=frames, y=[int(s) for s in states], mode="lines", name=name,
        line={"color": color, "width": 4}, opacity=0.85,
        hovertext=[_("{path}: frame {frame} → {symbol}").format(path=name, frame=t,
                                                                  symbol=syms[s])
                   for t, s in zip(frames, states, strict=True)],
        hoverinfo="text", meta={"role": f"path:{name}"})


def _axes(fig: go.Figure, lat: Lattice, syms: list[str], height: int) -> None:
    T, S = lat.num_frames, lat.num_states
    tick = 1 if T <= 40 else int(np.ceil(T / 40 / 5) * 5)
    fig.update_xaxes(range=[0.4, T + 0.6], fixedrange=True, showgrid=False, zeroline=False,
                     title_text=_("frame t"), tickmode="linear", tick0=1 if tick == 1 else 0,
                     dtick=tick)
    every = 1 if S <= 41 else int(np.ceil(S / 40))
    fig.update_yaxes(range=[S - 0.5, -0.5], fixedrange=True, showgrid=False, zeroline=False,
                     tickmode="array", tickvals=list(range(0, S, every)),
                     ticktext=syms[::every], tickfont={"size": 15},
                     title_text=_("extended target"))
    base_layout(fig, height, margin={"l": 70, "r": 20, "t": 50, "b": 55})
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1, "yref": "container",
                              "yanchor": "top", "font": {"size": 13}}, hovermode="closest")


def lattice_figure(lat: Lattice, symbols: Sequence[str], reach: np.ndarray,
                   values: str | None = None,
                   paths: Sequence[tuple[str, Sequence[int]]] = ()) -> go.Figure:
    """The lattice of `lat`: drawn nodes `reach` [T, S], coloured by `values` (a key of VALUES,
    or None for plain nodes), with `paths` (name, states [T]) drawn on it (the first in red)."""
    syms = state_symbols(lat, symbols)
    height, size = _sizes(lat.num_frames, lat.num_states)
    fig = go.Figure(_edge_traces(lat, reach))
    for (name, states), color in zip(paths, PATH_COLORS, strict=False):
        fig.add_trace(_path_trace(states, name, color, syms))
    fig.add_trace(_node_trace(lat, syms, reach, values, size))
    _axes(fig, lat, syms, height)
    return fig


def alpha_animation(lat: Lattice, symbols: Sequence[str], reach: np.ndarray) -> go.Figure:
    """α filling the lattice frame by frame, played in the browser: one plotly frame per t."""
    syms = state_symbols(lat, symbols)
    T = lat.num_frames
    height, size = _sizes(T, lat.num_states)
    ts, ss = np.nonzero(reach)
    fig = go.Figure(_edge_traces(lat, reach))
    fig.add_scatter(x=ts + 1, y=ss, mode="markers", hoverinfo="skip", showlegend=False,
                    marker={"size": size, "color": "#ffffff", "line": {"width": 1.2,
                                                                      "color": FAINT}},
                    meta={"role": "empty nodes"})
    fig.add_trace(_node_trace(lat, syms, reach, "alpha", size, upto=0))
    animated = len(fig.data) - 1
    fig.frames = [go.Frame(data=[_node_trace(lat, syms, reach, "alpha", size, upto=t)],
                           traces=[animated], name=str(t)) for t in range(T)]
    height += 90
    _axes(fig, lat, syms, height)
    margin = {"l": 70, "r": 20, "t": 50, "b": 150}
    fig.update_layout(margin=margin)
    below = -70 / (height - margin["t"] - margin["b"])  # 70 px under the plot, as paper y
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
             "transition": {"duration": 0}}
    play = {"frame": {"duration": BASE_MS, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False,
                      "x": 0.0, "xanchor": "left", "y": below, "yanchor": "top",
                      "pad": {"t": 44}, "font": {"size": 14}, "bgcolor": "#f8fafc",
                      "bordercolor": "#cbd5e1",
                      "buttons": [
                          {"label": _("▶ Play"), "method": "animate", "args": [None, play]},
                          {"label": _("❚❚ Pause"), "method": "animate",
                           "args": [[None], still | {"frame": {"duration": 0,
                                                                "redraw": False}}]},
                          {"label": _("⟲ Replay"), "method": "animate",
                           "args": [[str(t) for t in range(T)], play | {"fromcurrent": False}]},
                      ]}],
        sliders=[{"active": 0, "x": 0.34, "len": 0.66, "y": below, "yanchor": "top",
                  "currentvalue": {"prefix": _("α up to frame "), "font": {"size": 14}},
                  "font": {"size": 13}, "pad": {"t": 24, "b": 0},
                  "steps": [{"label": str(t + 1), "method": "animate",
                             "args": [[str(t)], still]} for t in range(T)]}],
    )
    return fig


def frames_figure(probs: np.ndarray, symbols: Sequence[str], image: np.ndarray | None = None,
                  paths: Sequence[tuple[str, Sequence[int]]] = ()) -> go.Figure:
    """Per-frame class probabilities `probs` [T, C] as a heatmap (classes as rows, blank on top),
    with the input `image` [H, T] above it on the same frame axis and frame paths (name, labels
    [T]) written between them."""
    T, C = probs.shape
    rows = [r for r, on in (("image", image is not None), ("paths", bool(paths)),
                            ("probs", True)) if on]
    weights = {"image": 0.34, "paths": 0.06 * len(paths) + 0.02, "probs": 0.58}
    fig = make_subplots(rows=len(rows), cols=1, shared_xaxes=True, vertical_spacing=0.025,
                        row_heights=[weights[r] for r in rows])
    row = {name: i + 1 for i, name in enumerate(rows)}
    frames = np.arange(1, T + 1)
    if image is not None:
        fig.add_heatmap(z=image, x=frames, y=list(range(image.shape[0])), colorscale=IMAGE_SCALE,
                        zmin=0, zmax=1, showscale=False, name="image",
                        hovertemplate=_("column {column} · row {row}: {value}").format(
                            column="%{x}", row="%{y}", value="%{z:.2f}")
                        + "<extra>" + _("image") + "</extra>",
                        row=row["image"], col=1)
        fig.update_yaxes(autorange="reversed", showticklabels=False, row=row["image"], col=1)
    names = [BLANK_SYMBOL] + [str(s) for s in symbols[1:C]]
    for k, (name, labels) in enumerate(paths):
        text = [names[int(c)] for c in labels]
        fig.add_scatter(
            x=frames, y=[k] * T, mode="text", text=text, name=name, showlegend=False,
            textfont={"size": 14 if T <= 60 else 13,
                      "color": [MUTED if int(c) == 0 else PATH_COLORS[k % 2] for c in labels]},
            hovertemplate=_("{path}: frame {frame} → {symbol}").format(
                path=name, frame="%{x}", symbol="%{text}") + "<extra></extra>",
            row=row["paths"], col=1)
    if paths:
        fig.update_yaxes(range=[len(paths) - 0.5, -0.5], tickmode="array",
                         tickvals=list(range(len(paths))), ticktext=[n for n, _ in paths],
                         row=row["paths"], col=1)
    fig.add_heatmap(
        z=probs.T, x=frames, y=names, colorscale=PROB_SCALE, zmin=0, zmax=1, name="probs",
        colorbar={"title": {"text": _("p(class | frame)"), "side": "right", "font": {"size": 13}},
                  "thickness": 14, "len": weights["probs"] / sum(weights[r] for r in rows),
                  "y": 0, "yanchor": "bottom", "tickfont": {"size": 13}},
        hovertemplate=_("frame {frame} · class {symbol}: p = {p}").format(
            frame="%{x}", symbol="%{y}", p="%{z:.3f}") + "<extra></extra>",
        row=row["probs"], col=1)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 14}, type="category",
                     row=row["probs"], col=1)
    fig.update_xaxes(range=[0.5, T + 0.5], fixedrange=True, showgrid=False)
    fig.update_yaxes(fixedrange=True, showgrid=False, zeroline=False)
    fig.update_xaxes(title_text=_("frame t (one column of the strip per frame)")
                     if image is not None else _("frame t"), row=len(rows), col=1)
    height = 140 + 22 * C + (170 if image is not None else 0) + 34 * len(paths)
    base_layout(fig, height, margin={"l": 150, "r": 20, "t": 12, "b": 55})
    fig.update_layout(font={"family": FONT_FAMILY})
    return fig


def alpha_at(fig: go.Figure, t: int) -> go.Figure:
    """A copy of `alpha_animation`'s figure at frame `t` (0-based), for stepping it from the
    page's own controls (their keys): its in-figure play buttons and slider are dropped."""
    out = at_step(fig, t)
    margin = out.layout.margin
    out.update_layout(updatemenus=[], sliders=[], height=out.layout.height - 90,
                      margin={"l": margin.l, "r": margin.r, "t": margin.t, "b": 55})
    return out

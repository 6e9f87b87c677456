"""Slot-filling figures: the current word's input vector, and the slot probabilities and hidden
state word by word (engine.slots.Reading -> plotly Figure)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.slots import SLOTS, Reading
from figures.style import FAINT, MUTED, TEXT, base_layout, diverging_colorscale

# One colour per slot (the tag chips use the matching Streamlit colours).
SLOT_COLORS: dict[str, str] = {
    "other": "#6b7280",
    "dest": "#2563eb",
    "origin": "#d97706",
    "arrive_time": "#16a34a",
    "depart_time": "#7c3aed",
}


def input_figure(reading: Reading, t: int) -> go.Figure:
    """The input vector x_t of word t: a bar per lit dimension on the full axis 0..I-1, each
    named (the word or "<other>" for 1-of-N, its trigrams for word hashing); names of bars
    close together are stacked so they never overlap."""
    size = reading.inputs.shape[1]
    lit = reading.active[t]
    fig = go.Figure(go.Bar(
        x=[k for k, _, _ in lit], y=[v for _, _, v in lit], customdata=[n for _, n, _ in lit],
        marker_color=SLOT_COLORS["dest"], width=size / 90,
        hovertemplate="dimension %{x}: %{customdata} = %{y}<extra></extra>"))
    top = max(v for _, _, v in lit) if lit else 1.0
    level, last = 0, None
    for k, name, value in lit:
        level = level + 1 if last is not None and k - last < size / 12 and level < 2 else 0
        last = k
        fig.add_annotation(x=k, y=value, text=name, showarrow=False, yanchor="bottom",
                           yshift=3 + 17 * level, font={"size": 14, "color": TEXT})
    fig.update_xaxes(range=[-0.5, size - 0.5], title_text=f"input dimension (0 … {size - 1})",
                     showgrid=False, zeroline=False)
    fig.update_yaxes(range=[0, top * 1.6], dtick=1, title_text="value", gridcolor=FAINT)
    base_layout(fig, 210, {"l": 10, "r": 10, "t": 10, "b": 10})
    fig.update_layout(showlegend=False, bargap=0)
    return fig


def _masked(values: np.ndarray, t: int, reverse_from: int | None = None) -> np.ndarray:
    """values [rows, T] with the columns not yet read blanked (NaN): columns > t, and for
    the rows from `reverse_from` on (a backward direction) columns < t instead."""
    out = values.astype(float).copy()
    out[:, t + 1:] = np.nan
    if reverse_from is not None:
        out[reverse_from:, :] = values[reverse_from:, :]
        out[reverse_from:, :t] = np.nan
    return out


def reading_figure(reading: Reading, t: int) -> go.Figure:
    """Slot probabilities [5 × T] and hidden state [D·H × T] up to word t (the backward
    direction of a bidirectional LSTM from the last word back to t), word t outlined."""
    T = reading.steps
    units = reading.hidden.shape[1]
    h = units // reading.directions
    hidden_px = max(150, min(300, 7 * units))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        row_heights=[130, hidden_px],
                        subplot_titles=("slot probabilities", _hidden_title(reading)))
    probs = _masked(reading.probs.T, t)
    fig.add_trace(go.Heatmap(
        z=probs, x=list(range(T)), y=list(SLOTS), zmin=0, zmax=1,
        colorscale=[[0, "#f8fafc"], [1, "#1e3a8a"]], showscale=False, xgap=2, ygap=2,
        text=np.where(np.isnan(probs), "", np.vectorize(lambda v: f"{v:.2f}")(
            np.nan_to_num(probs))), texttemplate="%{text}", textfont={"size": 12},
        hovertemplate="%{y}: %{z:.3f}<extra></extra>"), row=1, col=1)
    names = [f"→{k + 1}" for k in range(h)] + (
        [f"←{k + 1}" for k in range(h)] if reading.directions == 2 else [])
    if reading.directions == 1:
        names = [f"h{k + 1}" for k in range(h)]
    hidden = _masked(reading.hidden.T, t, h if reading.directions == 2 else None)
    fig.add_trace(go.Heatmap(
        z=hidden, x=list(range(T)), y=names, zmin=-1, zmax=1, showscale=False,
        colorscale=diverging_colorscale("h"), xgap=1,
        hovertemplate="unit %{y}: %{z:.3f}<extra></extra>"), row=2, col=1)
    for row, top in ((1, len(SLOTS)), (2, units)):
        fig.add_shape(type="rect", x0=t - 0.5, x1=t + 0.5, y0=-0.5, y1=top - 0.5,
                      line={"color": "#dc2626", "width": 2}, row=row, col=1)
    if reading.directions == 2:
        fig.add_hline(y=h - 0.5, line={"color": TEXT, "width": 1.5}, row=2, col=1)
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont={"size": 12})
    fig.update_yaxes(tickmode="array", tickvals=names[:: max(1, units // 8)], row=2, col=1)
    fig.update_xaxes(tickvals=list(range(T)), ticktext=reading.tokens, showgrid=False,
                     tickfont={"size": 13}, range=[-0.5, T - 0.5])
    base_layout(fig, 130 + hidden_px + 110, {"l": 10, "r": 10, "t": 30, "b": 10})
    for ann in fig.layout.annotations:  # from the left edge: fits a phone's width too
        ann.update(font={"size": 14, "color": MUTED}, x=0, xanchor="left", xshift=-70)
    return fig


def _hidden_title(reading: Reading) -> str:
    """The hidden-state row's title for this tagger."""
    if reading.model == "feedforward":
        return "hidden layer (this word only: no memory)"
    if reading.directions == 2:
        return "hidden: → forward (so far), ← backward (from the end)"
    if reading.model == "jordan":
        return "hidden state (it reads back the previous slot scores)"
    return "hidden state (the memory carried to the next word)"

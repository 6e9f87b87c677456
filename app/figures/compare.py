"""Two one-cell LSTMs on the same sequence, row by row: the lecture's hand-wired cell and the one
that learned the rules (did it learn the same logic?)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.trace import Trace
from figures.style import COLORS, FONT_FAMILY, TEXT, base_layout
from figures.timeline import _layout_rows, _mark_step, _steps_axis
from figures.values import check_index, fmt_many
from i18n import N_, _

# (row title, colour key) of each compared quantity; titles translated where shown.
ROWS: list[tuple[str, str]] = [
    (N_("input gate σ(z<sub>i</sub>): lets x1 in"), "i"),
    (N_("forget gate σ(z<sub>f</sub>): keeps the memory when open"), "f"),
    (N_("output gate σ(z<sub>o</sub>): lets the memory out"), "o"),
    (N_("memory c"), "c"),
    (N_("output y"), "h"),
]


def _values(trace: Trace, key: str) -> np.ndarray:
    """Unit 0 of one quantity of a one-cell LSTM trace, [T]."""
    if key == "c":
        series = trace.cell
    elif key == "h":
        series = trace.outputs
    else:
        series = trace.gates[key]
    return series[:, 0].detach().float().cpu().numpy()


def learned_vs_wired(learned: Trace, wired: Trace, t: int) -> go.Figure:
    """Gates, memory and output of both cells over time, step `t` (0-based) framed: the
    learned cell as thick lines in each quantity's colour, the hand-wired one dotted on top.

    Both traces must come from one-cell LSTMs reading the same sequence (same T).
    """
    steps = learned.steps
    if wired.steps != steps:
        raise ValueError(f"the traces have {steps} and {wired.steps} steps; they must match")
    t = check_index("t", t, steps)
    height, spacing, heights = _layout_rows(len(ROWS), [70, 70, 70, 110, 110])
    fig = make_subplots(rows=len(ROWS), cols=1, shared_xaxes=False, vertical_spacing=spacing,
                        row_heights=heights)
    x = np.arange(1, steps + 1)
    step_hover = _("step {step}").format(step="%{x}")
    for row, (title, key) in enumerate(ROWS, start=1):
        for name, tr, style in (  # the dashes on top, so they show where the lines agree
            (_("learned"), learned, {"color": COLORS[key], "width": 4}),
            (_("hand-wired (lecture)"), wired, {"color": TEXT, "dash": "dot", "width": 2}),
        ):
            values = _values(tr, key)
            fig.add_trace(go.Scatter(
                x=x, y=values, mode="lines+markers", name=name, legendgroup=name,
                showlegend=row == 1, line=style, marker={"size": 6 if tr is learned else 4},
                text=fmt_many(values),
                hovertemplate=f"{name}<br>{step_hover}: %{{text}}<extra></extra>",
            ), row=row, col=1)
        if key in "ifo":
            fig.update_yaxes(range=[-0.08, 1.08], tickvals=[0, 0.5, 1], row=row, col=1)
        axis = fig.layout["yaxis" if row == 1 else f"yaxis{row}"]
        fig.add_annotation(
            x=0, y=axis.domain[1], xref="paper", yref="paper", xanchor="left", yanchor="bottom",
            text=f"<b>{_(title)}</b>", showarrow=False,
            font={"size": 14, "color": COLORS[key], "family": FONT_FAMILY},
        )
    _steps_axis(fig, len(ROWS), steps, None)
    for row in range(1, len(ROWS)):  # step numbers under the bottom row only
        fig.update_xaxes(showticklabels=False, row=row, col=1)
    fig.update_yaxes(fixedrange=True, zeroline=True)
    _mark_step(fig, t, steps, band=True)
    base_layout(fig, height + 40, margin={"l": 10, "r": 10, "t": 80, "b": 90})
    fig.update_layout(legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0,
                              "yanchor": "bottom", "yref": "container"},
                      meta={"step": t})
    return fig

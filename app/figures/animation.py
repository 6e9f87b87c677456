"""The memory over a sequence as a browser-side animation (plotly frames, no server round trip).

Left: the gates' openings at the current step as bars (hidden-state values for networks without
gates). Right: the memory c_t (LSTM; h_t otherwise) drawn up to the current step, so the curve
grows while the animation plays. Play / pause / replay, three speeds and a step slider.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.trace import GATE_NAMES, Trace
from figures.style import (
    COLORS,
    FONT_FAMILY,
    base_layout,
    series_color,
    unit_color,
)
from figures.values import fmt, resolve_units, text_num, unit_label, vector_plain
from i18n import N_, _

MAX_UNITS = 4  # default: more units than this → the most varying ones
BASE_MS = 900  # time per step at 1×
SPEEDS = {"0.5×": 2.0, "1×": 1.0, "2×": 0.5}
HEIGHT = 500
TITLE = N_("RNN Lab: memory animation")  # the downloaded page's title

GATE_LABELS = {  # translated where shown
    ("lstm", "i"): N_("input gate"),
    ("lstm", "f"): N_("forget gate"),
    ("lstm", "o"): N_("output gate"),
    ("gru", "r"): N_("reset gate"),
    ("gru", "z"): N_("update gate"),
}


def _bar_keys(kind: str) -> list[str]:
    """The gates drawn as bars: those with openings in [0, 1] (not g / n)."""
    return [k for k in GATE_NAMES.get(kind, ()) if (kind, k) in GATE_LABELS]


def _np(tensor) -> np.ndarray:
    return tensor.detach().float().cpu().numpy()


def _play_args(duration: int, names: list[str] | None = None) -> list:
    return [
        names,
        {
            "frame": {"duration": duration, "redraw": True},
            "fromcurrent": names is None,
            "transition": {"duration": 0},
            "mode": "immediate",
        },
    ]


def memory_animation(trace: Trace, units: list[int] | None = None) -> go.Figure:
    """A figure with one animation frame per step of the last layer.

    Each frame k (named str(k), 0-based) shows the gate openings at step k as bars and the
    memory (LSTM c; else hidden h) of each unit from step 1 to k+1 as a growing line, with
    the step's input. Axis ranges are fixed over all frames. `units` indexes the
    concatenated [D*H] axis (None: all when at most `MAX_UNITS`, else the most varying).
    """
    steps = trace.steps
    kind = trace.kind
    units = resolve_units(trace, units, MAX_UNITS)
    labels = [unit_label(trace, u) for u in units]
    names = [_("unit {unit}").format(unit=label) for label in labels]
    step_hover = _("step {step}").format(step="%{x}")
    gated = bool(_bar_keys(kind))
    mem_key = "c" if trace.cell is not None else "h"
    memory = _np(trace.cell if trace.cell is not None else trace.hidden)[:, units]
    projected = trace.cell is not None and trace.cell.shape[1] != trace.hidden.shape[1]
    output = None if projected else _np(trace.hidden)[:, units]  # per-unit a (LSTM) or h
    gates = {k: _np(trace.gates[k])[:, units] for k in _bar_keys(kind)}
    inputs = _np(trace.inputs)
    single = len(units) == 1
    x_steps = list(range(1, steps + 1))

    left_title = _("gate openings at this step") if gated else _("hidden state at this step")
    mem_title = (_("memory c over the sequence") if mem_key == "c"
                 else _("hidden state h over the sequence"))
    categories = ([_(GATE_LABELS[(kind, k)]) for k in _bar_keys(kind)] if gated
                  else [_("hidden h")])
    fig = make_subplots(rows=1, cols=2, column_widths=[0.36, 0.64], horizontal_spacing=0.09,
                        subplot_titles=(left_title, mem_title))

    # fixed ranges
    lo = min(float(memory.min()), 0.0)
    hi = max(float(memory.max()), 0.0)
    if mem_key == "c" and single and output is not None:
        lo, hi = min(lo, float(output.min())), max(hi, float(output.max()))
    span = (hi - lo) or 1.0
    mem_range = [lo - 0.12 * span, hi + 0.3 * span]  # room on top for the step's input
    if gated:
        bar_range = [0.0, 1.18]
    else:
        m = float(np.abs(output).max()) or 1.0
        bar_range = [-1.2 * m, 1.2 * m]

    def frame_data(t: int) -> list[go.BaseTraceType]:
        data: list[go.BaseTraceType] = []
        # bars: one trace per unit, one bar per gate (or the hidden value)
        for n, label in enumerate(labels):
            xs = categories
            if gated:
                keys = _bar_keys(kind)
                ys = [float(gates[k][t, n]) for k in keys]
                colors = [COLORS[k] for k in keys] if single else unit_color(n)
            else:
                ys = [float(output[t, n])]
                colors = series_color("h") if single else unit_color(n)
            data.append(
                go.Bar(
                    x=xs,
                    y=ys,
                    name=names[n],
                    legendgroup=f"unit {label}",
                    marker={"color": colors, "line": {"width": 0}},
                    text=[text_num(v, gate=gated) for v in ys] if len(units) <= 2 else None,
                    textposition="outside",
                    textfont={"size": 14},
                    constraintext="none",
                    cliponaxis=False,
                    hovertext=[fmt(v, gate=gated) for v in ys],
                    hovertemplate=f"{names[n]}<br>%{{x}} = %{{hovertext}}<extra></extra>",
                    showlegend=False,
                )
            )
        # memory lines, drawn up to step t
        for n, label in enumerate(labels):
            ys = [float(v) if k <= t else None for k, v in enumerate(memory[:, n])]
            color = series_color(mem_key) if single else unit_color(n)
            data.append(
                go.Scatter(
                    x=x_steps,
                    y=ys,
                    mode="lines+markers",
                    name=names[n],
                    legendgroup=f"unit {label}",
                    line={"color": color, "width": 3},
                    marker={"size": 8, "color": color},
                    hovertext=[fmt(v) if v is not None else "" for v in ys],
                    hovertemplate=f"{step_hover}<br>{names[n]}<br>{mem_key} = %{{hovertext}}"
                    "<extra></extra>",
                    showlegend=not single,
                )
            )
        if single and mem_key == "c" and output is not None:  # the output a beside the memory
            ys = [float(v) if k <= t else None for k, v in enumerate(output[:, 0])]
            data.append(
                go.Scatter(
                    x=x_steps,
                    y=ys,
                    mode="lines+markers",
                    name=_("output a"),
                    line={"color": COLORS["h"], "width": 2, "dash": "dot"},
                    marker={"size": 6, "color": COLORS["h"]},
                    hovertext=[fmt(v) if v is not None else "" for v in ys],
                    hovertemplate=f"{step_hover}<br>a = %{{hovertext}}<extra></extra>",
                    showlegend=False,
                )
            )
        # the current values, written at the current step
        cur = [float(memory[t, n]) for n in range(len(units))]
        data.append(
            go.Scatter(
                x=[t + 1] * len(units),
                y=cur,
                mode="markers+text",
                name="current",
                marker={"size": 16, "color": [series_color(mem_key) if single else
                                              unit_color(n) for n in range(len(units))],
                        "line": {"width": 2, "color": "white"}},
                text=[f"<b>{text_num(v)}</b>" for v in cur] if single else None,
                textposition="top center" if t < steps - 1 else "top left",
                textfont={"size": 15},
                hoverinfo="skip",
                showlegend=False,
                cliponaxis=False,
            )
        )
        # the step's input, top left of the memory panel
        data.append(
            go.Scatter(
                x=[0.6],
                y=[mem_range[1]],
                mode="text",
                name="input",
                text=["<b>" + _("step {step}").format(step=t + 1)
                      + f"</b>   x = {vector_plain(inputs[t].tolist())}"],
                textposition="bottom right",
                textfont={"size": 15, "family": FONT_FAMILY},
                hoverinfo="skip",
                showlegend=False,
                cliponaxis=False,
            )
        )
        return data

    first = frame_data(0)
    for k, tr in enumerate(first):
        fig.add_trace(tr, row=1, col=1 if k < len(units) else 2)
    fig.frames = [
        go.Frame(data=frame_data(t), name=str(t), traces=list(range(len(first))))
        for t in range(steps)
    ]

    # axes
    fig.update_yaxes(range=bar_range, fixedrange=True, gridcolor="#f1f5f9", zeroline=True,
                     zerolinecolor="#cbd5e1", row=1, col=1,
                     **({"tickvals": [0, 0.5, 1]} if gated else {}))
    colored = [f"<span style='color:{series_color(k)}'><b>{c}</b></span>"
               for k, c in zip(_bar_keys(kind) if gated else ["h"], categories, strict=True)]
    fig.update_xaxes(fixedrange=True, tickfont={"size": 14}, tickmode="array",
                     tickvals=categories, ticktext=colored, row=1, col=1)
    fig.update_yaxes(range=mem_range, fixedrange=True, gridcolor="#f1f5f9", zeroline=True,
                     zerolinecolor="#cbd5e1", row=1, col=2)
    ticks = {"tickmode": "linear", "tick0": 1, "dtick": 1} if steps <= 30 else {}
    fig.update_xaxes(range=[0.5, steps + 0.5], fixedrange=True, showgrid=False,
                     title_text=_("step"), row=1, col=2, **ticks)
    if single and mem_key == "c" and output is not None:
        memory_name, output_name = _("memory c"), _("output a")
        fig.add_annotation(x=1, y=1.0, xref="paper", yref="paper", xanchor="right",
                           yanchor="bottom", yshift=22, showarrow=False,
                           text=f"<span style='color:{COLORS['c']}'>━ {memory_name}</span>   "
                           f"<span style='color:{COLORS['h']}'>┅ {output_name}</span>",
                           font={"size": 13})

    _controls(fig, steps)
    base_layout(fig, HEIGHT, margin={"l": 50, "r": 20, "t": 60, "b": 150})
    fig.update_layout(bargap=0.3, bargroupgap=0.08, barmode="group", hovermode="closest",
                      showlegend=not single,
                      legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 0.995,
                              "yanchor": "top", "yref": "container", "font": {"size": 13}},
                      meta={"units": units, "steps": steps, "memory": mem_key})
    for ann in fig.layout.annotations[:2]:  # subplot titles
        ann.font = {"size": 15, "family": FONT_FAMILY}
    return fig


def at_step(fig: go.Figure, t: int) -> go.Figure:
    """A copy of `memory_animation`'s figure showing step `t` (0-based) before it plays: that
    frame's data and the slider on it (`fig`, e.g. a cached one, is never changed)."""
    frames = fig.frames
    if not 0 <= t < len(frames):
        raise ValueError(f"t={t} is out of range: the animation has {len(frames)} steps "
                         f"(0..{len(frames) - 1})")
    out = go.Figure(fig)
    frame = frames[t]
    for k, data in zip(frame.traces, frame.data, strict=True):
        out.data[k].update(data.to_plotly_json(), overwrite=True)
    out.layout.sliders[0].active = t
    return out


def _controls(fig: go.Figure, steps: int) -> None:
    """Play / pause / replay buttons, speed buttons and the step slider."""
    names = [str(t) for t in range(steps)]
    base = {"type": "buttons", "direction": "left", "showactive": False, "yanchor": "top",
            "pad": {"r": 6, "t": 4}, "font": {"size": 14}, "bgcolor": "#f8fafc",
            "bordercolor": "#cbd5e1"}
    play = {
        **base,
        "x": 0.0,
        "xanchor": "left",
        "y": -0.2,
        "name": "play",
        "buttons": [
            {"label": "▶ " + _("Play"), "method": "animate", "args": _play_args(BASE_MS)},
            {
                "label": "❚❚ " + _("Pause"),
                "method": "animate",
                "args": [
                    [None],
                    {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                     "transition": {"duration": 0}},
                ],
            },
            {"label": "⟲ " + _("Replay"), "method": "animate",
             "args": _play_args(BASE_MS, names)},
        ],
    }
    speed = {
        **base,
        "x": 1.0,
        "xanchor": "right",
        "y": -0.2,
        "name": "speed",
        "buttons": [
            {"label": f"▶ {label}", "method": "animate",
             "args": _play_args(int(BASE_MS * factor))}
            for label, factor in SPEEDS.items()
        ],
    }
    slider = {
        "active": 0,
        "x": 0.0,
        "len": 1.0,
        "y": -0.33,
        "yanchor": "top",
        "pad": {"t": 10, "b": 0},
        "currentvalue": {"prefix": _("step") + " ", "font": {"size": 14}, "xanchor": "left"},
        "font": {"size": 12},
        "steps": [
            {
                "label": str(t + 1),
                "method": "animate",
                "args": [
                    [str(t)],
                    {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
                     "transition": {"duration": 0}},
                ],
            }
            for t in range(steps)
        ],
    }
    fig.update_layout(updatemenus=[play, speed], sliders=[slider])


_SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


def animation_html(fig: go.Figure) -> str:
    """A self-contained HTML page (plotly.js embedded) that plays the animation offline."""
    html = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        default_width="100%",
        default_height=f"{int(fig.layout.height or HEIGHT)}px",
        config={"displaylogo": False, "responsive": True, "scrollZoom": False},
    )
    if _SCRIPT_SRC.search(html):
        raise RuntimeError("the page would load a script from the network")
    return html.replace("<head>", f"<head>\n    <title>{_(TITLE)}</title>", 1)

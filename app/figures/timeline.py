"""Every gate and state of the last layer over the whole sequence, with the current step marked.

`state_heatmaps` draws one heatmap per series (units × steps); `state_lines` draws the same as
line plots, which read better for a few units (the lecture's model has one).
"""

from __future__ import annotations

import copy
import html
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.trace import Trace
from figures.style import (
    FONT_FAMILY,
    MUTED,
    base_layout,
    diverging_colorscale,
    gate_colorscale,
    is_gate,
    series_color,
    series_name,
    unit_color,
)
from figures.values import check_index, fmt, fmt_many, resolve_units, series_width, unit_label
from i18n import _

MAX_LINE_UNITS = 16  # default: more units than this → the most varying ones
MAX_HEATMAP_UNITS = 64
MARKER_COLOR = "#111827"
LABEL_CHARS = 110  # characters of step labels that fit side by side under the ~850 px plot area


def _series(trace: Trace) -> dict[str, np.ndarray]:
    """`trace.series()` as float numpy arrays [T, D*H]."""
    return {k: v.detach().float().cpu().numpy() for k, v in trace.series().items()}


def _check_labels(step_labels: list[str] | None, steps: int) -> None:
    """ValueError unless there is one label per step (or none)."""
    if step_labels is not None and len(step_labels) != steps:
        raise ValueError(f"step_labels has {len(step_labels)} entries for {steps} steps")


def label_every(step_labels: list[str]) -> int:
    """Name every k-th step (from step 1) so that the labels do not run into each other."""
    width = max((len(str(s)) for s in step_labels), default=0) + 1
    return max(1, math.ceil(len(step_labels) * width / LABEL_CHARS))


def _step_hover(step_labels: list[str] | None) -> str:
    """The hover's first line: the step, and its label when it has one."""
    return (_("step {step}").format(step="%{x}")
            + (" · %{customdata}" if step_labels is not None else ""))


def _step_mark(t: int, step_labels: list[str] | None) -> str:
    """The current step's mark above the chart: its number, and its label when it has one."""
    name = f" · {html.escape(str(step_labels[t]))}" if step_labels is not None else ""
    return "<b>" + _("step {step}").format(step=t + 1) + f"</b>{name}"


def _steps_axis(fig: go.Figure, rows: int, steps: int, step_labels: list[str] | None) -> None:
    """Steps 1..T on every x axis; labels on the bottom one only (every k-th when they would
    run into each other)."""
    ticks = {}
    _check_labels(step_labels, steps)
    if step_labels is not None:
        named = range(0, steps, label_every(step_labels))
        ticks = {
            "tickmode": "array",
            "tickvals": [k + 1 for k in named],
            # a word is text, not plotly HTML (its <a href=…> would be a live link)
            "ticktext": [f"{k + 1}<br>{html.escape(str(step_labels[k]))}" for k in named],
        }
    elif steps <= 30:
        ticks = {"tickmode": "linear", "tick0": 1, "dtick": 1}
    for row in range(1, rows + 1):
        fig.update_xaxes(range=[0.5, steps + 0.5], fixedrange=True, showgrid=False,
                         row=row, col=1, **ticks)
    fig.update_xaxes(title_text=_("step"), row=rows, col=1)


def _row_titles(fig: go.Figure, kind: str, keys: list[str]) -> None:
    """Each row's name above it, left-aligned, in the series' colour."""
    for row, key in enumerate(keys, start=1):
        axis = fig.layout["yaxis" if row == 1 else f"yaxis{row}"]
        fig.add_annotation(
            x=0,
            y=axis.domain[1],
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text=f"<b>{series_name(kind, key)}</b>",
            showarrow=False,
            font={"size": 14, "color": series_color(key), "family": FONT_FAMILY},
        )


def _mark_step(fig: go.Figure, t: int, steps: int, band: bool,
               step_labels: list[str] | None = None) -> None:
    """A frame around step t across every row, and its number (and label) above the top row."""
    fig.add_shape(
        type="rect",
        xref="x",
        yref="paper",
        x0=t + 0.5,
        x1=t + 1.5,
        y0=0,
        y1=1,
        line={"color": MARKER_COLOR, "width": 2},
        fillcolor="rgba(17, 24, 39, 0.06)" if band else "rgba(0,0,0,0)",
        layer="below" if band else "above",
        name="current-step",
    )
    fig.add_annotation(
        x=t + 1,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        yshift=20,
        text=_step_mark(t, step_labels),
        showarrow=False,
        font={"size": 13, "color": MARKER_COLOR},
        bgcolor="rgba(255,255,255,0.85)",
        name="current-step-label",
    )


def _row_units(trace: Trace, units: list[int], width: int, limit: int) -> list[int]:
    """The units of one row: the chosen ones, or for a narrower series (the hidden state of a
    projected LSTM) its own first `limit` units."""
    if width == series_width(trace):
        return units
    return list(range(min(width, limit)))


def _layout_rows(n_rows: int, row_px: list[int], gap_px: int = 34, top_px: int = 52,
                 bottom_px: int = 56) -> tuple[int, float, list[float]]:
    """Figure height, vertical spacing and row heights (as fractions) for the given rows."""
    plot = sum(row_px) + gap_px * (n_rows - 1)
    height = plot + top_px + bottom_px
    spacing = gap_px / plot if n_rows > 1 else 0.0
    return height, spacing, [p / sum(row_px) for p in row_px]


def state_heatmaps(trace: Trace, t: int, units: list[int] | None = None,
                   step_labels: list[str] | None = None) -> go.Figure:
    """One heatmap per series of `trace.series()`: y = unit, x = step 1..T, z = value.

    Gates use 0..1 scales in their own colour; memory, hidden state and cell input diverge
    around 0 with one symmetric range over the whole trace. Step `t` (0-based) is framed
    across all rows. `units` picks units of the concatenated [D*H] axis (None: all, or the
    `MAX_HEATMAP_UNITS` most varying). `step_labels` (length T) names the steps, e.g. words.
    """
    steps = trace.steps
    t = check_index("t", t, steps)
    _check_labels(step_labels, steps)
    units = resolve_units(trace, units, MAX_HEATMAP_UNITS)
    series = _series(trace)
    keys = list(series)
    rows = [_row_units(trace, units, series[k].shape[1], MAX_HEATMAP_UNITS) for k in keys]
    cell_px = max(4, min(26, 180 // max(len(r) for r in rows)))
    row_px = [max(46, cell_px * len(r)) for r in rows]
    height, spacing, heights = _layout_rows(len(keys), row_px)
    fig = make_subplots(rows=len(keys), cols=1, shared_xaxes=True, vertical_spacing=spacing,
                        row_heights=heights)
    x = list(range(1, steps + 1))
    show_text = len(units) <= 4 and steps <= 20  # few big cells: write the values in them
    for row, key in enumerate(keys, start=1):
        values = series[key]
        shown = rows[row - 1]
        labels = [unit_label(trace, u, values.shape[1]) for u in shown]
        z = values[:, shown].T
        if is_gate(trace.kind, key):
            scale = {"zmin": 0.0, "zmax": 1.0, "colorscale": gate_colorscale(key)}
        else:
            m = float(np.abs(values).max()) or 1.0
            scale = {"zmin": -m, "zmax": m, "zmid": 0.0, "colorscale": diverging_colorscale(key)}
        axis = fig.layout["yaxis" if row == 1 else f"yaxis{row}"]
        lo, hi = axis.domain
        if row_px[row - 1] < 90:  # a short row: label only both ends of the colour bar
            ticks = {"tickvals": [scale["zmin"], scale["zmax"]],
                     "ticktext": [fmt(scale["zmin"]), fmt(scale["zmax"])]}
        else:
            ticks = {"nticks": 5}
        text = {}
        if show_text:
            text = {"texttemplate": "%{text}", "textfont": {"size": 13}}
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=x,
                y=labels,
                name=key,
                xgap=1,
                ygap=1 if len(shown) <= 32 else 0,
                text=[fmt_many(row) for row in z],  # the one rounding rule (figures.values)
                customdata=[step_labels] * len(shown) if step_labels is not None else None,
                hovertemplate=f"{_step_hover(step_labels)}<br>"
                + _("unit {unit}").format(unit="%{y}") + f"<br>{key} = %{{text}}<extra></extra>",
                colorbar={
                    "x": 1.005,
                    "xanchor": "left",
                    "y": (lo + hi) / 2,
                    "yanchor": "middle",
                    "len": max(hi - lo, 0.08),
                    "thickness": 12,
                    "outlinewidth": 0,
                    "tickfont": {"size": 13},
                    **ticks,
                },
                **scale,
                **text,
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(type="category", autorange="reversed", fixedrange=True,
                         showgrid=False, title_text=_("unit") if len(shown) > 1 else None,
                         title_font={"size": 12, "color": MUTED}, row=row, col=1)
    _steps_axis(fig, len(keys), steps, step_labels)
    _row_titles(fig, trace.kind, keys)
    _mark_step(fig, t, steps, band=False, step_labels=step_labels)
    base_layout(fig, height, margin={"l": 60, "r": 70, "t": 52, "b": 56})
    fig.update_layout(meta={"units": units, "step": t, "step_labels": step_labels})
    return fig


def state_lines(trace: Trace, t: int, units: list[int] | None = None,
                step_labels: list[str] | None = None) -> go.Figure:
    """One line plot per series of `trace.series()`, a line per unit, step `t` marked.

    With one unit each line takes its series' colour; with several, each unit keeps one
    colour in every row (legend: click a unit to hide it everywhere). `units` as in
    `state_heatmaps` (None: all, or the `MAX_LINE_UNITS` most varying).
    """
    steps = trace.steps
    t = check_index("t", t, steps)
    _check_labels(step_labels, steps)
    units = resolve_units(trace, units, MAX_LINE_UNITS)
    series = _series(trace)
    keys = list(series)
    height, spacing, heights = _layout_rows(len(keys), [105] * len(keys))
    fig = make_subplots(rows=len(keys), cols=1, shared_xaxes=True, vertical_spacing=spacing,
                        row_heights=heights)
    x = list(range(1, steps + 1))
    single = len(units) == 1
    for row, key in enumerate(keys, start=1):
        values = series[key]
        shown = _row_units(trace, units, values.shape[1], MAX_LINE_UNITS)
        for n, u in enumerate(shown):
            color = series_color(key) if single else unit_color(n)
            label = unit_label(trace, u, values.shape[1])
            unit = _("unit {unit}").format(unit=label)
            y = values[:, u]
            sizes = [7] * steps
            sizes[t] = 13
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=unit,
                    legendgroup=f"unit {label}",
                    showlegend=not single and shown is units and row == 1,
                    line={"color": color, "width": 3 if single else 2},
                    marker={"size": sizes, "color": color, "line": {"width": 1, "color": "white"}},
                    text=fmt_many(y),
                    customdata=step_labels,
                    hovertemplate=f"{_step_hover(step_labels)}<br>{unit}<br>{key} = "
                    "%{text}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        if is_gate(trace.kind, key):
            yrange = [-0.08, 1.08]
            ticks = {"tickvals": [0, 0.5, 1]}
        else:
            drawn = values[:, shown]
            lo, hi = min(float(drawn.min()), 0.0), max(float(drawn.max()), 0.0)
            pad = 0.12 * (hi - lo) or 0.5
            yrange, ticks = [lo - pad, hi + pad], {"nticks": 5}
        fig.update_yaxes(range=yrange, fixedrange=True, zeroline=True, zerolinecolor="#cbd5e1",
                         gridcolor="#f1f5f9", row=row, col=1, **ticks)
    _steps_axis(fig, len(keys), steps, step_labels)
    _row_titles(fig, trace.kind, keys)
    _mark_step(fig, t, steps, band=True, step_labels=step_labels)
    base_layout(fig, height, margin={"l": 50, "r": 20, "t": 52, "b": 56})
    fig.update_layout(
        meta={"units": units, "step": t, "step_labels": step_labels},
        hovermode="closest",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "bottom",
                "font": {"size": 13}},
        showlegend=not single,
    )
    return fig


def move_step(fig: go.Figure, t: int) -> go.Figure:
    """A copy of a `state_heatmaps` / `state_lines` figure with the current step moved to t.

    Moving the frame is much cheaper than drawing the whole figure again, so a page can keep
    one figure per trace and move its marker as the user steps. `fig` is not changed.
    """
    steps = len(fig.data[0].x) if fig.data and fig.data[0].x is not None else 0
    t = check_index("t", t, steps)
    moved = copy.deepcopy(fig)
    for shape in moved.layout.shapes:
        if shape.name == "current-step":
            shape.update(x0=t + 0.5, x1=t + 1.5)
    for note in moved.layout.annotations:
        if note.name == "current-step-label":
            note.update(x=t + 1, text=_step_mark(t, (fig.layout.meta or {}).get("step_labels")))
    for tr in moved.data:
        if isinstance(tr, go.Scatter) and isinstance(tr.marker.size, tuple | list):
            sizes = [7] * steps
            sizes[t] = 13
            tr.marker.size = sizes
    moved.update_layout(meta={**(fig.layout.meta or {}), "step": t})
    return moved

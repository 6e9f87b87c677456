"""One step of one unit drawn as the lecture's memory-cell figure, with that step's numbers.

LSTM (the lecture's figure): the cell input z enters from below through g, the input gate
valve lets g(z) into the memory, the forget gate valve sits on the memory's self-loop, the
memory passes h and the output gate valve, and the output a leaves at the top:
    c' = g(z)·σ(z_i) + c·σ(z_f)        a = h(c')·σ(z_o)
GRU, Elman and Jordan networks get an analogous, simpler picture. Each gate is a valve whose
gap is its opening in [0, 1].
"""

from __future__ import annotations

import unicodedata

import plotly.graph_objects as go

from engine.trace import Trace
from figures.canvas import Canvas, muted
from figures.style import COLORS, MUTED, TEXT, TINTS
from figures.values import (
    StepValues,
    activation_label,
    gate_word,
    is_linear,
    step_values,
    text_num,
    vector_plain,
)
from i18n import _

WIDTH, HEIGHT = 11.0, 10.0  # canvas in data units (1 unit ≈ 43 px at the default height)
FIG_HEIGHT = 440
BIG = 19  # font size of the main numbers
SMALL = 13
MIN_FONT = 11  # the smallest font a value shrinks to so that it fits its box
UNIT_PX = FIG_HEIGHT / HEIGHT  # pixels per data unit (the drawing keeps its proportions)
CHAR_EM = 0.62  # width of a bold digit, comma or minus in em (Source Sans), for fitting text


def cell_diagram(trace: Trace, t: int, unit: int = 0, layer: int = -1, direction: int = 0
                 ) -> go.Figure:
    """The memory cell of `unit` at step `t` (0-based) with every number of that step.

    `layer` and `direction` pick one layer/direction of `trace.layers`; `unit` indexes the
    H units of that direction. Works for kinds "lstm", "gru", "rnn" and "jordan". The drawing
    keeps its proportions: about 480 px wide at `FIG_HEIGHT` px high; a wider container only
    adds side margins.
    """
    canvas, sv = cell_canvas(trace, t, unit, layer, direction)
    meta = {
        "kind": sv.kind,
        "step": sv.t,
        "unit": sv.unit,
        "layer": sv.layer,
        "direction": sv.direction,
        "gates": dict(sv.gates),
    }
    return canvas.figure(FIG_HEIGHT, meta=meta)


def cell_canvas(trace: Trace, t: int, unit: int = 0, layer: int = -1, direction: int = 0
                ) -> tuple[Canvas, StepValues]:
    """The drawing of `cell_diagram` before it becomes a figure (the browser stepper draws the
    canvas's shapes and labels itself), with the step's values."""
    sv = step_values(trace, t, unit, layer, direction)
    draw = {"lstm": _lstm, "gru": _gru, "rnn": _elman, "jordan": _jordan}.get(sv.kind)
    if draw is None:
        raise ValueError(f"unknown trace kind {sv.kind!r}; valid: lstm, gru, rnn, jordan")
    canvas = Canvas(WIDTH, HEIGHT)
    _header(canvas, sv)
    draw(canvas, sv)
    return canvas, sv


# -- shared pieces ---------------------------------------------------------------------------


def _header(cv: Canvas, sv: StepValues) -> None:
    where = [_("unit {unit}").format(unit=sv.unit)]
    if sv.num_directions > 1:
        where.append(_("backward") if sv.reverse else _("forward"))
    if sv.num_layers > 1:
        where.append(_("layer {layer} of {layers}").format(layer=sv.layer + 1,
                                                            layers=sv.num_layers))
    cv.text(0.1, 9.8, _("Step {step} of {steps}").format(step=sv.t + 1, steps=sv.steps),
            size=17, xanchor="left",
            yanchor="top", bold=True, name="header")
    cv.text(0.1, 9.25, " · ".join(where), size=SMALL, color=MUTED, xanchor="left",
            yanchor="top", name="header-where")
    if sv.gates:
        cv.text(WIDTH - 0.15, 9.8, _("valve gap = gate value<br>0 closed … 1 open"), size=SMALL,
                color=MUTED, xanchor="right", yanchor="top", name="legend")


def _input_box(cv: Canvas, cx: float, sv: StepValues) -> tuple[float, float]:
    """The step's input x_t at the bottom; returns (x, y) of its top centre."""
    name = ("x<sub>t</sub>" if sv.layer == 0 else
            _("layer {layer}'s h<sub>t</sub>").format(layer=sv.layer))
    label = f"{name} = {vector_plain(sv.x, limit=4)}"
    w = min(0.2 * _visible_len(label) + 0.8, WIDTH - 0.4)
    cx = min(max(cx, w / 2 + 0.2), WIDTH - w / 2 - 0.2)
    cv.rect(cx - w / 2, 0.1, cx + w / 2, 0.85, fill=TINTS["x"], color=COLORS["x"], width=1.5,
            radius=0.2, name="input-box")
    cv.text(cx, 0.475, label, size=15, name="input-text")
    return cx, 0.85


def fit_font(text: str, width: float, largest: int = BIG) -> int:
    """The largest font size (≤ `largest`, ≥ MIN_FONT) at which `text` fits `width` units."""
    chars = max(1, _visible_len(text))
    return max(MIN_FONT, min(largest, int(width * UNIT_PX / (CHAR_EM * chars))))


def _visible_len(html: str) -> int:
    """Rough count of visible characters of a plotly HTML label (a Chinese character, about
    1 em wide, counts as two)."""
    out, skip = 0, False
    for ch in html:
        if ch == "<":
            skip = True
        elif ch == ">":
            skip = False
        elif not skip:
            out += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return out


def _gate_label(cv: Canvas, x: float, y: float, sv: StepValues, key: str, title: str,
                formula: str, xanchor: str) -> None:
    """Two lines beside a valve: gate name and its state, then pre-activation → opening."""
    v = sv.gates[key]
    color = COLORS[key]
    word = gate_word(sv.kind, key, v)
    cv.text(x, y + 0.3, _("<b>{gate}</b>: <b>{state}</b>").format(gate=title, state=word),
            size=14, color=color,
            xanchor=xanchor, name=f"{key}-state")
    cv.text(x, y - 0.32, formula, size=14, color=TEXT, xanchor=xanchor, name=f"{key}-values")


def _valve(cv: Canvas, cx: float, cy: float, sv: StepValues, key: str, flow: str = "v",
           value: float | None = None, name: str | None = None, hover: str = "") -> None:
    v = sv.gates[key] if value is None else value
    name = name or f"valve-{key}"
    cv.valve(cx, cy, v, COLORS[key], name, flow=flow, tint=TINTS[key])
    cv.hover(cx, cy, hover or _("opening {value}").format(value=text_num(v, gate=True)),
             name=name, customdata=v)


def _state_box(cv: Canvas, cx: float, cy: float, w: float, h: float, key: str, title: str,
               value: str, name: str) -> None:
    cv.rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, fill=TINTS[key], color=COLORS[key],
            width=2.5, radius=0.25, name=name)
    cv.text(cx, cy + h / 2 - 0.28, title, size=SMALL, color=COLORS[key], name=f"{name}-title")
    size = fit_font(value, w - 0.35)  # a vector shrinks to stay inside its box
    cv.text(cx, cy - 0.12, value, size=size, color=TEXT, bold=True, name=f"{name}-value")


def _gate_symbol(sv: StepValues) -> str:
    name = sv.act("gate")
    return "σ" if name == "sigmoid" else activation_label(name)


# -- LSTM ------------------------------------------------------------------------------------


def _lstm(cv: Canvas, sv: StepValues) -> None:
    cx = 4.9
    g_act, h_act = sv.act("cell_input"), sv.act("cell_output")
    s = _gate_symbol(sv)
    z, gz = sv.preacts["g"], sv.gates["g"]
    i, f, o = sv.gates["i"], sv.gates["f"], sv.gates["o"]
    prev = sv.prev_sub
    left = cx - 1.25  # right edge of the labels left of the pipe

    # input x_t → z → g
    top = _input_box(cv, cx, sv)[1]
    g_y, g_r = 2.05, 0.42
    cv.arrow(cx, top, cx, g_y - g_r)
    cv.text(cx + 0.2, (top + g_y - g_r) / 2, f"z = {text_num(z)}", size=15, xanchor="left",
            name="z-value")
    feeds = (_("feeds z, z<sub>i</sub>, z<sub>f</sub>, z<sub>o</sub>,<br>as does "
               "h<sub>{prev}</sub> (projected)") if sv.projected else
             _("feeds z, z<sub>i</sub>, z<sub>f</sub>, z<sub>o</sub>,<br>as does "
               "h<sub>{prev}</sub> = {h}")).format(prev=prev, h=text_num(sv.h_prev))
    cv.text(cx - 0.25, (top + g_y - g_r) / 2 + 0.05, muted(feeds), size=SMALL, xanchor="right",
            name="feeds")
    cv.node(cx, g_y, g_r, "g", COLORS["g"])
    g_text = "g(z) = z" if is_linear(g_act) else f"g = {activation_label(g_act)}"
    cv.text(cx + 0.6, g_y, f"{g_text} = <b>{text_num(gz)}</b>", size=15, color=COLORS["g"],
            xanchor="left", name="g-value")
    cv.hover(cx, g_y, _("cell input g(z), {activation}: g({z}) = {g}").format(
        activation=activation_label(g_act), z=text_num(z), g=text_num(gz)), name="node-g")

    # input gate valve
    iv_y = 3.15
    cv.line(cx, g_y + g_r, cx, iv_y)
    _valve(cv, cx, iv_y, sv, "i", hover=_(
        "input gate {s}(z<sub>i</sub>) = {value}: how much of g(z) enters the memory").format(
            s=s, value=text_num(i, True)))
    cv.arrow(left + 0.1, iv_y, cx - 0.68, iv_y, color=COLORS["i"], width=2.5)
    _gate_label(cv, left, iv_y, sv, "i", _("input gate"),
                f"z<sub>i</sub> = {text_num(sv.preacts['i'])} → {text_num(i, True)}", "right")

    # memory box with the forget-gate self-loop
    m0, m1 = 3.85, 5.6
    mx0, mx1 = cx - 1.4, cx + 1.4
    cv.arrow(cx, iv_y + 0.23, cx, m0)
    cv.text(cx + 0.2, (iv_y + m0) / 2 + 0.08, _("adds {value}").format(value=text_num(gz * i)),
            size=SMALL,
            color=COLORS["i"], xanchor="left", name="i-adds")
    cv.rect(mx0, m0, mx1, m1, fill=TINTS["c"], color=COLORS["c"], width=3, radius=0.25,
            name="memory")
    cv.text(cx, m1 - 0.32, _("memory c"), size=SMALL, color=COLORS["c"], bold=True)
    memory = f"{text_num(sv.c_prev)} → {text_num(sv.c)}"
    # two long numbers shrink to stay inside the box ("−0.588 → −0.958" ran over its edges)
    size = min(21 if len(memory) < 10 else 16, fit_font(memory, mx1 - mx0 - 0.2, 21))
    cv.text(cx, (m0 + m1) / 2 - 0.18, memory, size=size, bold=True, name="memory-value")
    cv.hover(cx, (m0 + m1) / 2, _("memory before: c<sub>{prev}</sub> = {before}<br>memory "
                                  "after: c<sub>t</sub> = {after}").format(
        prev=prev, before=text_num(sv.c_prev), after=text_num(sv.c)), name="node-memory", size=60)
    cv.text(mx0 - 0.2, (m0 + m1) / 2 + 0.28, _("before: c<sub>{prev}</sub> = {value}").format(
        prev=prev, value=text_num(sv.c_prev)), size=14, color=COLORS["c"], xanchor="right",
        name="c-prev")
    cv.text(mx0 - 0.2, (m0 + m1) / 2 - 0.3, _("after: c<sub>t</sub> = {value}").format(
        value=text_num(sv.c)), size=14, color=COLORS["c"], xanchor="right", name="c-next")

    lx, ly_top, ly_bot = 7.05, m1 - 0.35, m0 + 0.35
    fv_y = (m0 + m1) / 2
    cv.polyline([(mx1, ly_top), (lx, ly_top), (lx, fv_y + 0.23)], color=COLORS["c"], width=2.5)
    cv.polyline([(lx, fv_y - 0.23), (lx, ly_bot)], color=COLORS["c"], width=2.5)
    cv.arrow(lx, ly_bot, mx1, ly_bot, color=COLORS["c"], width=2.5)
    _valve(cv, lx, fv_y, sv, "f", hover=_(
        "forget gate {s}(z<sub>f</sub>) = {value}: how much of the old memory is kept").format(
            s=s, value=text_num(f, True)))
    cv.arrow(8.35, fv_y, lx + 0.68, fv_y, color=COLORS["f"], width=2.5)
    cv.text(8.45, fv_y, _("keeps {value}").format(value=text_num(sv.c_prev * f)), size=SMALL,
            color=COLORS["f"],
            xanchor="left", name="f-keeps")
    _gate_label(cv, WIDTH - 0.15, m1 + 0.85, sv, "f", _("forget gate"),
                f"z<sub>f</sub> = {text_num(sv.preacts['f'])} → {text_num(f, True)}", "right")

    # h → output gate → a
    h_y, h_r = 6.55, 0.42
    cv.line(cx, m1, cx, h_y - h_r)
    cv.node(cx, h_y, h_r, "h", COLORS["h"])
    h_text = "h(c) = c" if is_linear(h_act) else f"h = {activation_label(h_act)}"
    cv.text(cx - 0.6, h_y, h_text, size=15, color=COLORS["h"], xanchor="right", name="h-label")
    cv.hover(cx, h_y, _("output activation h: {activation}").format(
        activation=activation_label(h_act)), name="node-h")
    ov_y = 7.65
    cv.line(cx, h_y + h_r, cx, ov_y)
    _valve(cv, cx, ov_y, sv, "o", hover=_(
        "output gate {s}(z<sub>o</sub>) = {value}: how much of the memory is output").format(
            s=s, value=text_num(o, True)))
    cv.arrow(left + 0.1, ov_y, cx - 0.68, ov_y, color=COLORS["o"], width=2.5)
    _gate_label(cv, left, ov_y, sv, "o", _("output gate"),
                f"z<sub>o</sub> = {text_num(sv.preacts['o'])} → {text_num(o, True)}", "right")
    cv.arrow(cx, ov_y + 0.23, cx, 9.45)
    a = _("a → projection") if sv.projected else f"a = {text_num(sv.h)}"
    cv.text(cx + 0.25, 9.05, a, size=BIG + 1, bold=True, xanchor="left", name="output-value")


# -- GRU -------------------------------------------------------------------------------------


def _gru(cv: Canvas, sv: StepValues) -> None:
    s = _gate_symbol(sv)
    r, zg, n = sv.gates["r"], sv.gates["z"], sv.gates["n"]
    prev = sv.prev_sub
    hx, nx = 2.0, 6.8
    mid = (hx + nx) / 2
    row, loop_x = 3.0, 0.3

    top = _input_box(cv, nx, sv)[1]
    # previous state and the candidate
    _state_box(cv, hx, row, 2.4, 1.2, "h", _("h<sub>{prev}</sub> (stored)").format(prev=prev),
               text_num(sv.h_prev), "h-prev")
    n_r = 0.48
    cand = activation_label(sv.act("candidate"))
    cv.arrow(nx, top, nx, row - n_r)
    cv.node(nx, row, n_r, cand, COLORS["n"], size=14)
    cv.text(nx + 0.62, row + 0.28, _("<b>candidate n</b>"), size=15, color=COLORS["n"],
            xanchor="left")
    cv.text(nx + 0.62, row - 0.3, f"{cand}({text_num(sv.preacts['n'])}) = <b>{text_num(n)}</b>",
            size=14, xanchor="left", name="n-value")
    cv.hover(nx, row, _("candidate n reads x<sub>t</sub> and r·h<sub>{prev}</sub>").format(
        prev=prev), name="node-n")

    # reset gate on the path h_prev → candidate
    cv.line(hx + 1.2, row, mid - 0.23, row)
    _valve(cv, mid, row, sv, "r", flow="h",
           hover=_("reset gate r = {value}: how much of h<sub>{prev}</sub> the candidate "
                   "sees").format(value=text_num(r, True), prev=prev))
    cv.arrow(mid + 0.23, row, nx - n_r, row)
    _gate_label(cv, mid - 0.3, row - 1.25, sv, "r", _("reset gate"),
                f"r = {s}({text_num(sv.preacts['r'])}) = {text_num(r, True)}", "center")

    # update gate: keeps z of the old state, takes 1 − z of the candidate
    uv_y, top_y = 5.45, 7.05
    cv.line(hx, row + 0.6, hx, uv_y - 0.23)
    cv.polyline([(hx, uv_y + 0.23), (hx, top_y), (mid - 0.4, top_y)])
    cv.line(nx, row + n_r, nx, uv_y - 0.23)
    cv.polyline([(nx, uv_y + 0.23), (nx, top_y), (mid + 0.4, top_y)])
    _valve(cv, hx, uv_y, sv, "z", name="valve-z",
           hover=_("update gate z = {value}: share of the old state kept").format(
               value=text_num(zg, True)))
    _valve(cv, nx, uv_y, sv, "z", value=1.0 - zg, name="valve-1-z",
           hover=_("1 − z = {value}: share of the candidate taken").format(
               value=text_num(1.0 - zg, True)))
    cv.text(hx - 0.75, uv_y, "z", size=15, color=COLORS["z"], xanchor="right", bold=True)
    cv.text(nx + 0.75, uv_y, f"1 − z = {text_num(1.0 - zg, True)}", size=14, color=COLORS["z"],
            xanchor="left", name="z-take")
    _gate_label(cv, mid, uv_y - 1.0, sv, "z", _("update gate"),
                f"z = {s}({text_num(sv.preacts['z'])}) = {text_num(zg, True)}", "center")
    cv.text(hx + 0.2, 6.25, _("keeps {value}").format(value=text_num(zg * sv.h_prev)), size=SMALL,
            color=COLORS["z"], xanchor="left", name="z-keeps")
    cv.text(nx - 0.2, 6.25, _("takes {value}").format(value=text_num((1.0 - zg) * n)), size=SMALL,
            color=COLORS["z"], xanchor="right", name="z-takes")

    # sum → new state, fed back to the next step
    cv.node(mid, top_y, 0.4, "+", COLORS["h"], size=20)
    cv.arrow(mid, top_y + 0.4, mid, 7.9)
    _state_box(cv, mid, 8.4, 2.6, 1.0, "h", _("new state h<sub>t</sub>"), text_num(sv.h),
               "h-next")
    cv.polyline([(mid - 1.3, 8.4), (loop_x, 8.4), (loop_x, row)], color=COLORS["h"], width=2,
                dash="dot")
    cv.arrow(loop_x, row, hx - 1.2, row, color=COLORS["h"], width=2)
    cv.hover(loop_x, 6.0, _("h<sub>t</sub> is stored and read at the next step"), name="loop")


# -- Elman and Jordan ------------------------------------------------------------------------

SIMPLE_X = 5.0  # the column of x_t → activation → h_t
FED_X, FED_W = 2.17, 3.3  # the fed-back state's box: centre and width
LOOP_X = 0.12  # the dotted feedback line
JORDAN_ENTRIES = 2  # entries of an output vector drawn: its first and last (the equations show 4)


def _simple(cv: Canvas, sv: StepValues, fed_key: str, fed_title: str, fed_value: str) -> float:
    """x_t and the fed-back value → activation → h_t; returns the y of h_t's box top."""
    cx, row, fx = SIMPLE_X, 3.3, FED_X
    act = sv.act("nonlinearity")
    top = _input_box(cv, cx, sv)[1]
    _state_box(cv, fx, row, FED_W, 1.2, fed_key, fed_title, fed_value, "fed-back")
    r = 0.55
    cv.arrow(cx, top, cx, row - r)
    cv.arrow(fx + FED_W / 2, row, cx - r, row, color=COLORS[fed_key])
    cv.node(cx, row, r, activation_label(act), COLORS["h"], size=15)
    cv.text(cx + 0.72, row + 0.28, _("<b>weighted sum → activation</b>"), size=14,
            xanchor="left")
    cv.text(cx + 0.72, row - 0.32,
            f"{activation_label(act)}({text_num(sv.preacts['h'])}) = <b>{text_num(sv.h)}</b>",
            size=15, xanchor="left", name="h-value")
    cv.hover(cx, row, _("pre-activation {value}").format(value=text_num(sv.preacts["h"])),
             name="node-act")
    cv.arrow(cx, row + r, cx, 5.0)
    _state_box(cv, cx, 5.6, 2.7, 1.2, "h", _("hidden h<sub>t</sub>"), text_num(sv.h), "h-next")
    return 6.2


def _elman(cv: Canvas, sv: StepValues) -> None:
    prev = sv.prev_sub
    cx = SIMPLE_X
    top = _simple(cv, sv, "c", _("memory: h<sub>{prev}</sub>").format(prev=prev),
                  text_num(sv.h_prev))
    cv.arrow(cx, top, cx, 7.6)
    cv.text(cx, 7.95, _("to the output / next layer"), size=SMALL, color=MUTED)
    cv.polyline([(cx - 1.35, 5.6), (LOOP_X, 5.6), (LOOP_X, 3.3)], color=COLORS["c"], width=2,
                dash="dot")
    cv.arrow(LOOP_X, 3.3, FED_X - FED_W / 2, 3.3, color=COLORS["c"], width=2)
    cv.text(0.4, 6.0, _("h<sub>t</sub> is stored for the next step"), size=SMALL, color=MUTED,
            xanchor="left")


def _jordan(cv: Canvas, sv: StepValues) -> None:
    prev = sv.prev_sub
    cx = SIMPLE_X
    y_prev = vector_plain(sv.y_prev or [], limit=JORDAN_ENTRIES)
    top = _simple(cv, sv, "y", _("memory: y<sub>{prev}</sub>").format(prev=prev), y_prev)
    out_w, out_y = 4.2, 8.35
    cv.arrow(cx, top, cx, out_y - 0.5)
    _state_box(cv, cx, out_y, out_w, 1.0, "y", _("output y<sub>t</sub>"),
               vector_plain(sv.y or [], limit=JORDAN_ENTRIES), "y-next")
    cv.polyline([(cx - out_w / 2, out_y), (LOOP_X, out_y), (LOOP_X, 3.3)], color=COLORS["y"],
                width=2, dash="dot")
    cv.arrow(LOOP_X, 3.3, FED_X - FED_W / 2, 3.3, color=COLORS["y"], width=2)
    cv.text(0.45, 6.9, _("the output y<sub>t</sub> is<br>stored for the next step"), size=SMALL,
            color=MUTED, xanchor="left")
    cv.text(cx + 0.2, 7.05, muted(_("output layer")), size=SMALL, xanchor="left")

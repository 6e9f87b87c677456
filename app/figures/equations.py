"""One step's equations with the step's numbers substituted, as LaTeX for st.latex (KaTeX).

LSTM in the lecture's notation (NOTES.md §3):
    c' = g(z)·σ(z_i) + c·σ(z_f)        a = h(c')·σ(z_o)
GRU in torch's convention: h' = (1 − z)·n + z·h with n = tanh(W_n x + r ⊙ (U_n h)).
Elman: h' = tanh(W x + U h + b). Jordan: h' = tanh(W x + U y + b), y' = the output layer.
"""

from __future__ import annotations

import markup
from engine.trace import Trace
from figures.values import (
    StepValues,
    fmt,
    fmt_gate,
    is_linear,
    step_values,
    tex_num,
    vector_tex,
)
from i18n import _

TEX_FUNCTIONS = {
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "relu": r"\operatorname{ReLU}",
}


def cell_equations(trace: Trace, t: int, unit: int = 0, layer: int = -1, direction: int = 0
                   ) -> list[str]:
    """LaTeX lines of step `t` (0-based) for `unit`, every symbol followed by its number.

    Each string is one `st.latex` call. The first line is the step's input.
    """
    sv = step_values(trace, t, unit, layer, direction)
    build = {"lstm": _lstm, "gru": _gru, "rnn": _elman, "jordan": _jordan}.get(sv.kind)
    if build is None:
        raise ValueError(f"unknown trace kind {sv.kind!r}; valid: lstm, gru, rnn, jordan")
    return [_input_line(sv), *build(sv)]


def _fn(name: str) -> str:
    """LaTeX of an activation function's name."""
    name = name.lower()
    return TEX_FUNCTIONS.get(name, rf"\operatorname{{\text{{{markup.tex(name)}}}}}")


def _n(v: float, paren: bool = False) -> str:
    return tex_num(v, paren=paren)


def _g(v: float) -> str:
    return tex_num(v, gate=True)


def _eq(shown: float, result: float) -> str:
    """"=" when the rounded numbers shown reproduce the rounded result, else "\\approx"."""
    return "=" if fmt(shown) == fmt(result) else r"\approx"


def _shown(v: float, gate: bool = False) -> float:
    """The value as it is displayed (rounded)."""
    return float(fmt_gate(v) if gate else fmt(v))


def _input_line(sv: StepValues) -> str:
    name = "x" if sv.layer == 0 else rf"x^{{({sv.layer + 1})}}"
    return rf"{name} = {vector_tex(sv.x)}"


def _aligned(lhs: str, *rows: str, last: str = "=") -> str:
    """lhs = row 1, then "= row k" below it, aligned on the equals signs.

    `last` is the relation before the last row ("=" or "\\approx").
    """
    rels = ["="] * (len(rows) - 1) + [last]
    body = r" \\ ".join(f"&{rel} {row}" for rel, row in zip(rels, rows, strict=True))
    return rf"\begin{{aligned}} {lhs} {body} \end{{aligned}}"


def _apply(fn_name: str, arg: float, value: float) -> str:
    """"f(arg) = value", or just the number when the function is linear."""
    if is_linear(fn_name):
        return _n(value)
    return rf"{_fn(fn_name)}({_n(arg)}) = {_n(value)}"


def _gate_line(sv: StepValues, key: str, preact: str) -> str:
    """"z_i = 90 ⇒ σ(z_i) = 1.000"."""
    s = _fn(sv.act("gate"))
    return rf"{preact} = {_n(sv.preacts[key])} \;\Rightarrow\; {s}({preact}) = {_g(sv.gates[key])}"


def _lstm(sv: StepValues) -> list[str]:
    g_act, h_act = sv.act("cell_input"), sv.act("cell_output")
    s = _fn(sv.act("gate"))
    i, f, o = sv.gates["i"], sv.gates["f"], sv.gates["o"]
    z, gz = sv.preacts["g"], sv.gates["g"]
    if is_linear(g_act):
        g_line = rf"z = {_n(z)} \;\Rightarrow\; g(z) = z = {_n(gz)}"
    else:
        g_line = rf"z = {_n(z)} \;\Rightarrow\; g(z) = {_fn(g_act)}(z) = {_n(gz)}"
    lines = [
        g_line,
        _gate_line(sv, "i", "z_i"),
        _gate_line(sv, "f", "z_f"),
        _gate_line(sv, "o", "z_o"),
    ]
    c_prev, c = sv.c_prev, sv.c
    shown_c = _shown(gz) * _shown(i, True) + _shown(c_prev) * _shown(f, True)
    lines.append(_aligned(
        "c'",
        rf"g(z)\,{s}(z_i) + c\,{s}(z_f)",
        rf"{_n(gz)} \cdot {_g(i)} + {_n(c_prev, True)} \cdot {_g(f)} {_eq(shown_c, c)} {_n(c)}",
    ))
    if is_linear(h_act):
        h_of_c = _n(c, True)
        rel = "=" if sv.projected else _eq(_shown(c) * _shown(o, True), sv.h)
    else:
        h_of_c, rel = rf"{_fn(h_act)}({_n(c)})", "="
    # a projected h mixes every unit's output: no single number for this unit's a
    projected = markup.tex(_("(then projected)"))
    result = rf"\quad \text{{{projected}}}" if sv.projected else f" {rel} {_n(sv.h)}"
    lines.append(_aligned("a", rf"h(c')\,{s}(z_o)", rf"{h_of_c} \cdot {_g(o)}{result}"))
    return lines


def _gru(sv: StepValues) -> list[str]:
    s = _fn(sv.act("gate"))
    cand = _fn(sv.act("candidate"))
    r, z, n = sv.gates["r"], sv.gates["z"], sv.gates["n"]
    h_prev = sv.h_prev
    shown_h = _shown(1.0 - z, True) * _shown(n) + _shown(z, True) * _shown(h_prev)
    return [
        _aligned("r", rf"{s}(W_r x + U_r h + b_r)", rf"{s}({_n(sv.preacts['r'])}) = {_g(r)}"),
        _aligned("z", rf"{s}(W_z x + U_z h + b_z)", rf"{s}({_n(sv.preacts['z'])}) = {_g(z)}"),
        _aligned("n", rf"{cand}(W_n x + r \odot (U_n h) + b_n)",
                 rf"{cand}({_n(sv.preacts['n'])}) = {_n(n)}"),
        _aligned(
            "h'",
            r"(1 - z)\,n + z\,h",
            rf"{_g(1.0 - z)} \cdot {_n(n, True)} + {_g(z)} \cdot {_n(h_prev, True)}",
            _n(sv.h),
            last=_eq(shown_h, sv.h),
        ),
    ]


def _elman(sv: StepValues) -> list[str]:
    act = sv.act("nonlinearity")
    return [
        rf"h = {_n(sv.h_prev)}",
        _aligned("h'", rf"{_fn(act)}(W x + U h + b)", _apply(act, sv.preacts["h"], sv.h)),
    ]


JORDAN_ENTRIES = 4  # numbers of the output vector written: 3, "…" and the last beyond 4


def _jordan(sv: StepValues) -> list[str]:
    act = sv.act("nonlinearity")
    return [
        rf"y = {vector_tex(sv.y_prev or [], JORDAN_ENTRIES)}",
        _aligned("h'", rf"{_fn(act)}(W x + U y + b)", _apply(act, sv.preacts["h"], sv.h)),
        # the vector on its own row: beside W_y h' + b_y it ran past a laptop's column
        _aligned("y'", r"W_y h' + b_y", vector_tex(sv.y or [], JORDAN_ENTRIES)),
    ]

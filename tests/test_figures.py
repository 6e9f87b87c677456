"""Figure builders: the numbers drawn are the numbers of the Trace."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go
import pytest
import torch

from engine.cells import CellConfig, build_model
from engine.lee import LECTURE_SEQUENCE, lecture_lstm
from engine.trace import GATE_NAMES, LayerTrace, Trace
from engine.trace import trace as run_trace

LECTURE_MEMORY = [0, 3, 3, 7, 7, 7, 0, 6, 6]
LECTURE_OUTPUT = [0, 0, 0, 0, 0, 7, 0, 0, 6]


# -- hand-built traces (the reference stepper lives here, in plain torch) ---------------------


def _layer(kind: str, x: torch.Tensor, hidden: int, reverse: bool, gen: torch.Generator,
           ) -> LayerTrace:
    """Run one layer/direction of a `kind` cell over x [T, I] with random weights."""
    steps, size = x.shape
    n_gates = {"lstm": 4, "gru": 3, "rnn": 1, "jordan": 1}[kind]
    w = torch.randn(n_gates * hidden, size, generator=gen) * 0.8
    u = torch.randn(n_gates * hidden, hidden, generator=gen) * 0.8
    b = torch.randn(n_gates * hidden, generator=gen) * 0.3
    h = torch.randn(hidden, generator=gen) * 0.2
    c = torch.randn(hidden, generator=gen) * 0.2 if kind == "lstm" else None
    h0, c0 = h.clone(), None if c is None else c.clone()
    names = GATE_NAMES[kind] if kind in ("lstm", "gru") else ("h",)
    gates = {k: torch.zeros(steps, hidden) for k in GATE_NAMES[kind]}
    pre = {k: torch.zeros(steps, hidden) for k in names}
    hs = torch.zeros(steps, hidden)
    cs = torch.zeros(steps, hidden) if kind == "lstm" else None
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        if kind == "lstm":
            a = (w @ x[t] + u @ h + b).split(hidden)
            zi, zf, zg, zo = a
            i, f, g, o = torch.sigmoid(zi), torch.sigmoid(zf), torch.tanh(zg), torch.sigmoid(zo)
            c = g * i + c * f
            h = torch.tanh(c) * o
            for k, v in zip("ifgo", (i, f, g, o), strict=True):
                gates[k][t] = v
            for k, v in zip("ifgo", (zi, zf, zg, zo), strict=True):
                pre[k][t] = v
            cs[t] = c
        elif kind == "gru":
            ax = (w @ x[t] + b).split(hidden)
            ah = (u @ h).split(hidden)
            zr, zz = ax[0] + ah[0], ax[1] + ah[1]
            r, z = torch.sigmoid(zr), torch.sigmoid(zz)
            zn = ax[2] + r * ah[2]
            n = torch.tanh(zn)
            h = (1 - z) * n + z * h
            for k, v, p in (("r", r, zr), ("z", z, zz), ("n", n, zn)):
                gates[k][t], pre[k][t] = v, p
        else:
            a = w @ x[t] + u @ h + b
            h = torch.tanh(a)
            pre["h"][t] = a
        hs[t] = h
    return LayerTrace(hidden=hs, cell=cs, gates=gates, preacts=pre, hidden0=h0, cell0=c0,
                      reverse=reverse)


def make_trace(kind: str = "lstm", steps: int = 7, inputs: int = 3, hidden: int = 4,
               layers: int = 1, bidirectional: bool = False, seed: int = 0) -> Trace:
    """A Trace with consistent values, from a small random network of `kind` cells."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(steps, inputs, generator=gen)
    below, stack = x, []
    for _ in range(layers):
        dirs = [_layer(kind, below, hidden, False, gen)]
        if bidirectional:
            dirs.append(_layer(kind, below, hidden, True, gen))
        stack.append(dirs)
        below = torch.cat([d.hidden for d in dirs], dim=1)
    top = stack[-1]

    def cat(get):
        parts = [get(d) for d in top]
        return None if parts[0] is None else torch.cat(parts, dim=-1)

    outputs = below @ torch.randn(below.shape[1], 2, generator=gen) * 0.5
    if kind != "jordan":
        outputs = below
    return Trace(
        kind=kind,
        inputs=x,
        hidden=below,
        cell=cat(lambda d: d.cell),
        gates={k: cat(lambda d, k=k: d.gates[k]) for k in top[0].gates},
        preacts={k: cat(lambda d, k=k: d.preacts[k]) for k in top[0].preacts},
        outputs=outputs,
        hidden0=cat(lambda d: d.hidden0),
        cell0=cat(lambda d: d.cell0),
        layers=stack,
        activations={"gate": "sigmoid", "cell_input": "tanh", "cell_output": "tanh"}
        if kind == "lstm"
        else {"nonlinearity": "tanh"} if kind in ("rnn", "jordan") else {},
    )


def lecture_trace() -> Trace:
    """The lecture's hand-wired LSTM over its 9-step sequence (NOTES.md §3)."""
    return run_trace(lecture_lstm(), LECTURE_SEQUENCE)


def all_traces() -> dict[str, Trace]:
    return {
        "lecture": lecture_trace(),
        "lstm": make_trace("lstm"),
        "gru": make_trace("gru"),
        "rnn": make_trace("rnn"),
        "jordan": make_trace("jordan"),
        "lstm-2x-bi": make_trace("lstm", layers=2, bidirectional=True, hidden=3),
        "gru-2x-bi": make_trace("gru", layers=2, bidirectional=True, hidden=3),
        "lstm-wide": make_trace("lstm", hidden=40, steps=12),
    }


def engine_traces() -> dict[str, Trace]:
    """Traces recorded by the engine itself, for every cell kind, 1 layer and 2 bidirectional."""
    out = {}
    gen = torch.Generator().manual_seed(1)
    for kind in ("lstm", "gru", "rnn", "jordan"):
        for layers, bi in ((1, False), (2, True)):
            config = CellConfig(kind=kind, input_size=3, hidden_size=3, num_layers=layers,
                                bidirectional=bi)
            x = torch.randn(5, 3, generator=gen)
            out[f"engine-{kind}-{layers}{'-bi' if bi else ''}"] = run_trace(
                build_model(config, seed=0), x)
    return out


TRACES = all_traces()
TRACES.update(engine_traces())
KINDS = sorted(TRACES)

# -- helpers ---------------------------------------------------------------------------------


def ann(fig: go.Figure, name: str) -> str:
    """Text of the annotation called `name`, with plotly's HTML tags removed."""
    for a in fig.layout.annotations:
        if a.name == name:
            return plain(a.text)
    raise AssertionError(f"no annotation {name!r}")


def plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text or "")
    return text.replace("\u2212", "-")


def all_text(fig: go.Figure) -> str:
    return "\n".join(plain(a.text) for a in fig.layout.annotations)


def shape(fig: go.Figure, name: str):
    for s in fig.layout.shapes:
        if s.name == name:
            return s
    raise AssertionError(f"no shape {name!r}")


def valve_gap(fig: go.Figure, name: str) -> float:
    """Gap between a valve's plates, as a fraction of its width."""
    body, a, b = (shape(fig, f"{name}-{part}") for part in ("body", "plate-a", "plate-b"))
    if a.x0 == body.x0 and a.x1 != body.x1:  # plates slide along x
        return (b.x0 - a.x1) / (body.x1 - body.x0)
    return (b.y0 - a.y1) / (body.y1 - body.y0)


def lt_value(tr: Trace, key: str, t: int, unit: int = 0, layer: int = -1, direction: int = 0):
    lt = tr.layers[layer][direction]
    src = {"h": lt.hidden, "c": lt.cell}.get(key)
    return float((src if src is not None else lt.gates[key])[t, unit])


# -- number formatting -----------------------------------------------------------------------


def test_numbers_are_compact():
    from figures.values import fmt, fmt_gate, tex_num

    assert fmt(90.0) == "90"
    assert fmt(-10.0) == "-10"
    assert fmt(7.00002) == "7"
    assert fmt(0.46211) == "0.462"
    assert fmt(-0.00001) == "0"
    assert fmt(-0.0) == "0"
    assert fmt(20959.2) == "20959"
    assert fmt(1.2e6) == "1.2e6"
    assert fmt_gate(1.0) == "1.000"
    assert fmt_gate(-0.0) == "0.000"
    assert fmt_gate(4.5e-5) == "0.000"
    assert tex_num(-3.0, paren=True) == "(-3)"
    assert tex_num(2.5e7) == r"2.5 \times 10^{7}"


@pytest.mark.parametrize(("value", "shown"), [
    (6.9995, "7"), (6.99949, "7"), (5.99977, "6"), (7.0004, "7"), (2.9999998, "3"),
    (0.0001362, "0"), (0.4626, "0.463"), (0.4624, "0.462"), (1.996, "2"), (1.994, "1.99"),
    (-6.9995, "-7"), (12.36, "12.4"), (99.96, "100"), (0.0996, "0.1"), (-0.0004, "0"),
])
def test_one_rounding_rule_rounds_to_the_nearest(value, shown):
    """3 significant digits, at most 3 decimals, rounded to the nearest (never truncated)."""
    from figures.values import fmt

    assert fmt(value) == shown
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert abs(float(shown) - value) <= 0.5 * 10 ** -decimals + 1e-9  # nearest, not truncated


# -- the lecture's cell diagram --------------------------------------------------------------


def test_lecture_diagram_at_the_4_1_0_step():
    tr = TRACES["lecture"]
    t = 3  # input [4, 1, 0]: z = 4 enters, memory 3 -> 7, output gate closed
    from figures.cell_diagram import FIG_HEIGHT, cell_diagram

    fig = cell_diagram(tr, t)
    assert ann(fig, "input-text") == "xt = [4, 1, 0]"
    assert ann(fig, "z-value") == "z = 4"
    assert ann(fig, "g-value") == "g(z) = z = 4"
    assert ann(fig, "memory-value") == "3 → 7"
    assert ann(fig, "c-prev") == "before: ct-1 = 3"
    assert ann(fig, "c-next") == "after: ct = 7"
    assert ann(fig, "output-value") == "a = 0"
    assert ann(fig, "i-adds") == "adds 4"
    assert ann(fig, "f-keeps") == "keeps 3"
    assert ann(fig, "i-state") == "input gate: open"
    assert ann(fig, "f-state") == "forget gate: keeps memory"
    assert ann(fig, "o-state") == "output gate: closed"
    assert ann(fig, "i-values") == "zi = 90 → 1.000"
    assert ann(fig, "f-values") == "zf = 110 → 1.000"
    assert ann(fig, "o-values") == "zo = -10 → 0.000"
    assert ann(fig, "header") == "Step 4 of 9"
    # each valve's gap is its gate's value, and its hover marker carries that value
    for key in "ifo":
        value = lt_value(tr, key, t)
        assert valve_gap(fig, f"valve-{key}") == pytest.approx(value, abs=1e-6)
        marker = next(d for d in fig.data if d.name == f"valve-{key}")
        assert marker.customdata[0] == pytest.approx(value)
    assert fig.layout.meta["gates"] == pytest.approx({k: lt_value(tr, k, t) for k in "ifgo"})
    # a fixed, clean canvas
    assert fig.layout.height == FIG_HEIGHT
    assert fig.layout.xaxis.fixedrange and fig.layout.yaxis.fixedrange
    assert not fig.layout.xaxis.visible and not fig.layout.yaxis.visible
    assert fig.layout.xaxis.range == (0, 11.0) and fig.layout.yaxis.range == (0, 10.0)
    assert fig.layout.dragmode is False


def test_lecture_diagram_reset_and_output_steps():
    from figures.cell_diagram import cell_diagram

    tr = TRACES["lecture"]
    reset = cell_diagram(tr, 6)  # [3, -1, 0]: the forget gate closes and erases memory 7
    assert ann(reset, "f-state") == "forget gate: erases memory"
    before, after = ann(reset, "memory-value").split(" → ")
    assert (before, after) == ("7", "0")  # 6.9995 before: the gates leak, and it reads 7
    assert valve_gap(reset, "valve-f") == pytest.approx(0.0, abs=1e-4)
    out = cell_diagram(tr, 8)  # [1, 0, 1]: the output gate opens, a = 6
    assert ann(out, "o-state") == "output gate: open"
    assert ann(out, "output-value") == "a = 6"
    # the lecture's table, digit for digit (6.9995 reads 7: the gates leak 4.5e-5 a step)
    memory = [ann(cell_diagram(tr, t), "memory-value").split(" → ")[1] for t in range(9)]
    assert memory == [str(v) for v in LECTURE_MEMORY]
    outputs = [ann(cell_diagram(tr, t), "output-value")[4:] for t in range(9)]
    assert outputs == [str(v) for v in LECTURE_OUTPUT]


@pytest.mark.parametrize("name", KINDS)
def test_diagram_shows_the_step_numbers_for_every_kind(name):
    from figures.cell_diagram import cell_diagram
    from figures.values import fmt, fmt_gate

    tr = TRACES[name]
    for layer in range(tr.num_layers):
        for direction in range(tr.num_directions):
            lt = tr.layers[layer][direction]
            unit = lt.hidden.shape[1] - 1
            for t in (0, tr.steps - 1):
                fig = cell_diagram(tr, t, unit=unit, layer=layer, direction=direction)
                assert ann(fig, "header") == f"Step {t + 1} of {tr.steps}"
                h = fmt(lt.hidden[t, unit])
                prev = t + 1 if lt.reverse else t - 1
                first = not 0 <= prev < tr.steps
                h_prev = fmt(lt.hidden0[unit] if first else lt.hidden[prev, unit])
                if tr.kind == "lstm":
                    c_prev = fmt(lt.cell0[unit] if first else lt.cell[prev, unit])
                    assert ann(fig, "memory-value") == f"{c_prev} → {fmt(lt.cell[t, unit])}"
                    assert ann(fig, "output-value") == f"a = {h}"
                    sub = "t+1" if lt.reverse else "t-1"
                    assert ann(fig, "c-prev") == f"before: c{sub} = {c_prev}"
                    assert f"h{sub} = {h_prev}" in ann(fig, "feeds")
                elif tr.kind == "gru":
                    assert ann(fig, "h-next-value") == h
                    assert ann(fig, "h-prev-value") == h_prev
                    assert ann(fig, "n-value").endswith(f"= {fmt(lt.gates['n'][t, unit])}")
                    assert ann(fig, "r-values").endswith(fmt_gate(lt.gates["r"][t, unit]))
                else:
                    assert ann(fig, "h-next-value") == h
                    assert ann(fig, "h-value") == (
                        f"tanh({fmt(lt.preacts['h'][t, unit])}) = {h}")
                    if tr.kind == "rnn":
                        assert ann(fig, "fed-back-value") == h_prev
                    else:
                        assert ann(fig, "y-next-value").startswith("[")
                for key in lt.gates:
                    if key in ("g", "n"):
                        continue
                    value = float(lt.gates[key][t, unit])
                    assert valve_gap(fig, f"valve-{key}") == pytest.approx(value, abs=1e-5)
                    assert fmt_gate(value) in ann(fig, f"{key}-values")


def test_jordan_diagram_feeds_back_the_previous_output():
    from figures.cell_diagram import cell_diagram
    from figures.values import vector_plain

    tr = TRACES["jordan"]
    fig = cell_diagram(tr, 3)
    assert plain(ann(fig, "fed-back-value")) == plain(vector_plain(tr.outputs[2].tolist(), 4))
    assert plain(ann(fig, "y-next-value")) == plain(vector_plain(tr.outputs[3].tolist(), 4))
    first = cell_diagram(tr, 0)
    assert ann(first, "fed-back-value") == "[0, 0]"


def test_diagram_rejects_bad_choices():
    from figures.cell_diagram import cell_diagram

    tr = TRACES["lstm"]
    with pytest.raises(ValueError, match="t=7"):
        cell_diagram(tr, 7)
    with pytest.raises(ValueError, match="unit"):
        cell_diagram(tr, 0, unit=4)
    with pytest.raises(ValueError, match="layer"):
        cell_diagram(tr, 0, layer=1)
    with pytest.raises(ValueError, match="direction"):
        cell_diagram(tr, 0, direction=1)
    assert ann(cell_diagram(tr, -1), "header") == "Step 7 of 7"


# -- equations -------------------------------------------------------------------------------


def test_lecture_equations_at_the_4_1_0_step():
    from figures.equations import cell_equations

    lines = cell_equations(TRACES["lecture"], 3)
    assert lines[0] == r"x = \begin{bmatrix}4 & 1 & 0\end{bmatrix}"
    assert lines[1:5] == [
        r"z = 4 \;\Rightarrow\; g(z) = z = 4",
        r"z_i = 90 \;\Rightarrow\; \sigma(z_i) = 1.000",
        r"z_f = 110 \;\Rightarrow\; \sigma(z_f) = 1.000",
        r"z_o = -10 \;\Rightarrow\; \sigma(z_o) = 0.000",
    ]
    assert lines[5] == (r"\begin{aligned} c' &= g(z)\,\sigma(z_i) + c\,\sigma(z_f) \\ "
                        r"&= 4 \cdot 1.000 + 3 \cdot 1.000 = 7 \end{aligned}")
    assert lines[6] == (r"\begin{aligned} a &= h(c')\,\sigma(z_o) \\ "
                        r"&= 7 \cdot 0.000 = 0 \end{aligned}")


def test_lecture_equations_reset_step():
    from figures.equations import cell_equations

    lines = cell_equations(TRACES["lecture"], 6)  # [3, -1, 0]
    assert r"z_f = -90 \;\Rightarrow\; \sigma(z_f) = 0.000" in lines
    (c_line,) = [line for line in lines if line.startswith(r"\begin{aligned} c'")]
    # memory 7 before the reset (6.9995: the hand-set gates leak 4.5e-5 per step; it reads 7)
    assert c_line.endswith(r"&= 3 \cdot 0.000 + 7 \cdot 0.000 = 0 \end{aligned}"), c_line


def _result(line: str) -> str:
    """The number an equation ends with."""
    return line.removesuffix(r" \end{aligned}").rsplit(" ", 1)[-1]


def _equation(lines: list[str], lhs: str) -> str:
    (line,) = [line for line in lines if line.startswith(rf"\begin{{aligned}} {lhs} &")]
    return line


@pytest.mark.parametrize("name", KINDS)
def test_equations_substitute_the_trace_values(name):
    from figures.equations import cell_equations
    from figures.values import fmt, fmt_gate, tex_num

    tr = TRACES[name]
    layer, direction = tr.num_layers - 1, tr.num_directions - 1
    lt = tr.layers[layer][direction]
    for t in range(tr.steps):
        lines = cell_equations(tr, t, unit=0, layer=layer, direction=direction)
        assert all(isinstance(line, str) and line for line in lines)
        h = float(lt.hidden[t, 0])
        if tr.kind == "lstm":
            assert _result(_equation(lines, "c'")) == fmt(lt.cell[t, 0])
            assert _result(_equation(lines, "a")) == fmt(h)
            for key, sym in (("i", "z_i"), ("f", "z_f"), ("o", "z_o")):
                (g_line,) = [line for line in lines if line.startswith(sym + " =")]
                assert g_line == (rf"{sym} = {tex_num(lt.preacts[key][t, 0])} \;\Rightarrow\; "
                                  rf"\sigma({sym}) = {fmt_gate(lt.gates[key][t, 0])}")
        elif tr.kind == "gru":
            h_line = _equation(lines, "h'")
            assert _result(h_line) == fmt(h)
            z = float(lt.gates["z"][t, 0])
            assert f"&= {fmt_gate(1 - z)} \\cdot" in h_line
            assert _result(_equation(lines, "n")) == fmt(lt.gates["n"][t, 0])
            assert _result(_equation(lines, "r")) == fmt_gate(lt.gates["r"][t, 0])
        else:
            h_line = _equation(lines, "h'")
            assert _result(h_line) == fmt(h)
            assert f"({fmt(lt.preacts['h'][t, 0])})" in h_line


def test_equations_respect_activation_names():
    from figures.equations import cell_equations

    lstm = "\n".join(cell_equations(TRACES["lstm"], 2))
    assert r"g(z) = \tanh(z) = " in lstm
    assert r"a &= h(c')\,\sigma(z_o) \\ &= \tanh(" in lstm
    lecture = "\n".join(cell_equations(TRACES["lecture"], 2))
    assert r"\tanh" not in lecture and "g(z) = z" in lecture
    assert "-0.000" not in lecture and "-0 " not in lecture


def _katex_js():
    try:
        import streamlit
    except ImportError:
        return None
    from pathlib import Path

    found = sorted((Path(streamlit.__file__).parent / "static").rglob("katex*.js"))
    return found[0] if found else None


def picker_traces() -> dict[str, Trace]:
    """A trace of every model the stepper's picker offers (but an upload): the lecture's LSTM,
    every shipped model on its own example input, and the untrained cells."""
    from components.model_picker import MODELS, UNTRAINED
    from engine import zoo

    out = {"lecture": lecture_trace()}
    for key, entry in zoo.SHIPPED.items():
        x = entry.encode(entry.default_text) if entry.reads_text else LECTURE_SEQUENCE
        out[key] = run_trace(entry.load(), x)
    for kind in UNTRAINED:
        config = CellConfig(kind=kind, input_size=3, hidden_size=4)
        out[kind] = run_trace(build_model(config, seed=0), LECTURE_SEQUENCE)
    assert set(out) == set(MODELS) - {"own"}  # every model of the picker is covered
    return out


def test_equations_are_valid_katex(tmp_path):
    """Render every equation of every picker model (and the hand-built traces) with the KaTeX
    that Streamlit ships, in node, with strict errors. CI (CI=true) installs node: there a
    missing node is a failure."""
    import json
    import os
    import shutil
    import subprocess

    node, katex = shutil.which("node"), _katex_js()
    if node is None or katex is None:
        message = "needs node (apt-get install nodejs) and Streamlit's bundled KaTeX"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from figures.equations import cell_equations

    traces = {**TRACES, **picker_traces()}
    lines = set()
    for tr in traces.values():
        for t in range(tr.steps):
            for direction in range(tr.num_directions):
                lines.update(cell_equations(tr, t, unit=0, layer=-1, direction=direction))
    lines = sorted(lines)
    script = tmp_path / "check.mjs"
    script.write_text(
        f'import katex from {json.dumps(katex.as_uri())};\n'
        'import fs from "fs";\n'
        'const lines = JSON.parse(fs.readFileSync(0, "utf8"));\n'
        "const bad = [];\n"
        "for (const l of lines) {\n"
        "  try { katex.renderToString(l, {throwOnError: true, displayMode: true,"
        " strict: 'error'}); }\n"
        "  catch (e) { bad.push(l + ' :: ' + e.message); }\n"
        "}\n"
        "console.log(JSON.stringify(bad));\n"
    )
    out = subprocess.run([node, str(script)], input=json.dumps(lines), capture_output=True,
                         text=True, timeout=120, check=True)
    assert json.loads(out.stdout) == []
    assert len(lines) > 100
    assert any(r"\text{one-hot \#" in line for line in lines)  # the text models' inputs


def test_text_inside_equations_is_escaped():
    """A one-hot input's label and an unknown activation's name are text, not TeX."""
    from figures.equations import _fn
    from figures.values import vector_tex

    hot = [0.0] * 9
    hot[4] = 1.0
    assert vector_tex(hot) == r"\text{one-hot \#4 of 9}"
    assert _fn("soft_plus#") == r"\operatorname{\text{soft\_plus\#}}"


# -- timeline --------------------------------------------------------------------------------


def _rows(fig: go.Figure, kind: str) -> list:
    return [d for d in fig.data if d.type == kind]


@pytest.mark.parametrize("name", KINDS)
def test_heatmaps_hold_the_trace_values(name):
    from figures.timeline import state_heatmaps

    tr = TRACES[name]
    t = tr.steps // 2
    fig = state_heatmaps(tr, t)
    series = tr.series()
    maps = _rows(fig, "heatmap")
    assert [m.name for m in maps] == list(series)
    units = fig.layout.meta["units"]
    for m, (key, values) in zip(maps, series.items(), strict=True):
        assert list(m.x) == list(range(1, tr.steps + 1))
        assert len(m.y) == len(units)
        assert torch.allclose(torch.tensor(m.z, dtype=torch.float32), values[:, units].T.float(),
                              atol=1e-6)
        if key in ("i", "f", "o", "r", "z"):
            assert (m.zmin, m.zmax) == (0.0, 1.0)
        else:
            assert m.zmid == 0.0 and m.zmin == -m.zmax
            assert m.zmax == pytest.approx(float(values.abs().max()))
        assert "step %{x}" in m.hovertemplate and "unit %{y}" in m.hovertemplate
    mark = shape(fig, "current-step")
    assert (mark.x0, mark.x1) == (t + 0.5, t + 1.5)
    assert (mark.yref, mark.y0, mark.y1) == ("paper", 0, 1)


def test_heatmaps_pick_units():
    from figures.timeline import MAX_HEATMAP_UNITS, state_heatmaps

    tr = TRACES["lstm-wide"]
    fig = state_heatmaps(tr, 0, units=[7, 2])
    maps = _rows(fig, "heatmap")
    assert list(maps[0].y) == ["7", "2"]
    assert torch.allclose(torch.tensor(maps[-1].z, dtype=torch.float32), tr.hidden[:, [7, 2]].T)
    many = make_trace("gru", hidden=MAX_HEATMAP_UNITS + 6)
    fig = state_heatmaps(many, 1)
    assert fig.layout.meta["units"] == many.top_units(MAX_HEATMAP_UNITS, "h")
    bi = state_heatmaps(TRACES["lstm-2x-bi"], 0)
    assert list(_rows(bi, "heatmap")[0].y) == ["→0", "→1", "→2", "←0", "←1", "←2"]
    with pytest.raises(ValueError, match="unit"):
        state_heatmaps(tr, 0, units=[40])


@pytest.mark.parametrize("name", KINDS)
def test_lines_hold_the_trace_values(name):
    from figures.timeline import MAX_LINE_UNITS, state_lines

    tr = TRACES[name]
    t = tr.steps - 1
    fig = state_lines(tr, t)
    series = tr.series()
    units = fig.layout.meta["units"]
    size = tr.hidden.shape[1]
    expected = list(range(size)) if size <= MAX_LINE_UNITS else tr.top_units(
        MAX_LINE_UNITS, "c" if tr.cell is not None else "h")
    assert units == expected
    lines = _rows(fig, "scatter")
    assert len(lines) == len(series) * len(units)
    k = 0
    for values in series.values():
        for u in units:
            line = lines[k]
            k += 1
            assert list(line.x) == list(range(1, tr.steps + 1))
            assert torch.allclose(torch.tensor(line.y, dtype=torch.float32), values[:, u].float(),
                                  atol=1e-6)
            assert line.marker.size[t] > line.marker.size[0]
    mark = shape(fig, "current-step")
    assert (mark.x0, mark.x1) == (t + 0.5, t + 1.5)


def test_lecture_lines_show_the_memory_and_output():
    from figures.timeline import state_lines

    fig = state_lines(TRACES["lecture"], 3)
    by_row = {d.yaxis: d for d in fig.data}
    memory = by_row["y5"].y  # rows: i, f, g, o, c, h
    output = by_row["y6"].y
    assert [round(v) for v in memory] == LECTURE_MEMORY
    assert [round(v) for v in output] == LECTURE_OUTPUT
    assert not fig.layout.showlegend  # one unit: series colours, no unit legend
    assert by_row["y"].line.color != by_row["y2"].line.color


def test_timeline_step_labels():
    from figures.timeline import state_heatmaps, state_lines

    tr = TRACES["rnn"]
    words = [f"w{k}" for k in range(tr.steps)]
    for build in (state_heatmaps, state_lines):
        fig = build(tr, 0, step_labels=words)
        axis = fig.layout[f"xaxis{len(tr.series())}" if len(tr.series()) > 1 else "xaxis"]
        assert list(axis.ticktext)[2] == "3<br>w2"
        with pytest.raises(ValueError, match="step_labels"):
            build(tr, 0, step_labels=words[:-1])


# -- animation -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_animation_frames_match_the_trace(name):
    from figures.animation import memory_animation

    tr = TRACES[name]
    fig = memory_animation(tr)
    units = fig.layout.meta["units"]
    memory = tr.cell if tr.cell is not None else tr.hidden
    assert len(fig.frames) == tr.steps
    assert [f.name for f in fig.frames] == [str(t) for t in range(tr.steps)]
    n_bars = len(units)
    for t, frame in enumerate(fig.frames):
        assert len(frame.data) == len(fig.data)
        assert list(frame.traces) == list(range(len(fig.data)))
        bars = frame.data[:n_bars]
        mem_lines = frame.data[n_bars:2 * n_bars]
        for n, u in enumerate(units):
            if tr.kind in ("lstm", "gru"):
                keys = ("i", "f", "o") if tr.kind == "lstm" else ("r", "z")
                want = [float(tr.gates[k][t, u]) for k in keys]
            else:
                want = [float(tr.hidden[t, u])]
            assert list(bars[n].y) == pytest.approx(want)
            ys = list(mem_lines[n].y)
            assert ys[: t + 1] == pytest.approx(memory[: t + 1, u].tolist())
            assert all(v is None for v in ys[t + 1:])
        current = next(d for d in frame.data if d.name == "current")
        assert list(current.x) == [t + 1] * n_bars
    # the first frame is what shows before playing
    assert list(fig.data[0].y) == list(fig.frames[0].data[0].y)


@pytest.mark.parametrize("name", ["lecture", "lstm-wide", "jordan"])
def test_the_animation_can_open_at_any_step(name):
    import json

    from figures.animation import at_step, memory_animation

    tr = TRACES[name]
    fig = memory_animation(tr)
    before = json.loads(fig.to_json())
    for t in (0, tr.steps // 2, tr.steps - 1):
        shown = at_step(fig, t)
        for k, data in zip(fig.frames[t].traces, fig.frames[t].data, strict=True):
            assert shown.data[k].to_plotly_json() | {"xaxis": None, "yaxis": None} == (
                fig.data[k].to_plotly_json() | data.to_plotly_json() | {"xaxis": None,
                                                                          "yaxis": None})
        assert shown.layout.sliders[0].active == t
        current = next(d for d in shown.data if d.name == "current")
        assert set(current.x) == {t + 1}
        assert len(shown.frames) == tr.steps
    assert json.loads(fig.to_json()) == before  # the cached figure is never changed
    with pytest.raises(ValueError, match="out of range"):
        at_step(fig, tr.steps)


def test_animation_controls_and_fixed_axes():
    from figures.animation import BASE_MS, memory_animation

    tr = TRACES["lecture"]
    fig = memory_animation(tr)
    menus = {m.name: m for m in fig.layout.updatemenus}
    play, pause, replay = menus["play"].buttons
    assert play.method == "animate" and play.args[0] is None
    assert play.args[1]["fromcurrent"] is True
    assert play.args[1]["frame"]["duration"] == BASE_MS
    assert list(pause.args[0]) == [None] and pause.args[1]["mode"] == "immediate"
    assert list(replay.args[0]) == [str(t) for t in range(tr.steps)]
    durations = [b.args[1]["frame"]["duration"] for b in menus["speed"].buttons]
    assert [b.label for b in menus["speed"].buttons] == ["▶ 0.5×", "▶ 1×", "▶ 2×"]
    assert durations == [2 * BASE_MS, BASE_MS, BASE_MS // 2]
    (slider,) = fig.layout.sliders
    assert len(slider.steps) == tr.steps
    assert [list(s.args[0]) for s in slider.steps] == [[str(t)] for t in range(tr.steps)]
    assert [s.label for s in slider.steps] == [str(t + 1) for t in range(tr.steps)]
    # fixed ranges: set on the layout, never changed by a frame
    assert fig.layout.yaxis.range == (0.0, 1.18)
    lo, hi = fig.layout.yaxis2.range
    assert lo < 0 and hi > 7
    assert fig.layout.xaxis2.range == (0.5, tr.steps + 0.5)
    assert all(f.layout is None or not f.layout.to_plotly_json() for f in fig.frames)
    assert fig.layout.xaxis.fixedrange and fig.layout.yaxis2.fixedrange


def test_animation_units_choice():
    from figures.animation import MAX_UNITS, memory_animation

    tr = TRACES["lstm-wide"]
    assert memory_animation(tr).layout.meta["units"] == tr.top_units(MAX_UNITS, "c")
    fig = memory_animation(tr, units=[5])
    assert fig.layout.meta["units"] == [5]
    assert list(fig.frames[2].data[1].y[:3]) == pytest.approx(tr.cell[:3, 5].tolist())


def test_animation_html_is_self_contained():
    from figures.animation import animation_html, memory_animation

    fig = memory_animation(TRACES["lecture"])
    html = animation_html(fig)
    assert html.lstrip().lower().startswith("<html") or "<!doctype html" in html[:100].lower()
    assert len(html) > 1_000_000  # plotly.js itself is inside
    assert "<title>" in html
    plot = html[html.rfind("Plotly.newPlot("):]
    assert '"frames"' in plot or "addFrames" in plot
    assert plot.count('"name":"8"') == 1  # all nine frames travel with the page
    assert "Plotly.animate" not in plot  # it waits for the Play button
    srcs = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.IGNORECASE)
    assert not [s for s in srcs if s.startswith(("http:", "https:", "//"))]


# -- purity ----------------------------------------------------------------------------------


def test_figure_modules_are_pure():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "app" / "figures"
    mine = ["animation", "canvas", "cell_diagram", "equations", "style", "timeline", "values"]
    for name in mine:
        source = (folder / f"{name}.py").read_text()
        assert "streamlit" not in source, name


def test_builders_leave_the_trace_alone():
    from figures.animation import memory_animation
    from figures.cell_diagram import cell_diagram
    from figures.equations import cell_equations
    from figures.timeline import state_heatmaps, state_lines

    tr = make_trace("lstm", layers=2, bidirectional=True, seed=3)
    before = {k: v.clone() for k, v in tr.series().items()}
    cell_diagram(tr, 1, unit=2, layer=0, direction=1)
    cell_equations(tr, 1)
    state_heatmaps(tr, 1)
    state_lines(tr, 1)
    memory_animation(tr)
    for k, v in tr.series().items():
        assert torch.equal(v, before[k])
    assert math.isfinite(float(tr.hidden.sum()))


@pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")
def test_plain_torch_models_and_a_projected_lstm():
    """Traces of torch.nn modules, including an LSTM whose h is a projection (proj_size)."""
    from figures.animation import memory_animation
    from figures.cell_diagram import cell_diagram
    from figures.equations import cell_equations
    from figures.timeline import state_heatmaps, state_lines

    torch.manual_seed(0)
    x = torch.randn(5, 3)
    proj = run_trace(torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2), x)
    assert proj.cell.shape[1] == 10 and proj.hidden.shape[1] == 4
    fig = cell_diagram(proj, 2, unit=4, direction=1)  # memory units go up to 5 per direction
    assert ann(fig, "output-value") == "a → projection"
    assert ann(fig, "memory-value").endswith(f"→ {plain(fmt_text(proj.layers[-1][1].cell[2, 4]))}")
    assert cell_equations(proj, 2, unit=4)[-1].endswith(r"\text{(then projected)} \end{aligned}")
    maps = state_heatmaps(proj, 1).data
    assert [len(m.y) for m in maps] == [10, 10, 10, 10, 10, 4]
    assert list(maps[-1].y) == ["→0", "→1", "←0", "←1"]
    assert len(state_lines(proj, 1, units=[9]).data) == 5 + 4
    assert len(memory_animation(proj).frames) == 5
    for module in (torch.nn.GRU(3, 4, num_layers=2), torch.nn.RNN(3, 4, nonlinearity="relu")):
        tr = run_trace(module, x)
        cell_diagram(tr, 1, unit=3)
        lines = cell_equations(tr, 1, unit=3)
        state_heatmaps(tr, 1)
        state_lines(tr, 1)
        memory_animation(tr)
        if tr.kind == "rnn":
            assert r"\operatorname{ReLU}(W x + U h + b)" in lines[-1]


def fmt_text(value) -> str:
    from figures.values import text_num

    return text_num(float(value))


@pytest.mark.parametrize("builder", ["state_lines", "state_heatmaps"])
def test_moving_the_step_marker_draws_what_a_fresh_figure_draws(builder):
    from figures import timeline

    build = getattr(timeline, builder)
    tr = lecture_trace()
    base = build(tr, 0)
    before = base.to_json()
    for t in (1, tr.steps - 1):
        moved = timeline.move_step(base, t)
        assert moved.to_plotly_json() == build(tr, t).to_plotly_json()
    assert base.to_json() == before  # the cached figure is never changed
    with pytest.raises(ValueError):
        timeline.move_step(base, tr.steps)

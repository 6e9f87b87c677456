"""One step told in plain words, in the lecture's terms (pure: Trace → markdown string)."""

from __future__ import annotations

from engine.trace import Trace

OPEN, SHUT = 0.9, 0.1  # a gate above OPEN reads as open, below SHUT as closed


def _num(value: float) -> str:
    """A compact number for prose."""
    text = f"{value:.3g}"
    return "0" if text in ("-0", "0") else text


def _gate(value: float, opened: str, closed: str, middle: str) -> str:
    """Words for a gate's opening."""
    if value >= OPEN:
        return opened
    if value <= SHUT:
        return closed
    return middle


def _layer(trace: Trace, layer: int, direction: int):
    return trace.layers[layer][direction]


def step_story(trace: Trace, t: int, unit: int = 0, layer: int = -1, direction: int = 0) -> str:
    """What happened at step t (0-based) to `unit`, as a few markdown bullet points."""
    lt = _layer(trace, layer, direction)
    h_prev = (lt.hidden0 if t == 0 else lt.hidden[t - 1])[unit].item()
    h = lt.hidden[t, unit].item()
    if trace.kind == "lstm":
        i, f, o = (lt.gates[k][t, unit].item() for k in "ifo")
        g = lt.gates["g"][t, unit].item()
        c_prev = (lt.cell0 if t == 0 else lt.cell[t - 1])[unit].item()
        c = lt.cell[t, unit].item()
        return "\n".join([
            "- **Input gate** " + _gate(
                i, f"open ({_num(i)}): the cell input g(z) = {_num(g)} is written into memory.",
                f"closed ({_num(i)}): the cell input g(z) = {_num(g)} is blocked.",
                f"half open ({_num(i)}): {_num(i * g)} of the cell input gets in.",
            ),
            "- **Forget gate** " + _gate(
                f, f"open ({_num(f)}): it keeps the memory {_num(c_prev)}.",
                f"closed ({_num(f)}): it erases the memory {_num(c_prev)}.",
                f"half open ({_num(f)}): {_num(f * c_prev)} of the memory {_num(c_prev)} stays.",
            ),
            f"- **Memory** {_num(c_prev)} → **{_num(c)}**.",
            "- **Output gate** " + _gate(
                o, f"open ({_num(o)}): the memory goes out, output a = {_num(h)}.",
                f"closed ({_num(o)}): nothing goes out, output a = {_num(h)}.",
                f"half open ({_num(o)}): output a = {_num(h)}.",
            ),
        ])
    if trace.kind == "gru":
        r, z = (lt.gates[k][t, unit].item() for k in "rz")
        n = lt.gates["n"][t, unit].item()
        return "\n".join([
            f"- **Reset gate** r = {_num(r)}: the candidate sees "
            + ("all" if r >= OPEN else "none" if r <= SHUT else "part")
            + " of the previous state.",
            f"- **Candidate** n = {_num(n)}.",
            f"- **Update gate** z = {_num(z)}: h = (1 − z)·n + z·h_prev keeps "
            f"{_num(100 * z)}% of the previous state {_num(h_prev)}.",
            f"- **Hidden state** {_num(h_prev)} → **{_num(h)}**.",
        ])
    fed_back = "previous output y" if trace.kind == "jordan" else "previous hidden state h"
    lines = [
        f"- The input x_t and the {fed_back} are mixed and squashed by "
        f"{trace.activations.get('nonlinearity', 'tanh')}.",
        f"- **Hidden state** {_num(h_prev)} → **{_num(h)}**."
        if trace.kind == "rnn" else f"- **Hidden state** → **{_num(h)}**.",
    ]
    if trace.kind == "jordan" and layer in (-1, trace.num_layers - 1) and direction == 0:
        lines.append(f"- **Output** y_t = {_num(trace.outputs[t, unit].item())}, fed back next step."
                     if unit < trace.outputs.shape[1] else "")
    return "\n".join(line for line in lines if line)

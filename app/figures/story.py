"""One step told in plain words, in the lecture's terms (pure: Trace → markdown string)."""

from __future__ import annotations

from engine.trace import Trace
from figures.values import fmt, fmt_gate

_num = fmt  # numbers in prose look like the numbers on the diagram
OPEN, SHUT = 0.9, 0.1  # a gate above OPEN reads as open, below SHUT as closed


def _gate(value: float, opened: str, closed: str, middle: str) -> str:
    """Words for a gate's opening."""
    if value >= OPEN:
        return opened
    if value <= SHUT:
        return closed
    return middle


def _layer(trace: Trace, layer: int, direction: int):
    return trace.layers[layer][direction]


# What each cell kind is, in the lecture's words (the page's caption above the stepper).
CELL_CAPTIONS = {
    "lstm": "Lecture §3: a memory cell with an input gate, a forget gate and an output gate. "
    "c′ = g(z)·σ(z_i) + c·σ(z_f), a = h(c′)·σ(z_o). The forget gate **keeps** the memory when "
    "it is open (1) and erases it when it is closed (0).",
    "gru": "Lecture §4: the GRU, LSTM's simpler sibling with two gates. The reset gate r decides "
    "how much of the old state the candidate n sees; the update gate z keeps the old state "
    "where it is open and takes the candidate where it is closed.",
    "rnn": "Lecture §2: the Elman network. The hidden layer's values are stored and fed back "
    "as an extra input at the next step.",
    "jordan": "Lecture §2: the Jordan network. The network's previous *output* is stored and fed "
    "back as an extra input at the next step.",
}


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
                i, f"open ({fmt_gate(i)}): the cell input g(z) = {_num(g)} is written into memory.",
                f"closed ({fmt_gate(i)}): the cell input g(z) = {_num(g)} is blocked.",
                f"{round(100 * i)}% open ({fmt_gate(i)}): {_num(i * g)} of the cell input gets in.",
            ),
            "- **Forget gate** " + _gate(
                f, f"open ({fmt_gate(f)}): it keeps the memory {_num(c_prev)}.",
                f"closed ({fmt_gate(f)}): it erases the memory {_num(c_prev)}.",
                f"{round(100 * f)}% open ({fmt_gate(f)}): {_num(f * c_prev)} of the memory "
                f"{_num(c_prev)} stays.",
            ),
            f"- **Memory** {_num(c_prev)} → **{_num(c)}**.",
            "- **Output gate** " + _gate(
                o, f"open ({fmt_gate(o)}): the memory goes out, output a = {_num(h)}.",
                f"closed ({fmt_gate(o)}): nothing goes out, output a = {_num(h)}.",
                f"{round(100 * o)}% open ({fmt_gate(o)}): output a = {_num(h)}.",
            ),
        ])
    if trace.kind == "gru":
        r, z = (lt.gates[k][t, unit].item() for k in "rz")
        n = lt.gates["n"][t, unit].item()
        return "\n".join([
            f"- **Reset gate** r = {fmt_gate(r)}: the candidate sees "
            + ("all" if r >= OPEN else "none" if r <= SHUT else "part")
            + " of the previous state.",
            f"- **Candidate** n = {_num(n)}.",
            f"- **Update gate** z = {fmt_gate(z)}: h = (1 − z)·n + z·h_prev keeps "
            f"{100 * z:.0f}% of the previous state {_num(h_prev)}.",
            f"- **Hidden state** {_num(h_prev)} → **{_num(h)}**.",
        ])
    act = trace.activations.get("nonlinearity", "tanh")
    if trace.kind == "jordan" and lt.output is not None:
        if unit >= lt.output.shape[1]:  # fewer fed-back outputs than hidden units
            return "\n".join([
                f"- The input x_t and the **previous output** y ({lt.output.shape[1]} values) "
                f"are mixed and squashed by {act}.",
                f"- **Hidden state** h = **{_num(h)}**.",
                "- The output y is fed back at the next step (Jordan network).",
            ])
        y_prev = (lt.output0 if t == 0 else lt.output[t - 1])[unit].item()
        y = lt.output[t, unit].item()
        return "\n".join([
            f"- The input x_t and the **previous output** y = {_num(y_prev)} are mixed and "
            f"squashed by {act}.",
            f"- **Hidden state** h = **{_num(h)}**.",
            f"- **Output** y = **{_num(y)}**, fed back at the next step (Jordan network).",
        ])
    return "\n".join([
        f"- The input x_t and the **previous hidden state** h = {_num(h_prev)} are mixed and "
        f"squashed by {act} (Elman network).",
        f"- **Hidden state** {_num(h_prev)} → **{_num(h)}**.",
    ])

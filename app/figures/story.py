"""One step told in plain words, in the lecture's terms (pure: Trace → markdown string)."""

from __future__ import annotations

from engine.trace import Trace
from figures.values import fmt, fmt_gate
from i18n import N_, _

_num = fmt  # numbers in prose look like the numbers on the diagram
OPEN, SHUT = 0.9, 0.1  # a gate above OPEN reads as open, below SHUT as closed


def _gate(value: float, opened: str, closed: str, middle: str) -> str:
    """The sentence for a gate's opening (each already translated, placeholders unfilled)."""
    if value >= OPEN:
        return opened
    if value <= SHUT:
        return closed
    return middle


def _layer(trace: Trace, layer: int, direction: int):
    return trace.layers[layer][direction]


# What each cell kind is, in the lecture's words (the page's caption above the stepper);
# translated where shown: _(CELL_CAPTIONS[kind]).
CELL_CAPTIONS = {
    "lstm": N_(
        "Lecture §3: a memory cell with an input gate, a forget gate and an output gate. "
        "c′ = g(z)·σ(z_i) + c·σ(z_f), a = h(c′)·σ(z_o). The forget gate **keeps** the memory "
        "when it is open (1) and erases it when it is closed (0)."),
    "gru": N_(
        "Lecture §4: the GRU, LSTM's simpler sibling with two gates. The reset gate r decides "
        "how much of the old state the candidate n sees; the update gate z keeps the old state "
        "where it is open and takes the candidate where it is closed."),
    "rnn": N_(
        "Lecture §2: the Elman network. The hidden layer's values are stored and fed back as an "
        "extra input at the next step."),
    "jordan": N_(
        "Lecture §2: the Jordan network. The network's previous *output* is stored and fed back "
        "as an extra input at the next step."),
}


def _lstm_story(lt, t: int, unit: int) -> list[str]:
    """The LSTM's four lines: input gate, forget gate, memory, output gate."""
    i, f, o = (lt.gates[k][t, unit].item() for k in "ifo")
    g = lt.gates["g"][t, unit].item()
    c_prev = (lt.cell0 if t == 0 else lt.cell[t - 1])[unit].item()
    c = lt.cell[t, unit].item()
    h = lt.hidden[t, unit].item()
    return [
        _gate(i, _("**Input gate** open ({gate}): the cell input g(z) = {g} is written into "
                   "memory."),
              _("**Input gate** closed ({gate}): the cell input g(z) = {g} is blocked."),
              _("**Input gate** {percent}% open ({gate}): {share} of the cell input gets in."),
              ).format(gate=fmt_gate(i), g=_num(g), percent=round(100 * i), share=_num(i * g)),
        _gate(f, _("**Forget gate** open ({gate}): it keeps the memory {memory}."),
              _("**Forget gate** closed ({gate}): it erases the memory {memory}."),
              _("**Forget gate** {percent}% open ({gate}): {share} of the memory {memory} "
                "stays."),
              ).format(gate=fmt_gate(f), memory=_num(c_prev), percent=round(100 * f),
                       share=_num(f * c_prev)),
        _("**Memory** {before} → **{after}**.").format(before=_num(c_prev), after=_num(c)),
        _gate(o, _("**Output gate** open ({gate}): the memory goes out, output a = {a}."),
              _("**Output gate** closed ({gate}): nothing goes out, output a = {a}."),
              _("**Output gate** {percent}% open ({gate}): output a = {a}."),
              ).format(gate=fmt_gate(o), a=_num(h), percent=round(100 * o)),
    ]


def _gru_story(lt, t: int, unit: int, h_prev: float, h: float) -> list[str]:
    """The GRU's four lines: reset gate, candidate, update gate, hidden state."""
    r, z = (lt.gates[k][t, unit].item() for k in "rz")
    n = lt.gates["n"][t, unit].item()
    reset = _gate(r, _("**Reset gate** r = {gate}: the candidate sees all of the previous "
                       "state."),
                  _("**Reset gate** r = {gate}: the candidate sees none of the previous "
                    "state."),
                  _("**Reset gate** r = {gate}: the candidate sees part of the previous "
                    "state."))
    return [
        reset.format(gate=fmt_gate(r)),
        _("**Candidate** n = {n}.").format(n=_num(n)),
        _("**Update gate** z = {gate}: h = (1 − z)·n + z·h_prev keeps {percent}% of the "
          "previous state {state}.").format(gate=fmt_gate(z), percent=f"{100 * z:.0f}",
                                            state=_num(h_prev)),
        _("**Hidden state** {before} → **{after}**.").format(before=_num(h_prev), after=_num(h)),
    ]


def step_story(trace: Trace, t: int, unit: int = 0, layer: int = -1, direction: int = 0) -> str:
    """What happened at step t (0-based) to `unit`, as a few markdown bullet points."""
    lt = _layer(trace, layer, direction)
    h_prev = (lt.hidden0 if t == 0 else lt.hidden[t - 1])[unit].item()
    h = lt.hidden[t, unit].item()
    if trace.kind == "lstm":
        lines = _lstm_story(lt, t, unit)
    elif trace.kind == "gru":
        lines = _gru_story(lt, t, unit, h_prev, h)
    else:
        lines = _simple_story(trace, lt, t, unit, h_prev, h)
    return "\n".join(f"- {line}" for line in lines)


def _simple_story(trace: Trace, lt, t: int, unit: int, h_prev: float, h: float) -> list[str]:
    """The Elman or Jordan network's lines."""
    act = trace.activations.get("nonlinearity", "tanh")
    if trace.kind == "jordan" and lt.output is not None:
        if unit >= lt.output.shape[1]:  # fewer fed-back outputs than hidden units
            return [
                _("The input x_t and the **previous output** y ({count} values) are mixed and "
                  "squashed by {activation}.").format(count=lt.output.shape[1], activation=act),
                _("**Hidden state** h = **{h}**.").format(h=_num(h)),
                _("The output y is fed back at the next step (Jordan network)."),
            ]
        y_prev = (lt.output0 if t == 0 else lt.output[t - 1])[unit].item()
        y = lt.output[t, unit].item()
        return [
            _("The input x_t and the **previous output** y = {y} are mixed and squashed by "
              "{activation}.").format(y=_num(y_prev), activation=act),
            _("**Hidden state** h = **{h}**.").format(h=_num(h)),
            _("**Output** y = **{y}**, fed back at the next step (Jordan network).").format(
                y=_num(y)),
        ]
    return [
        _("The input x_t and the **previous hidden state** h = {h} are mixed and squashed by "
          "{activation} (Elman network).").format(h=_num(h_prev), activation=act),
        _("**Hidden state** {before} → **{after}**.").format(before=_num(h_prev), after=_num(h)),
    ]

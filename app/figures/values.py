"""Pick one step's numbers out of a `Trace`, and format numbers for text and LaTeX."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import markup
from engine.trace import Trace
from i18n import N_, _

MINUS = "\u2212"  # typographic minus for plotly text

# Default activations per cell kind, used when a Trace names none.
DEFAULT_ACTIVATIONS: dict[str, dict[str, str]] = {
    "lstm": {"gate": "sigmoid", "cell_input": "tanh", "cell_output": "tanh"},
    "gru": {"gate": "sigmoid", "candidate": "tanh"},
    "rnn": {"nonlinearity": "tanh"},
    "jordan": {"nonlinearity": "tanh"},
}


SIGNIFICANT = 3  # digits shown of a number below 1000 (never more than GATE_DECIMALS decimals)
GATE_DECIMALS = 3  # decimals of a gate opening, always written out ("1.000", "0.462")
NEAR_NOTE = N_(
    "Numbers are rounded to 3 significant digits (at most 3 decimals). A “7” can be a hair "
    "below 7 (6.9995): the hand-set gates are σ(10) = 0.99995, not 1, so a little memory "
    "leaks each step."
)


def fmt(value: float, gate: bool = False) -> str:
    """The one rounding rule for every number a figure, story, equation or table shows.

    `SIGNIFICANT` significant digits with at most `GATE_DECIMALS` decimals, rounded to the
    nearest (never truncated), trailing zeros dropped: 7.0 → "7", 6.9995 → "7",
    5.99977 → "6", 0.46211 → "0.462", 12.345 → "12.3", 1234.6 → "1235", 0.00014 → "0".
    From 100,000 on, a mantissa and an exponent ("1.2e6"). Never "-0".
    `gate`: a gate opening in [0, 1], written with exactly `GATE_DECIMALS` decimals ("1.000").
    """
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if gate:
        text = f"{v:.{GATE_DECIMALS}f}"
        return text.replace("-", "") if float(text) == 0 else text
    a = abs(v)
    if a >= 1e5:
        mantissa, exponent = f"{v:.{SIGNIFICANT - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    # digits before the point decide how many decimals the significant digits leave
    whole = len(str(int(round(a)))) if a >= 1 else 0
    decimals = max(0, min(GATE_DECIMALS, SIGNIFICANT - whole))
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_gate(value: float) -> str:
    """A gate opening with exactly 3 decimals ("1.000", "0.000"): `fmt(value, gate=True)`."""
    return fmt(value, gate=True)


def fmt_many(values) -> list[str]:
    """`fmt` of each value (hover text of a series)."""
    return [fmt(v) for v in values]


def text_num(value: float, gate: bool = False) -> str:
    """Number for plotly text, with a typographic minus."""
    s = fmt(value, gate)
    return s.replace("-", MINUS) if s.startswith("-") else s


def tex_num(value: float, gate: bool = False, paren: bool = False) -> str:
    """Number for LaTeX; `paren` wraps a negative number in parentheses (inside a product)."""
    s = fmt(value, gate)
    if "e" in s and s not in ("nan",):
        mantissa, exponent = s.split("e")
        s = rf"{mantissa} \times 10^{{{exponent}}}"
    s = s.replace("∞", r"\infty")
    if s == "nan":
        s = r"\text{nan}"
    if paren and s.startswith("-"):
        s = f"({s})"
    return s


def one_hot_index(values: list[float]) -> int | None:
    """Index of the single 1 when `values` is a one-hot vector of length > 3, else None."""
    if len(values) <= 3:
        return None
    ones = [k for k, v in enumerate(values) if v == 1.0]
    zeros = sum(1 for v in values if v == 0.0)
    return ones[0] if len(ones) == 1 and zeros == len(values) - 1 else None


def vector_text(values: list[float], limit: int = 6, fn=fmt) -> list[str] | str:
    """Entries to show for a vector: all when short, else the first few and a count."""
    hot = one_hot_index(values)
    if hot is not None:
        return _("one-hot #{index} of {size}").format(index=hot, size=len(values))
    if len(values) <= limit:
        return [fn(v) for v in values]
    return [fn(v) for v in values[: limit - 1]] + ["…", fn(values[-1])]


def vector_plain(values: list[float], limit: int = 6) -> str:
    """A vector for plotly text: "[4, 1, 0]"."""
    items = vector_text(values, limit, text_num)
    if isinstance(items, str):
        return items
    return "[" + ", ".join(items) + "]"


def vector_tex(values: list[float], limit: int = 6) -> str:
    """A vector for LaTeX, as a row matrix."""
    items = vector_text(values, limit, tex_num)
    if isinstance(items, str):
        return rf"\text{{{markup.tex(items)}}}"
    items = [r"\cdots" if s == "…" else s for s in items]
    return r"\begin{bmatrix}" + " & ".join(items) + r"\end{bmatrix}"


@dataclass
class StepValues:
    """The numbers of one unit at one step of one layer and direction (plain floats)."""

    kind: str
    t: int  # step index, 0-based
    steps: int  # T
    unit: int  # unit index inside its direction
    size: int  # H, units in this direction
    layer: int  # layer index, non-negative
    num_layers: int
    direction: int
    num_directions: int
    reverse: bool
    x: list[float]  # what this layer read at step t (the sequence, or the layer below)
    h_prev: float  # the unit's state before the step (h_{t-1}; h_{t+1} when reversed)
    h: float  # after the step
    c_prev: float | None = None  # LSTM memory before the step
    c: float | None = None  # LSTM memory after the step
    gates: dict[str, float] = field(default_factory=dict)
    preacts: dict[str, float] = field(default_factory=dict)
    y: list[float] | None = None  # the model's output at step t
    y_prev: list[float] | None = None  # the model's output before the step (Jordan feedback)
    activations: dict[str, str] = field(default_factory=dict)

    @property
    def projected(self) -> bool:
        """True for an LSTM whose hidden state is a projection (h and h_prev are nan)."""
        return math.isnan(self.h)

    @property
    def prev_sub(self) -> str:
        """Subscript of the previous step: "t−1", or "t+1" for a backward direction."""
        return "t+1" if self.reverse else "t−1"

    @property
    def prev_sub_tex(self) -> str:
        return "t+1" if self.reverse else "t-1"

    def act(self, role: str) -> str:
        """Activation name for a role ("gate", "cell_input", ...), with the kind's default."""
        keys = (role,) if role == "gate" else (role, "nonlinearity")
        for key in keys:
            if key in self.activations:
                return self.activations[key].lower()
        return DEFAULT_ACTIVATIONS.get(self.kind, {}).get(role, "tanh")


def check_index(name: str, value: int, size: int) -> int:
    """Normalise a possibly negative index; ValueError when out of range."""
    if not -size <= value < size:
        raise ValueError(f"{name}={value} is out of range: there are {size} ({-size}..{size - 1})")
    return value % size


def step_values(trace: Trace, t: int, unit: int = 0, layer: int = -1, direction: int = 0
                ) -> StepValues:
    """Everything the diagram and equations of step `t` need, picked out of `trace`."""
    steps = trace.steps
    t = check_index("t", t, steps)
    layer = check_index("layer", layer, trace.num_layers)
    direction = check_index("direction", direction, trace.num_directions)
    lt = trace.layers[layer][direction]
    # an LSTM with a projection (torch proj_size) has more memory units than hidden units
    size = int((lt.cell if lt.cell is not None else lt.hidden).shape[1])
    projected = size != int(lt.hidden.shape[1])
    unit = check_index("unit", unit, size)

    prev = t + 1 if lt.reverse else t - 1
    first = prev < 0 or prev >= steps

    def at(tensor, step: int) -> float:
        return float(tensor[step, unit])

    if layer == 0:
        x = [float(v) for v in trace.inputs[t].reshape(-1).tolist()]
    else:
        below = trace.layers[layer - 1]
        x = [float(v) for d in below for v in d.hidden[t].reshape(-1).tolist()]

    nan = float("nan")
    if projected:  # h is a projection of every unit's output, not this unit's own value
        h_prev = h = nan
    else:
        h_prev = float(lt.hidden0[unit]) if first else at(lt.hidden, prev)
        h = at(lt.hidden, t)
    c_prev = c = None
    if lt.cell is not None:
        c = at(lt.cell, t)
        if first:
            c_prev = float(lt.cell0[unit]) if lt.cell0 is not None else 0.0
        else:
            c_prev = at(lt.cell, prev)

    y = y_prev = None
    if getattr(lt, "output", None) is not None:  # Jordan: this layer's fed-back output
        y = [float(v) for v in lt.output[t].reshape(-1).tolist()]
        if not first:
            y_prev = [float(v) for v in lt.output[prev].reshape(-1).tolist()]
        elif getattr(lt, "output0", None) is not None:
            y_prev = [float(v) for v in lt.output0.reshape(-1).tolist()]
        else:
            y_prev = [0.0] * len(y)
    elif trace.outputs is not None and trace.outputs.numel() > 0:
        y = [float(v) for v in trace.outputs[t].reshape(-1).tolist()]
        if first:
            y_prev = [0.0] * len(y)
        else:
            y_prev = [float(v) for v in trace.outputs[prev].reshape(-1).tolist()]

    return StepValues(
        kind=trace.kind,
        t=t,
        steps=steps,
        unit=unit,
        size=size,
        layer=layer,
        num_layers=trace.num_layers,
        direction=direction,
        num_directions=trace.num_directions,
        reverse=bool(lt.reverse),
        x=x,
        h_prev=h_prev,
        h=h,
        c_prev=c_prev,
        c=c,
        gates={k: at(v, t) for k, v in lt.gates.items()},
        preacts={k: at(v, t) for k, v in lt.preacts.items()},
        y=y,
        y_prev=y_prev,
        activations=dict(trace.activations or {}),
    )


def series_width(trace: Trace) -> int:
    """The most units any series has (the memory of a projected LSTM has more than h)."""
    return max(int(v.shape[1]) for v in trace.series().values())


def default_units(trace: Trace, limit: int = 16, name: str | None = None) -> list[int]:
    """All units when there are at most `limit`, else the `limit` most varying ones."""
    if name is None:
        name = "c" if trace.cell is not None else "h"
    size = int(trace.series()[name].shape[1])
    if size <= limit:
        return list(range(size))
    return trace.top_units(limit, name)


def resolve_units(trace: Trace, units: list[int] | None, limit: int = 16) -> list[int]:
    """Validate the requested unit indices, or pick defaults."""
    if units is None:
        return default_units(trace, limit)
    size = series_width(trace)
    picked = [check_index("unit", int(u), size) for u in units]
    if not picked:
        raise ValueError("units is empty: pick at least one unit")
    return list(dict.fromkeys(picked))


def unit_label(trace: Trace, unit: int, width: int | None = None) -> str:
    """Name of a unit of a concatenated [D*H] axis (`width` = D*H, default the widest series):
    "3", or "→3" / "←3" when bidirectional."""
    if trace.num_directions == 1:
        return str(unit)
    size = (width or series_width(trace)) // trace.num_directions
    d, k = divmod(unit, size)
    return f"{'←' if trace.layers[-1][d].reverse else '→'}{k}"


def gate_word(kind: str, key: str, value: float) -> str:
    """What a gate's opening means, in the lecture's words ("open", "keeps memory", ...)."""
    v = float(value)
    high, low = v >= 0.95, v <= 0.05
    pct = f"{100 * v:.0f}%"
    if kind == "lstm" and key == "f":
        return (_("keeps memory") if high else _("erases memory") if low
                else _("keeps {percent}").format(percent=pct))
    if kind == "gru" and key == "z":
        return (_("keeps old state") if high else _("takes new state") if low
                else _("keeps {percent}").format(percent=pct))
    return _("open") if high else _("closed") if low else _("{percent} open").format(percent=pct)


ACTIVATION_LABELS = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "linear": "linear",
    "identity": "linear",
    "none": "linear",
    "relu": "ReLU",
}


def is_linear(name: str) -> bool:
    return name.lower() in ("linear", "identity", "none", "")


def activation_label(name: str) -> str:
    """Short display name of an activation ("σ", "tanh", "linear")."""
    label = ACTIVATION_LABELS.get(name.lower(), name)
    return _("linear") if label == "linear" else label

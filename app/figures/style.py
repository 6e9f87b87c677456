"""Shared look of every figure: one colour per gate and state, fonts, colour scales, labels."""

from __future__ import annotations

import plotly.graph_objects as go

FONT_FAMILY = '"Source Sans Pro", "Source Sans 3", "Segoe UI", Helvetica, Arial, sans-serif'
FONT_SIZE = 14
TEXT = "#1f2937"  # body text
MUTED = "#6b7280"  # secondary text, arrows
FAINT = "#e5e7eb"  # tracks, grid
PAPER = "#ffffff"

# One colour per quantity, the same in every figure.
COLORS: dict[str, str] = {
    "i": "#16a34a",  # LSTM input gate: green
    "f": "#d97706",  # LSTM forget gate: amber
    "o": "#2563eb",  # LSTM output gate: blue
    "g": "#0891b2",  # LSTM cell input g(z): cyan
    "c": "#7c3aed",  # memory: purple
    "h": "#334155",  # hidden state / output: slate
    "r": "#db2777",  # GRU reset gate: pink
    "z": "#d97706",  # GRU update gate (keeps the old state, like the forget gate): amber
    "n": "#0891b2",  # GRU candidate (like g): cyan
    "x": "#6b7280",  # inputs: grey
    "y": "#0f766e",  # Jordan output fed back: teal
}

# Light tint of each colour, for fills behind text.
TINTS: dict[str, str] = {
    "i": "#dcfce7",
    "f": "#fef3c7",
    "o": "#dbeafe",
    "g": "#cffafe",
    "c": "#ede9fe",
    "h": "#f1f5f9",
    "r": "#fce7f3",
    "z": "#fef3c7",
    "n": "#cffafe",
    "x": "#f3f4f6",
    "y": "#ccfbf1",
}

# Readable names of every series of `Trace.series()`, per cell kind.
SERIES_NAMES: dict[str, dict[str, str]] = {
    "lstm": {
        "i": "input gate σ(z<sub>i</sub>)",
        "f": "forget gate σ(z<sub>f</sub>)",
        "g": "cell input g(z)",
        "o": "output gate σ(z<sub>o</sub>)",
        "c": "memory c",
        "h": "output a = h(c)·σ(z<sub>o</sub>)",
    },
    "gru": {
        "r": "reset gate r",
        "z": "update gate z (keeps old h)",
        "n": "candidate n",
        "h": "hidden state h",
    },
    "rnn": {"h": "hidden state h"},
    "jordan": {"h": "hidden state h"},
}

# Series whose values are gate openings in [0, 1].
UNIT_INTERVAL = {("lstm", "i"), ("lstm", "f"), ("lstm", "o"), ("gru", "r"), ("gru", "z")}

# Distinct colours for telling units apart (colour-blind friendly, Okabe-Ito and Tableau).
UNIT_PALETTE = [
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#56b4e9",
    "#8c564b",
    "#000000",
    "#f0e442",
    "#7f7f7f",
    "#17becf",
    "#bcbd22",
    "#9467bd",
    "#e377c2",
    "#2ca02c",
    "#1f77b4",
]


def series_name(kind: str, key: str) -> str:
    """Readable label of one series (plotly HTML)."""
    return SERIES_NAMES.get(kind, {}).get(key, key)


def series_color(key: str) -> str:
    return COLORS.get(key, COLORS["h"])


def is_gate(kind: str, key: str) -> bool:
    """True when the series is a gate opening in [0, 1]."""
    return (kind, key) in UNIT_INTERVAL


def gate_colorscale(key: str) -> list[list]:
    """White → the gate's colour, for values in [0, 1]."""
    return [[0.0, "#f8fafc"], [1.0, series_color(key)]]


def diverging_colorscale(key: str) -> list[list]:
    """Diverging around 0: negative → white → positive, positive side in the series' colour."""
    negative = {"c": "#c2410c", "g": "#a16207", "n": "#a16207"}.get(key, "#b91c1c")
    positive = {"c": "#6d28d9", "g": "#0e7490", "n": "#0e7490"}.get(key, "#1e293b")
    return [[0.0, negative], [0.5, "#f8fafc"], [1.0, positive]]


def base_layout(fig: go.Figure, height: int, margin: dict | None = None) -> go.Figure:
    """Light theme, readable fonts, white paper, no drag-zoom."""
    fig.update_layout(
        template="plotly_white",
        height=height,
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        paper_bgcolor=PAPER,
        plot_bgcolor=PAPER,
        margin=margin or {"l": 10, "r": 10, "t": 10, "b": 10},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}},
        dragmode=False,
    )
    fig.update_xaxes(tickfont={"size": 13}, title_font={"size": 14})
    fig.update_yaxes(tickfont={"size": 13}, title_font={"size": 14})
    return fig


def unit_color(index: int) -> str:
    return UNIT_PALETTE[index % len(UNIT_PALETTE)]

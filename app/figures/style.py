"""Shared look of every figure: one colour per gate and state, fonts, colour scales, labels."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go

from i18n import N_, _

# Latin faces first, then one CJK stack that shows Chinese on Linux, Windows and macOS.
CJK_FONTS = '"Noto Sans CJK TC", "Microsoft JhengHei", "PingFang TC", sans-serif'
FONT_FAMILY = ('"Source Sans Pro", "Source Sans 3", "Segoe UI", Helvetica, Arial, '
               + CJK_FONTS)
FONT_SIZE = 14
SMALLEST_CANVAS_FONT = 13  # smallest text the fixed-canvas drawings use (figures.canvas)
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
        "i": N_("input gate σ(z<sub>i</sub>)"),
        "f": N_("forget gate σ(z<sub>f</sub>)"),
        "g": N_("cell input g(z)"),
        "o": N_("output gate σ(z<sub>o</sub>)"),
        "c": N_("memory c"),
        "h": N_("output a = h(c)·σ(z<sub>o</sub>)"),
    },
    "gru": {
        "r": N_("reset gate r"),
        "z": N_("update gate z (keeps old h)"),
        "n": N_("candidate n"),
        "h": N_("hidden state h"),
    },
    "rnn": {"h": N_("hidden state h")},
    "jordan": {"h": N_("hidden state h")},
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
    """Readable label of one series (plotly HTML), in the reader's language."""
    name = SERIES_NAMES.get(kind, {}).get(key)
    return _(name) if name else key


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


# -- Presenter view: text a back row reads on a projector, thicker lines, a high-contrast
# colour-blind-safe palette (Okabe & Ito 2008, darkened where text sits on white). -----------

PRESENTER_MIN_FONT = 16  # smallest text in a figure: readable from the back of a classroom
PRESENTER_FONT = 18  # body text of a figure in presenter view
# Smallest text of a Plotly chart in presenter view: a chart's text does not grow with the
# screen, so it is drawn for the big one (18 px on 1920×1080) and is larger still than
# PRESENTER_MIN_FONT on a 1280×720 projector. (The step-through's diagram scales with the
# screen instead: presenter.css.)
PRESENTER_CHART_MIN_FONT = 18
PRESENTER_LINE = 1.6  # lines and outlines drawn this many times thicker
PRESENTER_COLORS: dict[str, str] = {
    "i": "#009e73",  # bluish green
    "f": "#d55e00",  # vermillion
    "o": "#0072b2",  # blue
    "g": "#cc79a7",  # reddish purple
    "c": "#000000",  # black: the memory is the figure's main character
    "h": "#5f5f5f",  # dark grey
    "r": "#cc79a7",
    "z": "#d55e00",
    "n": "#3c9fd8",  # sky blue, darkened
    "x": "#6f6f6f",
    "y": "#009e73",
}
PRESENTER_TINTS: dict[str, str] = {
    "i": "#d2f0e6", "f": "#f9dccb", "o": "#cce3f2", "g": "#f4e1ec", "c": "#e8e8e8",
    "h": "#efefef", "r": "#f4e1ec", "z": "#f9dccb", "n": "#d6ecf9", "x": "#f2f2f2",
    "y": "#d2f0e6",
}
# Every colour of the normal look that presenter view swaps, old → new (lower-case hex).
_SWAP = {COLORS[k].lower(): PRESENTER_COLORS[k] for k in COLORS} | {
    TINTS[k].lower(): PRESENTER_TINTS[k] for k in TINTS} | {MUTED: "#4b5563"}
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
_AXIS = re.compile(r"^[xy]axis\d*$")
_CARTESIAN = {"scatter", "scattergl", "heatmap", "bar", "histogram", "box", "contour"}


def _bigger(size, least: float):
    """A font size (or a list of them) raised to at least `least`."""
    if isinstance(size, list | tuple):
        return [_bigger(s, least) for s in size]
    return max(size, least) if isinstance(size, int | float) else size


def _restyle(node, parent: str = "", least: float = PRESENTER_MIN_FONT):
    """Walk a figure's JSON: fonts up to `least` px, lines thicker."""
    if isinstance(node, list):
        return [_restyle(item, parent, least) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _restyle(value, key, least) for key, value in node.items()}
    if parent.endswith("font") and "size" in out:
        out["size"] = _bigger(out["size"], least)
    if parent == "line" and isinstance(out.get("width"), int | float):
        out["width"] = out["width"] * PRESENTER_LINE
    if out.get("type") == "scatter" and "lines" in str(out.get("mode", "lines")):
        line = out.setdefault("line", {})
        line.setdefault("width", 2 * PRESENTER_LINE)  # plotly's default line is 2 px
    return out


def _grow_markers(old: dict, new: dict) -> None:
    """Markers with their text in the middle grow as much as the text did."""
    mode = old.get("mode", "")
    marker = new.get("marker", {})
    if ("markers" not in mode or "text" not in mode or
            old.get("textposition", "middle center") != "middle center"):
        return
    before = (old.get("textfont") or {}).get("size", FONT_SIZE)
    after = (new.get("textfont") or {}).get("size", before)
    if not isinstance(before, int | float) or not isinstance(after, int | float) or not before:
        return
    size = marker.get("size")
    if isinstance(size, int | float):
        marker["size"] = size * after / before
    elif isinstance(size, list):
        marker["size"] = [v * after / before if isinstance(v, int | float) else v for v in size]


def presenter_spec(spec: dict | list) -> dict | list:
    """A figure's JSON-like pieces (shapes, annotations with their fonts) in presenter view's
    look: the high-contrast palette, no font under `PRESENTER_MIN_FONT` px, lines
    `PRESENTER_LINE` times thicker (the browser stepper's diagram, figures.step_frames)."""
    text = _HEX.sub(lambda m: _SWAP.get(m.group(0).lower(), m.group(0)), json.dumps(spec))
    return _restyle(json.loads(text))


def presenter(fig: go.Figure) -> go.Figure:
    """The same figure in presenter view's look: no text under `PRESENTER_CHART_MIN_FONT` px,
    lines `PRESENTER_LINE` times thicker, the high-contrast palette.

    Drawings on a fixed canvas (figures.canvas, `meta.canvas`) grow with their text, so
    nothing that fitted a box stops fitting it.
    """
    text = _HEX.sub(lambda m: _SWAP.get(m.group(0).lower(), m.group(0)), fig.to_json())
    least = PRESENTER_CHART_MIN_FONT
    original = json.loads(text)
    spec = _restyle(original, least=least)
    # Text written inside markers (the CTC lattice's nodes): the markers grow with their text.
    for old_traces, new_traces in [(original.get("data", []), spec.get("data", []))] + [
            (a.get("data", []), b.get("data", []))
            for a, b in zip(original.get("frames", []), spec.get("frames", []), strict=True)]:
        for old, new in zip(old_traces, new_traces, strict=True):
            _grow_markers(old, new)
    layout = spec.setdefault("layout", {})
    font = layout.setdefault("font", {})
    font["size"] = max(font.get("size", FONT_SIZE), PRESENTER_FONT, least)
    # Text that takes its size from the chart's theme rather than from the figure: set it.
    legend = layout.setdefault("legend", {})
    for part in (legend.setdefault("font", {}), legend.setdefault("title", {}).setdefault(
            "font", {})):
        part["size"] = max(part.get("size", least), least)
    # Axes and colour bars whose text size comes from Streamlit's theme (12 px) when the
    # figure leaves it unset.
    axes = {k for k in layout if _AXIS.match(k)}
    if any(t.get("type", "scatter") in _CARTESIAN for t in spec.get("data", [])):
        axes |= {"xaxis", "yaxis"}
    for name in axes:
        for part in (layout.setdefault(name, {}).setdefault("tickfont", {}),
                     layout[name].setdefault("title", {}).setdefault("font", {})):
            part["size"] = max(part.get("size", least), least)
    for trace in spec.get("data", []):
        for bar in (trace.get("colorbar"), trace.get("marker", {}).get("colorbar")):
            if isinstance(bar, dict):
                for part in (bar.setdefault("tickfont", {}),
                             bar.setdefault("title", {}).setdefault("font", {})):
                    part["size"] = max(part.get("size", least), least)
    meta = layout.get("meta")
    if isinstance(meta, dict) and meta.get("canvas") and layout.get("height"):
        layout["height"] = round(layout["height"] * least / SMALLEST_CANVAS_FONT)
    return go.Figure(spec)


# -- Downloads: Plotly's own client-side export from the modebar --------------------------

CHART_SCALE = 2  # PNG downloads at twice the screen's pixels: sharp on a slide
_MODEBAR_DROP = ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d",
                 "autoScale2d", "resetScale2d", "toggleSpikelines", "hoverClosestCartesian",
                 "hoverCompareCartesian"]


def file_stem(name: str, step: int | None = None) -> str:
    """A download's file name without extension: `rnn-lab-<what>[-step-<n>]`, safe anywhere."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "figure"
    return f"rnn-lab-{stem[:80]}" + (f"-step-{step}" if step is not None else "")


def chart_config(name: str, step: int | None = None, **extra) -> dict:
    """The plotly config of every chart: the modebar offers "Download as PNG" (2× scale) and,
    added in the browser, "Download as SVG", both named after what the figure shows and which
    step (1-based) it is at; zoom and pan buttons are dropped (the figures are not for
    zooming unless `extra` says so)."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": _MODEBAR_DROP,
        "toImageButtonOptions": {"format": "png", "scale": CHART_SCALE,
                                 "filename": file_stem(name, step)},
    } | extra

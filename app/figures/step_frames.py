"""Steps of a trace as data the browser stepper draws itself (pure: Trace → JSON-able dict).

Each step carries the cell diagram's shapes, labels and hover marks (the same drawing as
`cell_diagram`, every number included), the step's story as HTML and its equations as LaTeX.
Drawing pieces that several steps share are sent once: `elements` lists every distinct piece
and a step lists the indices of its pieces, so a step costs ~2 KB, not a whole figure.
"""

from __future__ import annotations

import html
import json
import re

from engine.trace import Trace
from figures.cell_diagram import FIG_HEIGHT, HEIGHT, WIDTH, cell_canvas
from figures.equations import cell_equations
from figures.story import step_story
from figures.style import (
    FONT_FAMILY,
    PRESENTER_MIN_FONT,
    SMALLEST_CANVAS_FONT,
    presenter_spec,
)

MAX_FRAMES = 200  # steps built in one go: up to ~1 MB of JSON, ~0.2 s of Python here


def markdown_html(text: str) -> str:
    """The small markdown of the stories (bullets, **bold**, *italic*) as HTML; everything
    else is escaped text."""
    items, out = [], []
    for line in text.splitlines():
        body = html.escape(line.strip()[2:] if line.strip().startswith("- ") else line.strip())
        body = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", body)
        body = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", body)
        if line.strip().startswith("- "):
            items.append(f"<li>{body}</li>")
        else:
            if items:
                out.append("<ul>" + "".join(items) + "</ul>")
                items = []
            if body:
                out.append(f"<p>{body}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out)


def _rounded(value):
    """Coordinates to 4 decimals (1/10,000 of a unit is far below a pixel), also in paths."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: (re.sub(r"-?\d+\.\d{5,}", lambda m: f"{float(m[0]):.4g}", v)
                    if k == "path" else _rounded(v)) for k, v in value.items()}
    return value


def _pieces(canvas) -> list[dict]:
    """The canvas's drawing as a flat list: shapes (k "s"), labels and arrows (k "a") and hover
    marks (k "h"), in drawing order."""
    out = [{"k": "s"} | {key: v for key, v in s.items() if key != "layer"} for s in canvas.shapes]
    for a in canvas.annotations:  # every label has the same font family (sent once)
        piece = {"k": "a"} | {k: v for k, v in a.items() if k not in ("xref", "yref", "axref",
                                                                      "ayref")}
        if "font" in piece:
            piece["font"] = {k: v for k, v in piece["font"].items() if k != "family"}
        out.append(piece)
    out += [{"k": "h", "x": h["x"], "y": h["y"], "text": h["text"], "size": h["size"]}
            for h in canvas.hovers]
    return out


def step_frames(trace: Trace, first: int, last: int, unit: int = 0, layer: int = -1,
                direction: int = 0) -> dict:
    """Steps first..last-1 (0-based) of `unit`, as the browser stepper's data.

    Returns {"first", "elements": [piece, ...], "frames": [{"d": [piece index, ...],
    "story": HTML, "tex": LaTeX}, ...], "canvas": {"width", "height", "px", "font"}}.
    """
    if not 0 <= first < last <= trace.steps:
        raise ValueError(f"steps {first}..{last} are outside the trace's 0..{trace.steps}")
    if last - first > MAX_FRAMES:
        raise ValueError(f"{last - first} steps asked at once; at most {MAX_FRAMES} are built")
    index: dict[str, int] = {}
    elements: list[dict] = []
    frames = []
    for t in range(first, last):
        canvas, _ = cell_canvas(trace, t, unit, layer, direction)
        ids = []
        for piece in map(_rounded, _pieces(canvas)):
            text = json.dumps(piece, sort_keys=True)
            if text not in index:
                index[text] = len(elements)
                elements.append(piece)
            ids.append(index[text])
        tex = r"\begin{gathered}" + r"\\[10pt]".join(
            cell_equations(trace, t, unit, layer, direction)) + r"\end{gathered}"
        frames.append({"d": ids, "story": markdown_html(step_story(trace, t, unit, layer,
                                                                   direction)), "tex": tex})
    return {
        "first": first,
        "elements": elements,
        "frames": frames,
        "canvas": {"width": WIDTH, "height": HEIGHT, "px": FIG_HEIGHT, "font": FONT_FAMILY},
    }


def presenter(data: dict) -> dict:
    """`step_frames`' data in presenter view's look (figures.style.presenter, as the plotly
    figures get it): text at least 16 px, thicker lines, the colour-blind-safe palette, and a
    drawing that grows with its text, so what fitted a box still fits it."""
    canvas = data["canvas"] | {
        "px": round(data["canvas"]["px"] * PRESENTER_MIN_FONT / SMALLEST_CANVAS_FONT)}
    return data | {"elements": presenter_spec(data["elements"]), "canvas": canvas}

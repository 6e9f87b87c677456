"""Steps of the character LSTM as data the browser stepper draws itself (pure: engine results in,
a JSON-able dict out; components/browser_stepper).

Each step carries the next-character bars as drawing pieces (the same kinds as
figures.step_frames': rectangles and labels, so the browser animates the bars between two
steps and the PNG / SVG downloads work as for the cell diagram), its first line and the chosen
cell's value after it. The text is sent once, not per step: its characters and one shade per
character read so far (`text`), which the browser colours up to the current character.
"""

from __future__ import annotations

import html
import json

import numpy as np

from engine.charlm import TopK, glyph, indices
from figures.charlm import LEVELS, NEGATIVE, POSITIVE, shade_levels
from figures.style import COLORS, FAINT, FONT_FAMILY, MUTED, SMALLEST_CANVAS_FONT, TEXT
from i18n import _

# The bars' canvas, in pixels at its natural size (the page scales it to its column).
WIDTH, ROW, TOP = 300, 30, 58
GLYPH_X, TRACK_X, PCT_W = 16, 36, 62
OTHER = "#94a3b8"  # bars of characters that do not come next
SHADE_CODE = "abcdefghijklmnopq"  # shade -LEVELS..LEVELS as one letter each ("i" is 0)


def shade_colors() -> list[str]:
    """The background of each shade -LEVELS..LEVELS (transparent at 0), as figures.charlm."""
    out = []
    for k in range(-LEVELS, LEVELS + 1):
        r, g, b = POSITIVE if k > 0 else NEGATIVE
        out.append(f"rgba({r},{g},{b},{0.7 * abs(k) / LEVELS:.2f})")
    return out


def encode_shades(shades) -> str:
    """Shades (integers -LEVELS..LEVELS) as one letter each: 2,000 characters cost 2 KB."""
    return "".join(SHADE_CODE[int(k) + LEVELS] for k in shades)


def decode_shades(code: str) -> list[int]:
    """The inverse of `encode_shades`."""
    return [SHADE_CODE.index(c) - LEVELS for c in code]


def _num(value: float):
    """A coordinate as short as JSON can write it (whole numbers without ".0")."""
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def _label(x: float, y: float, text: str, size: int, *, color: str = TEXT, anchor: str = "left",
           name: str | None = None) -> dict:
    """A label (the stepper's defaults left out: middle of its line, no arrow, body colour)."""
    piece = {"k": "a", "x": _num(x), "y": _num(y), "text": text, "xanchor": anchor,
             "font": {"size": size} | ({"color": color} if color != TEXT else {})}
    return piece | ({"name": name} if name else {})


def _rect(x0: float, y0: float, x1: float, y1: float, fill: str, name: str | None = None) -> dict:
    """A filled rectangle without outline."""
    piece = {"k": "s", "type": "rect", "x0": _num(x0), "y0": _num(y0), "x1": _num(x1),
             "y1": _num(y1), "fillcolor": fill}
    return piece | ({"name": name} if name else {})


def bar_pieces(top: TopK, t: int, actual: str | None, actual_prob: float | None) -> list[dict]:
    """The k likeliest characters after step t (0-based) as bars, likeliest on top: a heading
    ("Next character", and the one that really comes next with its probability), then per rank
    the character, a track, a bar as long as its probability and the probability in %."""
    k = len(top.chars[t])
    height = TOP + k * ROW
    pieces = [_label(4, height - 14, "<b>" + html.escape(_("Next character")) + "</b>", 15)]
    if actual is not None and actual_prob is not None:
        really = _("really {char}: {p}").format(char=repr(glyph(actual)),
                                                  p=f"{actual_prob:.1%}")
        pieces.append(_label(4, height - 36, html.escape(really), SMALLEST_CANVAS_FONT,
                             color=MUTED, name="really"))
    track = WIDTH - PCT_W - TRACK_X
    for rank, (ch, p) in enumerate(zip(top.chars[t], top.probs[t], strict=True)):
        y = height - TOP - (rank + 0.5) * ROW
        color = COLORS["c"] if actual is not None and ch == actual else OTHER
        pieces += [
            _label(GLYPH_X, y, html.escape(glyph(ch)), 17, anchor="center", name=f"char-{rank}"),
            _rect(TRACK_X, y - 8, TRACK_X + track, y + 8, FAINT, name=f"track-{rank}"),
            _rect(TRACK_X, y - 8, TRACK_X + track * float(p), y + 8, color, name=f"bar-{rank}"),
            _label(WIDTH - 4, y, f"{float(p):.1%}", 14, anchor="right", name=f"p-{rank}"),
        ]
    return pieces


def text_panel(text: str, values, shown: int, legend: str) -> dict:
    """The text as the browser colours it: its characters, the shades of the first `shown`
    characters (never beyond: a lesson's question holds the later steps back), one background
    per shade and the legend's HTML. Shades are scaled by the largest |value| of those."""
    values = np.asarray(values, dtype=float)[:shown]
    scale = float(np.abs(values).max(initial=0.0))
    return {"chars": text, "shades": encode_shades(shade_levels(values, scale)),
            "colors": shade_colors(), "scale": round(scale, 4), "legend": legend}


def legend_html(scale: float, label: str) -> str:
    """The colour key under the text: −scale, 0, +scale and what is coloured."""
    words = html.escape(_("{label} after each character; the boxed character is the current "
                          "step.").format(label=label))
    blue, red = shade_colors()[0], shade_colors()[-1]
    key = '<span class="rnn-key" style="background:{};color:#fff">{}</span>'
    return (key.format(blue, f"&minus;{scale:.2f}") + ' <span class="rnn-key">0</span> '
            + key.format(red, f"+{scale:.2f}") + f" {words}")


def charlm_frames(text: str, top: TopK, probs, alphabet: str, values, first: int, last: int,
                  cell_label: str, shown: int | None = None) -> dict:
    """Steps first..last-1 (0-based) as the browser stepper's data.

    top: the k likeliest next characters per step; probs: [T, V] next-character probabilities
    (engine.charlm.Reading.probs) over `alphabet`, for the character that really comes next;
    values: [T] the chosen cell's values; cell_label: what colours the text ("memory c of c7");
    shown: the steps the page may show (a question holds the rest back). Returns {"first",
    "elements", "frames": [{"d", "story"}], "canvas", "text"} (no equations: a step has none).
    """
    steps = len(text)
    shown = steps if shown is None else shown
    if not 0 <= first < last <= shown <= steps:
        raise ValueError(f"steps {first}..{last} are outside the text's 0..{shown}")
    values = np.asarray(values, dtype=float)
    following = indices(text, alphabet).tolist()
    index: dict[str, int] = {}
    elements: list[dict] = []
    frames = []
    for t in range(first, last):
        actual = text[t + 1] if t + 1 < steps else None
        prob = float(probs[t, following[t + 1]]) if actual is not None else None
        ids = []
        for piece in bar_pieces(top, t, actual, prob):
            key = json.dumps(piece, sort_keys=True)
            if key not in index:
                index[key] = len(elements)
                elements.append(piece)
            ids.append(index[key])
        story = html.escape(_("{cell} after step {step}: {value}")).format(
            cell=html.escape(cell_label), step=t + 1, value=f"<b>{values[t]:+.3f}</b>")
        frames.append({"d": ids, "story": f"<p>{story}</p>", "tex": ""})  # no equations
    height = TOP + len(top.chars[0]) * ROW
    panel = text_panel(text, values, shown, "")
    panel["legend"] = legend_html(panel["scale"], cell_label)
    return {
        "first": first,
        "elements": elements,
        "frames": frames,
        "canvas": {"width": WIDTH, "height": height, "px": height + 12, "font": FONT_FAMILY},
        "text": panel,
        "words": {"diagram": _("The model's next-character guesses at this step"),
                  "png_title": _("Download the bars as a PNG (2×)"),
                  "svg_title": _("Download the bars as an SVG")},
    }

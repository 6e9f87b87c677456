"""The slot-filling lab's steps as data the browser stepper draws (pure: two Readings → dict).

A step draws both sentences, A and B (side by side, or A above B on a phone): the words as
chips, tagged with their slot up to the current word; the current word, its slot and the
slot's probability in large type; the word's input vector (its lit dimensions, named); the slot
probabilities and the hidden state word by word up to the current word (a bidirectional
tagger's backward units from the last word back to it), the current word outlined. Pieces are
those of figures.step_frames (shapes "s", labels "a", hover marks "h") with names, so the
stepper pairs them between two steps and animates them; pieces several steps share are sent
once. Coordinates are pixels at the drawing's own size, y up (as the stepper draws them).
"""

from __future__ import annotations

import html
import json
import unicodedata
from dataclasses import dataclass

import numpy as np

from engine.slots import SLOTS, Reading
from figures.slots import SLOT_COLORS, SLOT_TINTS, hidden_title, unit_names
from figures.style import FAINT, FONT_FAMILY, MUTED, TEXT, presenter_spec
from i18n import _, ngettext

MAX_LABEL = 12  # characters of a word shown under its column (the chips show it whole)
NOW = "#dc2626"  # the current word's outline
PROB_LOW, PROB_HIGH = "#f8fafc", "#1e3a8a"
HIDDEN_LOW, HIDDEN_ZERO, HIDDEN_HIGH = "#b91c1c", "#f8fafc", "#1e293b"


@dataclass(frozen=True)
class Look:
    """The drawing's size and type for one kind of screen."""

    width: int  # px
    columns: int  # 2: A | B side by side; 1: A above B
    font: int  # labels (px)
    big: int  # the current word, its slot and probability (px)
    prob_row: int  # height of a slot's row of probabilities (px)
    unit_row: float  # height of a hidden unit's row (px)
    gap: int  # between A and B (px)
    head: float = 1.0  # share of a sentence's width for its words and numbers; < 1: the
    # grids (input vector, probabilities, hidden state) stand beside them, not under them
    levels: int = 3  # rows for the names of lit input dimensions
    bar: int = 26  # height of a lit input dimension's bar (px)


LOOKS = {
    "wide": Look(width=820, columns=2, font=13, big=21, prob_row=17, unit_row=4, gap=36),
    # presenter view at 1280 × 720: text of 16 px and more, each sentence's grids beside its
    # words, so that the whole drawing fits under the stepper's buttons
    "present": Look(width=1196, columns=2, font=16, big=24, prob_row=17, unit_row=1.5,
                    gap=40, head=0.4, levels=2, bar=16),
    "phone": Look(width=360, columns=1, font=13, big=20, prob_row=17, unit_row=4, gap=28),
}


def text_width(text: str, size: float) -> float:
    """About how wide `text` is in px at font `size` (wide CJK characters count double)."""
    return sum(size * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.56) for c in text)


def _mix(low: str, high: str, f: float) -> str:
    """The colour a share `f` (0..1) of the way from `low` to `high`."""
    f = min(1.0, max(0.0, float(f)))
    a = [int(low[k:k + 2], 16) for k in (1, 3, 5)]
    b = [int(high[k:k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


def hidden_color(value: float) -> str:
    """A hidden value from −1 (red) through 0 (white) to 1 (dark slate)."""
    v = min(1.0, max(-1.0, float(value)))
    return _mix(HIDDEN_ZERO, HIDDEN_HIGH, v) if v >= 0 else _mix(HIDDEN_ZERO, HIDDEN_LOW, -v)


def _short(word: str) -> str:
    return word if len(word) <= MAX_LABEL else word[:MAX_LABEL - 1] + "…"


class _Pen:
    """Pieces in top-down pixel coordinates (flipped to the stepper's y-up at the end)."""

    def __init__(self) -> None:
        self.pieces: list[dict] = []

    def rect(self, name: str, x0: float, y0: float, x1: float, y1: float, fill: str | None,
             line: dict | None = None) -> None:
        piece = {"k": "s", "type": "rect", "name": name, "x0": x0, "x1": x1, "y0": y0, "y1": y1,
                 "fillcolor": fill, "line": line}
        self.pieces.append(piece)

    def line(self, name: str, x0: float, y0: float, x1: float, y1: float, color: str,
             width: float = 1) -> None:
        self.pieces.append({"k": "s", "type": "line", "name": name, "x0": x0, "x1": x1, "y0": y0,
                            "y1": y1, "line": {"color": color, "width": width}})

    def text(self, name: str, x: float, y: float, text: str, size: float, color: str = TEXT,
             anchor: str = "left", vanchor: str = "middle", angle: float = 0) -> None:
        """`text` is plotly's label markup: escape user words before (html.escape)."""
        piece = {"k": "a", "name": name, "x": x, "y": y, "text": text, "showarrow": False,
                 "xanchor": anchor, "yanchor": vanchor, "font": {"size": size, "color": color}}
        if angle:
            piece["textangle"] = angle
        self.pieces.append(piece)

    def hover(self, x: float, y: float, text: str, size: float) -> None:
        self.pieces.append({"k": "h", "x": x, "y": y, "text": text, "size": size})

    def flipped(self, height: float) -> list[dict]:
        out = []
        for p in self.pieces:
            q = dict(p)
            for key in ("y", "y0", "y1"):
                if key in q:
                    q[key] = round(height - q[key], 2)
            for key in ("x", "x0", "x1"):
                if key in q:
                    q[key] = round(q[key], 2)
            out.append(q)
        return out


@dataclass
class _Layout:
    """Heights of a panel's parts (the same for A and B, so their rows line up)."""

    look: Look
    width: float  # of one sentence's drawing
    chip_rows: int
    label_height: float  # of the words under the columns
    rotate: bool  # the words under the columns stand upright
    units: int
    hidden_title: list[str]  # the hidden state's title, in lines that fit

    @property
    def chip(self) -> float:
        return round(self.look.font * 1.9)

    @property
    def beside(self) -> bool:
        """The grids stand beside the words and numbers (presenter view)."""
        return self.look.head < 1

    @property
    def head_width(self) -> float:
        return self.width * self.look.head if self.beside else self.width

    @property
    def grid_width(self) -> float:
        return self.width - self.head_width - 20 if self.beside else self.width

    def head_parts(self) -> dict[str, float]:
        f = self.look.font
        metrics = 3 * self.look.big * 1.3 if self.beside else f * 1.3 + self.look.big * 1.35
        return {"title": f * 1.7, "metrics": metrics + 4,
                "chips": self.chip_rows * (self.chip + 6) + 4}

    def grid_parts(self) -> dict[str, float]:
        f = self.look.font
        return {
            "input": f * 1.6 + self.look.levels * f * 1.3 + self.look.bar + f * 1.6,
            "probs": f * 1.7 + len(SLOTS) * self.look.prob_row,
            "hidden": f * (0.6 + 1.3 * len(self.hidden_title)) + self.units * self._unit_row(),
            "labels": self.label_height + 6,
        }

    def parts(self) -> dict[str, float]:
        return self.head_parts() | self.grid_parts()

    def _unit_row(self) -> float:
        if self.units <= 24:
            return self.look.unit_row
        return self.look.unit_row * 24 / self.units * 1.5

    @property
    def height(self) -> float:
        head, grids = sum(self.head_parts().values()), sum(self.grid_parts().values())
        return max(head, grids) if self.beside else head + grids


def _chip_label(word: str, tag: str) -> str:
    return f"{word} · {tag}"


def _chip_places(reading: Reading, width: float, look: Look) -> list[tuple[float, int, float]]:
    """Where each word's chip goes: (x, row, width), wrapped inside `width`."""
    places, x, row = [], 0.0, 0
    for word, tag in zip(reading.tokens, reading.tags, strict=True):
        w = min(width, text_width(_chip_label(word, tag), look.font) + 14)
        if x > 0 and x + w > width:
            x, row = 0.0, row + 1
        places.append((x, row, w))
        x += w + 6
    return places


def _column_width(reading: Reading, layout: _Layout) -> tuple[float, float]:
    """(left edge of the grids' columns, width of one column), inside a panel."""
    left = max(text_width(s, layout.look.font) for s in SLOTS) + 10
    return left, (layout.grid_width - left) / reading.steps


def layout_for(a: Reading, b: Reading, look: Look) -> _Layout:
    """One layout that fits both sentences."""
    width = (look.width - look.gap) / 2 if look.columns == 2 else look.width
    probe = _Layout(look, width, 0, 0, False, a.hidden.shape[1], [])
    rows = max(_chip_places(r, probe.head_width, look)[-1][1] + 1 for r in (a, b))
    rotate, label = False, look.font * 1.6
    for r in (a, b):
        _, cw = _column_width(r, probe)
        widest = max(text_width(_short(w), look.font) for w in r.tokens)
        if widest > cw - 2 and probe.head_width == probe.width:  # beside: cut, not upright
            rotate = True
            label = max(label, widest + 4)
    return _Layout(look, width, rows, label, rotate, a.hidden.shape[1],
                   _wrapped(hidden_title(a), probe.grid_width, look.font))


def _wrapped(text: str, width: float, size: float) -> list[str]:
    """`text` in lines of at most `width` px (broken at spaces; CJK anywhere)."""
    lines, line = [], ""
    for part in (text.split(" ") if " " in text else list(text)):
        joined = f"{line} {part}" if line and " " in text else line + part
        if line and text_width(joined, size) > width:
            lines.append(line)
            line = part
        else:
            line = joined
    return lines + [line]


def _panel(pen: _Pen, reading: Reading, name: str, t: int, x0: float, y0: float,
           layout: _Layout) -> None:
    """Sentence `name` (A or B) at word t (0-based; past its end: its last word)."""
    look, f, w = layout.look, layout.look.font, layout.head_width
    k = min(t, reading.steps - 1)
    word, tag = reading.tokens[k], reading.tags[k]
    parts = layout.parts()
    y = y0
    # title: A · word 2 of 5
    pen.text(f"{name}-title", x0, y + parts["title"] / 2,
             f"<b>{name}</b> · " + html.escape(_("word {k} of {n}").format(
                 k=k + 1, n=reading.steps)), f + 2)
    y += parts["title"]
    # the current word, its slot and probability, large (as metrics): side by side under
    # their names, or one a row after its name when the grids stand beside them
    labels = (_("word"), _("slot"), _("probability"))
    values = (word, tag, f"{float(reading.probs[k].max()):.2f}")
    colors = (TEXT, SLOT_COLORS[tag], TEXT)
    name_w = max(text_width(label, f) for label in labels) + 10
    for c, (what, label, value, color) in enumerate(zip(("word", "slot", "prob"), labels, values,
                                                        colors, strict=True)):
        if layout.beside:
            lx, ly = x0, y + (c + 0.5) * look.big * 1.3
            vx, vy, room = x0 + name_w, ly, w - name_w
        else:
            cols = (0.0, 0.48 * w, 0.8 * w)
            lx, ly = x0 + cols[c], y + f * 0.65
            vx, vy = lx, y + f * 1.3 + look.big * 0.68
            room = (cols[c + 1] if c + 1 < len(cols) else w) - cols[c] - 8
        size = look.big
        while size > f and text_width(value, size) > room:
            size -= 1
        shown = value
        while text_width(shown, size) > room and len(shown) > 2:
            shown = shown[:-2] + "…"
        pen.text(f"{name}-{what}-label", lx, ly, html.escape(label), f, MUTED)
        pen.text(f"{name}-{what}", vx, vy, f"<b>{html.escape(shown)}</b>", size, color)
    y += parts["metrics"]
    # the words as chips, tagged up to the current one
    for i, ((cx, row, cw), token, slot) in enumerate(zip(_chip_places(reading, w, look),
                                                         reading.tokens, reading.tags,
                                                         strict=True)):
        top = y + row * (layout.chip + 6)
        read = i <= k
        pen.rect(f"{name}-chip-{i}", x0 + cx, top, x0 + cx + cw, top + layout.chip,
                 SLOT_TINTS[slot] if read else "#ffffff",
                 {"color": SLOT_COLORS[slot] if read else FAINT, "width": 2 if i == k else 1})
        text = (html.escape(token) + f" · <span style='color:{SLOT_COLORS[slot]}'><b>"
                f"{slot}</b></span>" if read else html.escape(token))
        if text_width(_chip_label(token, slot), f) + 14 > cw:  # a very long word: cut
            text = html.escape(_short(token)) + (f" · <b>{slot}</b>" if read else "")
        pen.text(f"{name}-chipt-{i}", x0 + cx + 7, top + layout.chip / 2, text, f,
                 TEXT if read else MUTED)
    y += parts["chips"]
    if layout.beside:  # the grids: on the right of the words and numbers
        x0, y = x0 + layout.head_width + 20, y0
    w = layout.grid_width
    # the input vector: each lit dimension a bar on the axis 0 … I−1, named above it
    size = reading.inputs.shape[1]
    pen.text(f"{name}-input-title", x0, y + f * 0.8,
             html.escape(_("input vector x ({size} dimensions)").format(size=size)), f, MUTED)
    base = y + parts["input"] - f * 1.6
    pen.line(f"{name}-axis", x0, base, x0 + w, base, MUTED, 1)
    pen.text(f"{name}-axis-0", x0, base + f * 0.8, "0", f, MUTED)
    pen.text(f"{name}-axis-1", x0 + w, base + f * 0.8, str(size - 1), f, MUTED, "right")
    ends = [-1e9] * look.levels  # right edge of the last name on each level
    for dim, dim_name, value in reading.active[k]:
        x = x0 + (dim + 0.5) / size * w
        pen.rect(f"{name}-bar-{dim}", x - 1.5, base - look.bar * min(1.0, abs(value)), x + 1.5,
                 base, SLOT_COLORS["dest"])
        label_w = text_width(dim_name, f)
        cx = min(max(x, x0 + label_w / 2), x0 + w - label_w / 2)
        level = next((n for n, end in enumerate(ends) if cx - label_w / 2 > end + 4),
                     look.levels - 1)
        ends[level] = cx + label_w / 2
        pen.text(f"{name}-dim-{dim}", cx, base - look.bar - 2 - level * f * 1.3,
                 html.escape(dim_name),
                 f, TEXT, "center", "bottom")
        plain = dim_name.replace("<", "‹").replace(">", "›")  # a hover mark's text is plain
        pen.hover(x, base - look.bar / 2, _("dimension {dim}: {name} = {value}").format(
            dim=dim, name=plain, value=f"{value:g}"), 16)
    y += parts["input"]
    # slot probabilities word by word, up to the current word
    left, cw = _column_width(reading, layout)
    pen.text(f"{name}-probs-title", x0, y + f * 0.85, html.escape(_("slot probabilities")), f,
             MUTED)
    y += f * 1.7
    rows = look.prob_row
    for s, slot in enumerate(SLOTS):
        pen.text(f"{name}-slot-{s}", x0 + left - 6, y + (s + 0.5) * rows, slot, f - 1,
                 SLOT_COLORS[slot], "right")
    pen.rect(f"{name}-probs-bg", x0 + left, y, x0 + w, y + len(SLOTS) * rows, "#fbfbfc",
             {"color": FAINT, "width": 1})
    show_numbers = cw >= text_width("0.00", f - 1) + 4
    for j in range(k + 1):
        for s, slot in enumerate(SLOTS):
            p = float(reading.probs[j, s])
            cx0, cy0 = x0 + left + j * cw, y + s * rows
            pen.rect(f"{name}-p-{s}-{j}", cx0 + 1, cy0 + 1, cx0 + cw - 1, cy0 + rows - 1,
                     _mix(PROB_LOW, PROB_HIGH, p))
            if show_numbers:
                pen.text(f"{name}-pt-{s}-{j}", cx0 + cw / 2, cy0 + rows / 2, f"{p:.2f}", f - 1,
                         "#ffffff" if p > 0.55 else TEXT, "center")
            if not show_numbers:  # too narrow for its number: the number on hover
                pen.hover(cx0 + cw / 2, cy0 + rows / 2, f"{slot}: {p:.3f}", min(cw, rows))
    pen.rect(f"{name}-now-p", x0 + left + k * cw, y, x0 + left + (k + 1) * cw,
             y + len(SLOTS) * rows, None, {"color": NOW, "width": 2})
    y += len(SLOTS) * rows
    # hidden state word by word (a backward direction: from the last word back to this one)
    title_lines = layout.hidden_title
    pen.text(f"{name}-hidden-title", x0, y + f * 0.3, "<br>".join(map(html.escape, title_lines)),
             f, MUTED, vanchor="top")
    y += f * (0.6 + 1.3 * len(title_lines))
    units = reading.hidden.shape[1]
    unit_row = layout._unit_row()
    names = unit_names(reading)
    half = units // reading.directions
    every = max(1, int(np.ceil(f * 1.15 / unit_row)))
    groups = ((0, half), (half, units)) if reading.directions == 2 else ((0, units),)
    for start, stop in groups:  # every few rows named; each direction's first row too
        for u in range(start, stop, every):
            if u == start or stop - u >= every or stop == units:
                pen.text(f"{name}-unit-{u}", x0 + left - 6, y + (u + 0.5) * unit_row,
                         names[u], f - 1, MUTED, "right")
    pen.rect(f"{name}-hidden-bg", x0 + left, y, x0 + w, y + units * unit_row, "#fbfbfc",
             {"color": FAINT, "width": 1})
    for u in range(units):
        backward = reading.directions == 2 and u >= half
        for j in (range(k, reading.steps) if backward else range(k + 1)):
            v = float(reading.hidden[j, u])
            cx0, cy0 = x0 + left + j * cw, y + u * unit_row
            pen.rect(f"{name}-h-{u}-{j}", cx0 + 0.5, cy0, cx0 + cw - 0.5, cy0 + unit_row,
                     hidden_color(v))
    if reading.directions == 2:
        pen.line(f"{name}-directions", x0 + left, y + half * unit_row, x0 + w,
                 y + half * unit_row, TEXT, 1.5)
    pen.rect(f"{name}-now-h", x0 + left + k * cw, y, x0 + left + (k + 1) * cw,
             y + units * unit_row, None, {"color": NOW, "width": 2})
    y += units * unit_row + 4
    # the words under their columns
    every = max(1, int(np.ceil(f * 1.15 / cw))) if layout.rotate else 1  # upright words:
    for j, token in enumerate(reading.tokens):  # every few when columns are narrower than one
        if j != k and (j % every or abs(j - k) < every):
            continue  # the current word's neighbours give it room
        cx = x0 + left + (j + 0.5) * cw
        short = _short(token)
        while not layout.rotate and len(short) > 2 and text_width(short, f) > cw - 2:
            short = short[:-2] + "…"
        text = html.escape(short)
        text = f"<b>{text}</b>" if j == k else text
        color = NOW if j == k else TEXT
        if layout.rotate:
            pen.text(f"{name}-word-{j}", cx, y + 2, text, f, color, "right", "middle", -90)
        else:
            pen.text(f"{name}-word-{j}", cx, y + f * 0.8, text, f, color, "center")


def story_html(reading: Reading, name: str, t: int) -> str:
    """'Input vector x of “…”: …' for sentence `name` at word t, as HTML (words escaped)."""
    k = min(t, reading.steps - 1)
    lit = ", ".join(_("{name} (dim {dim})").format(name=n, dim=d) for d, n, _v in
                    reading.active[k])
    if reading.encoding == "onehot":
        what = (_("an unknown word: only the “other” dimension lights up") if reading.unknown[k]
                else _("a known word: its own dimension lights up"))
    else:
        n = len(reading.active[k])
        what = ngettext("{n} trigram bucket lights up", "{n} trigram buckets light up",
                        n).format(n=n)
    text = _("Input vector x of “{word}”: {size} dimensions, {what} — {lit}.").format(
        word=reading.tokens[k], size=reading.inputs.shape[1], what=what, lit=lit)
    return f"<p><b>{name}</b> · {html.escape(text)}</p>"


def step_line(a: Reading, b: Reading, t: int) -> str:
    """The step's first line as HTML: 'Word k of T · A: “…” → slot · B: …'."""
    steps = max(a.steps, b.steps)
    parts = [html.escape(_("{name}: “{word}” → {slot}").format(
        name=name, word=r.tokens[min(t, r.steps - 1)], slot=r.tags[min(t, r.steps - 1)]))
        for name, r in (("A", a), ("B", b))]
    return ("<b>" + html.escape(_("Word {step} of {steps}").format(step=t + 1, steps=steps))
            + "</b> · " + " · ".join(parts))


def slot_frames(a: Reading, b: Reading, first: int, last: int, look: str = "wide") -> dict:
    """Words first..last-1 (0-based) of both sentences, as the browser stepper's data:
    {"first", "elements", "frames": [{"d", "story", "tex": ""}], "canvas", "presented"}."""
    steps = max(a.steps, b.steps)
    if not 0 <= first < last <= steps:
        raise ValueError(f"words {first}..{last} are outside the sentences' 0..{steps}")
    spec = LOOKS[look]
    layout = layout_for(a, b, spec)
    if spec.columns == 2:
        places = ((0.0, 0.0), (layout.width + spec.gap, 0.0))
        height = layout.height
    else:
        places = ((0.0, 0.0), (0.0, layout.height + spec.gap))
        height = 2 * layout.height + spec.gap
    index: dict[str, int] = {}
    elements: list[dict] = []
    frames = []
    for t in range(first, last):
        pen = _Pen()
        for reading, name, (x, y) in zip((a, b), "AB", places, strict=True):
            _panel(pen, reading, name, t, x, y, layout)
        pieces = pen.flipped(height)
        if look == "present":
            pieces = presenter_spec(pieces)
        ids = []
        for piece in pieces:
            text = json.dumps(piece, sort_keys=True)
            if text not in index:
                index[text] = len(elements)
                elements.append(piece)
            ids.append(index[text])
        story = ('<div class="slot-story">' + story_html(a, "A", t) + story_html(b, "B", t)
                 + "</div>")
        frames.append({"d": ids, "story": story, "tex": ""})
    return {
        "first": first,
        "elements": elements,
        "frames": frames,
        # 1 unit = 1 px: the stepper draws height·(px − 12)/height plus a 6 px margin
        "canvas": {"width": spec.width, "height": round(height, 2), "px": round(height) + 12,
                   "font": FONT_FAMILY},
        "presented": look == "present",  # built in presenter view's look already
        "words": {"diagram": _("Both sentences at this word"),
                  "png_title": _("Download the drawing of both sentences as a PNG (2×)"),
                  "svg_title": _("Download the drawing of both sentences as an SVG")},
    }

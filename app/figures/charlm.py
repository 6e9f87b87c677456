"""Pictures of the character LSTM: the text coloured by one cell, the next-character bars.

Pure: engine results in, an HTML string out (no Streamlit). HTML rather than plotly: these are
redrawn on every step, and a few hundred coloured spans draw faster than a chart.
"""

from __future__ import annotations

import html

import numpy as np

from engine.charlm import TopK, glyph
from figures.style import COLORS, FONT_FAMILY, MUTED, TEXT

NEGATIVE = (37, 99, 235)  # blue for values below zero
POSITIVE = (220, 38, 38)  # red for values above zero
LEVELS = 8  # colour steps per sign: values are drawn in 2 * LEVELS + 1 shades


def _background(value: float, scale: float) -> str:
    """An rgba background: transparent at 0, full blue at -scale, full red at +scale."""
    a = 0.0 if scale <= 0 else float(np.clip(abs(value) / scale, 0.0, 1.0))
    r, g, b = POSITIVE if value > 0 else NEGATIVE
    return f"rgba({r},{g},{b},{0.7 * a:.2f})"


def shade_levels(values, scale: float) -> np.ndarray:
    """Each value's shade, an integer in -LEVELS..LEVELS (0: |value| below half a step)."""
    if scale <= 0:
        return np.zeros(len(values), dtype=int)
    return np.clip(np.rint(np.asarray(values, float) / scale * LEVELS), -LEVELS, LEVELS
                   ).astype(int)


def _style_sheet(scale: float) -> str:
    """One CSS class per shade (.m8 ... .m1, .p1 ... .p8) and the current-character box."""
    rules = []
    for k in range(1, LEVELS + 1):
        rules.append(f".charlm-text .p{k}{{background:{_background(k / LEVELS, 1.0)}}}")
        rules.append(f".charlm-text .m{k}{{background:{_background(-k / LEVELS, 1.0)}}}")
    rules.append(".charlm-text .cur{outline:2px solid #111827;font-weight:700}")
    return "<style>" + "".join(rules) + "</style>"


def colored_text_html(text: str, values, step: int, cell_label: str,
                      scale: float | None = None) -> str:
    """`text` with every character's background coloured by one cell's value after reading it.

    values: [T] the cell's value per character, drawn in 2 * LEVELS + 1 shades of blue
    (negative) and red (positive); step: the current character (0-based), drawn boxed and
    bold; scale: the |value| drawn at full colour (default: the largest |value|). Newlines
    show as ↵ and break the line. Compact (one short class per character) because it is
    redrawn on every step.
    """
    values = np.asarray(values, dtype=float)
    scale = float(np.abs(values).max(initial=0.0)) if scale is None else float(scale)
    shades = shade_levels(values, scale)
    parts = []
    for t, ch in enumerate(text):
        shown = "↵" if ch == "\n" else html.escape(ch)
        k = int(shades[t])
        cls = ("p" if k > 0 else "m") + str(abs(k)) if k else ""
        if t == step:
            cls = f"{cls} cur".strip()
        parts.append(f'<span class="{cls}">{shown}</span>' if cls else f"<span>{shown}</span>")
        if ch == "\n":
            parts.append("<br>")
    legend = (
        f'<div style="margin-top:0.6em;color:{MUTED};font-size:13px;font-family:{FONT_FAMILY}">'
        f'<span style="background:{_background(-1, 1)};padding:0 0.5em;color:#fff">'
        f"&minus;{scale:.2f}</span> "
        f'<span style="padding:0 0.5em">0</span> '
        f'<span style="background:{_background(1, 1)};padding:0 0.5em;color:#fff">'
        f"+{scale:.2f}</span> &nbsp;{html.escape(cell_label)} after each character; the boxed "
        f"character is step {step + 1}.</div>"
    )
    return (
        _style_sheet(scale)
        + '<div class="charlm-text" style="font-family:ui-monospace,SFMono-Regular,Menlo,'
        f"Consolas,monospace;font-size:15px;line-height:1.9;color:{TEXT};white-space:pre-wrap;"
        'word-break:break-all;border:1px solid #e5e7eb;border-radius:6px;padding:0.6em 0.8em">'
        + "".join(parts) + f"</div>{legend}"
    )


def next_char_html(top: TopK, step: int, actual: str | None = None,
                   actual_prob: float | None = None) -> str:
    """Bars of the k likeliest next characters after `step`, likeliest on top (HTML).

    actual: the character that really comes next (its bar is drawn in the memory colour when
    it is among the k; its probability is named in the heading either way).
    """
    heading = "Next character"
    if actual is not None and actual_prob is not None:
        heading += f" <span style='color:{MUTED};font-weight:400'>(really " \
                   f"{html.escape(repr(glyph(actual)))}: {actual_prob:.1%})</span>"
    rows = []
    for ch, p in zip(top.chars[step], top.probs[step], strict=True):
        color = COLORS["c"] if actual is not None and ch == actual else "#94a3b8"
        rows.append(
            '<div class="charlm-next" style="display:flex;align-items:center;gap:0.5em;'
            'margin:0.25em 0">'
            '<span style="width:1.6em;text-align:center;font-family:ui-monospace,Menlo,'
            f'monospace;font-size:17px">{html.escape(glyph(ch))}</span>'
            '<span style="flex:1;background:#f1f5f9;border-radius:3px;height:1.1em">'
            f'<span style="display:block;width:{100 * float(p):.1f}%;height:100%;'
            f'background:{color};border-radius:3px"></span></span>'
            f'<span style="width:3.6em;text-align:right;font-size:14px">{float(p):.1%}</span>'
            "</div>")
    return (f'<div style="font-family:{FONT_FAMILY};color:{TEXT}">'
            f'<div style="font-weight:600;font-size:15px;margin-bottom:0.3em">{heading}</div>'
            + "".join(rows) + "</div>")

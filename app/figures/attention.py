"""Pictures of the attention lab: the input characters under the current attention weights, the
top-5 next characters, the context vector, the attention matrix filling row by row, an output
compared character by character, and accuracy against input length.

Pure: engine results in, HTML strings or plotly figures out (no Streamlit). Every character a
user typed is escaped (html.escape) before it meets HTML; plotly escapes its own text.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from engine.attention import UNKNOWN_LABEL, Translation
from figures.style import FONT_FAMILY, FONT_SIZE, MUTED, TEXT
from i18n import _

ATTENTION_RGB = (234, 88, 12)  # orange: how much a step reads each input character
RIGHT, WRONG = "#15803d", "#b91c1c"
BLANK = "␣"  # how a space is shown


def _glyph(ch: str) -> str:
    return BLANK if ch == " " else ch


def input_weights_html(tr: Translation, step: int) -> str:
    """The input characters in boxes, each shaded by the weight output step `step` (0-based)
    puts on it, with the weight in % under it. The plain model has no weights: its boxes are
    plain, and the last and first (where its forward and backward encoders end: the one
    vector it reads) are outlined."""
    row = tr.weights[step] if tr.weights is not None else None
    ends = {0, len(tr.input_tokens) - 1}
    cells = []
    for j, ch in enumerate(tr.input_tokens):
        label = html.escape(_glyph(ch))
        unread = _("unknown to the model: reads {label}").format(label=UNKNOWN_LABEL)
        title = "" if tr.known[j] else f' title="{html.escape(unread)}"'
        unknown = "" if tr.known[j] else " unk"
        if row is None:
            last = " last" if j in ends else ""
            cells.append(f'<div class="att-cell{unknown}{last}"{title}><b>{label}</b>'
                         '<small>&nbsp;</small></div>')
            continue
        a = float(row[j])
        r, g, b = ATTENTION_RGB
        cells.append(f'<div class="att-cell{unknown}" style="background:rgba({r},{g},{b},'
                     f'{min(1.0, 0.08 + 0.92 * a):.2f})"{title}><b>{label}</b>'
                     f"<small>{100 * a:.0f}%</small></div>")
    style = (
        "<style>.att-input{display:flex;flex-wrap:wrap;gap:3px;font-family:"
        f"{FONT_FAMILY};color:{TEXT}}}"
        ".att-cell{min-width:26px;padding:4px 3px;border:1px solid #e5e7eb;border-radius:4px;"
        "text-align:center;display:flex;flex-direction:column;line-height:1.2}"
        ".att-cell b{font-size:19px;font-family:ui-monospace,monospace}"
        f".att-cell small{{font-size:11px;color:{TEXT}}}"
        ".att-cell.unk b{color:#9ca3af;text-decoration:underline dotted}"
        ".att-cell.last{outline:2px solid #334155}</style>"
    )
    return style + '<div class="att-input">' + "".join(cells) + "</div>"


def next_chars_html(tr: Translation, step: int, k: int = 5) -> str:
    """The k most likely symbols at output step `step` as bars; the one written is bold."""
    rows = []
    written = tr.output_tokens[step]
    for label, p in tr.top(step, k):
        bold = "font-weight:700;" if label == written else ""
        rows.append(
            f'<div class="att-next" style="display:flex;align-items:center;gap:8px;{bold}">'
            f'<span style="width:22px;font-family:ui-monospace,monospace;font-size:17px">'
            f"{html.escape(label)}</span>"
            f'<span style="flex:1;background:#f3f4f6;height:14px;border-radius:3px">'
            f'<span style="display:block;width:{100 * p:.1f}%;height:14px;border-radius:3px;'
            f'background:rgb{ATTENTION_RGB}"></span></span>'
            f'<span style="width:56px;text-align:right">{100 * p:.1f}%</span></div>')
    return (f'<div style="font-family:{FONT_FAMILY};color:{TEXT};font-size:14px">'
            + "".join(rows) + "</div>")


def compared_html(output: str, reference: str | None, title: str) -> str:
    """`output` in large monospace, each character green where it equals `reference`'s
    character at that place and red (struck) where it does not; plain when no reference."""
    spans = []
    for i, ch in enumerate(output):
        if reference is None:
            color, deco = TEXT, "none"
        else:
            ok = i < len(reference) and reference[i] == ch
            color, deco = (RIGHT, "none") if ok else (WRONG, "underline wavy")
        spans.append(f'<span style="color:{color};text-decoration:{deco}">'
                     f"{html.escape(ch)}</span>")
    if reference is not None and len(output) < len(reference):
        spans.append(f'<span style="color:{WRONG}">{"·" * (len(reference) - len(output))}'
                     "</span>")
    return (f'<div class="att-output" style="font-family:{FONT_FAMILY};color:{MUTED};'
            f'font-size:13px">{html.escape(title)}<div style="font-family:ui-monospace,'
            f'monospace;font-size:26px;letter-spacing:2px">{"".join(spans) or "&nbsp;"}'
            "</div></div>")


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10),
                      font=dict(family=FONT_FAMILY, size=FONT_SIZE, color=TEXT),
                      paper_bgcolor="white", plot_bgcolor="white")
    return fig


def attention_matrix(tr: Translation, step: int) -> go.Figure:
    """The weights [U, T] as a heatmap, rows 0..step filled (the rest blank), the current row
    outlined; one column per input character, one row per output character."""
    U, T = tr.weights.shape
    z = np.full((U, T), np.nan)
    z[: step + 1] = tr.weights[: step + 1]
    xs = [_glyph(c) for c in tr.input_tokens]
    # rows not yet reached are numbered only: the matrix does not tell what comes next
    ys = [f"{t + 1}: {c}" if t <= step else f"{t + 1}" for t, c in enumerate(tr.output_tokens)]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(T)), y=list(range(U)), zmin=0, zmax=1,
        colorscale=[[0, "#fff7ed"], [1, f"rgb{ATTENTION_RGB}"]],
        colorbar=dict(title=_("weight"), thickness=12), xgap=1, ygap=1,
        customdata=[[[xs[j], ys[i]] for j in range(T)] for i in range(U)],
        hovertemplate=_("output {output} reads {input}: {weight}").format(
            output="%{customdata[1]}", input="%{customdata[0]}", weight="%{z:.1%}")
        + "<extra></extra>",
    ))
    fig.add_shape(type="rect", x0=-0.5, x1=T - 0.5, y0=step - 0.5, y1=step + 0.5,
                  line=dict(color="#111827", width=2))
    fig.update_xaxes(tickvals=list(range(T)), ticktext=xs, side="top", tickfont=dict(size=15),
                     showgrid=False)
    fig.update_yaxes(tickvals=list(range(U)), ticktext=ys, autorange="reversed",
                     showgrid=False, tickfont=dict(size=14))
    return _layout(fig, 90 + 26 * U)


def context_figure(context: np.ndarray, hidden: int) -> go.Figure:
    """The context vector c_t [2H] as two rows (forward and backward units) of H cells."""
    z = np.asarray(context, float).reshape(2, hidden)
    fig = go.Figure(go.Heatmap(
        z=z, y=[_("forward"), _("backward")], zmin=-1, zmax=1, colorscale="RdBu", reversescale=True,
        colorbar=dict(thickness=10, len=1.0), xgap=1, ygap=1,
        hovertemplate=_("{direction} unit {unit}: {value}").format(
            direction="%{y}", unit="%{x}", value="%{z:+.3f}") + "<extra></extra>"))
    fig.update_xaxes(title=None, showticklabels=False, showgrid=False)
    fig.update_yaxes(showgrid=False, autorange="reversed")
    return _layout(fig, 130).update_layout(margin=dict(l=10, r=10, t=10, b=10))


def accuracy_by_length(curves: dict[str, dict[str, list[int]]],
                       titles: dict[str, str]) -> go.Figure:
    """Held-out exact-match accuracy against input length, one line per model.

    curves: model -> {length (as text): [correct, total]}."""
    fig = go.Figure()
    colors = {"attention": f"rgb{ATTENTION_RGB}", "plain": "#334155"}
    for name, by_length in curves.items():
        lengths = sorted(int(k) for k in by_length)
        acc = [by_length[str(n)][0] / by_length[str(n)][1] for n in lengths]
        counts = [by_length[str(n)] for n in lengths]
        fig.add_trace(go.Scatter(
            x=lengths, y=acc, mode="lines+markers", name=titles.get(name, name),
            line=dict(color=colors.get(name, MUTED), width=2.5),
            customdata=counts,
            hovertemplate=_("{length} characters: {accuracy} exact ({right} of {total})")
            .format(length="%{x}", accuracy="%{y:.1%}", right="%{customdata[0]}",
                    total="%{customdata[1]}")
            + "<extra>" + html.escape(titles.get(name, name)) + "</extra>"))
    fig.update_xaxes(title=_("input length (characters)"), dtick=2, gridcolor="#f3f4f6")
    fig.update_yaxes(title=_("held-out exact match"), tickformat=".0%", gridcolor="#f3f4f6",
                     rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=1.12, x=0))
    return _layout(fig, 340)

"""The embeddings map: every code as a WebGL point, coloured by metadata, with highlights."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from figures.style import FONT_FAMILY, FONT_SIZE, MUTED, PAPER, TEXT
from i18n import _

PALETTE = tuple(qualitative.Alphabet)  # 26 distinct colours
MAX_LABELS = 20  # placed points labelled on the map
MAX_CATEGORIES = 26  # beyond this, the rarest categories share one grey "other"
MAP_HEIGHT = 600  # px of the map itself; the legend (below it) adds its own rows
LEGEND_ROW = 24  # px of one row of the legend below the map
LEGEND_WIDTH = 460  # px the legend's rows are assumed to have (the map's column on a laptop)


def _safe(text: object) -> str:
    """User text shown by plotly (which reads <b>, <a>, <br> … as markup) shown literally."""
    return html.escape(str(text), quote=False)


def _legend_rows(names: list[str]) -> int:
    """Rows of a horizontal legend of `names` (each entry as wide as its text) at
    LEGEND_WIDTH, with its title on a row of its own above them."""
    rows, used = 2, 0
    for n in names:
        entry = 46 + 7 * len(n)
        if used + entry > LEGEND_WIDTH and used > 0:
            rows, used = rows + 1, 0
        used += entry
    return rows


def _categories(values: list) -> tuple[list[str], list[str]]:
    """(category per point, categories in legend order: most frequent first, "other" last)."""
    names, counts = np.unique(np.asarray(values, dtype=str), return_counts=True)
    order = [str(names[i]) for i in np.argsort(-counts, kind="stable")]
    keep = set(order[: MAX_CATEGORIES - 1]) if len(order) > MAX_CATEGORIES else set(order)
    cats = [str(v) if str(v) in keep else "other" for v in values]
    legend = [c for c in order if c in keep] + (["other"] if len(keep) < len(order) else [])
    return cats, legend


def embedding_figure(coords: np.ndarray, words: list[str], colour: list, colour_name: str,
                     highlight: list[int] = (), selected: int | None = None,
                     new_coords: np.ndarray | None = None, new_words: list[str] = (),
                     new_name: str = "your words",  # shown as given (the page words it)
                     title: str = "") -> go.Figure:
    """Scatter of coords [N, 2] (hover: word); colour [N] numeric → colour bar, else legend.

    `highlight`: indices drawn ringed (search matches); `selected`: one index drawn as a star;
    `new_coords` [M, 2] with `new_words`: placed new sequences, labelled diamonds (legend:
    `new_name`).
    Every point of the base traces carries its index in customdata (for selections).
    """
    fig = go.Figure()
    idx = np.arange(len(words))
    words = [_safe(w) for w in words]
    colour_name = _safe(colour_name)
    legend_names: list[str] = []
    numeric = all(isinstance(v, (int, float, np.integer, np.floating)) for v in colour[:50])
    if numeric:
        vals = np.asarray(colour, dtype=float)
        fig.add_trace(go.Scattergl(
            x=coords[:, 0], y=coords[:, 1], mode="markers", text=words, customdata=idx,
            hovertemplate="<b>%{text}</b><br>" + colour_name
            + ": %{marker.color}<extra></extra>", name=colour_name, showlegend=False,
            marker={"size": 5, "color": vals, "colorscale": "Viridis", "opacity": 0.75,
                    "colorbar": {"title": {"text": colour_name, "side": "top"}, "thickness": 12,
                                 "orientation": "h", "y": -0.02, "yanchor": "top",
                                 "len": 0.6, "x": 0.5}}))
    else:
        cats, legend = _categories(colour)
        cats_arr = np.asarray(cats)
        legend_names += legend
        for i, cat in enumerate(legend):
            m = cats_arr == cat
            fig.add_trace(go.Scattergl(
                x=coords[m, 0], y=coords[m, 1], mode="markers",
                name=_safe(_("other") if cat == "other" else cat),
                text=[words[j] for j in idx[m]], customdata=idx[m],
                hovertemplate="<b>%{text}</b><br>" + colour_name + ": "
                + _safe(_("other") if cat == "other" else cat) + "<extra></extra>",
                marker={"size": 5, "opacity": 0.75,
                        "color": "#9ca3af" if cat == "other" else PALETTE[i % len(PALETTE)]}))
    if len(highlight):
        search = _("search ({n})").format(n=len(highlight))
        legend_names.append(search)
        h = np.asarray(list(highlight))
        fig.add_trace(go.Scattergl(
            x=coords[h, 0], y=coords[h, 1], mode="markers", name=search,
            text=[words[j] for j in h], customdata=h, hovertemplate="<b>%{text}</b><extra></extra>",
            marker={"size": 11, "color": "rgba(0,0,0,0)",
                    "line": {"color": "#111827", "width": 2}}))
    if selected is not None:
        chosen = _("selected")
        legend_names.append(chosen)
        fig.add_trace(go.Scattergl(
            x=[coords[selected, 0]], y=[coords[selected, 1]], mode="markers",
            name=chosen, text=[words[selected]], customdata=[selected],
            hovertemplate=f"<b>%{{text}}</b><extra>{chosen}</extra>",
            marker={"symbol": "star", "size": 18, "color": "#facc15",
                    "line": {"color": "#111827", "width": 1.5}}))
    new_words = [_safe(w) for w in new_words]
    if new_coords is not None and len(new_words):
        legend_names.append(new_name)
        fig.add_trace(go.Scattergl(
            x=new_coords[:, 0], y=new_coords[:, 1], mode="markers", name=new_name,
            text=new_words, hovertemplate=f"<b>%{{text}}</b><extra>{_('placed')}</extra>",
            marker={"symbol": "diamond", "size": 14, "color": "#ef4444",
                    "line": {"color": "#111827", "width": 1.5}}))
    # legend (or colour bar) below the map, whatever it holds: the figure grows by its rows,
    # so the map keeps its size with 2 categories or 27
    below = ((_legend_rows(legend_names) * LEGEND_ROW + 30 if legend_names else 0)
             + (60 if numeric else 0))
    labels = [] if selected is None else [(coords[selected], words[selected], TEXT, 20)]
    if new_coords is not None:
        labels += [(xy, w, "#b91c1c", -20) for xy, w in  # the first few; hover names them all
                   zip(new_coords[:MAX_LABELS], new_words[:MAX_LABELS], strict=True)]
    for xy, text, ink, shift in labels:  # annotations stay above the WebGL layer
        fig.add_annotation(x=float(xy[0]), y=float(xy[1]), text=f"<b>{text}</b>", showarrow=False,
                           yshift=shift, font={"size": 15, "color": ink},
                           bgcolor="rgba(255,255,255,0.8)")
    fig.update_layout(
        title={"text": _safe(title), "font": {"size": 15}, "x": 0.01},
        height=MAP_HEIGHT + (50 if title else 20) + 10 + below, paper_bgcolor=PAPER,
        plot_bgcolor="#fafafa", font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10}, dragmode="pan",
        legend={"title": {"text": "" if numeric else colour_name, "side": "top left"},
                "itemsizing": "constant", "orientation": "h",
                "x": 0, "xanchor": "left", "yanchor": "top",
                "y": -0.11 * 600 / MAP_HEIGHT if numeric else -0.02},
        hoverlabel={"font": {"size": 15}})
    fig.update_xaxes(showticklabels=False, zeroline=False, gridcolor="#eeeeee", title=None,
                     color=MUTED)
    fig.update_yaxes(showticklabels=False, zeroline=False, gridcolor="#eeeeee", title=None,
                     scaleanchor="x", scaleratio=1)
    return fig


LINE_FEATURES = 4  # a sequence with at most this many features is drawn as lines


def frames_figure(original: np.ndarray, rebuilt: np.ndarray, title: str = "",
                  own: bool = False) -> go.Figure:
    """A sequence [T, F] and its reconstruction [T, F]: two heatmaps one above the other
    (log-mel frames of a spoken word; or a user's sequence, `own`), or for an own sequence of
    at most LINE_FEATURES features one line chart, solid for the sequence, dashed rebuilt."""
    from plotly.subplots import make_subplots

    layout = {"height": 330, "margin": {"l": 10, "r": 10, "t": 60, "b": 30},
              "paper_bgcolor": PAPER, "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT},
              "title": {"text": _safe(title), "font": {"size": 15}}}
    if own and original.shape[1] <= LINE_FEATURES:
        fig = go.Figure()
        steps = np.arange(len(original))
        for f in range(original.shape[1]):
            colour = PALETTE[f % len(PALETTE)]
            for frames, dash, name in ((original, "solid", _("feature {n} · yours")),
                                       (rebuilt, "dash", _("feature {n} · rebuilt"))):
                fig.add_trace(go.Scatter(
                    x=steps, y=frames[:, f], mode="lines", name=name.format(n=f + 1),
                    line={"color": colour, "dash": dash, "width": 2},
                    hovertemplate=_("step %{x}: %{y:.2f}") + "<extra>%{fullData.name}</extra>"))
        fig.update_layout(**layout, legend={"orientation": "h", "y": -0.2})
        fig.update_xaxes(title_text=_("step"))
        fig.update_yaxes(title_text=_("value (normalised)"))
        return fig
    names = ((_("your sequence (normalised)"), _("rebuilt from the code")) if own else
             (_("spoken (normalised log-mel)"), _("rebuilt from the code")))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=names)
    lo, hi = float(np.percentile(original, 1)), float(np.percentile(original, 99))
    hover = (_("step %{x} · feature %{y}: %{z:.2f}") if own else
             _("frame %{x} · band %{y}: %{z:.2f}"))
    for row, frames in ((1, original), (2, rebuilt)):
        fig.add_trace(go.Heatmap(z=frames.T, zmin=lo, zmax=hi, colorscale="Magma",
                                 showscale=row == 1, colorbar={"thickness": 10, "len": 0.9},
                                 hovertemplate=hover + "<extra></extra>"), row=row, col=1)
    fig.update_layout(**layout)
    fig.update_xaxes(title_text=_("step") if own else _("frame (20 ms)"), row=2, col=1)
    fig.update_yaxes(title_text=_("feature") if own else _("mel band"), tickfont={"size": 11})
    return fig

"""Figures of the gradient lab (pure: numbers and engine results → plotly figures)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.style import base_layout
from i18n import _

LECTURE_WS = (1.0, 1.01, 0.99, 0.01)  # the lecture's table
MODEL_NAMES = {"tanh_rnn": "tanh RNN", "relu_rnn": "ReLU RNN", "gru": "GRU", "lstm": "LSTM"}
MODEL_COLORS = {"tanh_rnn": "#dc2626", "relu_rnn": "#d97706", "gru": "#0891b2", "lstm": "#7c3aed"}
RUN_COLORS = {"rnn": "#dc2626", "lstm": "#7c3aed"}
Y_COLOR, DY_COLOR, CLIP_COLOR, FREE_COLOR = "#4f46e5", "#0d9488", "#16a34a", "#dc2626"


def _safe_log(values) -> np.ndarray:
    """|values| with zeros and non-finite values as NaN, for log axes."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


POWER_FLOOR = -20  # lowest decade drawn on the toy's axis (0.01^999 = 10^-1998 is below it)
ZOOM = (0.98, 1.02)  # the right panel: 0.99, 1 and 1.01 far apart


def power_figure(ws: np.ndarray, log_ys: np.ndarray, log_dys: np.ndarray, w: float,
                 log_y: float, steps: int, lecture: list[tuple[float, float]]) -> go.Figure:
    """y = w^(T−1) and |dy/dw| across w (log10 values, ticks read 10ᵏ), in two panels: all of
    w (0 to 1.05) and a zoom on 0.98–1.02 where the lecture's 0.99, 1 and 1.01 lie apart.
    `lecture`: (w, log10 y) of the lecture's table; values below the axis sit on its floor
    with their true value in the label."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.4, 0.6],
                        horizontal_spacing=0.04,
                        subplot_titles=(_("all of w"), _("near 1 (w = {low} … {high})").format(
                            low=f"{ZOOM[0]:g}", high=f"{ZOOM[1]:g}")))
    top = max(float(np.nanmax(np.where(np.isfinite(log_dys), log_dys, np.nan))), 1.0) + 1
    for col in (1, 2):
        first = col == 1
        for vals, name, color, dash in ((log_ys, f"y = w^{steps - 1}", Y_COLOR, "solid"),
                                        (log_dys, "|dy/dw|", DY_COLOR, "dot")):
            shown = np.where(np.isfinite(vals) & (vals >= POWER_FLOOR), vals, np.nan)
            fig.add_scatter(x=ws, y=shown, name=name, showlegend=first, legendgroup=name,
                            line={"color": color, "dash": dash}, row=1, col=col,
                            text=[sci(v) for v in vals],
                            hovertemplate=f"w = %{{x:.4f}}<br>{name} = %{{text}}<extra></extra>")
        fig.add_scatter(x=[w], y=[max(log_y, POWER_FLOOR)], mode="markers", name=_("your w"),
                        showlegend=first, legendgroup="yours", row=1, col=col,
                        marker={"size": 13, "color": Y_COLOR,
                                "line": {"width": 2, "color": "white"}},
                        text=[sci(log_y)],
                        hovertemplate=_("your w = {w}").format(w="%{x}")
                        + "<br>y = %{text}<extra></extra>")
        lo, hi = (0.0, 1.05) if first else ZOOM
        pts = [(lw, ly) for lw, ly in lecture if lo <= lw <= hi]
        # The whole-w panel labels only the ws outside the zoom: the ones near 1 sit on top of
        # each other there (worst on a phone), and the zoomed panel labels them apart.
        labelled = [not (first and ZOOM[0] <= lw <= ZOOM[1]) for lw, _ly in pts]
        fig.add_scatter(
            x=[p[0] for p in pts], y=[max(p[1], POWER_FLOOR) for p in pts],
            mode="markers+text", name=_("the lecture's w"), showlegend=first,
            legendgroup="lecture", row=1, col=col,
            marker={"size": 9, "color": "#0f172a", "symbol": "diamond"},
            text=[f"w = {lw:g}: {sci(ly)}" if keep else ""
                  for (lw, ly), keep in zip(pts, labelled, strict=True)],
            textposition=[_label_side(lw, ly, first) for lw, ly in pts],
            textfont={"size": 12}, hoverinfo="skip")
    ticks = _decade_ticks(POWER_FLOOR, top)
    fig.update_yaxes(tickvals=ticks, range=[POWER_FLOOR - 0.5, top],
                     ticktext=["1" if k == 0 else f"10<sup>{k}</sup>" for k in ticks])
    fig.update_yaxes(title=_("value after T = {steps} steps (log scale)").format(steps=steps),
                     row=1, col=1)
    fig.update_xaxes(range=[0, 1.05], row=1, col=1, title=_("w (the same weight at every step)"))
    fig.update_xaxes(range=list(ZOOM), row=1, col=2, dtick=0.01, tickformat=".2f",
                     title=_("w (zoomed)"))
    base_layout(fig, 440)
    fig.update_layout(legend={"orientation": "h", "y": 1.08, "yanchor": "bottom", "x": 0},
                      margin={"t": 70})
    return fig


def _label_side(w: float, log_y: float, full: bool) -> str:
    """Where a lecture point's label goes, so that labels stay inside the panel."""
    if log_y < POWER_FLOOR:
        return "top right"
    if full:
        return "top left" if w > 0.5 else "top right"
    return "bottom right" if w < 1 else "top left" if w > 1 else "top center"


CLICK_GRID = 81  # points per axis of the invisible grid that makes the surface clickable


def surface_figure(ws: np.ndarray, bs: np.ndarray, loss: np.ndarray,
                   trajectories: dict | None = None) -> go.Figure:
    """Pascanu's loss over (w, b) as a log-scaled heatmap, with descent trajectories on it.

    `trajectories`: label → engine.gradients.Trajectory. Steps that clipping shortened are
    drawn with a faint arrow to where the unclipped step would have landed. A heatmap reports
    no clicks to Streamlit (plotly selects only marker-like points), so an invisible grid of
    CLICK_GRID² markers lies over it: a click anywhere selects the grid point under it
    (customdata "start").
    """
    fig = go.Figure()
    log_loss = np.log10(np.maximum(loss, 1e-12)).T  # rows = b, columns = w
    fig.add_heatmap(
        x=ws, y=bs, z=log_loss, colorscale="Viridis", reversescale=True,
        colorbar={"title": {"text": _("log₁₀ loss"), "side": "right"}, "thickness": 14},
        hoverinfo="skip",
    )
    gw, gb = np.meshgrid(np.linspace(ws.min(), ws.max(), CLICK_GRID),
                         np.linspace(bs.min(), bs.max(), CLICK_GRID))
    iw = np.abs(ws[None, :] - gw.reshape(-1, 1)).argmin(axis=1)
    ib = np.abs(bs[None, :] - gb.reshape(-1, 1)).argmin(axis=1)
    fig.add_scattergl(
        x=gw.ravel(), y=gb.ravel(), mode="markers", showlegend=False, name=_("click to start"),
        marker={"size": 8, "color": "white", "opacity": 0},
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        customdata=np.full(gw.size, "start"), text=[f"{v:.2f}" for v in log_loss[ib, iw]],
        hovertemplate="w = %{x:.3f}<br>b = %{y:.3f}<br>"
                      + _("log₁₀ loss = {value}").format(value="%{text}") + "<br>"
                      + _("click: start here") + "<extra></extra>",
    )
    for label, tr in (trajectories or {}).items():
        color = CLIP_COLOR if tr.clip is not None else FREE_COLOR
        pts = tr.points
        fig.add_scatter(
            x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=label,
            line={"color": color, "width": 2.5}, marker={"size": 5, "color": color},
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
            hovertemplate=_("step {step}").format(step="%{customdata}")
            + "<br>w = %{x:.3f}, b = %{y:.3f}<extra></extra>",
            customdata=np.arange(len(pts)),
        )
        fig.add_scatter(x=pts[:1, 0], y=pts[:1, 1], mode="markers", showlegend=False,
                        marker={"size": 12, "color": "white", "line": {"color": color, "width": 3}},
                        unselected={"marker": {"opacity": 1}}, hoverinfo="skip")
        if tr.clip is not None and tr.clipped.any():
            k = np.flatnonzero(tr.clipped)
            xs = np.column_stack([pts[k, 0], tr.unclipped[k, 0], np.full(len(k), np.nan)])
            ys = np.column_stack([pts[k, 1], tr.unclipped[k, 1], np.full(len(k), np.nan)])
            fig.add_scatter(x=xs.ravel(), y=ys.ravel(), mode="lines",
                            name=_("where it would have jumped without clipping"),
                            line={"color": FREE_COLOR, "width": 1, "dash": "dot"}, opacity=0.6)
    fig.update_xaxes(title=_("w (recurrent weight)"), range=[ws.min(), ws.max()])
    fig.update_yaxes(title=_("b (bias)"), range=[bs.min(), bs.max()])
    base_layout(fig, 520)
    fig.update_layout(clickmode="event+select", hovermode="closest", hoverdistance=12)
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


def sci(log10_value: float, digits: int = 3) -> str:
    """A number given by its log10 as text: "0" (log10 = -inf), "0.99995", "2.08·10⁴",
    "10⁻¹⁹⁹⁸", "3.1·10⁴⁵⁶"; "not computable" for NaN. Never "inf" or "nan"."""
    if log10_value == -np.inf:
        return "0"
    if not np.isfinite(log10_value):
        return _("not computable") if np.isnan(log10_value) else _("above 10³⁰⁸")
    exp = int(np.floor(log10_value))
    mant = 10 ** (log10_value - exp)
    if round(mant, digits - 1) >= 10:
        exp, mant = exp + 1, mant / 10
    if -3 <= exp < digits:
        return f"{10 ** log10_value:.{digits}g}"
    head = f"{mant:.{digits}g}"
    return (f"10{_sup(exp)}" if head == "1" else f"{head}·10{_sup(exp)}")


_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(n: int) -> str:
    return str(n).translate(_SUP)


def _decade_ticks(lo: float, hi: float) -> list[int]:
    """Whole decades from lo to hi, at most ~8 of them (steps of 1, 2, 5, 10, 20, ...)."""
    span = max(hi - lo, 1.0)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
                if span / s <= 8) if span <= 40000 else int(span // 8)
    first = int(np.ceil(lo / step) * step)
    return list(range(first, int(np.floor(hi)) + 1, step))


def grad_norm_figure(norms: dict, title: str = "") -> go.Figure:
    """‖∂L/∂h_t‖ per model over t on a log scale (LSTM's ‖∂L/∂c_t‖ dashed).

    `norms`: name → engine.gradients.GradNorms (names as in MODEL_NAMES or any label). The
    y axis is log10 of the norm (ticks read 10ᵏ), so norms far beyond float64 (10⁵⁰⁰) and far
    below it (10⁻¹⁰⁰⁰) are drawn where they are; exact zeros sit on a row labelled "0"
    below the lowest decade.
    """
    curves = []
    for name, gn in norms.items():
        curves.append((name, "h", gn.log10("hidden")))
        if gn.cell is not None:
            curves.append((name, "c", gn.log10("cell")))
    finite = np.concatenate([v[np.isfinite(v)] for _, _, v in curves] or [np.zeros(0)])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    lo, hi = np.floor(lo) - 0.5, np.ceil(hi) + 0.5
    if hi - lo < 3:  # at least three decades, so a level line does not fill the axis
        mid = (hi + lo) / 2
        lo, hi = mid - 1.5, mid + 1.5
    zero_row = lo - max(0.06 * (hi - lo), 0.5)
    has_zero = any((v == -np.inf).any() for _, _, v in curves)
    fig = go.Figure()
    for name, which, v in curves:
        label = MODEL_NAMES.get(name, name)
        color = MODEL_COLORS.get(name, "#334155")
        t = np.arange(1, len(v) + 1)
        sym = "‖∂L/∂h_t‖" if which == "h" else "‖∂L/∂c_t‖"
        text = [sci(x) for x in v]
        y = np.where(np.isfinite(v), v, np.nan)
        fig.add_scatter(
            x=t, y=y, name=f"{label} {sym}", legendgroup=f"{name}{which}",
            mode="lines+markers" if len(v) <= 60 else "lines",
            line={"color": color, "width": 2, "dash": "solid" if which == "h" else "dash"},
            marker={"size": 7, "color": color}, text=text,
            hovertemplate=f"{label}<br>t = %{{x}}<br>{sym} = %{{text}}<extra></extra>")
        zero = v == -np.inf
        if zero.any():
            fig.add_scatter(
                x=t[zero].tolist(), y=[zero_row] * int(zero.sum()), mode="markers",
                name=f"{label} {sym} = 0", legendgroup=f"{name}{which}", showlegend=False,
                marker={"size": 9, "color": color, "symbol": "x-thin" if which == "h" else "x",
                        "line": {"width": 2, "color": color}},
                hovertemplate=f"{label}<br>t = %{{x}}<br>"
                + _("{symbol} = 0 exactly").format(symbol=sym) + "<extra></extra>")
    ticks = _decade_ticks(lo, hi)
    tickvals = ([zero_row] if has_zero else []) + ticks
    ticktext = (["0"] if has_zero else []) + [
        "1" if k == 0 else "10" if k == 1 else f"10<sup>{k}</sup>" for k in ticks]
    fig.update_yaxes(title=_("gradient norm (log scale)"), tickvals=tickvals, ticktext=ticktext,
                     range=[(zero_row - 0.5) if has_zero else lo, hi], zeroline=False)
    if has_zero:
        fig.add_hline(y=(zero_row + lo) / 2, line={"color": "#94a3b8", "width": 1,
                                                   "dash": "dot"})
    fig.update_xaxes(title=_("step t (the loss is at the last step; read right to left)"))
    base_layout(fig, 440)
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      title={"text": title, "font": {"size": 14}} if title else None)
    return fig


def run_name(run) -> str:
    """The name of a training run in the reader's language, e.g. "LSTM, clipped at 1"."""
    name = "tanh RNN" if run.settings.get("kind", "rnn") == "rnn" else "LSTM"
    clip = run.settings.get("clip")
    if clip:
        return _("{model}, clipped at {clip}").format(model=name, clip=f"{clip:g}")
    return _("{model}, no clipping").format(model=name)


def training_figure(runs: dict) -> go.Figure:
    """Loss and total gradient norm per iteration for several runs (log axes).

    `runs`: label → engine.gradients.TrainingRun. Clipped runs are solid, unclipped dotted.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=(_("training loss (MSE)"), _("total gradient norm")))
    baseline = None
    for run in runs.values():
        label = run_name(run)
        kind = run.settings.get("kind", "rnn")
        dash = "solid" if run.settings.get("clip") else "dot"
        color = RUN_COLORS.get(kind, "#334155")
        it = np.arange(1, len(run.losses) + 1)
        common = {"legendgroup": label, "line": {"color": color, "dash": dash, "width": 1.8}}
        fig.add_scatter(x=it, y=_safe_log(run.losses), name=label, row=1, col=1, **common,
                        hovertemplate=f"{label}<br>"
                        + _("iteration {i}").format(i="%{x}") + "<br>"
                        + _("loss {value}").format(value="%{y:.3g}") + "<extra></extra>")
        fig.add_scatter(x=it, y=_safe_log(run.grad_norms), name=label, row=2, col=1,
                        showlegend=False, **common,
                        hovertemplate=f"{label}<br>"
                        + _("iteration {i}").format(i="%{x}") + "<br>"
                        + _("norm {value}").format(value="%{y:.3g}") + "<extra></extra>")
        clip = run.settings.get("clip")
        if clip:
            fig.add_hline(y=clip, row=2, col=1, line={"color": "#16a34a", "width": 1,
                                                       "dash": "dash"},
                          annotation_text=_("clip at {clip}").format(clip=f"{clip:g}"),
                          annotation_font_size=11)
        baseline = run.baseline_loss
    if baseline:
        fig.add_hline(y=baseline, row=1, col=1, line={"color": "#64748b", "width": 1,
                                                       "dash": "dash"},
                      annotation_text=_("always answering the mean"), annotation_font_size=11)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title=_("iteration"), row=2, col=1)
    base_layout(fig, 560)
    fig.update_layout(legend={"orientation": "v", "x": 1.01, "y": 1}, margin={"t": 40})
    return fig

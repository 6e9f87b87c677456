"""Figures of the gradient lab (pure: numbers and engine results → plotly figures)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.style import base_layout

LECTURE_WS = (1.0, 1.01, 0.99, 0.01)  # the lecture's table
FLOOR = 1e-20  # lowest value drawn on the toy's log axis (w^999 reaches 1e-1998 for w = 0.01)
MODEL_NAMES = {"tanh_rnn": "tanh RNN", "relu_rnn": "ReLU RNN", "gru": "GRU", "lstm": "LSTM"}
MODEL_COLORS = {"tanh_rnn": "#dc2626", "relu_rnn": "#d97706", "gru": "#0891b2", "lstm": "#7c3aed"}
RUN_COLORS = {"rnn": "#dc2626", "lstm": "#7c3aed"}
Y_COLOR, DY_COLOR, CLIP_COLOR, FREE_COLOR = "#4f46e5", "#0d9488", "#16a34a", "#dc2626"


def _safe_log(values) -> np.ndarray:
    """|values| with zeros and non-finite values as NaN, for log axes."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def power_figure(ws: np.ndarray, ys: np.ndarray, dys: np.ndarray, w: float, y: float,
                 dy: float, steps: int) -> go.Figure:
    """y = w^(T−1) and dy/dw across w on a log axis; the chosen w and the lecture's ws marked."""
    fig = go.Figure()
    fig.add_scatter(x=ws, y=_safe_log(ys), name=f"y = w^{steps - 1}", line={"color": Y_COLOR},
                    hovertemplate="w = %{x:.4f}<br>y = %{y:.3g}<extra></extra>")
    fig.add_scatter(x=ws, y=_safe_log(dys), name="|dy/dw|", line={"color": DY_COLOR, "dash": "dot"},
                    hovertemplate="w = %{x:.4f}<br>|dy/dw| = %{y:.3g}<extra></extra>")
    fig.add_scatter(x=[w], y=_safe_log([y]), mode="markers", name="your w",
                    marker={"size": 13, "color": Y_COLOR, "line": {"width": 2, "color": "white"}},
                    hovertemplate="your w = %{x}<br>y = %{y:.3g}<extra></extra>")
    lecture_ys = np.asarray([float(lw) ** (steps - 1) for lw in LECTURE_WS])
    shown = np.isfinite(lecture_ys) & (lecture_ys > FLOOR)
    fig.add_scatter(
        x=np.asarray(LECTURE_WS)[shown], y=lecture_ys[shown], mode="markers+text",
        name="the lecture's w", marker={"size": 8, "color": "#0f172a", "symbol": "diamond"},
        text=[f"w = {lw:g}" for lw in np.asarray(LECTURE_WS)[shown]],
        textposition=["top left", "top left", "bottom right", "top left"][: int(shown.sum())],
        textfont={"size": 12}, hovertemplate="w = %{x}<br>y = %{y:.3g}<extra></extra>",
    )
    finite = _safe_log(np.concatenate([ys, dys]))
    top = np.log10(np.nanmax(finite)) + 1 if np.isfinite(finite).any() else 1
    fig.update_yaxes(type="log", title=f"value after T = {steps} steps", exponentformat="power",
                     range=[np.log10(FLOOR), max(top, 1)])
    fig.update_xaxes(title="w (the same weight at every step)")
    base_layout(fig, 430)
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


def surface_figure(ws: np.ndarray, bs: np.ndarray, loss: np.ndarray,
                   trajectories: dict | None = None) -> go.Figure:
    """Pascanu's loss over (w, b) as a log-scaled heatmap, with descent trajectories on it.

    `trajectories`: label → engine.gradients.Trajectory. Steps that clipping shortened are
    drawn with a faint arrow to where the unclipped step would have landed.
    """
    fig = go.Figure()
    log_loss = np.log10(np.maximum(loss, 1e-12)).T  # rows = b, columns = w
    fig.add_heatmap(
        x=ws, y=bs, z=log_loss, colorscale="Viridis", reversescale=True,
        colorbar={"title": {"text": "log₁₀ loss", "side": "right"}, "thickness": 14},
        hovertemplate="w = %{x:.3f}<br>b = %{y:.3f}<br>log₁₀ loss = %{z:.2f}<extra></extra>",
    )
    for label, tr in (trajectories or {}).items():
        color = CLIP_COLOR if tr.clip is not None else FREE_COLOR
        pts = tr.points
        fig.add_scatter(
            x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=label,
            line={"color": color, "width": 2.5}, marker={"size": 5, "color": color},
            hovertemplate="step %{customdata}<br>w = %{x:.3f}, b = %{y:.3f}<extra></extra>",
            customdata=np.arange(len(pts)),
        )
        fig.add_scatter(x=pts[:1, 0], y=pts[:1, 1], mode="markers", showlegend=False,
                        marker={"size": 12, "color": "white", "line": {"color": color, "width": 3}},
                        hoverinfo="skip")
        if tr.clip is not None and tr.clipped.any():
            k = np.flatnonzero(tr.clipped)
            xs = np.column_stack([pts[k, 0], tr.unclipped[k, 0], np.full(len(k), np.nan)])
            ys = np.column_stack([pts[k, 1], tr.unclipped[k, 1], np.full(len(k), np.nan)])
            fig.add_scatter(x=xs.ravel(), y=ys.ravel(), mode="lines", name="where it would "
                            "have jumped without clipping",
                            line={"color": FREE_COLOR, "width": 1, "dash": "dot"}, opacity=0.6)
    fig.update_xaxes(title="w (recurrent weight)", range=[ws.min(), ws.max()])
    fig.update_yaxes(title="b (bias)", range=[bs.min(), bs.max()])
    base_layout(fig, 520)
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


def grad_norm_figure(norms: dict, title: str = "") -> go.Figure:
    """‖∂L/∂h_t‖ per model over t on a log axis (LSTM's ‖∂L/∂c_t‖ dashed).

    `norms`: name → engine.gradients.GradNorms (names as in MODEL_NAMES or any label).
    """
    fig = go.Figure()
    for name, gn in norms.items():
        label = MODEL_NAMES.get(name, name)
        color = MODEL_COLORS.get(name, "#334155")
        t = np.arange(1, gn.steps + 1)
        fig.add_scatter(x=t, y=_safe_log(gn.hidden.cpu().numpy()), name=f"{label} ‖∂L/∂h_t‖",
                        line={"color": color, "width": 2},
                        hovertemplate=f"{label}<br>t = %{{x}}<br>‖∂L/∂h_t‖ = %{{y:.3g}}"
                        "<extra></extra>")
        if gn.cell is not None:
            fig.add_scatter(x=t, y=_safe_log(gn.cell.cpu().numpy()), name=f"{label} ‖∂L/∂c_t‖",
                            line={"color": color, "width": 2, "dash": "dash"},
                            hovertemplate=f"{label}<br>t = %{{x}}<br>‖∂L/∂c_t‖ = %{{y:.3g}}"
                            "<extra></extra>")
    fig.update_yaxes(type="log", title="gradient norm (log)", exponentformat="power")
    fig.update_xaxes(title="step t (the loss is at the last step; read right to left)")
    base_layout(fig, 440)
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      title={"text": title, "font": {"size": 14}} if title else None)
    return fig


def training_figure(runs: dict) -> go.Figure:
    """Loss and total gradient norm per iteration for several runs (log axes).

    `runs`: label → engine.gradients.TrainingRun. Clipped runs are solid, unclipped dotted.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=("training loss (MSE)", "total gradient norm"))
    baseline = None
    for label, run in runs.items():
        kind = run.settings.get("kind", "rnn")
        dash = "solid" if run.settings.get("clip") else "dot"
        color = RUN_COLORS.get(kind, "#334155")
        it = np.arange(1, len(run.losses) + 1)
        common = {"legendgroup": label, "line": {"color": color, "dash": dash, "width": 1.8}}
        fig.add_scatter(x=it, y=_safe_log(run.losses), name=label, row=1, col=1, **common,
                        hovertemplate=f"{label}<br>iteration %{{x}}<br>loss %{{y:.3g}}"
                        "<extra></extra>")
        fig.add_scatter(x=it, y=_safe_log(run.grad_norms), name=label, row=2, col=1,
                        showlegend=False, **common,
                        hovertemplate=f"{label}<br>iteration %{{x}}<br>norm %{{y:.3g}}"
                        "<extra></extra>")
        clip = run.settings.get("clip")
        if clip:
            fig.add_hline(y=clip, row=2, col=1, line={"color": "#16a34a", "width": 1,
                                                       "dash": "dash"},
                          annotation_text=f"clip at {clip:g}", annotation_font_size=11)
        baseline = run.baseline_loss
    if baseline:
        fig.add_hline(y=baseline, row=1, col=1, line={"color": "#64748b", "width": 1,
                                                       "dash": "dash"},
                      annotation_text="always answering the mean", annotation_font_size=11)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title="iteration", row=2, col=1)
    base_layout(fig, 560)
    fig.update_layout(legend={"orientation": "v", "x": 1.01, "y": 1}, margin={"t": 40})
    return fig

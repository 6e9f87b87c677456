"""Widgets and small tables of the gradient lab. Owns the session-state keys under "grad."."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import markup
from choices import LECTURE, run_label
from choices import MODELS as MODELS_IN_STEPPER
from engine import gradients, lee, zoo
from figures.gradients import MODEL_NAMES, grad_norm_figure, sci

LECTURE_WS = (1.0, 1.01, 0.99, 0.01)
START_KEYS = ("grad.w0", "grad.b0")
TRAIN_LIMIT_S = 60.0  # all four runs together
PAIRS = (("rnn", None), ("rnn", "clip"), ("lstm", None), ("lstm", "clip"))


def power_inputs() -> tuple[float, int]:
    """w (fine steps near 1) and the number of steps T."""
    left, right = st.columns([3, 2])
    w = left.slider("w", 0.0, 1.05, 1.01, step=0.0005, format="%.4f", key="grad.w",
                    help="Steps of 0.0005, so 0.99, 1 and 1.01 can all be picked.")
    steps = right.slider("T (steps)", 2, 1000, 1000, key="grad.T")
    return float(w), int(steps)


LECTURE_SAYS = ("1", "≈20000", "≈0", "≈0")  # the lecture's rounding of w^999 for LECTURE_WS
ZOOM_WS = 401  # points of the curve in each panel


def power_view(w: float, steps: int) -> dict:
    """What tab A draws: the curves across w (log10 values, exact where y underflows), the
    chosen w's values, and the lecture's points."""
    ws = np.unique(np.concatenate([np.linspace(0.0, 1.05, ZOOM_WS),
                                   np.linspace(0.98, 1.02, ZOOM_WS), [w], LECTURE_WS]))
    log_ys, log_dys = gradients.power_toy_log10(ws, steps)
    log_y, log_dy = gradients.power_toy_log10(w, steps)
    lecture_y, _ = gradients.power_toy_log10(np.array(LECTURE_WS), steps)
    return {"ws": ws, "log_ys": log_ys, "log_dys": log_dys, "log_y": float(log_y),
            "log_dy": float(log_dy), "lecture": list(zip(LECTURE_WS, lecture_y.tolist(),
                                                         strict=True))}


def lecture_table(steps: int) -> pd.DataFrame:
    """The lecture's ws: what the lecture says (for T = 1000) and y = w^(T−1), dy/dw exactly."""
    log_ys, log_dys = gradients.power_toy_log10(np.array(LECTURE_WS), steps)
    says = LECTURE_SAYS if steps == 1000 else ("",) * len(LECTURE_WS)
    return pd.DataFrame({"w": [f"{w:g}" for w in LECTURE_WS], "the lecture says": says,
                         f"y = w^{steps - 1} (exactly)": [sci(v) for v in log_ys],
                         "dy/dw": [sci(v) for v in log_dys]})


def descent_inputs(ws: np.ndarray, bs: np.ndarray) -> tuple[tuple[float, float], float, float, int]:
    """Start (w0, b0), learning rate, clipping threshold and number of steps."""
    defaults = gradients.CLIFF_DESCENT
    st.session_state.setdefault(START_KEYS[0], float(defaults["w0"]))
    st.session_state.setdefault(START_KEYS[1], float(defaults["b0"]))
    c = st.columns(5)
    w0 = c[0].number_input("start w", float(ws.min()), float(ws.max()), key=START_KEYS[0],
                           step=0.1, help="Or click a point on the surface.")
    b0 = c[1].number_input("start b", float(bs.min()), float(bs.max()), key=START_KEYS[1],
                           step=0.1)
    lr = c[2].select_slider("learning rate", [0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0],
                            value=float(defaults["lr"]), key="grad.lr")
    clip = c[3].select_slider("clip threshold", [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0],
                              value=float(defaults["clip"]), key="grad.clip")
    steps = c[4].slider("steps", 5, 300, int(defaults["steps"]), key="grad.steps")
    return (float(w0), float(b0)), float(lr), float(clip), int(steps)


def take_clicked_start() -> None:
    """Chart callback: a click on the surface becomes the new start point."""
    points = st.session_state["surface"].selection.points
    if points:
        st.session_state[START_KEYS[0]] = round(float(points[0]["x"]), 3)
        st.session_state[START_KEYS[1]] = round(float(points[0]["y"]), 3)


def descent_summary(free, clipped) -> str:
    """Two lines comparing the longest step and the final loss with and without clipping."""
    def line(name, tr):
        big = tr.step_norms.max() if len(tr.step_norms) else 0.0
        end = "left the map" if not np.all(np.isfinite(tr.points[-1])) else (
            f"ends at loss {tr.losses[-1]:.3g}")
        return (f"- **{name}**: longest step {big:.3g}, largest gradient "
                f"{tr.grad_norms.max() if len(tr.grad_norms) else 0:.3g}, {end}.")
    return "\n".join([line("Without clipping", free), line("With clipping", clipped),
                      "- Where the surface has its wall, one unclipped step throws the point far "
                      "away; the clipped step keeps its direction but not its size."])


def norm_inputs():
    """Either the four-cell comparison's settings, the stepper's model and sequence, or None for
    your own uploads (components.upload)."""
    source = st.radio(
        "Compare", ["compare", "stepper", "own"], horizontal=True, key="grad.source",
        format_func={"compare": "tanh RNN, ReLU RNN, GRU and LSTM side by side",
                     "stepper": "the model and sequence of the step-through",
                     "own": "your own model and sequence (upload)"}.get,
    )
    if source == "own":
        return source, None
    if source == "stepper":
        choice, weights, steps = st.session_state.get(
            "stepper.current",
            (LECTURE, None, tuple(tuple(r) for r in lee.LECTURE_SEQUENCE.tolist())))
        name = MODELS_IN_STEPPER.get(choice.kind, choice.kind.upper())
        if len(steps) == 2 and steps[0] == "text":  # a shipped model reading text
            length = len(zoo.shipped(choice.kind).labels(steps[1]))
        else:
            length = len(steps)
        units = choice.hidden_size
        st.caption(markup.md(f"{name} ({units} unit{'s' * (units != 1)}) on a {length}-step "
                             f"sequence; L = sum of h_T.")
                   + " Change them on the LSTM step-through page.")
        return source, (choice, weights, steps)
    c = st.columns(5)
    steps = c[0].slider("T", 10, 1000, 200, step=10, key="grad.norm_T")
    hidden = c[1].select_slider("hidden size", [4, 8, 16, 32, 64, 128, 256], 64,
                                key="grad.norm_H")
    radius = c[2].slider("spectral radius of W_hh", 0.1, 3.0, 1.0, step=0.05,
                         key="grad.norm_radius")
    forget = c[3].slider("LSTM forget-gate bias", -5.0, 5.0, 1.0, step=0.5, key="grad.norm_bf")
    seed = c[4].number_input("seed", 0, 10_000, 0, key="grad.norm_seed")
    st.caption("Loss at the last step only: L = sum of h_T. Read the curves from right to left: "
               "how much of the gradient reaches step t.")
    return source, (int(steps), int(hidden), float(radius), float(forget), int(seed))


def verdict(gn, which: str = "hidden") -> tuple[str, str]:
    """(decades per 100 steps back, what happens going back) for one curve, in words that
    match its numbers: a cut (to exactly 0, or by more than 10 decades in one step) is named
    with its step; the slope is taken over the steps after it."""
    logs = gn.log10(which)
    cut = gn.cut(which)
    since = 0 if cut is None else cut
    slope = gn.slope(which, since=since)
    per100 = "—" if not np.isfinite(slope) else f"{100 * slope:+.2f}".replace("-0.00", "0.00")
    per100 = per100.replace("+0.00", "0.00")
    if np.isfinite(slope):
        trend = ("explodes" if slope > 1e-3 else "vanishes" if slope < -1e-3 else "stays level")
    else:
        trend = ""
    if not np.isfinite(logs).any() and not np.isnan(logs).any():
        return per100, "0 at every step"
    if cut is None:
        return per100, trend or "only one step has a gradient"
    earlier = logs[cut - 1]
    to = "0" if earlier == -np.inf else f"≈0 ({sci(earlier)})"
    by = " by the forget gate" if which == "cell" and gn.kind == "lstm" else ""
    what = f"cut to {to} at step {cut + 1}{by}"
    return per100, (f"{trend} back to step {cut + 1}, then {what}" if trend else what)


def slope_table(result: dict) -> pd.DataFrame:
    """Per model (and, for an LSTM, per ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖): the norms at the first and
    last step, decades per 100 steps back, and what happens going back, in words."""
    rows = []
    for name, gn in result.items():
        for which, sym in (("hidden", "‖∂L/∂h_t‖"), ("cell", "‖∂L/∂c_t‖")):
            if which == "cell" and gn.cell is None:
                continue
            logs = gn.log10(which)
            per100, words = verdict(gn, which)
            rows.append({"model": MODEL_NAMES.get(name, name), "gradient": sym,
                         "at t = 1": sci(logs[0]), "at t = T": sci(logs[-1]),
                         "decades per 100 steps back": per100, "going back": words})
    return pd.DataFrame(rows)


def norm_results(result: dict, key: str) -> None:
    """Tab C's chart and table for name → GradNorms, and, in words, anything not computable."""
    st.plotly_chart(grad_norm_figure(result), key=key)
    st.dataframe(slope_table(result), hide_index=True, width="content")
    for gn in result.values():
        for note in gn.notes:
            st.warning(markup.md(note), icon=":material/warning:")


def training_inputs() -> dict:
    """Settings of a live training run (both models, with and without clipping)."""
    c = st.columns(4)
    seq_len = c[0].slider("sequence length", 10, 200, 30, step=10, key="grad.train_T")
    iterations = c[1].slider("iterations", 50, 2000, 1000, step=50, key="grad.train_iters")
    clip = c[2].select_slider("clip threshold", [0.1, 0.5, 1.0, 2.0, 5.0], 1.0,
                              key="grad.train_clip")
    seed = c[3].number_input("seed", 0, 10_000, 0, key="grad.train_seed")
    st.caption(f"The adding problem: sum the two marked numbers of a length-{seq_len} sequence. "
               f"A tanh RNN and an LSTM (32 units, Adam, learning rate 0.01, batches of 32), "
               f"each with and without clipping; at most {TRAIN_LIMIT_S:.0f} s in all.")
    return {"seq_len": int(seq_len), "iterations": int(iterations), "clip": float(clip),
            "seed": int(seed)}


def training_work(settings: dict):
    """The background work: four bounded runs, progress spread over them."""
    def work(on_progress, should_stop):
        runs = {}
        for k, (kind, clipped) in enumerate(PAIRS):
            if should_stop():
                break
            clip = settings["clip"] if clipped else None
            run = gradients.train_long_range(
                kind, settings["seq_len"], clip, settings["iterations"], settings["seed"],
                on_progress=lambda f, k=k: on_progress((k + f) / len(PAIRS)),
                should_stop=should_stop, time_limit=TRAIN_LIMIT_S / len(PAIRS))
            if len(run.losses):
                runs[run_label(kind, clip)] = run
        return runs
    return work


def run_table(runs: dict) -> pd.DataFrame:
    """Per run: iterations, final loss, largest gradient norm, share of clipped steps."""
    rows = []
    for label, run in runs.items():
        if not len(run.losses):
            continue
        tail = run.losses[-max(1, len(run.losses) // 10):]
        rows.append({"run": label, "iterations": len(run.losses),
                     "final loss (last 10%)": f"{np.nanmean(tail):.3g}",
                     "largest gradient norm": f"{np.nanmax(run.grad_norms):.3g}",
                     "clipped steps": f"{100 * run.clipped.mean():.0f}%",
                     "ended": run.stop_reason})
    return pd.DataFrame(rows)

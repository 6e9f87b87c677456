"""Widgets and small tables of the gradient lab. Owns the session-state keys under "grad."."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import markup
from choices import LECTURE, model_name, run_label
from choices import MODELS as MODELS_IN_STEPPER
from components import language, presenter, url_params
from engine import gradients, lee, zoo
from figures.gradients import MODEL_NAMES, grad_norm_figure, run_name, sci
from i18n import N_, _, ngettext, same_in_current

LECTURE_WS = (1.0, 1.01, 0.99, 0.01)
START_KEYS = ("grad.w0", "grad.b0")
TRAIN_LIMIT_S = 60.0  # all four runs together
PAIRS = (("rnn", None), ("rnn", "clip"), ("lstm", None), ("lstm", "clip"))
LRS = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)  # learning rates of the cliff's descent
CLIPS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)  # clipping thresholds of the cliff's descent
HIDDEN_SIZES = (4, 8, 16, 32, 64, 128, 256)  # hidden sizes of the norm comparison
SOURCES = ("compare", "stepper", "own")
TABS = {"toy": N_("A · y = w⁹⁹⁹"), "cliff": N_("B · The cliff and clipping"),
        "norms": N_("C · Gradient norm over time"), "training": N_("D · Training")}
TAB_KEY = "grad.tab"
_LOADED = "grad.url_loaded"
W_STEP = 0.0005  # the w slider's step
# Link parameter → (session key, parser of its text, default); tab is read apart.
_LINK = {
    "w": ("grad.w", lambda r: _on_grid(url_params.float_value(r, 0.0, 1.05), W_STEP), 1.01),
    "T": ("grad.T", lambda r: url_params.int_value(r, 2, 1000), 1000),
    "w0": ("grad.w0", lambda r: url_params.float_value(r, 3.0, 8.0), 5.5),
    "b0": ("grad.b0", lambda r: url_params.float_value(r, -5.0, 0.0), -2.0),
    "lr": ("grad.lr", lambda r: _one_of(url_params.float_value(r, 0.0, 10.0), LRS), 0.5),
    "clip": ("grad.clip", lambda r: _one_of(url_params.float_value(r, 0.0, 10.0), CLIPS), 1.0),
    "steps": ("grad.steps", lambda r: url_params.int_value(r, 5, 300), 100),
    "source": ("grad.source", lambda r: url_params.choice_value(r, SOURCES), "compare"),
    "nT": ("grad.norm_T", lambda r: _on_grid(url_params.int_value(r, 10, 1000), 10), 200),
    "hidden": ("grad.norm_H", lambda r: _one_of(url_params.int_value(r, 1, 256), HIDDEN_SIZES),
               64),
    "radius": ("grad.norm_radius", lambda r: _on_grid(url_params.float_value(r, 0.1, 3.0), 0.05),
               1.0),
    "bf": ("grad.norm_bf", lambda r: _on_grid(url_params.float_value(r, -5.0, 5.0), 0.5), 1.0),
    "nseed": ("grad.norm_seed", lambda r: url_params.int_value(r, 0, 10_000), 0),
}


def _on_grid(value, step):
    """`value` when it lies on the slider's grid of `step` (to rounding), else None."""
    if value is None:
        return None
    k = round(value / step)
    return (type(value))(round(k * step, 6)) if abs(k * step - value) < 1e-9 else None


def _one_of(value, options):
    """The option equal to `value`, or None."""
    return next((o for o in options if value is not None and abs(o - value) < 1e-12), None)


def tab_labels() -> list[str]:
    """The tabs' labels in the reader's language; the open tab follows a language switch."""
    return language.tab_labels(TAB_KEY, TABS)


def load_url(params) -> None:
    """On a session's first run of the page, seed the tab, the toy's w and T, the cliff's start,
    learning rate, clipping and steps, and the norm comparison from the link; names the
    parameters that were not valid in a toast."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    bad = []
    if "tab" in params:
        tab = url_params.choice_value(url_params.get(params, "tab"), TABS)
        if tab is None:
            bad.append("tab")
        else:
            st.session_state[TAB_KEY] = _(TABS[tab])
    for name, (key, parse, _default) in _LINK.items():
        if name in params:
            value = parse(url_params.get(params, name))
            if value is None:
                bad.append(name)
            else:
                st.session_state[key] = value
    url_params.warn_ignored(bad)


def link_params() -> dict[str, str]:
    """The URL parameters that reproduce the page: the open tab and every setting that is not
    its default."""
    tab = same_in_current(st.session_state.get(TAB_KEY), TABS) or "toy"
    params = {"tab": tab}
    for name, (key, _parse, default) in _LINK.items():
        value = st.session_state.get(key, default)
        if value != default:
            params[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return params


def _defaults(*names: str) -> None:
    """Give the widgets of these link parameters their default value (unless the link or the
    user set one)."""
    for name in names:
        key, _parse, default = _LINK[name]
        st.session_state.setdefault(key, default)


def power_inputs() -> tuple[float, int]:
    """w (fine steps near 1) and the number of steps T."""
    left, right = st.columns([3, 2])
    _defaults("w", "T")
    w = left.slider("w", 0.0, 1.05, step=W_STEP, format="%.4f", key="grad.w",
                    help=_("Steps of 0.0005, so 0.99, 1 and 1.01 can all be picked."))
    steps = right.slider(_("T (steps)"), 2, 1000, key="grad.T")
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
    lecture_y, _slopes = gradients.power_toy_log10(np.array(LECTURE_WS), steps)
    return {"ws": ws, "log_ys": log_ys, "log_dys": log_dys, "log_y": float(log_y),
            "log_dy": float(log_dy), "lecture": list(zip(LECTURE_WS, lecture_y.tolist(),
                                                         strict=True))}


def lecture_table(steps: int) -> pd.DataFrame:
    """The lecture's ws: what the lecture says (for T = 1000) and y = w^(T−1), dy/dw exactly."""
    log_ys, log_dys = gradients.power_toy_log10(np.array(LECTURE_WS), steps)
    says = LECTURE_SAYS if steps == 1000 else ("",) * len(LECTURE_WS)
    return pd.DataFrame({"w": [f"{w:g}" for w in LECTURE_WS], _("the lecture says"): says,
                         _("y = w^{power} (exactly)").format(power=steps - 1):
                             [sci(v) for v in log_ys],
                         "dy/dw": [sci(v) for v in log_dys]})


def descent_inputs(ws: np.ndarray, bs: np.ndarray) -> tuple[tuple[float, float], float, float, int]:
    """Start (w0, b0), learning rate, clipping threshold and number of steps."""
    defaults = gradients.CLIFF_DESCENT
    st.session_state.setdefault(START_KEYS[0], float(defaults["w0"]))
    st.session_state.setdefault(START_KEYS[1], float(defaults["b0"]))
    c = st.columns(5)
    w0 = c[0].number_input(_("start w"), float(ws.min()), float(ws.max()), key=START_KEYS[0],
                           step=0.1, help=_("Or click a point on the surface."))
    b0 = c[1].number_input(_("start b"), float(bs.min()), float(bs.max()), key=START_KEYS[1],
                           step=0.1)
    _defaults("lr", "clip", "steps")
    lr = c[2].select_slider(_("learning rate"), LRS, key="grad.lr")
    clip = c[3].select_slider(_("clip threshold"), CLIPS, key="grad.clip")
    steps = c[4].slider(_("steps"), 5, 300, key="grad.steps")
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
        grad = tr.grad_norms.max() if len(tr.grad_norms) else 0.0
        if not np.all(np.isfinite(tr.points[-1])):
            text = _("- **{name}**: longest step {step}, largest gradient {grad}, left the "
                     "map.")
        else:
            text = _("- **{name}**: longest step {step}, largest gradient {grad}, ends at "
                     "loss {loss}.")
        return text.format(name=name, step=f"{big:.3g}", grad=f"{grad:.3g}",
                           loss=f"{tr.losses[-1]:.3g}" if len(tr.losses) else "—")
    return "\n".join([line(_("Without clipping"), free), line(_("With clipping"), clipped),
                      _("- Where the surface has its wall, one unclipped step throws the point "
                        "far away; the clipped step keeps its direction but not its size.")])


def norm_inputs():
    """Either the four-cell comparison's settings, the stepper's model and sequence, or None for
    your own uploads (components.upload)."""
    _defaults("source")
    source = st.radio(
        _("Compare"), SOURCES, horizontal=True, key="grad.source",
        format_func=lambda s: {
            "compare": _("tanh RNN, ReLU RNN, GRU and LSTM side by side"),
            "stepper": _("the model and sequence of the step-through"),
            "own": _("your own model and sequence (upload)")}[s],
    )
    if source == "own":
        return source, None
    if source == "stepper":
        choice, weights, steps = st.session_state.get(
            "stepper.current",
            (LECTURE, None, tuple(tuple(r) for r in lee.LECTURE_SEQUENCE.tolist())))
        name = (model_name(choice.kind) if choice.kind in MODELS_IN_STEPPER
                else choice.kind.upper())
        if len(steps) == 2 and steps[0] == "text":  # a shipped model reading text
            length = len(zoo.shipped(choice.kind).labels(steps[1]))
        else:
            length = len(steps)
        units = choice.hidden_size
        st.caption(markup.md(ngettext(
            "{name} ({units} unit) on a {length}-step sequence; L = sum of h_T.",
            "{name} ({units} units) on a {length}-step sequence; L = sum of h_T.",
            units).format(name=name, units=units, length=length))
                   + " " + _("Change them on the LSTM step-through page."))
        return source, (choice, weights, steps)
    c = st.columns(5)
    _defaults("nT", "hidden", "radius", "bf", "nseed")
    steps = c[0].slider("T", 10, 1000, step=10, key="grad.norm_T")
    hidden = c[1].select_slider(_("hidden size"), HIDDEN_SIZES, key="grad.norm_H")
    radius = c[2].slider(_("spectral radius of W_hh"), 0.1, 3.0, step=0.05,
                         key="grad.norm_radius")
    forget = c[3].slider(_("LSTM forget-gate bias"), -5.0, 5.0, step=0.5, key="grad.norm_bf")
    seed = c[4].number_input(_("seed"), 0, 10_000, key="grad.norm_seed")
    st.caption(_("Loss at the last step only: L = sum of h_T. Read the curves from right to "
                 "left: how much of the gradient reaches step t."))
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
        trend = (_("explodes") if slope > 1e-3 else _("vanishes") if slope < -1e-3
                 else _("stays level"))
    else:
        trend = ""
    if not np.isfinite(logs).any() and not np.isnan(logs).any():
        return per100, _("0 at every step")
    if cut is None:
        return per100, trend or _("only one step has a gradient")
    earlier = logs[cut - 1]
    to = "0" if earlier == -np.inf else f"≈0 ({sci(earlier)})"
    if which == "cell" and gn.kind == "lstm":
        what = _("cut to {value} at step {step} by the forget gate")
    else:
        what = _("cut to {value} at step {step}")
    what = what.format(value=to, step=cut + 1)
    if not trend:
        return per100, what
    return per100, _("{trend} back to step {step}, then {cut}").format(trend=trend,
                                                                       step=cut + 1, cut=what)


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
            rows.append({_("model"): MODEL_NAMES.get(name, name), _("gradient"): sym,
                         _("at t = 1"): sci(logs[0]), _("at t = T"): sci(logs[-1]),
                         _("decades per 100 steps back"): per100, _("going back"): words})
    return pd.DataFrame(rows)


def norm_results(result: dict, key: str) -> None:
    """Tab C's chart and table for name → GradNorms, and, in words, anything not computable."""
    presenter.chart(grad_norm_figure(result), "gradient-norm-over-time", key=key)
    st.dataframe(slope_table(result), hide_index=True, width="content")
    for gn in result.values():
        for note in gn.notes:
            st.warning(markup.md(note), icon=":material/warning:")


def training_inputs() -> dict:
    """Settings of a live training run (both models, with and without clipping)."""
    c = st.columns(4)
    seq_len = c[0].slider(_("sequence length"), 10, 200, 30, step=10, key="grad.train_T")
    iterations = c[1].slider(_("iterations"), 50, 2000, 1000, step=50, key="grad.train_iters")
    clip = c[2].select_slider(_("clip threshold"), [0.1, 0.5, 1.0, 2.0, 5.0], 1.0,
                              key="grad.train_clip")
    seed = c[3].number_input(_("seed"), 0, 10_000, 0, key="grad.train_seed")
    st.caption(_("The adding problem: sum the two marked numbers of a length-{length} "
                 "sequence. A tanh RNN and an LSTM (32 units, Adam, learning rate 0.01, batches "
                 "of 32), each with and without clipping; at most {seconds} s in all.").format(
        length=seq_len, seconds=f"{TRAIN_LIMIT_S:.0f}"))
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
    ended = {"done": _("done"), "stopped": _("stopped"), "time_limit": _("time limit"),
             "non_finite": _("not finite")}
    for run in runs.values():
        if not len(run.losses):
            continue
        tail = run.losses[-max(1, len(run.losses) // 10):]
        rows.append({_("run"): run_name(run), _("iterations"): len(run.losses),
                     _("final loss (last 10%)"): f"{np.nanmean(tail):.3g}",
                     _("largest gradient norm"): f"{np.nanmax(run.grad_norms):.3g}",
                     _("clipped steps"): f"{100 * run.clipped.mean():.0f}%",
                     _("ended"): ended.get(run.stop_reason, run.stop_reason)})
    return pd.DataFrame(rows)

"""Stepper controls: First / Previous / Play / Next / Last buttons with keys (Home, ←, Space,
→, End), a speed and a slider.

Owns the session-state key "stepper.step" (1-based, as shown to people) and the URL parameter
step; a page with its own stepper passes its own key, and its play state and speed live under
"<key>.playing" and "<key>.speed". Play moves one step per tick of a fragment that reruns on
its own (st.fragment(run_every=...)), and stops at the last step or on any button.
"""

from __future__ import annotations

import streamlit as st

from components import presenter
from components import url_params as up
from i18n import N_, _

KEY = "stepper.step"
MAX_STEP = 10**9  # larger step numbers in a link are not numbers a sequence can reach
SPEEDS: dict[str, float] = {"slow": 2.0, "normal": 1.0, "fast": 0.5}  # seconds per step
SPEED_TITLES = {"slow": N_("Slow · 2 s"), "normal": N_("1 s a step"),  # translated where shown
                "fast": N_("Fast · 0.5 s")}


def load_url(params) -> list[str]:
    """Seed the step from the URL (clamped later to the sequence); returns invalid names."""
    if "step" not in params:
        return []
    step = up.int_value(up.get(params, "step"), 1, MAX_STEP)
    if step is None:
        return ["step"]
    st.session_state[KEY] = step  # clamped to the sequence when it is drawn
    return []


def url_params(step: int) -> dict[str, str]:
    """The URL parameter that reproduces `step` (1-based)."""
    return {"step": str(step)}


def _move(delta: int | None, target: int | None, steps: int, key: str = KEY) -> None:
    """Button callback: move by `delta` or jump to `target`, staying inside 1..steps; a move
    by hand stops playing."""
    current = st.session_state.get(key, 1)
    new = target if target is not None else current + delta
    st.session_state[key] = max(1, min(steps, new))
    st.session_state[f"{key}.playing"] = False


def _play(steps: int, key: str) -> None:
    """Button callback (and Space): play ↔ pause; playing from the last step starts over."""
    playing = not st.session_state.get(f"{key}.playing", False)
    if playing and st.session_state.get(key, 1) >= steps:
        st.session_state[key] = 1
    st.session_state[f"{key}.playing"] = playing


def tick(steps: int, key: str = KEY) -> bool:
    """One tick of playing: the next step, or stop at the last; returns whether it moved."""
    if not st.session_state.get(f"{key}.playing", False):
        return False
    current = int(st.session_state.get(key, 1))
    if current >= steps:
        st.session_state[f"{key}.playing"] = False
        return False
    st.session_state[key] = current + 1
    if current + 1 >= steps:
        st.session_state[f"{key}.playing"] = False
    return True


def _player(steps: int, key: str, seconds: float) -> None:
    """While playing: a fragment that reruns every `seconds` and moves the page one step."""
    armed = f"{key}.armed"
    st.session_state[armed] = False  # the page's own run draws it; only timer runs tick

    @st.fragment(run_every=seconds)
    def _timer() -> None:
        if not st.session_state.get(armed):
            st.session_state[armed] = True
            return
        if tick(steps, key):
            st.rerun(scope="app")

    _timer()


def stepper_controls(steps: int, key: str = KEY, base: str | None = None,
                     label: str = "", max_step: int | None = None) -> int:
    """Render the controls for a sequence of `steps` steps; returns the current step (0-based).

    key: the session-state key of the step (1-based); another page passes its own, and its
    buttons get keys "<base>.first", "<base>.prev", "<base>.play", ... (base defaults to
    "stepper" for the default key and to `key` otherwise). label: the slider's name (default
    "Step", translated).
    max_step: the last step (1-based) that may be shown yet (a lesson's question waits on the
    next one); the controls stop there.
    """
    total, steps = steps, max(1, min(steps, max_step)) if max_step is not None else steps
    st.session_state[key] = max(1, min(steps, int(st.session_state.get(key, 1))))
    step = st.session_state[key]
    base = base or ("stepper" if key == KEY else key)
    playing = bool(st.session_state.get(f"{key}.playing", False)) and steps > 1
    # The buttons get the whole width (their labels carry the shortcut hints); the slider and
    # the speed sit on their own line below them, so nothing is squeezed on a projector.
    # In presenter view all of it shares one row, leaving the screen's height to the figure.
    compact = presenter.is_on() and steps > 1
    widths = [1.3, 1.5, 1.35, 1.2, 1.2, 2.2, 1.25] if compact else [1.2, 1.3, 1.2, 1.0, 1.0]
    # On a phone the row becomes icons that stay in view (phone.css finds it by its key).
    buttons = st.container(key=f"steprow.{base}").columns(widths, vertical_alignment="center")
    buttons[0].button(
        _("First"), key=f"{base}.first", icon=":material/first_page:", on_click=_move,
        args=(None, 1, steps, key), disabled=step == 1, width="stretch", shortcut="Home",
    )
    buttons[1].button(
        _("Previous"), key=f"{base}.prev", icon=":material/chevron_left:", on_click=_move,
        args=(-1, None, steps, key), disabled=step == 1, width="stretch", shortcut="Left",
    )
    buttons[2].button(
        _("Pause") if playing else _("Play"), key=f"{base}.play", on_click=_play, args=(steps, key),
        icon=":material/pause:" if playing else ":material/play_arrow:", disabled=steps == 1,
        width="stretch", shortcut="Space",
    )
    buttons[3].button(
        _("Next"), key=f"{base}.next", icon=":material/chevron_right:", on_click=_move,
        args=(1, None, steps, key), disabled=step == steps, width="stretch", shortcut="Right",
        type="primary",
    )
    buttons[4].button(
        _("Last"), key=f"{base}.last", icon=":material/last_page:", on_click=_move,
        args=(None, steps, steps, key), disabled=step == steps, width="stretch", shortcut="End",
    )
    if steps > 1:
        slider, speed = buttons[5:] if compact else st.columns([4, 1.3],
                                                               vertical_alignment="center")
        slider.slider(label or _("Step"), 1, steps, key=key, label_visibility="collapsed",
                      persist_state="session")
        choice = speed.selectbox(
            _("Speed"), list(SPEEDS), index=1, format_func=lambda s: _(SPEED_TITLES[s]),
            key=f"{base}.speed", label_visibility="collapsed",
            help=_("How fast Play (Space) moves on"))
        if playing:
            _player(steps, key, SPEEDS[choice or "normal"])
    else:
        st.caption(_("This sequence has a single step.") if total == 1 else
                   _("The next step waits for the answer to the question below."))
    return st.session_state[key] - 1

"""Stepper controls: First / Previous / Next / Last buttons (with arrow-key shortcuts) and a slider.

Owns the session-state key "stepper.step" (1-based, as shown to people) and the URL parameter
step.
"""

from __future__ import annotations

import streamlit as st

from components import url_params as up

KEY = "stepper.step"
MAX_STEP = 10**9  # larger step numbers in a link are not numbers a sequence can reach


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
    """Button callback: move by `delta` or jump to `target`, staying inside 1..steps."""
    current = st.session_state.get(key, 1)
    new = target if target is not None else current + delta
    st.session_state[key] = max(1, min(steps, new))


def stepper_controls(steps: int, key: str = KEY) -> int:
    """Render the controls for a sequence of `steps` steps; returns the current step (0-based).

    key: the session-state key of the step (1-based); another page passes its own, and its
    buttons get keys "<key>.first", "<key>.prev", ... (the default keeps "stepper.first", ...).
    """
    st.session_state[key] = max(1, min(steps, int(st.session_state.get(key, 1))))
    step = st.session_state[key]
    base = "stepper" if key == KEY else key
    # The buttons get the whole width (their labels carry the shortcut hints); the slider sits
    # on its own line below them, so neither is squeezed on a laptop or a projector.
    buttons = st.columns([1.2, 1.3, 1.0, 1.0], vertical_alignment="center")
    buttons[0].button(
        "First", key=f"{base}.first", icon=":material/first_page:", on_click=_move,
        args=(None, 1, steps, key), disabled=step == 1, width="stretch", shortcut="Home",
    )
    buttons[1].button(
        "Previous", key=f"{base}.prev", icon=":material/chevron_left:", on_click=_move,
        args=(-1, None, steps, key), disabled=step == 1, width="stretch", shortcut="Left",
    )
    buttons[2].button(
        "Next", key=f"{base}.next", icon=":material/chevron_right:", on_click=_move,
        args=(1, None, steps, key), disabled=step == steps, width="stretch", shortcut="Right",
        type="primary",
    )
    buttons[3].button(
        "Last", key=f"{base}.last", icon=":material/last_page:", on_click=_move,
        args=(None, steps, steps, key), disabled=step == steps, width="stretch", shortcut="End",
    )
    if steps > 1:
        st.slider("Step", 1, steps, key=key, label_visibility="collapsed",
                  persist_state="session")
    else:
        st.caption("This sequence has a single step.")
    return st.session_state[key] - 1

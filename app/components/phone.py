"""Phones and small screens: the layout below 640 px (phone.css) and stepping by swiping the
main figure (phone.js).

phone.css stacks the page into one column, keeps every figure and table inside the screen's
width (tables scroll inside themselves) and turns a stepper's buttons into one compact row of
icons that stays at the top of the screen while the figure under it scrolls. phone.js steps a
stepper when its figure is swiped: to the left for Next, to the right for Previous.

A page puts its main figure in `swipe_area(<the stepper's button key base>)`. Owns no
session state. A phone (its browser says "Mobi" in its user agent, as phone browsers do) is
never shown presenter view's large type; `is_phone` says whether this session's browser is
one.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
CSS = HERE / "phone.css"
JS = HERE / "phone.js"
SWIPE = "swipe."  # key prefix of a swipe area: phone.js finds it by its class st-key-swipe-…


def is_phone() -> bool:
    """Whether this session's browser is a phone's (MDN's advice: "Mobi" in the user agent;
    tablets and desktop browsers leave it out)."""
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


def install() -> None:
    """The browser parts, on every page: the small-screen CSS and the swipe script."""
    st.html(CSS)
    st.html(f"<script>{JS.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)


def swipe_area(base: str):
    """A container whose horizontal swipes press the Next / Previous buttons of the stepper
    whose buttons are keyed `<base>.next` / `<base>.prev` (stepper_controls' `base`)."""
    return st.container(key=SWIPE + base)

"""Presenter view: the page's main figure, its story and the stepping controls on one projector
screen, with figure text a class can read.

Owns the session-state key "presenter.on" and the URL parameter `present` (1 turns it on, 0
off). The state lives in the session, so it survives moving between pages; the router writes
`present=1` back into every page's link while it is on. The look lives in presenter.css and
figures.style.presenter; presenter.js adds the "?" key and the SVG download to every chart.
A phone never gets presenter view: a presenter link opened on one shows the phone layout
(components.phone), and presenter.css applies only to screens wider than a phone's.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from components import phone
from components import url_params as up
from figures import style

KEY = "presenter.on"
PARAM = "present"
HERE = Path(__file__).resolve().parent
CSS = HERE / "presenter.css"
JS = HERE / "presenter.js"
WIDEST_PHONE = 640  # px: phone.css's breakpoint; presenter.css applies only above it
FIT = "presenter-fit."  # key prefix of a main figure's box; presenter.js gives it the screen


def load_url(params) -> list[str]:
    """Follow `present=1` / `present=0` in the link; returns the name when its value is not
    a yes or no."""
    raw = up.get(params, PARAM)
    if raw is None:
        return []
    value = up.bool_value(raw)
    if value is None:
        del params[PARAM]  # said once in the toast, not again on every click
        return [PARAM]
    st.session_state[KEY] = value
    return []


def wanted() -> bool:
    """Whether presenter view was asked for (button, key P or the link)."""
    return bool(st.session_state.get(KEY, False))


def is_on() -> bool:
    """Whether this page is shown in presenter view: asked for, and not on a phone."""
    return wanted() and not phone.is_phone()


def toggle() -> None:
    """Button callback (and key P): presenter view on ↔ off, the link following."""
    st.session_state[KEY] = not wanted()
    if wanted():
        st.query_params[PARAM] = "1"
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def keep_in_url() -> None:
    """Put `present=1` back into the link after a page rewrote its parameters."""
    if wanted() and st.query_params.get(PARAM) != "1":
        st.query_params[PARAM] = "1"


def install() -> None:
    """The browser parts (every page): presenter view's CSS while it is on; the "?" key and the
    charts' SVG download always."""
    if is_on():  # a desktop browser in a phone-narrow window keeps the phone layout
        st.html(f"<style>@media (min-width: {WIDEST_PHONE + 1}px) {{\n"
                f"{CSS.read_text(encoding='utf-8')}\n}}</style>")
    st.html(f"<script>{JS.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)


def figure(fig: go.Figure) -> go.Figure:
    """`fig` in presenter view's look when presenter view is on, else unchanged."""
    return style.presenter(fig) if is_on() else fig


def chart(fig: go.Figure, name: str, step: int | None = None, *, key: str,
          config: dict | None = None, fit: bool = False, **kwargs):
    """st.plotly_chart for every figure of the app: presenter view's look when it is on, and
    PNG (2×) / SVG downloads named after `name` and `step` (1-based).

    fit: the page's main figure. In presenter view it takes the screen's height from its top
    down to the bottom edge (presenter.js sizes its box; the chart stretches to fill it), so
    the whole figure is on the screen whatever the projector's size. Otherwise it keeps its
    own height.
    """
    config = style.chart_config(name, step, **(config or {}))
    if not (fit and is_on()):
        return st.plotly_chart(figure(fig), key=key, config=config, **kwargs)
    shown = figure(fig)
    shown.layout.height = None  # the box's height, which presenter.js sets from the screen
    with st.container(key=FIT + key, height=shown_height(fig), border=False):
        return st.plotly_chart(shown, key=key, config=config, height="stretch", **kwargs)


def shown_height(fig: go.Figure) -> int:
    """The figure's own height (px), or Plotly's default: what a main figure's box starts with
    until presenter.js measures the screen."""
    return int(fig.layout.height or 450)


def title(text: str, intro: str) -> None:
    """A page's title and its intro caption (markdown). In presenter view the intro folds into
    the title's help tooltip (hover the "?" beside it), leaving the screen to the figure."""
    if is_on():
        st.title(text, help=intro)
    else:
        st.title(text)
        st.caption(intro)


def inputs(label: str):
    """Where a page puts the inputs that sit above its stepper: folded into a closed expander
    in presenter view (the figure gets the screen), an ordinary container otherwise."""
    return st.expander(label, icon=":material/tune:") if is_on() else st.container()

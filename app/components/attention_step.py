"""The attention lab's stepper and the figures of its step: where the step looks, the context
vector, the next characters and the attention matrix. On the page they sit as they always
have; in presenter view the matrix takes the screen's height beside the next characters and
the context vector moves below the fold. A swipe across the figures on a phone steps
(components.phone). Owns no session state (the step is attention_controls.STEP)."""

from __future__ import annotations

import streamlit as st

import markup
from components import attention_controls as ctl
from components import phone, presenter
from components.stepper_controls import stepper_controls
from engine.attention import Translation
from figures import attention as fig
from i18n import _

CHART = {"displayModeBar": False}


def step_view(reading: Translation) -> None:
    """The controls, the step's line and its figures."""
    steps = len(reading.output_tokens)
    t = stepper_controls(steps, key=ctl.STEP)
    st.query_params.from_dict(ctl.link_params(reading.text, t + 1))
    top_char, top_p = reading.top(t, 1)[0]
    with st.container(key="attention.story"):
        st.markdown(_("Step {step} of {steps} · writes **{char}** ({p}) · so far **{so_far}**")
                    .format(step=t + 1, steps=steps, char=markup.md(reading.output_tokens[t]),
                            p=f"{top_p:.1%}", so_far=markup.md(reading.output[: t + 1])))
    with phone.swipe_area(ctl.STEP):
        (presented if presenter.is_on() else figures)(reading, t)


def looks(reading: Translation, t: int) -> None:
    st.markdown(_("**Where step {step} looks** (attention weights over the input)")
                .format(step=t + 1))
    st.html(fig.input_weights_html(reading, t))


def context(reading: Translation, t: int) -> None:
    st.markdown(_("**Context vector** c = Σ weight × encoder state (what this step "
                  "reads)"))
    presenter.chart(fig.context_figure(reading.contexts[t], reading.encoder_states.shape[1]
                                       // 2).update_layout(dragmode=False),
                    "attention-context", t + 1,
                    config=None if presenter.is_on() else CHART, key="attention.context")


def next_chars(reading: Translation, t: int) -> None:
    st.markdown(_("**Top 5 next characters**"))
    st.html(fig.next_chars_html(reading, t))


def matrix(reading: Translation, t: int, fit: bool = False) -> None:
    st.markdown(_("**The attention matrix**, one row per output character, filled up to "
                  "this step"))
    # no drag-zoom: a finger's swipe across the matrix steps (components.phone)
    presenter.chart(fig.attention_matrix(reading, t).update_layout(dragmode=False),
                    "attention-matrix", t + 1, fit=fit,
                    config=None if presenter.is_on() else CHART, key="attention.matrix")


def figures(reading: Translation, t: int) -> None:
    """The page's own layout: the weights and the context beside the next characters, then
    the matrix."""
    left, right = st.columns([7, 3], gap="medium")
    with left:
        looks(reading, t)
        context(reading, t)
    with right:
        next_chars(reading, t)
    matrix(reading, t)


def presented(reading: Translation, t: int) -> None:
    """Presenter view: the weights, then the matrix (the screen's height) beside the next
    characters; the context vector below the fold."""
    looks(reading, t)
    left, right = st.columns([7, 3], gap="medium")
    with left:
        matrix(reading, t, fit=True)
    with right:
        next_chars(reading, t)
    context(reading, t)

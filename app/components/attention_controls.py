"""Attention-lab controls: the date to translate (typed, or one of the written forms), the step,
and the page's link.

Owns the session-state keys under "attention.": text (the text box), form (the form picker),
good (the last text the models could read, kept on the page when a new one is refused) and
step (1-based). URL parameters: text, step.
"""

from __future__ import annotations

import streamlit as st

from components import url_params
from engine import attention, date_data
from i18n import N_, _

TEXT = "attention.text"
FORM = "attention.form"
GOOD = "attention.good"
STEP = "attention.step"
DEFAULT_TEXT = date_data.FORMS["abbr_dot_ordinal"]
_LOADED = "attention.url_loaded"
# The two models' names on the page (engine.attention.MODEL_TITLES in the reader's language).
TITLES = {"attention": N_("With attention"), "plain": N_("Plain (no attention)")}


def titles() -> dict[str, str]:
    """The models' names in the reader's language: model → name."""
    return {name: _(TITLES.get(name, title)) for name, title in attention.MODEL_TITLES.items()}


def load_url(params) -> None:
    """On a session's first run of the page, seed the text and step from the link; names the
    parameters that were not valid in a toast."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    bad = []
    text = url_params.text_value(url_params.get(params, "text"), attention.MAX_INPUT_CHARS)
    step = url_params.int_value(url_params.get(params, "step"), 1,
                                attention.TranslatorConfig("none").max_output)
    for name, value in (("text", text), ("step", step)):
        if name in params and value is None:
            bad.append(name)
    if text is not None:
        st.session_state[TEXT] = text
    if step is not None:
        st.session_state[STEP] = step
    url_params.warn_ignored(bad)


def link_params(text: str, step: int) -> dict[str, str]:
    """The URL parameters that reproduce the page: the text (unless it is the default) and the
    step (1-based)."""
    params = {} if text == DEFAULT_TEXT else {"text": text}
    return params | {"step": str(step)}


def _picked() -> None:
    """Form-picker callback: the picked form's example becomes the text, from step 1."""
    form = st.session_state.get(FORM)
    if form in date_data.FORMS:
        st.session_state[TEXT] = date_data.FORMS[form]
        st.session_state[STEP] = 1


def _typed() -> None:
    """Text-box callback: a new text starts at step 1."""
    st.session_state[STEP] = 1


def date_input() -> str:
    """The text box and the form picker; returns the text in the box."""
    st.session_state.setdefault(TEXT, DEFAULT_TEXT)
    text = st.text_input(
        _("A date as people write it (up to {limit} characters)").format(
            limit=attention.MAX_INPUT_CHARS), key=TEXT,
        on_change=_typed,
        help=_("Any letter case; years 1900–2099. Characters the models never saw (say “!”) "
               "are read as “unknown”. Press Enter to apply."))
    st.pills(_("Or pick a written form"), list(date_data.FORMS), key=FORM, on_change=_picked,
             format_func=date_data.FORMS.get, selection_mode="single")
    return text


def remember(text: str) -> None:
    """Keep `text` as the last one the models read."""
    st.session_state[GOOD] = text


def last_good() -> str:
    """The last text the models read (the default before any)."""
    return st.session_state.get(GOOD, DEFAULT_TEXT)

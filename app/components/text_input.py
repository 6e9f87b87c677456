"""Text input for the shipped models that read text (a sentence, a paragraph).

Owns the session-state keys under "text." (one text per model, so switching models keeps what
was typed for each) and the URL parameter text.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components import url_params as up
from engine import zoo
from errors import say
from i18n import _

MAX_CHARS = 2_000  # longest text a shipped model steps through here
URL_MAX_CHARS = 300  # longer texts are not put in the link
_URL_TEXT = "text.from_url"  # the text a link carried, until a model picks it up


@dataclass
class TextChoice:
    """The text to run, or why there is none."""

    text: str  # what was typed (stripped of surrounding whitespace)
    error: str | None  # what is wrong, written for the user
    fix: None = None  # (same shape as the sequence editor's choice; no automatic fix here)


def _key(model: str) -> str:
    return f"text.{model}"


def load_url(params) -> list[str]:
    """Remember a text from the link; returns the names that were not valid."""
    if "text" not in params:
        return []
    text = up.text_value(up.get(params, "text"), MAX_CHARS)
    if text is None:
        return ["text"]
    st.session_state[_URL_TEXT] = text
    return []


def url_params(model: str, choice: TextChoice) -> dict[str, str]:
    """The URL parameters that reproduce the text (none when it is the default or too long)."""
    if choice.text == zoo.shipped(model).default_text or len(choice.text) > URL_MAX_CHARS:
        return {}
    return {"text": choice.text}


def text_input(model: str) -> TextChoice:
    """A text area for `model`'s input, with its default text; returns the checked text."""
    entry = zoo.shipped(model)
    key = _key(model)
    if _URL_TEXT in st.session_state:
        st.session_state[key] = st.session_state.pop(_URL_TEXT)
    st.session_state.setdefault(key, entry.default_text)
    text = st.text_area(
        _("Text"), key=key, height=110, max_chars=MAX_CHARS,
        help=_("{model} reads this text one step at a time. Press Ctrl+Enter to apply.").format(
            model=entry.title),
    )
    st.button(_("Back to the example text"), key=f"{key}.reset", icon=":material/undo:",
              on_click=lambda: st.session_state.update({key: entry.default_text}),
              disabled=text == entry.default_text)
    text = (text or "").strip()
    if not text:
        return TextChoice(text, _("The text is empty: type a sentence for the model to read."))
    try:
        entry.encode(text)
    except ValueError as err:
        return TextChoice(text, _("The model cannot read this text: {reason}").format(
            reason=say(err, markdown=False)))
    return TextChoice(text, None)

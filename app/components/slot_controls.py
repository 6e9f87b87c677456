"""Slot-filling lab controls: tagger and encoding pickers, the two sentences, the word stepper.

Owns the session-state keys under "slots." (model, encoding, a, b, step; step is 1-based) and
the URL parameters a, b, tagger, encoding and step.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components import url_params
from components.stepper_controls import stepper_controls
from engine import slots

KEY_STEP = "slots.step"
MAX_CHARS = 300  # longest sentence the text boxes (and links) take: a ticket request is short
_LOADED = "slots.url_loaded"
# Tagger names short enough for one row of buttons.
SHORT_TITLES = {"feedforward": "Feed-forward (no memory)", "elman": "Elman", "jordan": "Jordan",
                "lstm": "LSTM", "bilstm": "Bidirectional LSTM"}


@dataclass
class Sentences:
    """The two sentences and what is wrong with each (None when fine)."""

    texts: tuple[str, str]  # sentence A, sentence B as typed
    errors: tuple[str | None, str | None]  # a message for the user per sentence


def load_url(params) -> None:
    """On a session's first run of the page, seed the sentences, tagger, encoding and step from
    the link; names the parameters that were not valid in a toast."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    parsed = {
        "a": ("slots.a", url_params.text_value(url_params.get(params, "a"), MAX_CHARS)),
        "b": ("slots.b", url_params.text_value(url_params.get(params, "b"), MAX_CHARS)),
        "tagger": ("slots.model",
                   url_params.choice_value(url_params.get(params, "tagger"), slots.MODELS)),
        "encoding": ("slots.encoding",
                     url_params.choice_value(url_params.get(params, "encoding"), slots.ENCODINGS)),
        "step": (KEY_STEP, url_params.int_value(url_params.get(params, "step"), 1,
                                                slots.MAX_TOKENS)),
    }
    for key, value in parsed.values():
        if value is not None:
            st.session_state[key] = value
    url_params.warn_ignored(name for name, (_, value) in parsed.items()
                            if name in params and value is None)


def link_params(texts: tuple[str, str], model: str, encoding: str,
                step: int | None = None) -> dict[str, str]:
    """The URL parameters that reproduce the page (`step`: 1-based, None while a sentence is
    not valid)."""
    params = {"a": texts[0], "b": texts[1], "tagger": model, "encoding": encoding}
    return params | ({"step": str(step)} if step is not None else {})


def pickers() -> tuple[str, str]:
    """The tagger and the word encoding the user picked."""
    left, right = st.columns([5, 2], gap="medium")
    st.session_state.setdefault("slots.model", "lstm")
    model = left.segmented_control(
        "Tagger", list(slots.MODELS), format_func=SHORT_TITLES.get, key="slots.model",
        required=True,
        help="Feed-forward sees one word at a time; the others carry a memory from word to "
        "word (the bidirectional LSTM also reads the sentence backwards).")
    encoding = right.radio(
        "Word encoding", list(slots.ENCODINGS), format_func=slots.ENCODINGS.get,
        key="slots.encoding",
        help="1-of-N: one dimension per known word, plus “other” for every unknown word. "
        f"Word hashing: letter trigrams with boundaries (#ta, tai, …) in {slots.HASH_DIM} "
        "buckets. Each encoding has its own trained taggers.")
    return model or "lstm", encoding


def sentence_inputs() -> Sentences:
    """Two text boxes side by side with the lecture's sentences as defaults, and their limit
    in words."""
    texts, errors = [], []
    for col, key, default, name in zip(
            st.columns(2, gap="large"), ("slots.a", "slots.b"), slots.LECTURE_SENTENCES,
            ("Sentence A", "Sentence B"), strict=True):
        st.session_state.setdefault(key, default)
        text = col.text_input(
            name, key=key, max_chars=MAX_CHARS,
            help=f"Up to {slots.MAX_TOKENS} words ({MAX_CHARS} characters), separated by spaces.")
        try:
            slots.check_sentence(text)
            errors.append(None)
        except ValueError as problem:
            errors.append(f"{name}: {problem}")
        texts.append(text)
    st.caption(f"Each sentence: up to {slots.MAX_TOKENS} words ({MAX_CHARS} characters); every "
               "word gets one slot.")
    return Sentences(texts=(texts[0], texts[1]), errors=(errors[0], errors[1]))


def word_stepper(steps: int, max_step: int | None = None) -> int:
    """The stepper's buttons (with its keys), slider and Play over `steps` words (up to
    `max_step` while a lesson's question waits); returns the word (0-based)."""
    return stepper_controls(steps, key=KEY_STEP, base="slots", label="Word", max_step=max_step)

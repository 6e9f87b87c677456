"""Slot-filling lab controls: tagger and encoding pickers, the two sentences, the word stepper.

Owns the session-state keys under "slots." (model, encoding, a, b, step; step is 1-based) and
the URL parameters a, b, tagger, encoding and step. The word stepper runs in the browser
(components.browser_stepper): both sentences' steps are drawn by figures.slot_frames, and a
step moves with no script rerun.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import i18n
import resources
from components import browser_stepper, phone, presenter, url_params
from engine import slots
from figures.slot_frames import step_line
from i18n import N_, _, ngettext

KEY_STEP = "slots.step"
MAX_CHARS = 300  # longest sentence the text boxes (and links) take: a ticket request is short
# words sent at once: a word's drawing holds every word read so far (40 words: ~1.2 MB for all,
# ~0.6 MB for a window of 8), so a long pair of sentences ships a window of words
SLOT_WINDOW = 8
_LOADED = "slots.url_loaded"
CSS = Path(__file__).resolve().parent / "slot_stepper.css"
# Tagger names short enough for one row of buttons.
SHORT_TITLES = {"feedforward": N_("Feed-forward (no memory)"), "elman": "Elman",
                "jordan": "Jordan", "lstm": "LSTM", "bilstm": N_("Bidirectional LSTM")}
# engine.slots.MODEL_TITLES and ENCODINGS, marked for translation (the engine has no words).
TITLES = {"feedforward": N_("Feed-forward (no memory)"), "elman": N_("Elman RNN"),
          "jordan": N_("Jordan RNN"), "lstm": "LSTM", "bilstm": N_("Bidirectional LSTM")}
ENCODINGS = {"onehot": N_("1-of-N + “other”"), "trigram": N_("word hashing (letter trigrams)")}


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


def title(model: str) -> str:
    """The tagger's name in the reader's language."""
    return _(TITLES[model])


def pickers() -> tuple[str, str]:
    """The tagger and the word encoding the user picked."""
    left, right = st.columns([5, 2], gap="medium")
    st.session_state.setdefault("slots.model", "lstm")
    model = left.segmented_control(
        _("Tagger"), list(slots.MODELS), format_func=lambda m: _(SHORT_TITLES[m]),
        key="slots.model", required=True,
        help=_("Feed-forward sees one word at a time; the others carry a memory from word to "
               "word (the bidirectional LSTM also reads the sentence backwards)."))
    encoding = right.radio(
        _("Word encoding"), list(slots.ENCODINGS), format_func=lambda e: _(ENCODINGS[e]),
        key="slots.encoding",
        help=_("1-of-N: one dimension per known word, plus “other” for every unknown word. "
               "Word hashing: letter trigrams with boundaries (#ta, tai, …) in {buckets} "
               "buckets. Each encoding has its own trained taggers.").format(
            buckets=slots.HASH_DIM))
    return model or "lstm", encoding


def _problem(name: str, text: str) -> str | None:
    """What is wrong with sentence `name`'s `text` in the reader's words; None when fine."""
    try:
        slots.check_sentence(text)
    except ValueError:  # the engine refuses an empty or too long sentence: the app words it
        count = len(slots.tokens(text))
        if not count:
            return _("{name}: The sentence is empty: type a few words, e.g. “arrive Taipei on "
                     "November 2nd”.").format(name=name)
        return ngettext("{name}: The sentence has {count} word; at most {limit} are tagged "
                        "here.", "{name}: The sentence has {count} words; at most {limit} are "
                        "tagged here.", count).format(name=name, count=count,
                                                      limit=slots.MAX_TOKENS)
    return None


def sentence_inputs() -> Sentences:
    """Two text boxes side by side with the lecture's sentences as defaults, and their limit
    in words."""
    texts, errors = [], []
    for col, key, default, name in zip(
            st.columns(2, gap="large"), ("slots.a", "slots.b"), slots.LECTURE_SENTENCES,
            (_("Sentence A"), _("Sentence B")), strict=True):
        st.session_state.setdefault(key, default)
        text = col.text_input(
            name, key=key, max_chars=MAX_CHARS,
            help=_("Up to {words} words ({chars} characters), separated by spaces.").format(
                words=slots.MAX_TOKENS, chars=MAX_CHARS))
        errors.append(_problem(name, text))
        texts.append(text)
    st.caption(_("Each sentence: up to {words} words ({chars} characters); every word gets one "
                 "slot.").format(words=slots.MAX_TOKENS, chars=MAX_CHARS))
    return Sentences(texts=(texts[0], texts[1]), errors=(errors[0], errors[1]))


def word_stepper(texts: tuple[str, str], model: str, encoding: str, readings,
                 max_step: int | None = None) -> int:
    """Both sentences stepped word by word in the browser (buttons, keys, slider, Play,
    swipe), up to `max_step` while a lesson's question waits; returns the word Python knows
    (0-based). `readings`: engine.slots.Reading of A and B."""
    a, b = readings
    look = "present" if presenter.is_on() else "phone" if phone.is_phone() else "wide"
    lang = i18n.current()
    st.html(CSS)
    with st.container(key="slots-stepper"):
        return browser_stepper.browser_stepper(
            max(a.steps, b.steps),
            lambda first, last: resources.get_slot_frames(texts, model, encoding, look, first,
                                                          last, lang),
            lambda first, last: [step_line(a, b, t) for t in range(first, last)],
            step_key=KEY_STEP, key="slots",
            ident=browser_stepper.identity(texts, model, encoding, look),
            max_step=max_step, timeline="slots-none", name=f"slots-{model}",
            window=SLOT_WINDOW)

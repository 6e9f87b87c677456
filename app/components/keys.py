"""The page's keys: a "Keys" button (and the "?" key, through presenter.js) opening a dialog
that lists every key the page answers to.

Keys never fire while the cursor is in a text box, a number box or a select: typing there
types. R and C are Streamlit's own (rerun, clear cache) and are never used.
"""

from __future__ import annotations

import streamlit as st

from i18n import N_, _

BUTTON = "keys-open"  # the button's key: presenter.js clicks it on "?"

# (key, what it does): English, shown through _() (a key's name too: "Space" is 空白鍵)
EVERY_PAGE: list[tuple[str, str]] = [
    ("P", N_("Presenter view on / off")),
    ("?", N_("This list of keys")),
    ("Esc", N_("Close this list")),
]
# What the stepping keys do, one whole sentence per thing a page steps over.
STEPPING: dict[str, tuple[str, str, str]] = {
    "step": (N_("Previous / next step"), N_("First / last step"),
             N_("Play / pause: move to the next step at the chosen speed")),
    "word": (N_("Previous / next word"), N_("First / last word"),
             N_("Play / pause: move to the next word at the chosen speed")),
    "character": (N_("Previous / next character"), N_("First / last character"),
                  N_("Play / pause: move to the next character at the chosen speed")),
    "output character": (N_("Previous / next output character"),
                         N_("First / last output character"),
                         N_("Play / pause: move to the next output character at the chosen "
                            "speed")),
}


def stepping(what: str) -> list[tuple[str, str]]:
    """The keys of a stepper over `what` (a key of STEPPING: "step", "word", "character" …)."""
    back_next, first_last, play = STEPPING[what]
    return [("← / →", back_next), ("Home / End", first_last), (N_("Space"), play)]


# Page (its url path; "" for home) → its own keys, in the order they are listed.
PAGE_KEYS: dict[str, list[tuple[str, str]]] = {
    "": [],
    "slots": stepping("word"),
    "stepper": stepping("step"),
    "charlm": stepping("character"),
    "gradients": [],
    "ctc": [(N_("← / → · Home / End · Space"),
             N_("Step α through the frames, when its animation is open"))],
    "embeddings": [],
    "attention": stepping("output character"),
}


def page_keys(page: str) -> list[tuple[str, str]]:
    """Every key of `page` (url path): its own, then the ones of every page."""
    return PAGE_KEYS.get(page, []) + EVERY_PAGE


def _list(page: str) -> None:
    """The dialog's content: a table of `page`'s keys, and when they do nothing."""
    rows = "\n".join(f"| {_(key)} | {_(what)} |" for key, what in page_keys(page))
    st.markdown("| {key} | {what} |\n|---|---|\n".format(key=_("Key"), what=_("What it does"))
                + rows)
    st.caption(_("Keys do nothing while the cursor is in a text or number box: click outside it "
                 "first. A presenter's clicker sends ← / → (or PageUp / PageDown)."))


def keys_button(page: str, *, where=st) -> None:
    """The "Keys" button; a click (or "?") opens the list of `page`'s keys."""
    if where.button(_("Keys"), key=BUTTON, icon=":material/keyboard:", type="tertiary",
                    help=_("Every key of this page (or press ?)")):
        st.dialog(_("Keys"), width="medium")(_list)(page)  # titled in the reader's language

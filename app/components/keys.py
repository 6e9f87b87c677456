"""The page's keys: a "Keys" button (and the "?" key, through presenter.js) opening a dialog
that lists every key the page answers to.

Keys never fire while the cursor is in a text box, a number box or a select: typing there
types. R and C are Streamlit's own (rerun, clear cache) and are never used.
"""

from __future__ import annotations

import streamlit as st

BUTTON = "keys-open"  # the button's key: presenter.js clicks it on "?"

EVERY_PAGE: list[tuple[str, str]] = [
    ("P", "Presenter view on / off"),
    ("?", "This list of keys"),
    ("Esc", "Close this list"),
]


def stepping(what: str) -> list[tuple[str, str]]:
    """The keys of a stepper over `what` (e.g. "step", "word", "character")."""
    return [
        ("← / →", f"Previous / next {what}"),
        ("Home / End", f"First / last {what}"),
        ("Space", f"Play / pause: move to the next {what} at the chosen speed"),
    ]


# Page (its url path; "" for home) → its own keys, in the order they are listed.
PAGE_KEYS: dict[str, list[tuple[str, str]]] = {
    "": [],
    "slots": stepping("word"),
    "stepper": stepping("step"),
    "charlm": stepping("character"),
    "gradients": [],
    "ctc": [("← / → · Home / End · Space",
             "Step α through the frames, when its animation is open")],
    "embeddings": [],
    "attention": stepping("output character"),
}


def page_keys(page: str) -> list[tuple[str, str]]:
    """Every key of `page` (url path): its own, then the ones of every page."""
    return PAGE_KEYS.get(page, []) + EVERY_PAGE


@st.dialog("Keys", width="medium")
def _dialog(page: str) -> None:
    rows = "\n".join(f"| {key} | {what} |" for key, what in page_keys(page))
    st.markdown("| Key | What it does |\n|---|---|\n" + rows)
    st.caption("Keys do nothing while the cursor is in a text or number box: click outside it "
               "first. A presenter's clicker sends ← / → (or PageUp / PageDown).")


def keys_button(page: str, *, where=st) -> None:
    """The "Keys" button; a click (or "?") opens the list of `page`'s keys."""
    if where.button("Keys", key=BUTTON, icon=":material/keyboard:", type="tertiary",
                    help="Every key of this page (or press ?)"):
        _dialog(page)

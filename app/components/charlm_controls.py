"""Character-LSTM controls: the text, the chosen cell, and the page's link.

Owns the session-state keys under "charlm." — text, series, feature, step (1-based) and cell.
"charlm.cell" (the chosen cell's index) is the one truth about the chosen cell: the picker, both
ranking tables and the legend read it, and each of them writes it; the widgets' own states are
copied from it on every run, so no widget can show another cell than the one the text is
coloured by. URL parameters: text, step, cell, series, feature.
"""

from __future__ import annotations

import streamlit as st

from components import url_params
from engine import charlm
from i18n import N_, _

TEXT = "charlm.text"
SERIES = "charlm.series"
FEATURE = "charlm.feature"
STEP = "charlm.step"
CELL = "charlm.cell"
PICKER = "charlm.cell.picker"  # the picker widget's own state (a copy of CELL)
TABLES = ("charlm.best", "charlm.top")  # the ranking tables' selection states
URL_MAX_CHARS = 300  # longer texts are left out of the link (as in the step-through)
SERIES_TITLES = {"c": N_("memory c"), "h": N_("output h")}
# What colours the text, per series: "memory c of c7" (the engine's names are English).
_CELL_LABELS = {"c": N_("memory c of {cell}"), "h": N_("output h of {cell}")}
FEATURE_TITLES = {
    "in_quotes": N_("inside quotes"), "in_parens": N_("inside parentheses"),
    "paren_depth": N_("parenthesis depth"), "pos_in_word": N_("position in word"),
    "pos_in_line": N_("position in line"), "after_space": N_("after a space"),
    "is_letter": N_("letter"), "is_upper": N_("upper case"),
}
FEATURE_TEXTS = {
    "in_quotes": N_('inside "double quotes" (the opening quote counts, the closing one does '
                    "not)"),
    "in_parens": N_("inside parentheses (depth > 0 after the character)"),
    "paren_depth": N_("parenthesis nesting depth"),
    "pos_in_word": N_("position in the current word (1, 2, 3, ...; 0 outside words)"),
    "pos_in_line": N_("characters since the last newline"),
    "after_space": N_("the character is a space (the next one follows a space)"),
    "is_letter": N_("the character is a letter"),
    "is_upper": N_("the character is an upper-case letter"),
}
_LOADED = "charlm.url_loaded"
_LINK_FEATURE = "charlm.feature.from_url"  # a link's feature, until the text's ranking is known


def load_url(params, cell_names: list[str]) -> None:
    """On a session's first run of the page, seed text, series, step, cell and feature from the
    link; names the parameters that were not valid in a toast."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    bad = []
    parsed = {
        "text": url_params.text_value(url_params.get(params, "text"), charlm.MAX_CHARS),
        "step": url_params.int_value(url_params.get(params, "step"), 1, charlm.MAX_CHARS),
        "cell": url_params.choice_value(url_params.get(params, "cell"), cell_names),
        "series": url_params.choice_value(url_params.get(params, "series"), SERIES_TITLES),
        "feature": url_params.choice_value(url_params.get(params, "feature"), charlm.FEATURES),
    }
    for name, value in parsed.items():
        if name in params and value is None:
            bad.append(name)
    seeds = {"text": TEXT, "step": STEP, "series": SERIES, "feature": _LINK_FEATURE}
    for name, key in seeds.items():
        if parsed[name] is not None:
            st.session_state[key] = parsed[name]
    if parsed["cell"] is not None:
        st.session_state[CELL] = cell_names.index(parsed["cell"])
    url_params.warn_ignored(bad)


def link_params(text: str, cell_name: str | None = None) -> dict[str, str]:
    """The URL parameters that reproduce the page: the text (unless it is the example or too
    long for a link), the step, the cell, the series and the feature."""
    params = {}
    if text != charlm.DEFAULT_TEXT and len(text) <= URL_MAX_CHARS:
        params["text"] = text
    if cell_name is None:
        return params
    params |= {"step": str(st.session_state.get(STEP, 1)), "cell": cell_name,
               "series": str(st.session_state.get(SERIES, "c"))}
    if st.session_state.get(FEATURE) is not None:
        params["feature"] = str(st.session_state[FEATURE])
    return params


def text_area() -> str:
    """The text box (the example text until the user or a link changes it)."""
    st.session_state.setdefault(TEXT, charlm.DEFAULT_TEXT)
    return st.text_area(
        _("Text (up to {limit} characters)").format(limit=f"{charlm.MAX_CHARS:,}"), key=TEXT,
        height=130, help=_("1 to {limit} characters; the model knows printable ASCII and the "
                           "newline. Press Ctrl+Enter to apply.").format(
                               limit=f"{charlm.MAX_CHARS:,}"))


def text_problem(text: str) -> str | None:
    """Why the model cannot read `text` (empty, or longer than charlm.MAX_CHARS), in the
    reader's language; None when it can (the engine's check_text says the same in English)."""
    if not text:
        return _("Cannot read this text: it is empty. Type at least one character.")
    if len(text) > charlm.MAX_CHARS:
        return _("Cannot read this text: it has {count} characters; the most this lab reads is "
                 "{limit}.").format(count=f"{len(text):,}", limit=f"{charlm.MAX_CHARS:,}")
    return None


def series_picker() -> str:
    """Memory c or output h."""
    st.session_state.setdefault(SERIES, "c")
    return st.segmented_control(_("Cell values"), list(SERIES_TITLES), key=SERIES,
                                format_func=lambda s: _(SERIES_TITLES[s]), required=True) or "c"


def cell_label(series: str, cell_name: str) -> str:
    """What colours the text: "memory c of c7" or "output h of c7"."""
    return _(_CELL_LABELS[series]).format(cell=cell_name)


def feature_title(feature: str) -> str:
    """A feature's short name (the tables' rows, the feature picker)."""
    return _(FEATURE_TITLES[feature])


def feature_text(feature: str) -> str:
    """What a feature measures, in a sentence."""
    return _(FEATURE_TEXTS[feature])


def choose_cell(default: int, count: int) -> int:
    """The chosen cell: CELL when it is a valid index (else `default`, which is stored)."""
    cell = st.session_state.get(CELL)
    if not isinstance(cell, int) or not 0 <= cell < count:
        st.session_state[CELL] = cell = default
    return cell


def _picked() -> None:
    """Picker callback: the picked cell becomes the chosen cell."""
    st.session_state[CELL] = st.session_state[PICKER]


def cell_picker(names: list[str]) -> None:
    """A select box of every cell, showing (and setting) the chosen cell."""
    st.session_state[PICKER] = st.session_state[CELL]
    st.selectbox(_("Colour the text by cell"), range(len(names)), key=PICKER, on_change=_picked,
                 format_func=names.__getitem__, width=170)


def _selected(table: str, cells: list[int]) -> None:
    """Row-selection callback: the cell of the row the user selected becomes the chosen cell.

    A tick the page set itself comes back from the browser as a selection too (with the next
    click anywhere); that echo is not a choice and is ignored."""
    rows = list(st.session_state[table].selection.rows)
    if rows == st.session_state.pop(f"{table}.set", None):
        return
    if rows and rows[0] < len(cells):
        st.session_state[CELL] = cells[rows[0]]


def cell_table(table: str, frame, cells: list[int]) -> None:
    """A ranking table (`cells[i]`: the cell of row i) whose ticked row is the chosen cell's
    (none when the chosen cell is not in the table); clicking a row chooses its cell."""
    chosen = st.session_state[CELL]
    state = st.session_state.get(table)
    rows = list(state["selection"]["rows"]) if state else []
    if not (len(rows) == 1 and rows[0] < len(cells) and cells[rows[0]] == chosen):
        want = [cells.index(chosen)] if chosen in cells else []
        if rows != want:
            st.session_state[table] = {"selection": {"rows": want, "columns": []}}
            st.session_state[f"{table}.set"] = want
    st.dataframe(frame, key=table, on_select=lambda: _selected(table, cells),
                 selection_mode="single-row", hide_index=True, width="stretch")


def feature_picker(features: list[str]) -> str:
    """The feature of the top-ten table (a link's feature when this text varies in it)."""
    linked = st.session_state.pop(_LINK_FEATURE, None)
    if linked in features:
        st.session_state[FEATURE] = linked
    elif st.session_state.get(FEATURE) not in features:
        st.session_state.pop(FEATURE, None)
    return st.selectbox(_("Feature"), features, key=FEATURE, format_func=feature_title)

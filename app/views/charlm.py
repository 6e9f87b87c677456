"""Character LSTM: step a trained character-level language model through your text, see what it
expects next, and find the cells that track quotes, parentheses or the position in a line."""

from functools import partial

import pandas as pd
import streamlit as st

import resources
from components.stepper_controls import stepper_controls
from engine import charlm
from figures.charlm import colored_text_html, next_char_html

STEP = "charlm.step"
CELL = "charlm.cell"
TEXT = "charlm.text"
SERIES = {"c": "memory c", "h": "output h"}

st.title("Character LSTM")
metrics = resources.get_charlm_metrics()
st.caption(
    "Lecture §3 at scale: an LSTM with 256 memory cells read Python's language reference one "
    "character at a time and learned to predict the next character "
    f"(held-out: **{metrics['heldout_bpc']:.2f} bits per character**, against "
    f"{metrics['heldout_unigram_bpc']:.2f} for character frequencies alone). Step through your "
    "text, see what it expects next, and colour the text by one cell to see what it tracks "
    "(after Karpathy, Johnson & Fei-Fei 2015). Characters outside ASCII read as unknown (�)."
)

text = st.text_area("Text", value=charlm.DEFAULT_TEXT, key=TEXT, height=130,
                    help=f"1 to {charlm.MAX_CHARS:,} characters; the model knows printable "
                    "ASCII and the newline.")
try:
    reading = resources.get_charlm_reading(text)
except ValueError as err:
    st.error(f"Cannot read this text: {err}.")
    st.stop()
steps = len(text)
top = resources.get_charlm_top(text)

series = st.segmented_control("Cell values", list(SERIES), default="c", key="charlm.series",
                              format_func=SERIES.get, required=True)
ranking = resources.get_charlm_ranking(text, series)
if CELL not in st.session_state or st.session_state[CELL] >= len(ranking.names):
    best = ranking.top("in_quotes", 1) or [(ranking.best() or ("", 0, 0.0))[1:]]
    st.session_state[CELL] = best[0][0]


@st.fragment
def step_view() -> None:
    """Controls, the coloured text and the next-character bars: a click on Next reruns only
    this part of the page (the ranking below does not depend on the step)."""
    t = stepper_controls(steps, key=STEP)
    ch = text[t]
    unknown = "" if ch in charlm.ALPHABET else " (unknown to the model)"
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"Step {t + 1} of {steps} · reads **{charlm.glyph(ch)!r}**{unknown} · "
                    "text coloured by cell")
        cell = st.selectbox("Colour the text by cell", range(len(ranking.names)), key=CELL,
                            format_func=ranking.names.__getitem__, width=160,
                            label_visibility="collapsed")
    values = reading.series(series)[:, cell].numpy()
    text_col, next_col = st.columns([7, 3], gap="medium")
    with text_col:
        label = f"{SERIES[series].split()[0]} of {ranking.names[cell]}"
        st.html(colored_text_html(text, values, t, label))
    with next_col:
        actual = text[t + 1] if t + 1 < steps else None
        prob = None
        if actual is not None:
            prob = float(reading.probs[t, charlm.indices(actual, reading.alphabet)[0]])
        st.html(next_char_html(top, t, actual, prob))
        st.caption(f"{ranking.names[cell]} after step {t + 1}: **{values[t]:+.3f}**")


step_view()

st.subheader("Which cell tracks what?")
st.caption(
    "Pearson correlation, over your text, between each cell's value after a character and a "
    "simple feature of the text read so far. Click a row to colour the text by that cell. "
    "Correlation is not the whole story: look at the colours."
)


def _pick(table_key: str, cell_of: list[int]) -> None:
    """Row-selection callback: colour the text by the cell of the selected row."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        st.session_state[CELL] = cell_of[rows[0]]


best_col, top_col = st.columns(2, gap="medium")
with best_col:
    best_rows, best_cells = [], []
    for name in ranking.features:
        found = ranking.top(name, 1)
        if found:
            best_cells.append(found[0][0])
            best_rows.append({"feature": charlm.FEATURE_TITLES[name],
                              "cell": ranking.names[found[0][0]], "r": round(found[0][1], 3)})
    st.markdown("**Best cell per feature**")
    if best_rows:
        st.dataframe(pd.DataFrame(best_rows), key="charlm.best",
                     on_select=partial(_pick, "charlm.best", best_cells),
                     selection_mode="single-row",
                     hide_index=True, width="stretch")
    else:
        st.info("The text is too uniform: no feature varies along it.")
with top_col:
    feature = st.selectbox("Feature", ranking.features, key="charlm.feature",
                           format_func=charlm.FEATURE_TITLES.get)
    found = ranking.top(feature, 10)
    st.caption(charlm.FEATURES[feature])
    if found:
        st.dataframe(pd.DataFrame([{"cell": ranking.names[n], "r": round(r, 3)}
                                   for n, r in found]),
                     key="charlm.top",
                     on_select=partial(_pick, "charlm.top", [n for n, _ in found]),
                     selection_mode="single-row", hide_index=True, width="stretch")
    else:
        st.info("This feature does not change along your text (add quotes, parentheses or "
                "line breaks), so no correlation is defined.")

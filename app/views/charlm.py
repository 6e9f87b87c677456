"""Character LSTM: step a trained character-level language model through your text, see what it
expects next, and find the cells that track quotes, parentheses or the position in a line."""

import pandas as pd
import streamlit as st

import markup
import resources
from components import charlm_controls as ctl
from components import lesson, presenter, questions
from components.stepper_controls import stepper_controls
from engine import charlm
from figures.charlm import colored_text_html, next_char_html

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

config = resources.get_charlm().config
names = [charlm.cell_name(n, config.hidden_size, config.num_layers)
         for n in range(config.hidden_size * config.num_layers)]
ctl.load_url(st.query_params, names)
with presenter.inputs("Text"):
    text = ctl.text_area()
try:
    reading = resources.get_charlm_reading(text)
except ValueError as err:
    st.error(f"Cannot read this text: {err}.", icon=":material/error:")  # no user text in it
    st.query_params.from_dict(ctl.link_params(text))
    st.stop()
steps = len(text)
top = resources.get_charlm_top(text)

with st.container(horizontal=True, vertical_alignment="bottom"):
    series = ctl.series_picker()
    ranking = resources.get_charlm_ranking(text, series)
    best = ranking.top("in_quotes", 1) or [(ranking.best() or ("", 0, 0.0))[1:]]
    ctl.choose_cell(best[0][0], len(ranking.names))
    ctl.cell_picker(ranking.names)


@st.fragment
def step_view() -> None:
    """Controls, the coloured text and the next-character bars: a click on Next reruns only
    this part of the page (the ranking below does not depend on the step)."""
    question = questions.pending("charlm")  # the steps stop before the one it asks about
    t = stepper_controls(steps, key=ctl.STEP, max_step=questions.max_step(question))
    if question is not None:
        questions.ask_next(question, text, top, ctl.STEP)
    st.query_params["step"] = str(t + 1)
    cell = st.session_state[ctl.CELL]
    ch = text[t]
    unknown = "" if ch in charlm.ALPHABET else " (unknown to the model)"
    st.markdown(f"Step {t + 1} of {steps} · reads **{markup.md(repr(charlm.glyph(ch)))}**"
                f"{unknown} · text coloured by {ranking.names[cell]}")
    values = reading.series(series)[:, cell].numpy()
    # (no swipe here yet: quick swipes on this fragment stepper can lose a rerun; tap Next)
    text_col, next_col = st.columns([7, 3], gap="medium")
    with text_col:
        label = f"{ctl.SERIES_TITLES[series].split()[0]} of {ranking.names[cell]}"
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
        ctl.cell_table("charlm.best", pd.DataFrame(best_rows), best_cells)
    else:
        st.info("The text is too uniform: no feature varies along it.")
with top_col:
    feature = ctl.feature_picker(ranking.features)
    found = ranking.top(feature, 10) if feature else []
    st.caption(charlm.FEATURES[feature] if feature else "")
    if found:
        ctl.cell_table("charlm.top", pd.DataFrame([{"cell": ranking.names[n], "r": round(r, 3)}
                                                   for n, r in found]), [n for n, _ in found])
    else:
        st.info("This feature does not change along your text (add quotes, parentheses or "
                "line breaks), so no correlation is defined.")

st.query_params.from_dict(ctl.link_params(text, ranking.names[st.session_state[ctl.CELL]]))
lesson.from_here("charlm")

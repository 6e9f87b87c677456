"""Character LSTM: step a trained character-level language model through your text, see what it
expects next, and find the cells that track quotes, parentheses or the position in a line."""

import pandas as pd
import streamlit as st

import resources
from components import browser_stepper, lesson, presenter, questions
from components import charlm_controls as ctl
from engine import charlm
from figures.charlm_frames import charlm_frames
from i18n import _

metrics = resources.get_charlm_metrics()
presenter.title(_("Character LSTM"), _(
    "Lecture §3 at scale: an LSTM with 256 memory cells read Python's language reference one "
    "character at a time and learned to predict the next character (held-out: **{bpc} bits "
    "per character**, against {unigram} for character frequencies alone). Step through your "
    "text, see what it expects next, and colour the text by one cell to see what it tracks "
    "(after Karpathy, Johnson & Fei-Fei 2015). Characters outside ASCII read as unknown (�)."
).format(bpc=f"{metrics['heldout_bpc']:.2f}", unigram=f"{metrics['heldout_unigram_bpc']:.2f}"))

config = resources.get_charlm().config
names = [charlm.cell_name(n, config.hidden_size, config.num_layers)
         for n in range(config.hidden_size * config.num_layers)]
ctl.load_url(st.query_params, names)
with presenter.inputs(_("Text")):
    text = ctl.text_area()
problem = ctl.text_problem(text)  # worded here: the engine's own message is English
if problem:
    st.error(problem, icon=":material/error:")  # no user text in it
    st.query_params.from_dict(ctl.link_params(text))
    st.stop()
reading = resources.get_charlm_reading(text)
steps = len(text)
top = resources.get_charlm_top(text)

with st.container(horizontal=True, vertical_alignment="bottom"):
    series = ctl.series_picker()
    ranking = resources.get_charlm_ranking(text, series)
    best = ranking.top("in_quotes", 1) or [(ranking.best() or ("", 0, 0.0))[1:]]
    ctl.choose_cell(best[0][0], len(ranking.names))
    ctl.cell_picker(ranking.names)

cell = st.session_state[ctl.CELL]
values = reading.series(series)[:, cell].numpy()
label = ctl.cell_label(series, ranking.names[cell])
question = questions.pending("charlm")  # the steps stop before the one it asks about
shown = questions.max_step(question) or steps


def _lines(first: int, last: int) -> list[str]:
    """Each step's first line: what it reads and what colours the text (HTML, escaped)."""
    out = []
    for t in range(first, last):
        ch = text[t]
        reads = (_("reads {char}") if ch in charlm.ALPHABET else
                 _("reads {char} (unknown to the model)"))
        out.append(browser_stepper.text_line(t + 1, steps, " · ".join([
            browser_stepper.escape(reads).format(
                char=f"<b>{browser_stepper.escape(repr(charlm.glyph(ch)))}</b>"),
            browser_stepper.escape(_("text coloured by {cell}").format(
                cell=ranking.names[cell]))])))
    return out


t = browser_stepper.browser_stepper(
    steps,
    lambda first, last: charlm_frames(text, top, reading.probs, reading.alphabet, values,
                                      first, last, label, shown=min(shown, steps)),
    _lines, step_key=ctl.STEP, key="charlm",
    ident=browser_stepper.identity(text, series, cell),
    max_step=questions.max_step(question), name="charlm-next-character")
if question is not None:
    questions.ask_next(question, text, top, ctl.STEP)

st.subheader(_("Which cell tracks what?"))
st.caption(_(
    "Pearson correlation, over your text, between each cell's value after a character and a "
    "simple feature of the text read so far. Click a row to colour the text by that cell. "
    "Correlation is not the whole story: look at the colours."))

best_col, top_col = st.columns(2, gap="medium")
with best_col:
    best_rows, best_cells = [], []
    for name in ranking.features:
        found = ranking.top(name, 1)
        if found:
            best_cells.append(found[0][0])
            best_rows.append({_("feature"): ctl.feature_title(name),
                              _("cell"): ranking.names[found[0][0]],
                              "r": round(found[0][1], 3)})
    st.markdown(_("**Best cell per feature**"))
    if best_rows:
        ctl.cell_table("charlm.best", pd.DataFrame(best_rows), best_cells)
    else:
        st.info(_("The text is too uniform: no feature varies along it."))
with top_col:
    feature = ctl.feature_picker(ranking.features)
    found = ranking.top(feature, 10) if feature else []
    st.caption(ctl.feature_text(feature) if feature else "")
    if found:
        ctl.cell_table("charlm.top", pd.DataFrame([{_("cell"): ranking.names[n],
                                                    "r": round(r, 3)} for n, r in found]),
                       [n for n, _r in found])
    else:
        st.info(_("This feature does not change along your text (add quotes, parentheses or "
                  "line breaks), so no correlation is defined."))

st.query_params.from_dict(ctl.link_params(text, ranking.names[cell]))
lesson.from_here("charlm")

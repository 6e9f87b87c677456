"""Slot filling lab: two sentences side by side, tagged word by word by a chosen tagger."""

import streamlit as st

import markup
import resources
from components import lesson, presenter, questions
from components import slot_controls as ctl
from engine import slots
from i18n import _

presenter.title(_("Slot filling"), _(
    "Lecture §1: a ticket-booking system tags every word with a slot — *arrive **Taipei** on "
    "**November 2nd*** → other, **dest**, other, **arrive_time**, **arrive_time**. "
    "**The lecture's point:** a feed-forward network sees one word at a time, so it *must* "
    "give “Taipei” the same slot in “arrive Taipei …” and “leave Taipei …”; a network with "
    "memory (Elman, Jordan, LSTM) remembers *arrive* or *leave* and tells destination from "
    "departure."))

ctl.load_url(st.query_params)
with presenter.inputs(_("Tagger, encoding and sentences")):
    model, encoding = ctl.pickers()
    sentences = ctl.sentence_inputs()
problems = [e for e in sentences.errors if e]
for problem in problems:
    st.error(markup.md(problem), icon=":material/error:")
if problems:
    st.query_params.from_dict(ctl.link_params(sentences.texts, model, encoding))
    st.stop()

a, b = (resources.get_slot_reading(s, model, encoding) for s in sentences.texts)
title = ctl.title(model)
shared = slots.shared_words(a, b)
question = questions.pending("slots")
held = question is not None and not question.answered  # the answer stays out of the page
if question is not None and question.kind == "tagger":
    questions.ask_tagger(question, sentences.texts, encoding)
elif question is not None:
    questions.ask_slot(question, b, title, ctl.KEY_STEP)
if held:
    pass  # the verdict below names the slots the question asks about
elif not shared:
    st.info(_("The two sentences share no word that is tagged as a slot; type the same city "
              "into both to compare."), icon=":material/info:")
else:
    word, tag_a, tag_b = next((s for s in shared if s[1] != s[2]), shared[0])
    names = {"tagger": markup.md(title), "word": markup.md(word), "a": tag_a, "b": tag_b}
    if tag_a != tag_b:
        st.success(_("**{tagger}** tags “{word}” as **{a}** in A and **{b}** in B: its memory "
                     "of the other words tells the two sentences apart.").format(**names),
                   icon=":material/check_circle:")
    elif model == "feedforward":
        st.warning(_("**{tagger}** tags “{word}” as **{a}** in both sentences. It sees one "
                     "word at a time, so the same word always gets the same slot: it cannot "
                     "tell “arrive Taipei” from “leave Taipei”.").format(**names),
                   icon=":material/block:")
    else:
        st.info(_("**{tagger}** tags “{word}” as **{a}** in both sentences.").format(**names),
                icon=":material/info:")

t = ctl.word_stepper(sentences.texts, model, encoding, (a, b), questions.max_step(question))
st.query_params.from_dict(ctl.link_params(sentences.texts, model, encoding, t + 1))
lesson.from_here("slots")

if model == "bilstm":
    st.caption(_("Bidirectional LSTM: the forward units (→) fill in from the first word, the "
                 "backward units (←) from the last word; the slot of each word reads both, so "
                 "it sees the whole sentence."))
elif model == "feedforward":
    st.caption(_("Feed-forward: its hidden layer depends on the current word only, so the "
                 "same word gives the same column in both sentences."))
else:
    st.caption(_("Red outline: the current word. Hidden units from −1 (red) through 0 (white) "
                 "to 1 (dark slate); words not read yet are blank."))
if not held:
    st.subheader(_("All five taggers on these two sentences"))
    table = resources.get_slot_table(sentences.texts, encoding)
    table = table.assign(tagger=[_(name) for name in table["tagger"]]).rename(columns={
        "tagger": _("tagger"), "sentence A": _("sentence A"), "sentence B": _("sentence B")})
    st.dataframe(table, hide_index=True, width="stretch")

"""Slot filling lab: two sentences side by side, tagged word by word by a chosen tagger."""

import streamlit as st

import markup
import resources
from components import lesson, phone, presenter, questions
from components import slot_controls as ctl
from engine import slots
from figures.slots import input_figure, reading_figure

# Streamlit's background colours for the slot chips (figures.slots.SLOT_COLORS match them).
CHIP = {"other": "gray", "dest": "blue", "origin": "orange", "arrive_time": "green",
        "depart_time": "violet"}

st.title("Slot filling")
st.caption(
    "Lecture §1: a ticket-booking system tags every word with a slot — *arrive **Taipei** on "
    "**November 2nd*** → other, **dest**, other, **arrive_time**, **arrive_time**. "
    "**The lecture's point:** a feed-forward network sees one word at a time, so it *must* "
    "give “Taipei” the same slot in “arrive Taipei …” and “leave Taipei …”; a network with "
    "memory (Elman, Jordan, LSTM) remembers *arrive* or *leave* and tells destination from "
    "departure.")

ctl.load_url(st.query_params)
with presenter.inputs("Tagger, encoding and sentences"):
    model, encoding = ctl.pickers()
    sentences = ctl.sentence_inputs()
problems = [e for e in sentences.errors if e]
for problem in problems:
    st.error(problem, icon=":material/error:")  # the engine's words, no user text
if problems:
    st.query_params.from_dict(ctl.link_params(sentences.texts, model, encoding))
    st.stop()

a, b = (resources.get_slot_reading(s, model, encoding) for s in sentences.texts)
title = slots.MODEL_TITLES[model]
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
    st.info("The two sentences share no word that is tagged as a slot; type the same city "
            "into both to compare.", icon=":material/info:")
else:
    word, tag_a, tag_b = next((s for s in shared if s[1] != s[2]), shared[0])
    word = markup.md(word)
    if tag_a != tag_b:
        st.success(f"**{title}** tags “{word}” as **{tag_a}** in A and **{tag_b}** in B: "
                   "its memory of the other words tells the two sentences apart.",
                   icon=":material/check_circle:")
    elif model == "feedforward":
        st.warning(f"**{title}** tags “{word}” as **{tag_a}** in both sentences. It sees one "
                   "word at a time, so the same word always gets the same slot: it cannot "
                   "tell “arrive Taipei” from “leave Taipei”.", icon=":material/block:")
    else:
        st.info(f"**{title}** tags “{word}” as **{tag_a}** in both sentences.",
                icon=":material/info:")

t = ctl.word_stepper(max(a.steps, b.steps), questions.max_step(question))
st.query_params.from_dict(ctl.link_params(sentences.texts, model, encoding, t + 1))
lesson.from_here("slots")
swipe = phone.swipe_area("slots")  # a swipe across the sentences steps the words
for col, reading, name in zip(swipe.columns(2, gap="large"), (a, b), "AB", strict=True):
    with col:
        k = min(t, reading.steps - 1)
        chips = [f":{CHIP[tag]}-background[{markup.md(word)} · {tag}]" if i <= k
                 else markup.md(word)
                 for i, (word, tag) in enumerate(zip(reading.tokens, reading.tags,
                                                     strict=True))]
        st.markdown(f"**{name}** (word {k + 1} of {reading.steps}): " + " ".join(chips))
        probs = reading.probs[k]
        c = st.columns(3)
        c[0].metric(f"Word {k + 1} ({name})", markup.md(reading.tokens[k]))
        c[1].metric(f"Slot ({name})", reading.tags[k])
        c[2].metric(f"Probability ({name})", f"{probs.max():.2f}")
        lit = ", ".join(f"{markup.md(n)} (dim {d})" for d, n, _ in reading.active[k])
        size = reading.inputs.shape[1]
        if encoding == "onehot":
            what = ("an unknown word: only the “other” dimension lights up"
                    if reading.unknown[k] else "a known word: its own dimension lights up")
        else:
            what = f"{len(reading.active[k])} trigram buckets light up"
        st.caption(f"Input vector x of “{markup.md(reading.tokens[k])}”: {size} dimensions, "
                   f"{what} — {lit}.")
        presenter.chart(input_figure(reading, k), f"slots-{model}-input-{name}", k + 1,
                        key=f"slots.input.{name}")
        presenter.chart(reading_figure(reading, k), f"slots-{model}-hidden-{name}", k + 1,
                        key=f"slots.reading.{name}")

if model == "bilstm":
    st.caption("Bidirectional LSTM: the forward units (→) fill in from the first word, the "
               "backward units (←) from the last word; the slot of each word reads both, so "
               "it sees the whole sentence.")
elif model == "feedforward":
    st.caption("Feed-forward: its hidden layer depends on the current word only, so the "
               "same word gives the same column in both sentences.")
else:
    st.caption("Red outline: the current word. Hidden units from −1 (red) through 0 (white) "
               "to 1 (dark slate); words not read yet are blank.")
if not held:
    st.subheader("All five taggers on these two sentences")
    st.dataframe(resources.get_slot_table(sentences.texts, encoding), hide_index=True,
                 width="stretch")

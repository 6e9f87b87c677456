"""Home: what RNN Lab is for, one card per lab, and the lessons."""

import streamlit as st

import lesson_files
from components import language, lesson
from i18n import _
from labs import LABS

st.title("RNN Lab")
st.markdown(_(
    "See what a recurrent network does, **one token at a time**. Every lab reproduces a claim of "
    "Hung-yi Lee's lecture on recurrent neural networks with a model you can step, edit and "
    "break: the gates of an LSTM opening and closing, its memory cell adding and resetting, "
    "and the same machinery in GRU, Elman and Jordan networks."
))
st.markdown(_(
    "Use it in front of a class (every lab keeps its state in its link, and the lessons below "
    "walk the lecture scene by scene), alone on a laptop, or with your own sequences."
))

st.subheader(_("Labs"))
columns = st.columns(min(3, max(1, len(LABS))))
for i, lab in enumerate(LABS):
    with columns[i % len(columns)].container(border=True):
        st.markdown(f"#### {_(lab.title)}")
        st.caption(_("Lecture {section}").format(section=_(lab.lecture)))
        st.write(_(lab.summary))
        st.page_link(lab.page, label=_("Open {lab}").format(lab=_(lab.title)),
                     icon=":material/arrow_forward:", query_params=language.link_params())

st.subheader(_("Lessons"))
st.markdown(_(
    "A lesson walks the lecture's own path scene by scene: each scene opens a lab in a state, "
    "with a note for the teacher and sometimes a question to ask the class before the next "
    "step is revealed. Previous / next scene: **PageUp / PageDown** (what presenter clickers "
    "send). Every lab's **Lesson from here** button (in the sidebar) writes its state as a "
    "scene for a lesson of your own."
))
shipped = list(lesson_files.shipped().values())
columns = st.columns(min(3, max(1, len(shipped))))
for i, item in enumerate(shipped):
    with columns[i % len(columns)].container(border=True):
        lesson.lesson_card(item)
lesson.upload_box()

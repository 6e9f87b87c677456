"""Home: what RNN Lab is for, and one card per lab."""

import streamlit as st

from labs import LABS

st.title("RNN Lab")
st.markdown(
    "See what a recurrent network does, **one token at a time**. Every lab reproduces a claim of "
    "Hung-yi Lee's lecture on recurrent neural networks with a model you can step, edit and "
    "break: the gates of an LSTM opening and closing, its memory cell adding and resetting, "
    "and the same machinery in GRU, Elman and Jordan networks."
)
st.markdown(
    "Use it in front of a class (in the LSTM step-through, slot filling and the character LSTM "
    "every step has its own shareable link), alone on a laptop, or with your own sequences."
)

st.subheader("Labs")
columns = st.columns(min(3, max(1, len(LABS))))
for i, lab in enumerate(LABS):
    with columns[i % len(columns)].container(border=True):
        st.markdown(f"#### {lab.title}")
        st.caption(f"Lecture {lab.lecture}")
        st.write(lab.summary)
        st.page_link(lab.page, label=f"Open {lab.title}", icon=":material/arrow_forward:")

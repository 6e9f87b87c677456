"""Attention lab: a decoder that looks back at every input character, stepped character by
character, next to the plain encoder–decoder whose decoder sees one fixed vector."""

import streamlit as st

import markup
import resources
from components import attention_controls as ctl
from components.stepper_controls import stepper_controls
from engine import attention, date_data
from figures import attention as fig

CHART = {"displayModeBar": False}

st.title("Attention")
scores = {name: resources.get_attention_metrics(name) for name in attention.MODELS}
st.caption(
    "Lecture §7: the slot filler found “November 2nd”; a booking system needs 2026-11-02. Two "
    "GRU encoder–decoders read a date one character at a time and write its ISO form one "
    "character per step. The **plain** decoder sees only the encoder's last state — the "
    "fixed-size vector of §6 — while the **attention** decoder looks back at every input "
    "character before it writes each output character (additive attention, Bahdanau et al. "
    f"2015). On days neither model saw: **{scores['attention']['heldout_exact']:.1%}** exact "
    f"with attention, **{scores['plain']['heldout_exact']:.1%}** without, after the same one "
    "pass over the training phrases.")

ctl.load_url(st.query_params)
typed = ctl.date_input()
try:
    reading = resources.get_translation(typed, "attention")
    plain = resources.get_translation(typed, "plain")
    ctl.remember(typed)
except ValueError as err:
    st.error(f"Cannot read this date: {markup.md(err)}. Still showing "
             f"“{markup.md(ctl.last_good())}”.", icon=":material/error:")
    reading = resources.get_translation(ctl.last_good(), "attention")
    plain = resources.get_translation(ctl.last_good(), "plain")
expected = date_data.parse(reading.text)
truth = expected.isoformat() if expected else None
if not reading.output_tokens:
    st.warning("The attention model wrote nothing for this text.", icon=":material/warning:")
    st.stop()


@st.fragment
def step_view() -> None:
    """Controls, the weights over the input, the context, the next-character bars and the
    matrix: a click on Next reruns only this part of the page."""
    steps = len(reading.output_tokens)
    t = stepper_controls(steps, key=ctl.STEP)
    st.query_params.from_dict(ctl.link_params(reading.text, t + 1))
    top_char, top_p = reading.top(t, 1)[0]
    st.markdown(f"Step {t + 1} of {steps} · writes **{markup.md(reading.output_tokens[t])}** "
                f"({top_p:.1%}) · so far **{markup.md(reading.output[: t + 1])}**")
    left, right = st.columns([7, 3], gap="medium")
    with left:
        st.markdown("**Where step " + str(t + 1) + " looks** (attention weights over the input)")
        st.html(fig.input_weights_html(reading, t))
        st.markdown("**Context vector** c = Σ weight × encoder state (what this step reads)")
        st.plotly_chart(fig.context_figure(reading.contexts[t], reading.encoder_states.shape[1]
                                           // 2), config=CHART, key="attention.context")
    with right:
        st.markdown("**Top 5 next characters**")
        st.html(fig.next_chars_html(reading, t))
    st.markdown("**The attention matrix**, one row per output character, filled up to this step")
    st.plotly_chart(fig.attention_matrix(reading, t), config=CHART, key="attention.matrix")


step_view()
if not reading.is_date:
    st.warning(f"{markup.md(reading.output)} is not a real calendar day: the model writes "
               "characters, it does not check the calendar.", icon=":material/event_busy:")

st.subheader("The same date without attention")
st.caption("The plain decoder reads the encoder's last states (the outlined characters: "
           "where the forward and the backward encoder end) and nothing else: every character "
           "it writes has to come out of that one vector.")
st.html(fig.input_weights_html(plain, 0) if plain.output_tokens else "")
reference = truth or reading.output
against = "the date itself" if truth else "the attention model's output (this text is not one "\
    "of the written forms, so its day is not known here)"
a_col, p_col = st.columns(2, gap="medium")
with a_col:
    st.html(fig.compared_html(reading.output, reference, attention.MODEL_TITLES["attention"]))
with p_col:
    st.html(fig.compared_html(plain.output, reference, attention.MODEL_TITLES["plain"]))
wrong = [i + 1 for i, ch in enumerate(plain.output) if i >= len(reference) or reference[i] != ch]
if plain.output == reference:
    st.caption(f"Both agree with {against}.")
else:
    where = ", ".join(str(i) for i in wrong) or "none (it stopped early)"
    st.caption(f"Checked against {against}: the plain model's characters {where} are wrong.")

st.subheader("Accuracy against input length")
short = {n: attention.pooled(scores[n]["heldout_by_length"], 1, 11) for n in attention.MODELS}
long = {n: attention.pooled(scores[n]["heldout_by_length"], 20, 99) for n in attention.MODELS}
st.caption(
    "Exact match on held-out phrases (days training never saw), by the number of characters in "
    "the input; hover for the counts. On sentences (Bahdanau et al.'s Figure 2) the plain "
    "model falls off with length. Dates are at most 27 characters, and here its errors sit "
    f"at the *short* end instead: {short['plain'][0] / short['plain'][1]:.0%} of inputs up to "
    f"11 characters (mostly 4/1/1973-style numbers, where one digit more or less moves "
    f"everything after it) against {long['plain'][0] / long['plain'][1]:.0%} from 20 "
    "characters on. Attention reads each part where it is.")
st.plotly_chart(fig.accuracy_by_length(
    {name: scores[name]["heldout_by_length"] for name in attention.MODELS},
    attention.MODEL_TITLES), config=CHART, key="attention.accuracy")

st.subheader("Memory with read and write heads")
st.markdown(
    "The lecture closes (§7) with *memory with read/write heads* — the Neural Turing Machine — "
    "and *attention-based models* in text, vision and speech. This page is the read half of "
    "that idea. The encoder's states h₁ … h_T are a memory with one slot per input character. "
    "Before each output character the decoder sends a **soft read head** over it: a weight for "
    "every slot, none negative, summing to 1 (the orange boxes and one row of the matrix), and "
    "reads their weighted sum, the context vector. Because the read is soft, it is "
    "differentiable, so the decoder *learns* where to look. A Neural Turing Machine adds a "
    "**write head** that changes the memory with the same kind of weights; here the memory is "
    "written once, by the encoder, and only read.")

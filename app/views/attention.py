"""Attention lab: a decoder that looks back at every input character, stepped character by
character, next to the plain encoder–decoder whose decoder sees one fixed vector."""

import streamlit as st

import markup
import resources
from components import attention_controls as ctl
from components import attention_step, presenter
from engine import attention, date_data
from errors import say
from figures import attention as fig
from i18n import _

CHART = {"displayModeBar": False}

scores = {name: resources.get_attention_metrics(name) for name in attention.MODELS}
presenter.title(_("Attention"), _(
    "Lecture §7: the slot filler found “November 2nd”; a booking system needs 2026-11-02. Two "
    "GRU encoder–decoders read a date one character at a time and write its ISO form one "
    "character per step. The **plain** decoder sees only the encoder's last state — the "
    "fixed-size vector of §6 — while the **attention** decoder looks back at every input "
    "character before it writes each output character (additive attention, Bahdanau et al. "
    "2015). On days neither model saw: **{attention}** exact with attention, **{plain}** "
    "without, after the same one pass over the training phrases.").format(
    attention=f"{scores['attention']['heldout_exact']:.1%}",
    plain=f"{scores['plain']['heldout_exact']:.1%}"))

ctl.load_url(st.query_params)
with presenter.inputs(_("The date")):  # folded away in presenter view
    typed = ctl.date_input()
try:
    reading = resources.get_translation(typed, "attention")
    plain = resources.get_translation(typed, "plain")
    ctl.remember(typed)
except ValueError as err:
    st.error(_("Cannot read this date: {reason}. Still showing “{text}”.").format(
        reason=say(err), text=markup.md(ctl.last_good())), icon=":material/error:")
    reading = resources.get_translation(ctl.last_good(), "attention")
    plain = resources.get_translation(ctl.last_good(), "plain")
expected = date_data.parse(reading.text)
truth = expected.isoformat() if expected else None
if not reading.output_tokens:
    st.warning(_("The attention model wrote nothing for this text."),
               icon=":material/warning:")
    st.stop()


@st.fragment
def step_view() -> None:
    """The stepper and its figures (components.attention_step): a click on Next, or a swipe
    across the figures on a phone, reruns only this part of the page."""
    attention_step.step_view(reading)


step_view()
if not reading.is_date:
    st.warning(_("{output} is not a real calendar day: the model writes characters, it does "
                 "not check the calendar.").format(output=markup.md(reading.output)),
               icon=":material/event_busy:")

st.subheader(_("The same date without attention"))
st.caption(_("The plain decoder reads the encoder's last states (the outlined characters: "
             "where the forward and the backward encoder end) and nothing else: every "
             "character it writes has to come out of that one vector."))
st.html(fig.input_weights_html(plain, 0) if plain.output_tokens else "")
reference = truth or reading.output
against = _("the date itself") if truth else _(
    "the attention model's output (this text is not one of the written forms, so its day is "
    "not known here)")
titles = ctl.titles()
a_col, p_col = st.columns(2, gap="medium")
with a_col:
    st.html(fig.compared_html(reading.output, reference, titles["attention"]))
with p_col:
    st.html(fig.compared_html(plain.output, reference, titles["plain"]))
wrong = [i + 1 for i, ch in enumerate(plain.output) if i >= len(reference) or reference[i] != ch]
if plain.output == reference:
    st.caption(_("Both agree with {reference}.").format(reference=against))
else:
    where = ", ".join(str(i) for i in wrong) or _("none (it stopped early)")
    st.caption(_("Checked against {reference}: the plain model's characters {where} are wrong.")
               .format(reference=against, where=where))

st.subheader(_("Accuracy against input length"))
short = {n: attention.pooled(scores[n]["heldout_by_length"], 1, 11) for n in attention.MODELS}
long = {n: attention.pooled(scores[n]["heldout_by_length"], 20, 99) for n in attention.MODELS}
st.caption(_(
    "Exact match on held-out phrases (days training never saw), by the number of characters in "
    "the input; hover for the counts. On sentences (Bahdanau et al.'s Figure 2) the plain "
    "model falls off with length. Dates are at most 27 characters, and here its errors sit "
    "at the *short* end instead: {short} of inputs up to 11 characters (mostly "
    "4/1/1973-style numbers, where one digit more or less moves everything after it) against "
    "{long} from 20 characters on. Attention reads each part where it is.").format(
    short=f"{short['plain'][0] / short['plain'][1]:.0%}",
    long=f"{long['plain'][0] / long['plain'][1]:.0%}"))
st.plotly_chart(presenter.figure(fig.accuracy_by_length(
    {name: scores[name]["heldout_by_length"] for name in attention.MODELS},
    titles)), config=CHART, key="attention.accuracy")

st.subheader(_("Memory with read and write heads"))
st.markdown(_(
    "The lecture closes (§7) with *memory with read/write heads* — the Neural Turing Machine — "
    "and *attention-based models* in text, vision and speech. This page is the read half of "
    "that idea. The encoder's states h₁ … h_T are a memory with one slot per input character. "
    "Before each output character the decoder sends a **soft read head** over it: a weight for "
    "every slot, none negative, summing to 1 (the orange boxes and one row of the matrix), and "
    "reads their weighted sum, the context vector. Because the read is soft, it is "
    "differentiable, so the decoder *learns* where to look. A Neural Turing Machine adds a "
    "**write head** that changes the memory with the same kind of weights; here the memory is "
    "written once, by the encoder, and only read."))

"""LSTM step-through: step a recurrent network token by token and see every gate and memory."""

import streamlit as st

import i18n
import markup
import resources
from choices import model_description, model_name
from components import (
    browser_stepper,
    language,
    lesson,
    model_picker,
    questions,
    sequence_input,
    stepper_controls,
    stepper_tabs,
    text_input,
    url_params,
    weight_editor,
)
from components.unit_picker import view_picker
from errors import say
from figures.story import CELL_CAPTIONS
from figures.values import NEAR_NOTE
from i18n import N_, _

COMPONENTS = (model_picker, sequence_input, stepper_controls, text_input, weight_editor)

if not st.session_state.get("stepper.url_loaded"):
    bad = [name for part in COMPONENTS for name in part.load_url(st.query_params)]
    st.session_state["stepper.url_loaded"] = True
    url_params.warn_ignored(bad)

with st.sidebar:
    st.subheader(_("Model"))
    choice = model_picker.model_picker()
    if not choice.reads_text:
        st.subheader(_("Input"))
        preset = sequence_input.preset_picker()

st.title(_("LSTM step-through"))
kind = "lstm" if choice.is_lecture else model_picker.cell_kind(choice)
if choice.is_shipped:
    st.caption(_("**{title}** (trained): {description}").format(
        title=model_name(choice.kind), description=model_description(choice.kind)))
st.caption(_(CELL_CAPTIONS[kind]))

controls = st.container()
tab_names = {"input": N_("Input text") if choice.reads_text else N_("Input sequence"),
             "time": N_("Over time"), "animation": N_("Memory animation")}
tab_names |= {"weights": N_("Weights")} if choice.is_lecture else {}
tab_names |= {"learned": N_("Learned vs hand-wired")} if choice.kind == "lecture_learned" else {}
# Only the open tab's figures are drawn (each redraw costs a click on Next ~0.2 s); the
# editors always run, since the sequence and the weights come from them.
tabs = st.tabs(language.tab_labels("stepper.tab", tab_names), key="stepper.tab",
               on_change="rerun")

with tabs[0]:
    if choice.reads_text:
        sequence = text_input.text_input(choice.kind)
    else:
        sequence = sequence_input.sequence_editor(preset, choice.input_size)
weights = None
if choice.is_lecture:
    with tabs[3]:
        weights = weight_editor.weight_editor()
        if weights == weight_editor.lecture_weights():
            weights = None

url = model_picker.url_params(choice)
if choice.reads_text:
    url |= text_input.url_params(choice.kind, sequence)
else:
    url |= sequence_input.url_params(sequence)
url |= weight_editor.url_params(weights) if weights else {}
if sequence.error:
    controls.error(markup.md(sequence.error), icon=":material/error:")
    if sequence.fix:
        controls.button(sequence.fix[0], on_click=sequence.fix[1], icon=":material/build:")
    st.query_params.from_dict(url)
    st.stop()

if choice.reads_text:
    steps = ("text", sequence.text)
    labels = resources.get_step_labels(choice.kind, sequence.text)
else:
    steps = resources.steps_key(sequence.x)
    labels = sequence.labels  # an uploaded file's dates, or None
try:
    trace = resources.get_trace(choice, weights, steps)
except ValueError as err:  # past the trace's budget (engine.trace.MAX_RECORDED)
    controls.error(markup.md(_("This sequence is too big to step through: {reason}").format(
        reason=say(err, markdown=False))), icon=":material/error:")
    st.query_params.from_dict(url)
    st.stop()
st.session_state["stepper.current"] = (choice, weights, steps)  # shared with the gradient lab
question = questions.pending("stepper")  # a lesson's question stops the steps before its own
with controls:
    layer, direction, unit = view_picker(trace)


def _reads(k: int) -> str:
    """What step k (0-based) reads, as HTML: the text's token, or the numbers as written
    (float32's shortest text) after the step's name."""
    if choice.reads_text:
        return _("reads <b>{token}</b>").format(token=browser_stepper.escape(repr(labels[k])))
    numbers = ", ".join(map(sequence_input.shortest, trace.inputs[k].tolist()))
    name = f"{browser_stepper.escape(str(labels[k]))} · " if labels else ""
    return name + _("input x = [{numbers}]").format(numbers=numbers)


with controls:
    t = browser_stepper.browser_stepper(
        trace.steps,
        lambda first, last: resources.get_step_frames(choice, weights, steps, unit, layer,
                                                      direction, first, last, i18n.current()),
        lambda first, last: [browser_stepper.text_line(k + 1, trace.steps, _reads(k))
                             for k in range(first, last)],
        step_key=stepper_controls.KEY, key="stepper",
        ident=browser_stepper.identity(choice, weights, steps, unit, layer, direction),
        max_step=questions.max_step(question), note=_(NEAR_NOTE) if choice.is_lecture else "",
        name=f"{kind}-cell",
    )
    if question is not None:
        questions.ask_stepper(question, trace, stepper_controls.KEY)
held = question is not None and not question.answered  # later steps stay out of the page
url |= stepper_controls.url_params(t + 1)
st.query_params.from_dict(url)
lesson.from_here("stepper")

if held:
    for tab in tabs[1:3]:
        tab.info(_("This tab shows every step: answer the question above first."),
                 icon=":material/quiz:")
if tabs[1].open and not held:
    with tabs[1]:
        stepper_tabs.over_time(choice, weights, steps, trace, labels, kind, t)
if tabs[2].open and not held:
    with tabs[2]:
        stepper_tabs.memory_animation(choice, weights, steps, t)
if choice.kind == "lecture_learned" and tabs[-1].open and not held:
    with tabs[-1]:
        stepper_tabs.learned_vs_hand_wired(trace, steps, t)

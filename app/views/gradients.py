"""Gradient lab: why RNNs are hard to train, in four experiments from the lecture (§4)."""

import streamlit as st

import markup
import resources
from components import grad_controls, lesson, presenter, questions, trainer
from components.grad_own import own_norms
from engine import gradients
from errors import say
from figures.gradients import power_figure, sci, surface_figure, training_figure
from i18n import _

presenter.title(_("Gradient lab"), _(
    "Lecture §4: the loss of an RNN jumps wildly because its error surface is either very flat "
    "or very steep. The same weight is used at every step, so its effect is raised to the power "
    "of the sequence length: gradients explode or vanish. Clipping caps the step; the LSTM "
    "*adds* to its memory, so an influence survives until the forget gate closes."
))
grad_controls.load_url(st.query_params)
question = questions.pending("gradients")
toy_tab, cliff, norms, training = st.tabs(grad_controls.tab_labels(),
                                          key=grad_controls.TAB_KEY, on_change="rerun")

with toy_tab:
    w, steps = grad_controls.power_inputs()
    toy = grad_controls.power_view(w, steps)
    # A lesson's question waits: y is not on the page until someone answers.
    if question is None or questions.ask_power(question, w, steps, toy["log_y"]):
        left, right = st.columns(2)
        left.metric(_("y after {steps} steps = w^{power}").format(steps=steps, power=steps - 1),
                    sci(toy["log_y"]))
        right.metric("dy/dw", sci(toy["log_dy"]))
        presenter.chart(power_figure(toy["ws"], toy["log_ys"], toy["log_dys"], w,
                                     toy["log_y"], steps, toy["lecture"]),
                        f"y-equals-w-power-{steps - 1}", key="power", fit=True)
        st.dataframe(grad_controls.lecture_table(steps), hide_index=True, width="content")
        st.caption(_("The lecture rounds 0.99⁹⁹⁹ to ≈0; exactly it is 4.36·10⁻⁵: small, not "
                     "zero. 0.01⁹⁹⁹ = 10⁻¹⁹⁹⁸ is far below float64's smallest number "
                     "(≈10⁻³⁰⁸)."))

with cliff:
    surface_ws, surface_bs, loss = resources.get_error_surface(160)
    start, lr, clip, n = grad_controls.descent_inputs(surface_ws, surface_bs)
    free = gradients.descend(*start, lr=lr, steps=n)
    clipped = gradients.descend(*start, lr=lr, steps=n, clip=clip)
    runs = {_("without clipping"): free,
            _("clipped at ‖g‖ = {clip}").format(clip=f"{clip:g}"): clipped}
    presenter.chart(
        surface_figure(surface_ws, surface_bs, loss, runs), f"error-surface-clip-{clip:g}",
        key="surface", fit=True, on_select=grad_controls.take_clicked_start,
        selection_mode="points",
    )
    st.markdown(grad_controls.descent_summary(free, clipped))

with norms:
    source, params = grad_controls.norm_inputs()
    if source == "own":
        own_norms()
    else:
        try:
            if source == "compare":
                result = resources.get_norm_comparison(*params)
            else:
                choice, weights, steps_key = params
                result = {choice.kind: resources.get_model_norms(choice, weights, steps_key)}
        except ValueError as err:
            st.error(markup.md(_("Not computed: {reason}").format(reason=say(err, markdown=False))),
                     icon=":material/block:")
        else:
            grad_controls.norm_results(result, "norms" if source == "compare" else
                                       "norms_stepper")

with training:
    settings = grad_controls.training_inputs()
    if st.button(_("Train"), type="primary", icon=":material/play_arrow:", key="grad.train"):
        trainer.start("grad.job", grad_controls.training_work(settings))
    job = trainer.follow("grad.job", _("Training"))
    if job is not None and job.error:
        st.error(markup.md(_("Training failed: {reason}").format(reason=job.error)),
                 icon=":material/error:")
    elif job is not None and job.result:
        st.session_state["grad.runs"] = job.result
    elif job is not None and job.result is not None:
        st.info(_("Training was stopped before its first iteration; nothing to show yet."))
    shown = st.session_state.get("grad.runs") or resources.get_default_runs()
    if "grad.runs" not in st.session_state:
        st.caption(_("Shown: the runs shipped with the app (sequence length 30, 1000 "
                     "iterations, seed 0). Press Train to run your own."))
    presenter.chart(training_figure(shown), "training-loss-and-gradient-norm", key="training",
                    fit=True)
    st.dataframe(grad_controls.run_table(shown), hide_index=True, width="content")

st.query_params.from_dict(grad_controls.link_params())
lesson.from_here("gradients")

"""Gradient lab: why RNNs are hard to train, in four experiments from the lecture (§4)."""

import numpy as np
import streamlit as st

import resources
from components import grad_controls, trainer
from components.upload import own_norms
from engine import gradients
from figures.gradients import grad_norm_figure, power_figure, surface_figure, training_figure

st.title("Gradient lab")
st.caption(
    "Lecture §4: the loss of an RNN jumps wildly because its error surface is either very flat "
    "or very steep. The same weight is used at every step, so its effect is raised to the power "
    "of the sequence length: gradients explode or vanish. Clipping caps the step; the LSTM "
    "*adds* to its memory, so an influence survives until the forget gate closes."
)
toy, cliff, norms, training = st.tabs(
    ["A · y = w⁹⁹⁹", "B · The cliff and clipping", "C · Gradient norm over time", "D · Training"]
)

with toy:
    w, steps = grad_controls.power_inputs()
    y, dy = gradients.power_toy(w, steps)
    ws = np.concatenate([np.linspace(0.0, 0.95, 200), np.linspace(0.95, 1.05, 400)])
    ys, dys = gradients.power_toy(ws, steps)
    left, mid, right = st.columns(3)
    left.metric(f"y after {steps} steps = w^{steps - 1}", f"{y:.4g}")
    mid.metric("dy/dw", f"{dy:.4g}")
    right.metric("the lecture's table", "1 · ≈2·10⁴ · ≈0 · ≈0", help="w = 1, 1.01, 0.99, 0.01")
    st.plotly_chart(power_figure(ws, ys, dys, w, y, dy, steps), key="power")
    st.dataframe(grad_controls.lecture_table(steps), hide_index=True, width="content")

with cliff:
    surface_ws, surface_bs, loss = resources.get_error_surface(160)
    start, lr, clip, n = grad_controls.descent_inputs(surface_ws, surface_bs)
    free = gradients.descend(*start, lr=lr, steps=n)
    clipped = gradients.descend(*start, lr=lr, steps=n, clip=clip)
    runs = {"without clipping": free, f"clipped at ‖g‖ = {clip:g}": clipped}
    st.plotly_chart(
        surface_figure(surface_ws, surface_bs, loss, runs), key="surface",
        on_select=grad_controls.take_clicked_start, selection_mode="points",
    )
    st.markdown(grad_controls.descent_summary(free, clipped))

with norms:
    source, params = grad_controls.norm_inputs()
    if source == "compare":
        result = resources.get_norm_comparison(*params)
        st.plotly_chart(grad_norm_figure(result), key="norms")
        st.dataframe(grad_controls.slope_table(result), hide_index=True, width="content")
    elif source == "own":
        own_norms()
    else:
        choice, weights, steps_key = params
        result = resources.get_model_norms(choice, weights, steps_key)
        st.plotly_chart(grad_norm_figure({choice.kind: result}), key="norms_stepper")
        st.dataframe(grad_controls.slope_table({choice.kind: result}), hide_index=True,
                     width="content")

with training:
    settings = grad_controls.training_inputs()
    if st.button("Train", type="primary", icon=":material/play_arrow:", key="grad.train"):
        trainer.start("grad.job", grad_controls.training_work(settings))
    job = trainer.follow("grad.job", "Training")
    if job is not None and job.error:
        st.error(f"Training failed: {job.error}", icon=":material/error:")
    elif job is not None and job.result:
        st.session_state["grad.runs"] = job.result
    elif job is not None and job.result is not None:
        st.info("Training was stopped before its first iteration; nothing to show yet.")
    shown = st.session_state.get("grad.runs") or resources.get_default_runs()
    if "grad.runs" not in st.session_state:
        st.caption("Shown: the runs shipped with the app (sequence length 30, 1000 iterations, "
                   "seed 0). Press Train to run your own.")
    st.plotly_chart(training_figure(shown), key="training")
    st.dataframe(grad_controls.run_table(shown), hide_index=True, width="content")

"""Gradient lab, tab C: ‖∂L/∂h_t‖ of your own trained model on your own sequence.

The file widgets, examples and errors are components.upload's; this module owns the keys
"upload.grad_model" and "upload.grad_seq" it hands them, and the chart "norms_own".
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import markup
import resources
from components import upload
from components.grad_controls import norm_results
from engine.checkpoint import CheckpointError
from errors import say
from i18n import _

NOISE_STEPS = 100  # length of the stand-in sequence when only a model is uploaded


def own_norms() -> None:
    """‖∂L/∂h_t‖ of your own model on your own sequence (or seeded noise)."""
    left, right = st.columns(2, gap="large")
    with left:
        own = upload.model_upload("upload.grad_model")
    with right:
        uploaded = upload.sequence_upload("upload.grad_seq", _("Upload a sequence file"),
                                          formats=upload.NUMERIC)
        st.caption(markup.md(_("Reads {formats}.").format(formats=upload.named(upload.NUMERIC))))
        upload.examples(upload.NUMERIC, "upload.grad_seq")
    if own is None:
        st.info(_("Upload a trained LSTM, GRU or RNN to see its gradient norms over time."),
                icon=":material/upload_file:")
        return
    info = own.info
    if uploaded is None:
        x = np.random.default_rng(0).standard_normal((NOISE_STEPS, info.input_size))
        x, key, what = x.astype(np.float32), ("noise", NOISE_STEPS, info.input_size), _(
            "{steps} steps of seeded Gaussian noise (upload a sequence to use yours)").format(
            steps=NOISE_STEPS)
    else:
        index, seq = upload.pick_sequence(uploaded, "upload.grad_seq")
        x = upload.numbers_of(seq, info.input_size)
        if x is None:
            return
        key, what = (uploaded.digest, index), _("{name}, {steps} steps").format(
            name=seq.name, steps=seq.steps)
        if seq.labels:  # the chart counts steps; say which dates they are
            what = _("{name}, {steps} steps, {first} … {last}").format(
                name=seq.name, steps=seq.steps, first=seq.labels[0], last=seq.labels[-1])
    st.caption(markup.md(_("{model} on {sequence}; L = sum of h_T.").format(
        model=upload.describe_model(info), sequence=what)) + " " + _("Read right to left."))
    try:
        result = resources.get_user_norms(own.digest, key, x)
    except (ValueError, CheckpointError) as err:
        st.error(markup.md(_("Not computed: {reason}").format(
            reason=say(err, markdown=False))), icon=":material/block:")
        return
    norm_results({info.kind: result}, "norms_own")

"""The CTC lab's lattice views, shared by the recogniser's tab and your own posteriors: the
lattice coloured by α, β or occupancy with the Viterbi path, and α filling it, stepped."""

from __future__ import annotations

import streamlit as st

import resources
from components import ctc_controls as ctl
from components import phone, presenter
from components.stepper_controls import stepper_controls
from engine import ctc
from figures.ctc import alpha_animation, alpha_at, drawable, lattice_figure, reachable_nodes
from i18n import _


def lattice_views(lat: ctc.Lattice, symbols: list[str], key: str, animation=None) -> None:
    """The lattice coloured by α, β or occupancy with the Viterbi path, and α's animation
    (`animation()` gives it ready-made; otherwise it is built here)."""
    T, S = lat.num_frames, lat.num_states
    if not drawable(T, S):
        st.info(_("The lattice has {T} × {S} nodes, too many to draw; its numbers are above.")
                .format(T=T, S=S))
        return
    C = lat.log_probs.shape[1]
    reach = reachable_nodes(resources.get_ctc_structure(T, tuple(lat.target), C))
    view = ctl.view_picker(f"{key}.view")
    presenter.chart(lattice_figure(lat, symbols, reach, view,
                                   [(_("Viterbi path"), lat.best_path_states)]),
                    f"ctc-lattice-{view}", key=f"{key}.lattice")
    box = st.expander(_("α filling the lattice frame by frame (animation)"),
                      key=f"{key}.alpha_open", on_change="rerun")
    if not box.open:  # built only when opened
        return
    with box:
        st.caption(_("α_t(s) sums the probabilities of every path prefix that reaches state s "
                     "at frame t: each column is computed from the one before. Step through "
                     "the frames (← / →, Home / End) or press Play (Space)."))
        figure = animation() if animation else alpha_animation(lat, symbols, reach)
        t = stepper_controls(len(figure.frames), key=f"{key}.alpha_frame", label=_("Frame"))
        with phone.swipe_area(f"{key}.alpha_frame"):  # a swipe steps the frames
            presenter.chart(alpha_at(figure, t), "ctc-alpha", t + 1, key=f"{key}.alpha")

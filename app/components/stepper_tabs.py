"""The LSTM step-through's tabs that show every step: the values over time, the memory
animation and the learned cell beside the hand-wired one. Each is drawn only when its tab is
open (a redraw costs every click), and never while a lesson's question holds the later steps."""

from __future__ import annotations

import streamlit as st

import i18n
import resources
from choices import LECTURE, ModelChoice
from components import presenter
from components.unit_picker import unit_picker
from engine.trace import Trace
from figures.animation import at_step
from figures.compare import learned_vs_wired
from figures.timeline import move_step
from i18n import _

MAX_LABELLED_STEPS = 40  # longer texts get step numbers only on the time axis


def over_time(choice: ModelChoice, weights, steps, trace: Trace, labels, kind: str,
              t: int) -> None:
    """Gates, memory and hidden values over time for the picked units, marked at step t."""
    units = unit_picker(trace)
    # a file's labels always (the figure names every k-th step), a text's when it is short
    named = (tuple(labels) if labels and (len(labels) <= MAX_LABELLED_STEPS
                                           or not choice.reads_text) else None)
    timeline = resources.get_timeline(choice, weights, steps, tuple(units) if units else None,
                                      named, i18n.current())
    presenter.chart(move_step(timeline, t), f"{kind}-over-time", t + 1, key="timeline")


def memory_animation(choice: ModelChoice, weights, steps, t: int) -> None:
    """The memory cell over the whole sequence, played in the browser, opened at step t."""
    animation, html = resources.get_animation(choice, weights, steps, i18n.current())
    st.caption(_(
        "Shown at step {step}. Press ▶ to play the whole sequence in your browser; the slider "
        "scrubs through steps. The download plays offline in any browser.").format(step=t + 1))
    presenter.chart(at_step(animation, t), "memory-animation", t + 1, key="animation")
    st.download_button(
        _("Download the animation (HTML)"), html, file_name="rnn-lab-memory-animation.html",
        mime="text/html", icon=":material/download:",
    )


def learned_vs_hand_wired(learned: Trace, steps, t: int) -> None:
    """The learned lecture LSTM's gates beside the hand-wired one's, and their weights."""
    st.caption(_(
        "The same sequence through both cells. Did training find the lecture's logic? Thick "
        "coloured lines: the learned cell; dotted black lines: the hand-wired one "
        "(z = x1, z_i = 100·x2 − 10, z_f = 100·x2 + 10, z_o = 100·x3 − 10). Where they lie "
        "on top of each other, the learned gate opens and closes where the lecture's does; "
        "the table shows how different weights get there."
    ))
    wired = resources.get_trace(LECTURE, None, steps)
    presenter.chart(learned_vs_wired(learned, wired, t), "learned-vs-hand-wired", t + 1,
                    key="compare")
    st.dataframe(resources.get_weight_comparison(i18n.current()), hide_index=True)

"""CTC lab: alignments and their lattice, a trained recogniser's spikes, your own posteriors."""

import numpy as np
import streamlit as st

import markup
import resources
from components import ctc_controls as ctl
from components import ctc_lattice, ctc_own, lesson, presenter, questions
from engine import ctc
from errors import say
from figures.ctc import drawable, frames_figure, lattice_figure, reachable_nodes
from i18n import _, current

presenter.title(_("CTC lab"), _(
    "Lecture §5: a recogniser emits one symbol per frame, many more frames than output "
    "characters. Merging repeats alone turns “好 好 好 棒 棒 棒 棒” into 好棒, so 好棒棒 could "
    "never come out. CTC adds a null symbol φ and sums over **every** frame path that collapses "
    "(merge repeats, then drop φ) to the target; a dynamic program over the lattice does it."
))
ctl.load_url(st.query_params)
question = questions.pending("ctc")
align_tab, model_tab, own_tab = st.tabs(ctl.tab_labels(), key=ctl.TAB_KEY,
                                        on_change="rerun")


with align_tab:
    text, T = ctl.alignment_inputs()
    labels, alphabet = ctc.encode_text(text)
    lattice_box = st.container()
    try:
        ctl.check_alignment_size(text, T)
        structure, error = resources.get_ctc_structure(T, tuple(labels), len(alphabet)), None
        count = ctc.count_alignments(T, labels) if ctc.BLANK_SYMBOL not in text else 0
    except ValueError as problem:
        structure, error, count = None, say(problem, markdown=False), 0
    left, right = st.columns([3, 2], gap="large")
    with right:
        # A lesson's question waits: the verdict, the path on the lattice and the list of
        # alignments stay out of the page until someone answers.
        check = ctl.path_checker(text, T, None if question is None else
                                 lambda c: questions.ask_valid(question, c, text, T))
    with lattice_box:
        c = st.columns(3)
        c[0].metric(_("Valid alignments of “{text}” in {T} frames").format(
            text=markup.md(text), T=T), ctl.count_text(count))
        c[1].metric(_("Fewest frames needed"), ctc.min_frames(labels))
        c[2].metric(_("States (φ between and around the labels)"), 2 * len(labels) + 1)
        if count >= 10**18:
            st.code(f"{count}", language=None, wrap_lines=True)
        if error:
            st.error(markup.md(error), icon=":material/error:")
        elif drawable(T, structure.num_states):
            paths = [(_("your path"), check.states)] if check and check.states else []
            presenter.chart(lattice_figure(structure, alphabet, reachable_nodes(structure),
                                           "share", paths), f"ctc-alignments-{T}-frames",
                            key="ctc.align_lattice", fit=True)
            st.caption(_("Every alignment is a path from the top-left to the bottom-right, "
                         "one node per frame. Colour: the share of all alignments through a "
                         "node."))
        else:
            st.info(_("This lattice is too large to draw; the count is exact."))
    with left:
        if structure is not None and count and check is not None:
            page = ctl.page_picker(count)
            start = page * ctl.PAGE_SIZE
            rows = resources.get_alignment_page(T, tuple(labels), start, start + ctl.PAGE_SIZE)
            table = ctl.alignment_table(rows, structure.states, alphabet, start)
            ctl.selectable_alignments(table)

with model_tab:
    snapshots = resources.get_ctc_snapshots()
    if not snapshots:
        st.info(_("The trained recogniser's snapshots (pretrained/ctc_digits/) are not here; "
                  "run `python pretrained/ctc_digits.py` to build them."))
    else:
        st.caption(_("A bidirectional LSTM reads a strip of handwritten digits (scikit-learn's "
                     "scans, from the part training never saw) one pixel column per frame and "
                     "emits φ or a digit per frame."))
        numbers, seed, error = ctl.strip_inputs(lambda s: resources.get_strip(None, s).labels)
        epoch, width = ctl.reading_inputs(snapshots)
        with st.expander(_("Read your own digit strip (PNG)"), icon=":material/upload_file:"):
            ctc_own.own_strip(epoch, width)
        if error:
            st.error(markup.md(error), icon=":material/error:")
        else:
            log_probs, lat = resources.get_strip_reading(epoch, numbers, seed)
            strip = resources.get_strip(numbers, seed)
            greedy = ctc.greedy_decode(log_probs)
            beams = ctc.prefix_beam_search(log_probs, width)
            c = st.columns(4)
            c[0].metric(_("Loss −log p(digits | strip)"), f"{-lat.log_likelihood:.4f}")
            c[1].metric(_("Greedy reading"),
                        ctc.decode_labels(greedy, ctl.DIGITS) or _("(empty)"))
            c[2].metric(_("Frames T"), lat.num_frames)
            held = snapshots[epoch].get("heldout_exact_accuracy")
            c[3].metric(_("Held-out strips read right (epoch {epoch})").format(epoch=epoch),
                        f"{held:.1%}" if held is not None else "—")
            presenter.chart(frames_figure(
                np.exp(log_probs), ctl.DIGITS, strip.image,
                [(_("Viterbi path"), lat.best_path),
                 (_("best class"), np.argmax(log_probs, axis=1).tolist())]),
                f"ctc-digit-strip-epoch-{epoch}", key="ctc.strip")
            st.caption(_("Viterbi path: the likeliest single alignment of the true digits. "
                         "Best class: the likeliest symbol per frame; collapsed, it is the "
                         "greedy reading."))
            st.dataframe(ctl.decode_table(greedy, beams, ctl.DIGITS, strip.ctc_labels),
                         hide_index=True, width="content", column_config=ctl.decode_columns())
            ctc_lattice.lattice_views(lat, ctl.DIGITS, "ctc.model",
                          lambda: resources.get_strip_animation(epoch, numbers, seed, current()))

with own_tab:
    shown = ctc_own.own_posteriors()
    if shown is not None:
        own, lat = shown
        ctc_lattice.lattice_views(lat, ctc_own.posterior_views(own, lat), "ctc.own")

st.query_params.from_dict(ctl.link_params())
lesson.from_here("ctc")

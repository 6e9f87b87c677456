"""CTC lab, your own inputs: a digit-strip PNG read by the shipped recogniser, and per-frame
posteriors of your own with a target. After a refused file or paste, the last input that
worked stays on the page. Owns the session-state keys "upload.ctc_strip.*" and "ctc.own.*"."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

import markup
import resources
from components import ctc_controls as ctl
from components import presenter, upload
from engine import ctc
from engine.uploads import strip_image
from errors import say
from figures.ctc import frames_drawable, frames_figure
from i18n import _

_LAST_STRIP = "upload.ctc_strip.last"  # the last strip that was read: an OwnStrip
_LAST_POSTERIORS = "ctc.own.last"  # the last posteriors that gave a lattice: OwnPosteriors


@dataclass(frozen=True)
class OwnStrip:
    """An uploaded picture that passed as a digit strip."""

    name: str  # the file's name
    digest: str  # SHA-256 of its bytes
    image: np.ndarray  # [8, W] in [0, 1], ink high


@dataclass(frozen=True)
class OwnPosteriors:
    """Posteriors and a target that gave a lattice."""

    source: str  # where the matrix came from (a file's name, or the pasted text)
    key: str  # SHA-256 of the log-probabilities' bytes and the target: the lattice's cache key
    log_probs: np.ndarray  # [T, C]
    target: tuple[int, ...]  # [U]


def _read_strip(name: str, data: bytes) -> OwnStrip:
    """The file as a digit strip, or a ValueError (an UploadError) saying why not."""
    sha = upload.digest(data)
    sequences = resources.get_uploaded_sequences(sha, name, data)
    problem = resources.get_strip_check(sha, data)
    if problem:
        raise ValueError(_("{name} does not look like a strip of handwritten digits: {problem}")
                         .format(name=name, problem=say(problem, markdown=False)))
    return OwnStrip(name, sha, strip_image(sequences[0]))


def own_strip(epoch: int, beam_width: int) -> None:
    """The shipped recogniser reads your own digit strip (a PNG); a refused picture leaves the
    last strip that was read on the page."""
    st.caption(_("A picture of handwritten digits side by side, dark on light or light on "
                 "dark: one line of digits, at most 400 pixels tall and 24 times as wide as "
                 "tall. It is scaled to 8 pixel rows, like the scans the recogniser learned "
                 "from, and read one column per frame."))
    file = st.file_uploader(_("Upload a digit strip (PNG)"), type=["png"],
                            key="upload.ctc_strip.file",
                            help=_("A PNG of one line of handwritten digits."))
    upload.examples((".png",), "upload.ctc_strip", inline=True)
    if file is None:  # (replacing a file passes through None: the last strip is kept)
        return
    try:
        strip = _read_strip(file.name, file.getvalue())
    except ValueError as error:
        st.error(say(error), icon=":material/error:")
        strip = st.session_state.get(_LAST_STRIP)
        if strip is None:
            return
        st.caption(_("{name} was not read; still showing {shown}.").format(
            name=markup.md(file.name), shown=markup.md(strip.name)))
    st.session_state[_LAST_STRIP] = strip
    log_probs, _lat = resources.get_own_strip_reading(epoch, strip.digest, strip.image)
    greedy = ctc.greedy_decode(log_probs)
    beams = ctc.prefix_beam_search(log_probs, beam_width)
    c = st.columns(3)
    c[0].metric(_("Your strip: greedy reading"),
                ctc.decode_labels(greedy, ctl.DIGITS) or _("(empty)"))
    c[1].metric(_("Beam search reading"),
                ctc.decode_labels(beams[0][0], ctl.DIGITS) if beams else _("(empty)"))
    c[2].metric(_("Frames T (columns)"), log_probs.shape[0])
    presenter.chart(frames_figure(np.exp(log_probs), ctl.DIGITS, strip.image,
                                  [(_("best class"), np.argmax(log_probs, axis=1).tolist())]),
                    "ctc-your-strip", key="upload.ctc_strip.frames")
    st.dataframe(ctl.decode_table(greedy, beams, ctl.DIGITS), hide_index=True, width="content",
                 column_config=ctl.decode_columns())


def _key(log_probs: np.ndarray, target: list[int]) -> str:
    """SHA-256 of the log-probabilities' shape and bytes and of the target."""
    h = hashlib.sha256(repr((log_probs.shape, target)).encode())
    h.update(np.ascontiguousarray(log_probs).tobytes())
    return h.hexdigest()


def own_posteriors() -> tuple[OwnPosteriors, ctc.Lattice] | None:
    """The paste/upload and target inputs, and the lattice they give. A refused input shows
    its error and leaves the last input that worked (None when there was none)."""
    matrix, target, source, error = ctl.matrix_input()
    if error is None:
        try:
            ctl.check_own_size(matrix, target)
            log_probs = ctc.to_log_probs(matrix)
            own = OwnPosteriors(source, _key(log_probs, target), log_probs, tuple(target))
            lat = resources.get_own_lattice(own.key, own.log_probs, own.target)
        except ValueError as problem:
            error = say(problem, markdown=False)
    if error is None:
        st.session_state[_LAST_POSTERIORS] = own
        return own, lat
    st.error(markup.md(error), icon=":material/error:")
    own = st.session_state.get(_LAST_POSTERIORS)
    if own is None:
        return None
    st.caption(_("That input was refused; below is still the last one that worked "
                 "({source}).").format(source=markup.md(own.source)))
    return own, resources.get_own_lattice(own.key, own.log_probs, own.target)


def posterior_views(own: OwnPosteriors, lat: ctc.Lattice) -> list[str]:
    """Metrics and the per-frame posteriors of your own input; returns the class symbols."""
    T, C = own.log_probs.shape
    symbols = [ctc.BLANK_SYMBOL] + [str(c) for c in range(1, C)]
    path = ctl.compact(list(ctc.decode_labels(lat.best_path, symbols)))
    c = st.columns(3)
    c[0].metric("log p(target | input)", f"{lat.log_likelihood:.6f}")
    c[1].metric(_("Viterbi path"), path if len(path) <= 80 else path[:79] + "…")
    c[2].metric(_("Its log-probability"), f"{lat.best_path_log_prob:.6f}")
    if frames_drawable(T, C):
        presenter.chart(frames_figure(np.exp(own.log_probs), symbols,
                                      paths=[(_("Viterbi path"), lat.best_path)]),
                        "ctc-your-posteriors", key="ctc.own_frames")
    else:
        st.info(_("{T} frames × {C} classes are too many to draw; the numbers above are "
                  "exact.").format(T=f"{T:,}", C=C))
    return symbols

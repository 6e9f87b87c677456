"""Sequence input: the lecture's presets, a random rule-following sequence, or your own vectors.

Owns the session-state keys under "seq." and the URL parameters seq (preset name), rs (random
sequence seed) and x (your own sequence, encoded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch

import markup
import resources
from components import url_params as up
from components.model_picker import KEYS as PICKER_KEYS
from components.model_picker import LIMITS as PICKER_LIMITS
from components.model_picker import UNTRAINED
from engine import lee
from engine.uploads import (
    MAX_STEPS,
    GapsError,
    SequenceError,
    UploadError,
    decode_sequence,
    parse_sequence_text,
    sequence_from_rows,
)
from errors import say
from i18n import N_, _

PRESETS = {  # translated where shown
    "lecture": N_("Lecture: the 9-step table"),
    "walkthrough": N_("Lecture: the 5-step walk-through"),
    "random": N_("Random steps that follow the rules"),
    "custom": N_("Your own"),
}
RANDOM_STEPS = 12
URL_MAX_STEPS = 200  # longer sequences of your own are not put in the link
URL_MAX_CHARS = 200_000  # longest x a link may carry (200 steps × 64 inputs fit with room)
SEED_RANGE = (0, 2**31 - 1)  # the random preset's seeds
KEYS = {"seq": "seq.preset", "rs": "seq.random_seed"}
INPUT = PICKER_KEYS["in"]  # the model's input size, which the width fix sets
_CUSTOM = "seq.custom"  # [T, I] tensor: the base of "Your own"
_LABELS = "seq.custom_labels"  # T labels of the base's steps (an uploaded file's dates), or None
_PASTE_ERROR = "seq.paste_error"  # why the last paste could not be used, or None
_VERSION = "seq.version"  # bumped whenever a base table is replaced, to reset the editor
_UPLOAD = "upload.stepper_seq"  # the sequence-file widget's key prefix (components.upload)
_UPLOAD_NOTE = "seq.upload_note"  # (is_error, message) about the last uploaded file, or None
_PENDING = "seq.pending"  # (name, [T, F] tensor, labels) of an upload this model cannot read
_UPLOAD_SEQS = "seq.upload_seqs"  # the uploaded file's numeric sequences, described, or None
_UPLOAD_GAPS = "seq.upload_gaps"  # True when the last upload was refused for missing cells
_UPLOAD_DIGEST = "seq.upload_digest"  # SHA-256 of the file the picker's choices belong to


@dataclass
class SequenceChoice:
    """The sequence to run, or why there is none."""

    x: torch.Tensor | None  # [T, I] float32, None when the input is not valid
    error: str | None  # what is wrong, written for the user
    preset: str  # key of PRESETS
    edited: bool  # the table differs from the preset
    fix: tuple[str, Callable[[], None]] | None = None  # a button label and callback that fix it
    labels: list[str] | None = None  # T names of the steps (an uploaded file's dates), or None


def _preset_tensor(preset: str, width: int) -> torch.Tensor:
    """The table a preset starts from, for a model reading `width` inputs."""
    if preset == "lecture":
        return lee.LECTURE_SEQUENCE.clone()
    if preset == "walkthrough":
        return lee.LECTURE_WALKTHROUGH.clone()
    if preset == "random":
        return lee.random_rule_sequence(RANDOM_STEPS, seed=st.session_state[KEYS["rs"]])
    custom = st.session_state.get(_CUSTOM)
    if custom is None or custom.shape[1] != width:
        base = lee.LECTURE_WALKTHROUGH
        custom = base.clone() if width == 3 else torch.zeros(base.shape[0], width)
    return custom


def shortest(value: float) -> str:
    """The shortest text that reads back as the same float32 (0.126 → "0.126", never
    "0.12600000202655792"; 100.0 → "100"), the way a person would have written it."""
    text = str(np.float32(value)).replace("e+", "e")
    return text[:-2] if text.endswith(".0") else text


def as_written(x: torch.Tensor) -> list[list[float]]:
    """[T, I] float32 values as the floats their shortest text reads (for tables)."""
    return [[float(shortest(v)) for v in row] for row in x.tolist()]


def encode_link(x: torch.Tensor) -> str:
    """[T, I] → the link's text (steps separated by "_", values by "~"), every float32 value
    exactly: decode_link(encode_link(x)) equals x."""
    return "_".join("~".join(shortest(v) for v in row) for row in x.tolist())


def decode_link(text: str | None, width: int | None = None) -> torch.Tensor | None:
    """A link's sequence (see `encode_link`) as a finite float32 [T, I] tensor, or None when
    it is not valid (malformed, too long, not ASCII — Python's float() reads "٣" as 3 — or a
    number that overflows float32)."""
    if text is None or len(text) > URL_MAX_CHARS or not text.isascii():
        return None
    try:
        x = decode_sequence(text, width)
    except SequenceError:
        return None
    return x if x.shape[0] <= MAX_STEPS and bool(torch.isfinite(x).all()) else None


def load_url(params) -> list[str]:
    """Seed the sequence state from URL parameters; returns the names that were not valid."""
    bad = []
    if "seq" in params:
        preset = up.choice_value(up.get(params, "seq"), PRESETS)
        if preset is None:
            bad.append("seq")
        else:
            st.session_state[KEYS["seq"]] = preset
    if "rs" in params:
        seed = up.int_value(up.get(params, "rs"), *SEED_RANGE)
        if seed is None:
            bad.append("rs")
        else:
            st.session_state[KEYS["rs"]] = seed
    if "x" in params:
        x = decode_link(up.get(params, "x"))
        if x is None:
            bad.append("x")
        else:
            st.session_state[_CUSTOM] = x
            st.session_state[_LABELS] = None  # a link carries the numbers only
            st.session_state[KEYS["seq"]] = "custom"
    return bad


def url_params(choice: SequenceChoice) -> dict[str, str]:
    """The URL parameters that reproduce `choice`."""
    if choice.x is None:
        return {"seq": choice.preset}
    if choice.edited or choice.preset == "custom":
        if choice.x.shape[0] <= URL_MAX_STEPS:
            return {"seq": "custom", "x": encode_link(choice.x)}
        return {"seq": "custom"}
    params = {"seq": choice.preset}
    if choice.preset == "random":
        params["rs"] = str(st.session_state[KEYS["rs"]])
    return params


def _replace_custom(x: torch.Tensor, labels: list[str] | None = None) -> None:
    """Make `x` the base of "Your own" (its steps named by `labels`, T of them) and show it."""
    st.session_state[_CUSTOM] = x
    st.session_state[_LABELS] = list(labels) if labels else None
    st.session_state[KEYS["seq"]] = "custom"
    st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1


def _use_paste(width: int) -> None:
    """Button callback: make the pasted text your own sequence, or keep a message saying why not."""
    try:
        _replace_custom(parse_sequence_text(st.session_state.get("seq.paste", ""), width))
        st.session_state[_PASTE_ERROR] = None
    except SequenceError as err:
        st.session_state[_PASTE_ERROR] = _("Could not use the pasted sequence: {reason}").format(
            reason=say(err, markdown=False))


def _use_upload(width: int) -> None:
    """File-widget callback: make the uploaded file's chosen sequence (the first, or the one
    picked when it holds several) your own, or keep a message saying why not (the table stays
    as it was)."""
    from components import upload  # it imports resources, which imports the picker

    file = st.session_state.get(f"{_UPLOAD}.file")
    if file is None:
        st.session_state[_UPLOAD_NOTE] = None
        st.session_state[_UPLOAD_SEQS] = None
        return
    data = file.getvalue()
    fill = "interpolate" if st.session_state.get(f"{_UPLOAD}.fill") else None
    try:
        seqs = resources.get_uploaded_sequences(upload.digest(data), file.name, data, fill)
        numeric = [s for s in seqs if s.values is not None]
        st.session_state[_UPLOAD_SEQS] = [upload.describe(s) for s in numeric]
        st.session_state[_UPLOAD_GAPS] = False
        if st.session_state.get(_UPLOAD_DIGEST) != upload.digest(data):  # a new file
            st.session_state[_UPLOAD_DIGEST] = upload.digest(data)
            st.session_state[f"{_UPLOAD}.pick"] = 0
        pick = st.session_state.get(f"{_UPLOAD}.pick") or 0
        numeric = numeric[pick:] + numeric[:pick] if pick < len(numeric) else numeric
        if not numeric:
            raise UploadError(_("{file} holds text; this model reads numbers, one row per step "
                                "({formats}).").format(file=file.name,
                                                       formats=upload.named(upload.NUMERIC)))
        st.session_state[_PENDING] = None
        x = sequence_from_rows(numeric[0].values.tolist(), width)
    except SequenceError as err:  # the file's numbers do not fit this model
        st.session_state[_UPLOAD_NOTE] = (True, f"{file.name}: {say(err, markdown=False)}")
        values = numeric[0].values
        if values.ndim == 2 and _readable_width(values.shape[1]):
            st.session_state[_PENDING] = (file.name, torch.from_numpy(values.copy()).float(),
                                          numeric[0].labels)
        return
    except UploadError as err:
        st.session_state[_UPLOAD_NOTE] = (True, say(err, markdown=False))
        st.session_state[_UPLOAD_GAPS] = isinstance(err, GapsError)
        return
    _replace_custom(x, numeric[0].labels)
    values = {"name": numeric[0].name, "count": len(numeric), "steps": x.shape[0],
              "width": x.shape[1]}
    if numeric[0].labels:
        values |= {"first": numeric[0].labels[0], "last": numeric[0].labels[-1]}
        using = (_("Using {name} (one of {count}): {steps} steps × {width}, steps labelled "
                   "{first} … {last}.") if len(numeric) > 1 else
                 _("Using {name}: {steps} steps × {width}, steps labelled {first} … {last}."))
    else:
        using = (_("Using {name} (one of {count}): {steps} steps × {width}.")
                 if len(numeric) > 1 else _("Using {name}: {steps} steps × {width}."))
    notes = " ".join(say(note, markdown=False) for note in numeric[0].notes)
    st.session_state[_UPLOAD_NOTE] = (False, f"{using.format(**values)} {notes}".strip())


def _readable_width(features: int) -> bool:
    """True when an untrained model can read `features` inputs a step."""
    low, high = PICKER_LIMITS["in"]
    return low <= features <= high


def _switch_model(name: str, x: torch.Tensor, labels: list[str] | None = None) -> None:
    """Button callback: step `x` (a file's [T, F] numbers, its steps named by `labels`) with a
    model that reads F inputs: the untrained model in use with its input size set to F, else an
    untrained LSTM."""
    if st.session_state.get(PICKER_KEYS["model"]) not in UNTRAINED:
        st.session_state[PICKER_KEYS["model"]] = "lstm"
    st.session_state[PICKER_KEYS["in"]] = int(x.shape[1])
    _replace_custom(x, labels)
    st.session_state[_PENDING] = None
    st.session_state[_UPLOAD_NOTE] = (False, _("Using {name}: {steps} steps × {width}.").format(
        name=name, steps=x.shape[0], width=x.shape[1]))


def _switch_label(name: str, values: int) -> str:
    """What a switch button does, in words: "Step {name} with the untrained GRU reading 40"."""
    kind = st.session_state.get(PICKER_KEYS["model"])
    words = {
        "lstm": _("Step {name} with the untrained LSTM reading {values}"),
        "gru": _("Step {name} with the untrained GRU reading {values}"),
        "rnn": _("Step {name} with the untrained Elman RNN reading {values}"),
        "jordan": _("Step {name} with the untrained Jordan RNN reading {values}"),
    }
    return words.get(kind, _("Step {name} with an untrained LSTM reading {values}")).format(
        name=name, values=values)


def _examples(width: int) -> None:
    """The example files: downloads of those this model reads; for the others, one click that
    steps them with an untrained model reading their width (the WAV's 40 log-mel values)."""
    from components import upload

    fits, others = [], []
    for ext in upload.NUMERIC:
        name, data = resources.get_example_file(ext)
        seqs = resources.get_uploaded_sequences(upload.digest(data), name, data)
        values = next(s.values for s in seqs if s.values is not None)
        (fits if values.shape[1] == width else others).append((ext, name, data, values))
    if fits:
        st.caption(_("Example files this model reads: edit one and upload it back."))
        cols = st.columns(4)
        for k, (ext, name, data, _values) in enumerate(fits):
            cols[k % 4].download_button(
                ext.lstrip(".").upper(), data, file_name=name, key=f"{_UPLOAD}.example{ext}",
                icon=":material/download:", help=upload.FORMATS[ext], width="stretch")
    for ext, name, _data, values in others:
        if not _readable_width(values.shape[1]):
            continue
        st.button(
            _switch_label(_("{name} ({values} values a step)").format(
                name=name, values=values.shape[1]), values.shape[1]),
            key=f"{_UPLOAD}.switch{ext}", icon=":material/swap_horiz:",
            on_click=_switch_model, args=(name, torch.from_numpy(values.copy()).float()),
            help=_("This model reads {width} values a step; {name} has {values}.").format(
                width=width, name=name, values=values.shape[1]))


def preset_picker() -> str:
    """The preset selectbox (call where it should appear, e.g. the sidebar)."""
    st.session_state.setdefault(KEYS["seq"], "lecture")
    st.session_state.setdefault(KEYS["rs"], 0)
    preset = st.selectbox(_("Sequence"), list(PRESETS), format_func=lambda k: _(PRESETS[k]),
                          key=KEYS["seq"], persist_state="session")
    if preset == "random":

        def reroll() -> None:
            st.session_state[KEYS["rs"]] += 1
            st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1

        st.button(_("New random sequence"), on_click=reroll, icon=":material/casino:")
    return preset


def sequence_editor(preset: str, width: int) -> SequenceChoice:
    """The editable table of input vectors (one row per step) and a paste box."""
    base = _preset_tensor(preset, width)
    columns = [f"x{j + 1}" for j in range(base.shape[1])]
    frame = pd.DataFrame(as_written(base), columns=columns, dtype=float)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name=_("step"))
    version = st.session_state.get(_VERSION, 0)
    st.caption(_(
        "One row per step. Edit any number, add steps with the **+** below the table or "
        "remove them by selecting rows. Edits make this sequence your own."
    ))
    labels_note = st.empty()  # the file's step labels, once the table's rows are known
    edited = st.data_editor(
        frame, num_rows="dynamic", key=f"seq.editor.{preset}.{width}.{version}",
        column_config={c: st.column_config.NumberColumn(c, format="%g") for c in columns},
        width="content",
    )
    with st.expander(_("Paste a sequence"), icon=":material/content_paste:"):
        st.text_area(
            _("One step per line, numbers separated by commas or spaces"), key="seq.paste",
            placeholder="3, 1, 0\n4, 1, 0\n2, 0, 0",
        )
        st.button(_("Use the pasted sequence"), key="seq.paste_use", on_click=_use_paste,
                  args=(width,))
        if st.session_state.get(_PASTE_ERROR):
            st.error(markup.md(st.session_state[_PASTE_ERROR]), icon=":material/error:")
    with st.expander(_("Upload a sequence file"), icon=":material/upload_file:"):
        from components import upload

        st.file_uploader(
            _("One row per step, one column per input ({formats})").format(
                formats=upload.named(upload.NUMERIC)),
            type=[ext.lstrip(".") for ext in upload.NUMERIC], key=f"{_UPLOAD}.file",
            on_change=_use_upload, args=(width,),
            help=_("The file's first sequence becomes your own; edit it in the table."))
        choices = st.session_state.get(_UPLOAD_SEQS) or []
        if len(choices) > 1:
            st.selectbox(_("Sequence in the file"), range(len(choices)), key=f"{_UPLOAD}.pick",
                         format_func=lambda i: choices[i], on_change=_use_upload,
                         args=(width,))
        note = st.session_state.get(_UPLOAD_NOTE)
        if note:
            (st.error if note[0] else st.caption)(markup.md(note[1]))
        if st.session_state.get(_UPLOAD_GAPS) or st.session_state.get(f"{_UPLOAD}.fill"):
            st.checkbox(_(upload.FILL_LABEL), key=f"{_UPLOAD}.fill", help=_(upload.FILL_HELP),
                        on_change=_use_upload, args=(width,))
        pending = st.session_state.get(_PENDING)
        if note and note[0] and pending is not None and pending[1].shape[1] != width:
            name, values, _names = pending
            st.button(markup.md(_switch_label(name, values.shape[1])),
                      key=f"{_UPLOAD}.switch", icon=":material/swap_horiz:",
                      on_click=_switch_model, args=pending)
        _examples(width)
    rows = edited.astype(object).where(edited.notna(), None).values.tolist()
    try:
        x = sequence_from_rows(rows, width)
    except SequenceError as err:
        if preset in ("lecture", "walkthrough", "random") and base.shape[1] != width:
            message = _(
                "The lecture's sequences have 3 inputs per step (x1, x2, x3), but this model "
                "reads {width}. Set the model's input size to 3, or choose “Your own” to type "
                "{width}-wide vectors in the Input sequence tab.").format(width=width)
            fix = (_("Set the input size to 3"), lambda: st.session_state.update({INPUT: 3}))
            return SequenceChoice(None, message, preset, edited=True, fix=fix)
        return SequenceChoice(None, _("The sequence can't be used: {reason}").format(
            reason=say(err, markdown=False)),
                              preset, edited=True)
    changed = x.shape != base.shape or not torch.equal(x, base)
    labels = _labels(preset, base, x.shape[0])
    if labels:
        labels_note.caption(markup.md(_(
            "Steps named by the file: {first} … {last} (adding or removing steps drops the "
            "names).").format(first=labels[0], last=labels[-1])))
    return SequenceChoice(x, None, preset, edited=changed, labels=labels)


def _labels(preset: str, base: torch.Tensor, steps: int) -> list[str] | None:
    """The names of the table's steps: the uploaded file's labels while the table is that
    file's (same rows); an edit that adds or removes steps drops them for good."""
    labels = st.session_state.get(_LABELS)
    if preset != "custom" or not labels or base is not st.session_state.get(_CUSTOM):
        return None
    if len(labels) != steps:
        st.session_state[_LABELS] = None
        return None
    return labels

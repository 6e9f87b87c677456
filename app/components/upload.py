"""Your own files: sequences (engine.uploads) and trained recurrent networks
(engine.checkpoint.load_user_model), with example files, export help and clear errors.

Owns the session-state keys under "upload." (the file widgets, and the last model that loaded,
per widget). Parsed files and loaded models are cached in app/resources.py by the SHA-256 of
their bytes, so one user's file is only ever found by someone holding the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import resources
from engine.checkpoint import USER_SUFFIXES, CheckpointError, UserModelInfo
from engine.uploads import EXAMPLES, FORMATS, GapsError, Sequence, UploadError
from errors import MESSAGES, say
from i18n import N_, _, ngettext
from markup import md

NUMERIC = (".csv", ".tsv", ".parquet", ".xlsx", ".npy", ".npz", ".json", ".wav", ".flac",
           ".ogg", ".mp3")  # formats that give numbers
TABLES = (".csv", ".tsv", ".parquet", ".xlsx")  # formats read by the column rules (EXAMPLES)
PREVIEW_ROWS = 200  # rows of an uploaded table shown in its preview
FILL_LABEL = N_("Fill gaps")
FILL_HELP = N_("Fill missing cells by linear interpolation along the steps (the nearest value "
               "at the start and end of a sequence). How many were filled is noted below the "
               "table.")
# What each format holds (engine.uploads.FORMATS, EXAMPLES), in words translated where shown.
FORMAT_WORDS = {
    ".csv": N_("a table, one row per step, one number column per feature (header optional; "
               "commas, semicolons, tabs or bars between columns; decimal commas read); a date "
               "column labels the steps, an id column splits the rows into sequences"),
    ".tsv": N_("a tab-separated table, read like CSV"),
    ".parquet": N_("a table (pandas' to_parquet), read like CSV"),
    ".xlsx": N_("an Excel workbook: its first sheet, read like CSV"),
    ".npy": N_("a NumPy array [T] or [T, F] (or [N, T, F] for N sequences), numbers only"),
    ".npz": N_("several NumPy arrays, one sequence each"),
    ".json": N_("a list of steps, a list of sequences, or {\"sequences\": [...]}"),
    ".txt": N_("text: one token per character, or per word when there are spaces"),
    ".wav": N_("a sound file (integer or float PCM, any rate and channels); read as log-mel "
               "frames, one step per 10 ms"),
    ".flac": N_("a FLAC sound file, read like WAV"),
    ".ogg": N_("an OGG/Vorbis sound file, read like WAV"),
    ".mp3": N_("an MP3 sound file, read like WAV"),
    ".png": N_("a strip of handwritten digits, dark or light ink, read column by column"),
}
EXAMPLE_WORDS = {
    "dated": N_("a CSV with a date column (date, temp, humidity): the dates label the steps"),
    "long": N_("a long-format CSV (seq_id, t, value): three sequences, one row per step"),
    "european": N_("a CSV as Excel saves it in much of Europe: semicolons, decimal commas"),
}
EXPORT_CODE = """import torch
from safetensors.torch import save_file

model = torch.nn.LSTM(input_size=3, hidden_size=16)  # or GRU / RNN; any layers, bidirectional
# ... train it ...
save_file(model.state_dict(), "model.safetensors")
# inside a bigger module, save the whole state_dict: the LSTM's part is found by its names
# (e.g. "rnn.weight_ih_l0"); or: torch.save(model.state_dict(), "model.pt")"""


_NAMES = {".parquet": "Parquet", ".xlsx": "Excel"}  # the rest by their extension, upper case


def named(formats: tuple[str, ...]) -> str:
    """The formats as people name them, for labels: 'CSV, Parquet, Excel, WAV, MP3'."""
    return ", ".join(_NAMES.get(e, e.lstrip(".").upper()) for e in formats)


def format_words(ext: str) -> str:
    """What a file of extension `ext` holds, in the reader's language."""
    return _(FORMAT_WORDS[ext]) if ext in FORMAT_WORDS else FORMATS[ext]


def formats_help(formats: tuple[str, ...]) -> str:
    """The file widget's help: every format and what it holds."""
    return _("Supported: {formats}").format(formats="; ".join(
        f"{e.lstrip('.').upper()}: {format_words(e)}" for e in formats))


def describe_model(info: UserModelInfo) -> str:
    """One line for the page, e.g. "LSTM, 3 inputs, 64 hidden units, 2 layers"."""
    parts = [info.kind.upper(),
             ngettext("{n} input", "{n} inputs", info.input_size).format(n=info.input_size),
             ngettext("{n} hidden unit", "{n} hidden units", info.hidden_size).format(
                 n=info.hidden_size)]
    if info.num_layers > 1:
        parts.append(ngettext("{n} layer", "{n} layers", info.num_layers).format(
            n=info.num_layers))
    if info.bidirectional:
        parts.append(_("bidirectional"))
    return _(", ").join(parts)


def digest(data: bytes) -> str:
    """SHA-256 of the bytes: the cache key of a user's file."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Uploaded:
    """A file that parsed, and its sequences."""

    name: str  # the file's name
    digest: str  # SHA-256 of its bytes
    sequences: tuple[Sequence, ...]  # at least one


@dataclass(frozen=True)
class OwnModel:
    """A checkpoint that loaded."""

    name: str  # the file's name
    digest: str  # SHA-256 of its bytes
    info: UserModelInfo  # what was found in it


def examples(formats: tuple[str, ...], key: str, inline: bool = False) -> None:
    """Download buttons with a small valid example of each format (in an expander, or
    `inline` where an expander cannot be, e.g. inside another)."""
    box = st.container() if inline else st.expander(_("Example files to download"),
                                                    icon=":material/download:")
    with box:
        st.caption(_("Example files: edit one and upload it back."))
        cols = st.columns(4)
        for i, ext in enumerate(formats):
            name, data = resources.get_example_file(ext)
            cols[i % 4].download_button(ext.lstrip(".").upper(), data, file_name=name,
                                        key=f"{key}.example{ext}", icon=":material/download:",
                                        help=format_words(ext), width="stretch")
        if any(ext in TABLES for ext in formats):
            st.caption(_("Tables as people have them: dates, long format, a European CSV."))
            cols = st.columns(4)
            for i, kind in enumerate(EXAMPLES):
                name, data = resources.get_example_file(kind)
                cols[i % 4].download_button(name, data, file_name=name,
                                            key=f"{key}.example.{kind}",
                                            icon=":material/download:",
                                            help=_(EXAMPLE_WORDS[kind]) if kind in EXAMPLE_WORDS
                                            else EXAMPLES[kind],
                                            width="stretch")


def sequence_upload(key: str, label: str | None = None,
                    formats: tuple[str, ...] = tuple(FORMATS),
                    help: str | None = None) -> Uploaded | None:
    """A file widget for sequences; the parsed file, or None (nothing uploaded, or an st.error
    saying what is wrong with the file)."""
    file = st.file_uploader(
        label or _("Upload a sequence file"), type=[ext.lstrip(".") for ext in formats],
        key=f"{key}.file", help=help or formats_help(formats),
    )
    if file is None:
        return None
    data = file.getvalue()
    sequences = _read(file.name, data, f"{key}.fill")
    return None if sequences is None else Uploaded(file.name, digest(data), tuple(sequences))


def _read(name: str, data: bytes, fill_key: str, left_out: str = "") -> list[Sequence] | None:
    """The file's sequences, or None after an st.error; a table with gaps gets the "fill gaps"
    choice (kept under `fill_key`), which reads it again with them filled."""
    fill = "interpolate" if st.session_state.get(fill_key) else None
    try:
        sequences = resources.get_uploaded_sequences(digest(data), name, data, fill)
    except GapsError as err:
        st.error(say(err) + left_out, icon=":material/error:")
        st.checkbox(_(FILL_LABEL), key=fill_key, help=_(FILL_HELP))
        return None
    except UploadError as err:
        st.error(say(err) + left_out, icon=":material/error:")
        return None
    if fill:  # keep the choice visible (and undoable) while it is in use
        st.checkbox(_(FILL_LABEL), key=fill_key, help=_(FILL_HELP))
    return sequences


def sequences_upload_many(key: str, label: str, formats: tuple[str, ...] = tuple(FORMATS),
                          help: str | None = None) -> list[Uploaded]:
    """A file widget taking several files; those that parsed (each bad one gets its own
    st.error naming it, and the good ones are kept)."""
    files = st.file_uploader(
        label, type=[ext.lstrip(".") for ext in formats], key=f"{key}.files",
        accept_multiple_files=True, help=help or formats_help(formats),
    )
    good = []
    for file in files or []:
        data = file.getvalue()
        sequences = _read(file.name, data, f"{key}.fill.{digest(data)[:16]}",
                          " " + md(_("(This file is left out; the others are used.)")))
        if sequences is None:
            continue
        good.append(Uploaded(file.name, digest(data), tuple(sequences)))
        notes = sequences[0].notes
        if notes:
            st.caption(f"**{md(file.name)}**: " + " ".join(say(n) for n in notes[:4]))
    return good


def pick_sequence(uploaded: Uploaded, key: str) -> tuple[int, Sequence]:
    """(index, sequence): a select box when the file holds several."""
    seqs = uploaded.sequences
    index = 0
    if len(seqs) > 1:
        index = st.selectbox(
            _("Sequence in {file}").format(file=md(uploaded.name)), range(len(seqs)),
            key=f"{key}.pick",
            format_func=lambda i: describe(seqs[i]))
    preview(seqs[index])
    return index, seqs[index]


def describe(seq: Sequence) -> str:
    """'walk (12 steps × 2, 2024-01-01 … 2024-01-12)': a sequence in a picker (plain text)."""
    if seq.labels:
        return _("{name} ({steps} steps × {features}, {first} … {last})").format(
            name=seq.name, steps=seq.steps, features=seq.features, first=seq.labels[0],
            last=seq.labels[-1])
    return _("{name} ({steps} steps × {features})").format(name=seq.name, steps=seq.steps,
                                                           features=seq.features)


def preview_frame(seq: Sequence, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The sequence as read, as a table: one row per step (labelled by its date when it has
    one), one column per feature (the file's names)."""
    values = seq.values[:rows] if seq.values is not None else None
    if values is None:
        return pd.DataFrame({"token": (seq.tokens or [])[:rows]})
    names = seq.columns or [f"x{j + 1}" for j in range(values.shape[1])]
    frame = pd.DataFrame(values, columns=names)
    frame.index = (pd.Index(seq.labels[:rows], name="label") if seq.labels
                   else pd.RangeIndex(1, len(frame) + 1, name="step"))
    return frame


def preview(seq: Sequence) -> None:
    """What reading the file did (its notes) and the table as read, folded away."""
    for note in seq.notes:
        st.caption(say(note))
    if seq.values is None or seq.kind in ("audio", "image"):
        return
    title = (_("The table as read (the first {rows} of {steps} steps)").format(
        rows=PREVIEW_ROWS, steps=seq.steps) if seq.steps > PREVIEW_ROWS
        else _("The table as read"))
    with st.expander(title, icon=":material/table_view:"):
        st.dataframe(preview_frame(seq), height=240)


def numbers_of(seq: Sequence, width: int | None = None) -> np.ndarray | None:
    """The sequence's values [T, F], or None after an st.error when it is text or has another
    width than the model reads."""
    if seq.values is None:
        st.error(md(_("{name} is text ({steps} tokens); this needs numbers, one row per step "
                      "({formats}).").format(name=seq.name, steps=seq.steps,
                                             formats=named(NUMERIC))), icon=":material/error:")
        return None
    if width is not None and seq.features != width:
        has = ngettext("{name} has {features} feature per step, but the model reads {width}.",
                       "{name} has {features} features per step, but the model reads {width}.",
                       seq.features)
        wanted = ngettext("Upload a sequence with {width} column.",
                          "Upload a sequence with {width} columns.", width)
        st.error(md(has.format(name=seq.name, features=seq.features, width=width) + " "
                    + wanted.format(width=width)), icon=":material/error:")
        return None
    return seq.values


def export_help() -> None:
    """How to export a model the uploader reads."""
    with st.expander(_("How to export your model"), icon=":material/help:"):
        st.markdown(_("Save the `state_dict` of a `torch.nn.LSTM`, `GRU` or `RNN` (any number "
                      "of layers, one or two directions). The architecture is read from the "
                      "tensor names and shapes; nothing in the file is ever run."))
        st.code(EXPORT_CODE, language="python")


def model_upload(key: str, label: str | None = None) -> OwnModel | None:
    """A file widget for a checkpoint; the model that loaded, or None (nothing uploaded, or an
    st.error saying what is wrong). After a bad file the last good one of this widget stays."""
    file = st.file_uploader(label or _("Upload your trained model"),
                            type=[s.lstrip(".") for s in USER_SUFFIXES], key=f"{key}.file",
                            help=_(MESSAGES["checkpoint.user.export_hint"]))
    export_help()
    last_key = f"{key}.last"
    if file is None:  # (the last good model is kept: replacing a file passes through None)
        return None
    data = file.getvalue()
    try:
        _model, info = resources.get_user_model(digest(data), file.name, data)
    except CheckpointError as err:
        st.error(say(err), icon=":material/error:")
        last = st.session_state.get(last_key)
        if last is not None:
            st.caption(_("Still using {file}.").format(file=md(last.name)))
        return last
    own = OwnModel(file.name, digest(data), info)
    st.session_state[last_key] = own
    resources.keep_user_model(own.digest, file.name, data)  # for reloads of this session
    st.caption(f"**{md(file.name)}**: {md(describe_model(info))}"
               + (" · " + _("not used: {names}").format(names=md(", ".join(info.ignored[:4])))
                  if info.ignored else ""))
    return own

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
from engine.checkpoint import EXPORT_HINT, USER_SUFFIXES, CheckpointError, UserModelInfo
from engine.uploads import EXAMPLES, FORMATS, GapsError, Sequence, UploadError
from i18n import _
from markup import md

NUMERIC = (".csv", ".tsv", ".parquet", ".xlsx", ".npy", ".npz", ".json", ".wav", ".flac",
           ".ogg", ".mp3")  # formats that give numbers
TABLES = (".csv", ".tsv", ".parquet", ".xlsx")  # formats read by the column rules (EXAMPLES)
PREVIEW_ROWS = 200  # rows of an uploaded table shown in its preview
FILL_LABEL = "Fill gaps"
FILL_HELP = ("Fill missing cells by linear interpolation along the steps (the nearest value at "
             "the start and end of a sequence). How many were filled is noted below the table.")
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
                                        help=FORMATS[ext], width="stretch")
        if any(ext in TABLES for ext in formats):
            st.caption("Tables as people have them: dates, long format, a European CSV.")
            cols = st.columns(4)
            for i, kind in enumerate(EXAMPLES):
                name, data = resources.get_example_file(kind)
                cols[i % 4].download_button(name, data, file_name=name,
                                            key=f"{key}.example.{kind}",
                                            icon=":material/download:", help=EXAMPLES[kind],
                                            width="stretch")


def sequence_upload(key: str, label: str = "Upload a sequence file",
                    formats: tuple[str, ...] = tuple(FORMATS),
                    help: str | None = None) -> Uploaded | None:
    """A file widget for sequences; the parsed file, or None (nothing uploaded, or an st.error
    saying what is wrong with the file)."""
    file = st.file_uploader(
        label, type=[ext.lstrip(".") for ext in formats], key=f"{key}.file",
        help=help or "Supported: " + "; ".join(f"{e.lstrip('.').upper()}: {FORMATS[e]}"
                                               for e in formats),
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
        st.error(md(err) + left_out, icon=":material/error:")
        st.checkbox(FILL_LABEL, key=fill_key, help=FILL_HELP)
        return None
    except UploadError as err:
        st.error(md(err) + left_out, icon=":material/error:")
        return None
    if fill:  # keep the choice visible (and undoable) while it is in use
        st.checkbox(FILL_LABEL, key=fill_key, help=FILL_HELP)
    return sequences


def sequences_upload_many(key: str, label: str, formats: tuple[str, ...] = tuple(FORMATS),
                          help: str | None = None) -> list[Uploaded]:
    """A file widget taking several files; those that parsed (each bad one gets its own
    st.error naming it, and the good ones are kept)."""
    files = st.file_uploader(
        label, type=[ext.lstrip(".") for ext in formats], key=f"{key}.files",
        accept_multiple_files=True,
        help=help or "Supported: " + "; ".join(f"{e.lstrip('.').upper()}: {FORMATS[e]}"
                                               for e in formats),
    )
    good = []
    for file in files or []:
        data = file.getvalue()
        sequences = _read(file.name, data, f"{key}.fill.{digest(data)[:16]}",
                          " (This file is left out; the others are used.)")
        if sequences is None:
            continue
        good.append(Uploaded(file.name, digest(data), tuple(sequences)))
        notes = sequences[0].notes
        if notes:
            st.caption(f"**{md(file.name)}**: " + " ".join(md(n) for n in notes[:4]))
    return good


def pick_sequence(uploaded: Uploaded, key: str) -> tuple[int, Sequence]:
    """(index, sequence): a select box when the file holds several."""
    seqs = uploaded.sequences
    index = 0
    if len(seqs) > 1:
        index = st.selectbox(
            f"Sequence in {md(uploaded.name)}", range(len(seqs)), key=f"{key}.pick",
            format_func=lambda i: describe(seqs[i]))
    preview(seqs[index])
    return index, seqs[index]


def describe(seq: Sequence) -> str:
    """'walk (12 steps × 2, 2024-01-01 … 2024-01-12)': a sequence in a picker (plain text)."""
    span = f", {seq.labels[0]} … {seq.labels[-1]}" if seq.labels else ""
    return f"{seq.name} ({seq.steps} steps × {seq.features}{span})"


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
        st.caption(md(note))
    if seq.values is None or seq.kind in ("audio", "image"):
        return
    more = f" (the first {PREVIEW_ROWS} of {seq.steps} steps)" if seq.steps > PREVIEW_ROWS else ""
    with st.expander(f"The table as read{more}", icon=":material/table_view:"):
        st.dataframe(preview_frame(seq), height=240)


def numbers_of(seq: Sequence, width: int | None = None) -> np.ndarray | None:
    """The sequence's values [T, F], or None after an st.error when it is text or has another
    width than the model reads."""
    if seq.values is None:
        st.error(f"{md(seq.name)} is text ({seq.steps} tokens); this needs numbers, one row per "
                 f"step ({named(NUMERIC)}).", icon=":material/error:")
        return None
    if width is not None and seq.features != width:
        st.error(f"{md(seq.name)} has {seq.features} feature{'s' * (seq.features != 1)} per step, "
                 f"but the model reads {width}. Upload a sequence with {width} column"
                 f"{'s' * (width != 1)}.", icon=":material/error:")
        return None
    return seq.values


def export_help() -> None:
    """How to export a model the uploader reads."""
    with st.expander("How to export your model", icon=":material/help:"):
        st.markdown("Save the `state_dict` of a `torch.nn.LSTM`, `GRU` or `RNN` (any number of "
                    "layers, one or two directions). The architecture is read from the tensor "
                    "names and shapes; nothing in the file is ever run.")
        st.code(EXPORT_CODE, language="python")


def model_upload(key: str, label: str = "Upload your trained model") -> OwnModel | None:
    """A file widget for a checkpoint; the model that loaded, or None (nothing uploaded, or an
    st.error saying what is wrong). After a bad file the last good one of this widget stays."""
    file = st.file_uploader(label, type=[s.lstrip(".") for s in USER_SUFFIXES],
                            key=f"{key}.file", help=EXPORT_HINT)
    export_help()
    last_key = f"{key}.last"
    if file is None:  # (the last good model is kept: replacing a file passes through None)
        return None
    data = file.getvalue()
    try:
        _, info = resources.get_user_model(digest(data), file.name, data)
    except CheckpointError as err:
        st.error(md(err), icon=":material/error:")
        last = st.session_state.get(last_key)
        if last is not None:
            st.caption(f"Still using {md(last.name)}.")
        return last
    own = OwnModel(file.name, digest(data), info)
    st.session_state[last_key] = own
    resources.keep_user_model(own.digest, file.name, data)  # for reloads of this session
    st.caption(f"**{md(file.name)}**: {info.describe()}"
               + (f" · not used: {md(', '.join(info.ignored[:4]))}" if info.ignored else ""))
    return own

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
import streamlit as st

import resources
from engine.checkpoint import EXPORT_HINT, USER_SUFFIXES, CheckpointError, UserModelInfo
from engine.uploads import FORMATS, Sequence, UploadError
from markup import md

NUMERIC = (".csv", ".tsv", ".npy", ".npz", ".json", ".wav")  # formats that give numbers
EXPORT_CODE = """import torch
from safetensors.torch import save_file

model = torch.nn.LSTM(input_size=3, hidden_size=16)  # or GRU / RNN; any layers, bidirectional
# ... train it ...
save_file(model.state_dict(), "model.safetensors")
# inside a bigger module, save the whole state_dict: the LSTM's part is found by its names
# (e.g. "rnn.weight_ih_l0"); or: torch.save(model.state_dict(), "model.pt")"""


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
    box = st.container() if inline else st.expander("Example files to download",
                                                    icon=":material/download:")
    with box:
        st.caption("Example files: edit one and upload it back.")
        cols = st.columns(4)
        for i, ext in enumerate(formats):
            name, data = resources.get_example_file(ext)
            cols[i % 4].download_button(ext.lstrip(".").upper(), data, file_name=name,
                                        key=f"{key}.example{ext}", icon=":material/download:",
                                        help=FORMATS[ext], width="stretch")


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
    try:
        sequences = resources.get_uploaded_sequences(digest(data), file.name, data)
    except UploadError as err:
        st.error(md(err), icon=":material/error:")
        return None
    return Uploaded(file.name, digest(data), tuple(sequences))


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
        try:
            sequences = resources.get_uploaded_sequences(digest(data), file.name, data)
        except UploadError as err:
            st.error(f"{md(err)} (This file is left out; the others are used.)",
                     icon=":material/error:")
            continue
        good.append(Uploaded(file.name, digest(data), tuple(sequences)))
    return good


def pick_sequence(uploaded: Uploaded, key: str) -> tuple[int, Sequence]:
    """(index, sequence): a select box when the file holds several."""
    seqs = uploaded.sequences
    index = 0
    if len(seqs) > 1:
        index = st.selectbox(
            f"Sequence in {md(uploaded.name)}", range(len(seqs)), key=f"{key}.pick",
            format_func=lambda i: f"{seqs[i].name} ({seqs[i].steps} steps × "
                                  f"{seqs[i].features})")
    return index, seqs[index]


def numbers_of(seq: Sequence, width: int | None = None) -> np.ndarray | None:
    """The sequence's values [T, F], or None after an st.error when it is text or has another
    width than the model reads."""
    if seq.values is None:
        st.error(f"{md(seq.name)} is text ({seq.steps} tokens); this needs numbers, one row per "
                 f"step. Upload a CSV, NPY, JSON of numbers or a WAV.", icon=":material/error:")
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

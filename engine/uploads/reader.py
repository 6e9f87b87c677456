"""`parse(data, filename)`: an uploaded file -> its sequences, by the format its extension names."""

from __future__ import annotations

import csv
import struct
import zipfile
from pathlib import PurePath

from engine.messages import Phrase
from engine.uploads.arrays import _read_npy_file, _read_npz
from engine.uploads.common import (
    _ALIASES,
    FORMATS,
    Sequence,
    _fail,
    supported,
)
from engine.uploads.errors import (
    MAX_BYTES,
    MAX_VALUES,
    UploadError,
)
from engine.uploads.media import _read_audio, _read_png
from engine.uploads.spreadsheets import _read_parquet, _read_xlsx
from engine.uploads.tables import FILLS
from engine.uploads.text_files import _read_csv, _read_json, _read_text


def _extension(filename: str) -> str:
    """The lower-case extension of `filename` that picks the format; UploadError otherwise."""
    ext = PurePath(str(filename or "")).suffix.lower()
    ext = _ALIASES.get(ext, ext)
    if ext not in FORMATS:
        if ext:
            raise _fail("uploads.reader.unknown_extension",
                        "{filename} has “{ext}”, so its format is unknown. Supported formats: "
                        "{supported} (the extension says which one it is).",
                        filename=filename, ext=ext, supported=supported())
        raise _fail("uploads.reader.no_extension",
                    "{filename} has no extension, so its format is unknown. Supported formats: "
                    "{supported} (the extension says which one it is).",
                    filename=filename or Phrase("uploads.place.the_file", "The file"),
                    supported=supported())
    return ext


_TABLES = {".csv": _read_csv, ".tsv": _read_csv, ".parquet": _read_parquet,
           ".xlsx": _read_xlsx}  # read by the column rules of engine.uploads.tables
_OTHERS = {".npy": _read_npy_file, ".npz": _read_npz, ".json": _read_json, ".txt": _read_text,
           ".wav": _read_audio, ".flac": _read_audio, ".ogg": _read_audio, ".mp3": _read_audio,
           ".png": _read_png}


def parse(data: bytes, filename: str, fill: str | None = None) -> list[Sequence]:
    """An uploaded file -> its sequences (at least one), by the format its extension names.

    data: the file's bytes (at most MAX_BYTES); filename: its name (only the extension and the
    stem are used). Numbers come back as float32 `values` [T, F], text as `tokens` [T]; every
    sequence has 1 <= T <= MAX_STEPS and F <= MAX_FEATURES, and every number is finite.
    A table's date column gives `labels` [T]; what reading did is in `notes`.
    fill: None refuses a table with missing cells (naming the first); "interpolate" fills them
    (see engine.uploads.tables.FILLS). Raises UploadError (with a message for the user) for
    anything else.
    """
    if fill is not None and fill not in FILLS:
        raise _fail("uploads.reader.unknown_fill",
                    "unknown way to fill gaps {fill!r}; valid: {valid}.",
                    fill=fill, valid=", ".join(FILLS))
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _fail("uploads.reader.not_bytes",
                    "expected the file's bytes, got {kind}",
                    kind=type(data).__name__)
    data = bytes(data)
    ext = _extension(filename)
    if len(data) > MAX_BYTES:
        raise _fail("uploads.reader.too_large",
                    "{filename} is {size:.1f} MB; files up to {limit} MB are accepted.",
                    filename=filename, size=len(data) / 2**20, limit=MAX_BYTES // 2**20)
    if not data:
        raise _fail("uploads.reader.empty",
                    "{filename} is empty: it needs at least one step.",
                    filename=filename)
    stem = PurePath(str(filename)).stem or "upload"
    try:
        if ext in _TABLES:
            out = _TABLES[ext](data, stem, ext, fill)
        else:
            out = _OTHERS[ext](data, stem, ext)
    except UploadError:
        raise
    except (ValueError, TypeError, OverflowError, EOFError, struct.error, zipfile.BadZipFile,
            OSError, SyntaxError, IndexError, KeyError, MemoryError, RecursionError,
            RuntimeError, csv.Error) as err:
        raise _fail("uploads.reader.unreadable",
                    "{filename} could not be read as {format}: {err}",
                    filename=filename, format=ext.lstrip(".").upper(), err=err) from None
    if not out:
        raise _fail("uploads.reader.no_sequence",
                    "{filename} holds no sequence: it needs at least one step.",
                    filename=filename)
    if sum(s.steps * s.features for s in out) > MAX_VALUES:
        raise _fail("uploads.reader.too_many_numbers",
                    "{filename} holds more than {limit:,} numbers in all; split it into "
                    "smaller files.",
                    filename=filename, limit=MAX_VALUES)
    return out



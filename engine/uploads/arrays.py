"""NumPy files: .npy and .npz, never unpickled; shape and dtype read from the header before
any data."""

from __future__ import annotations

import io
import math
import struct
import zipfile

import numpy as np

from engine.messages import Phrase
from engine.uploads.common import (
    Sequence,
    _check_shape,
    _fail,
    _numbers,
)
from engine.uploads.errors import (
    MAX_SEQUENCES,
    MAX_VALUES,
    UploadError,
)

# -- NPY / NPZ -------------------------------------------------------------------------------

_NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float
_MAX_NPY_HEADER = 10_000


def _read_exact(stream, n: int, what: str | Phrase) -> bytes:
    """Exactly n bytes from stream, or UploadError saying the file is cut short."""
    chunks, left = [], n
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise _fail("uploads.arrays.cut_short",
                        "{what} is cut short: expected {expected:,} bytes of data, found "
                        "{found:,}.",
                        what=what, expected=n, found=n - left)
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_npy_header(stream, where: str | Phrase) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from an .npy header, reading only the header (bounded)."""
    magic = stream.read(8)
    if len(magic) < 8 or not magic.startswith(b"\x93NUMPY"):
        raise _fail("uploads.arrays.not_npy",
                    "{where} is not a NumPy .npy array (its first bytes are not the \\x93NUMPY "
                    "signature).",
                    where=where)
    version = (magic[6], magic[7])
    if version == (1, 0):
        size_bytes = stream.read(2)
        fmt = "<H"
    elif version in ((2, 0), (3, 0)):
        size_bytes = stream.read(4)
        fmt = "<I"
    else:
        raise _fail("uploads.arrays.npy_version",
                    "{where} uses .npy format version {major}.{minor}; versions 1.0-3.0 are "
                    "read.",
                    where=where, major=version[0], minor=version[1])
    if len(size_bytes) != struct.calcsize(fmt):
        raise _fail("uploads.arrays.header_cut_short",
                    "{where} is cut short inside its header.",
                    where=where)
    size = struct.unpack(fmt, size_bytes)[0]
    if size > _MAX_NPY_HEADER:
        raise _fail("uploads.arrays.header_too_large",
                    "{where} declares a {size:,}-byte header; at most {limit:,} bytes are read.",
                    where=where, size=size, limit=_MAX_NPY_HEADER)
    header = _read_exact(stream, size, Phrase("uploads.place.npy_header", "{where}'s header",
                                              where=where))
    fake = io.BytesIO(magic + size_bytes + header)
    np.lib.format.read_magic(fake)
    reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
              else np.lib.format.read_array_header_2_0)
    if version == (3, 0):  # a UTF-8 header; same layout as 2.0 for the parts read here
        fake = io.BytesIO(b"\x93NUMPY\x02\x00" + size_bytes
                          + header.decode("utf-8").encode("latin1", "replace"))
        np.lib.format.read_magic(fake)
    try:
        shape, fortran, dtype = reader(fake, max_header_size=_MAX_NPY_HEADER)
    except Exception as err:  # numpy's literal parser raises several kinds; none is trusted
        raise _fail("uploads.arrays.broken_header",
                    "{where} has a broken header: {kind}: {err}",
                    where=where, kind=type(err).__name__, err=err) from None
    if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None:
        raise _fail("uploads.arrays.objects",
                    "{where} holds {what} (dtype {dtype}); only plain numbers (float, int, "
                    "bool) are accepted, and nothing is ever unpickled.",
                    where=where, dtype=dtype,
                    what=Phrase("uploads.value.python_objects", "Python objects")
                    if dtype.hasobject else Phrase("uploads.value.records", "records"))
    if dtype.kind not in _NUMERIC_KINDS:
        raise _fail("uploads.arrays.not_numbers",
                    "{where} has dtype {dtype} ({kind!r}); only real numbers (float, int, bool) "
                    "are accepted.",
                    where=where, dtype=dtype, kind=dtype.kind)
    return tuple(int(n) for n in shape), bool(fortran), dtype


def _read_array(stream, where: str | Phrase, budget: int = MAX_VALUES) -> np.ndarray:
    """One .npy array from a stream: header checked against the limits (at most `budget`
    numbers), then the data read."""
    shape, fortran, dtype = read_npy_header(stream, where)
    if len(shape) not in (1, 2, 3):
        raise _fail("uploads.arrays.bad_shape",
                    "{where} has shape {shape}; expected [T], [T, F] or [N, T, F] (N sequences "
                    "of T steps with F features).",
                    where=where, shape=list(shape))
    steps, features = (shape[0], 1) if len(shape) == 1 else shape[-2:]
    if len(shape) == 3 and not 1 <= shape[0] <= MAX_SEQUENCES:
        raise _fail("uploads.arrays.too_many_sequences",
                    "{where} has shape {shape}: {sequences:,} sequences; expected 1 to "
                    "{limit:,}.",
                    where=where, shape=list(shape), sequences=shape[0], limit=MAX_SEQUENCES)
    _check_shape(steps, features, Phrase("uploads.place.shaped", "{where} (shape {shape})",
                                         where=where, shape=list(shape)))
    total = math.prod(shape)
    if total > budget:
        raise _fail("uploads.arrays.too_many_numbers",
                    "{where} (shape {shape}) holds {total:,} numbers; at most {limit:,} are "
                    "accepted in one file, all arrays together.",
                    where=where, shape=list(shape), total=total, limit=MAX_VALUES)
    raw = _read_exact(stream, total * dtype.itemsize, where)
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _array_sequences(array: np.ndarray, name: str, where: str | Phrase) -> list[Sequence]:
    if array.ndim == 3:
        return [_numbers(a, f"{name}[{i}]", Phrase("uploads.place.sequence", "{where}, sequence "
                                                   "{number}", where=where, number=i + 1))
                for i, a in enumerate(array)]
    return [_numbers(array, name, where)]


def _read_npy_file(data: bytes, stem: str, ext: str) -> list[Sequence]:
    stream = io.BytesIO(data)
    array = _read_array(stream, stem + ext)
    return _array_sequences(array, stem, stem + ext)


def _read_npz(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """Every array of an .npz (stored or compressed), each read like an .npy (bounded)."""
    filename = stem + ext
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise _fail("uploads.arrays.not_npz",
                    "{filename} is not an .npz archive (a zip of .npy arrays): {err}",
                    filename=filename, err=err) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            raise _fail("uploads.arrays.no_arrays",
                        "{filename} holds no arrays: it needs at least one sequence.",
                        filename=filename)
        if len(members) > MAX_SEQUENCES:
            raise _fail("uploads.arrays.too_many_arrays",
                        "{filename} holds {files:,} files; at most {limit:,} arrays are "
                        "accepted.",
                        filename=filename, files=len(members), limit=MAX_SEQUENCES)
        out: list[Sequence] = []
        budget = MAX_VALUES
        for info in members:
            where = Phrase("uploads.place.npz_array", "{filename}, array “{array}”",
                           filename=filename, array=info.filename)
            if not info.filename.endswith(".npy"):
                raise _fail("uploads.arrays.npz_member_not_npy",
                            "{where} is not an .npy array; an .npz holds only .npy files "
                            "(np.savez).",
                            where=where)
            if info.flag_bits & 0x1:
                raise _fail("uploads.arrays.encrypted",
                            "{where} is encrypted; save the arrays with np.savez.",
                            where=where)
            try:
                with archive.open(info) as stream:
                    array = _read_array(stream, where, budget)
            except UploadError:
                raise
            except Exception as err:  # zlib / lzma / bz2 / CRC errors of a corrupt member
                raise _fail("uploads.arrays.corrupt",
                            "{where} is corrupt and cannot be unpacked ({kind}: {err}).",
                            where=where, kind=type(err).__name__, err=err) from None
            budget -= array.size
            out += _array_sequences(array, info.filename.removesuffix(".npy"), where)
            if len(out) > MAX_SEQUENCES:
                raise _fail("uploads.arrays.npz_too_many_sequences",
                            "{filename} holds more than {limit:,} sequences.",
                            filename=filename, limit=MAX_SEQUENCES)
    return out



"""Read what a user brings: uploaded files, and sequences typed, pasted or edited in a table.

`parse(data, filename)` turns an uploaded file into sequences; the format follows the
extension (see `FORMATS`). Everything a file could do wrong raises `UploadError`, a ValueError
whose message is written for a student: what is wrong, where (line, column, key, array), what
was expected and which formats are supported. Nothing is ever unpickled, evaluated or
allocated before it has been checked against the limits below: an NPY/NPZ array's shape and
dtype are read from its header first, a PNG's size from its header, JSON nesting is bounded.

Typed and pasted sequences (`sequence_from_rows`, `parse_sequence_text`) raise
`SequenceError`, an `UploadError` naming the step (1-based) and the input (x1, x2, ...).

Shapes: T = steps, F = features per step.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import struct
import zipfile
from collections import abc
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import torch

MAX_BYTES = 10 * 1024 * 1024  # largest file accepted (Streamlit's server.maxUploadSize = 10)
MAX_STEPS = 10_000  # longest sequence accepted (T)
MAX_FEATURES = 1_024  # widest step accepted (F)
MAX_SEQUENCES = 1_000  # most sequences in one file
MAX_VALUES = MAX_STEPS * MAX_FEATURES  # most numbers in one file, all sequences together
MAX_JSON_DEPTH = 32  # deepest JSON nesting read (a list of sequences needs 3 or 4)
MAX_IMAGE_PIXELS = 4_000_000  # largest PNG accepted, width x height
_SPLIT = re.compile(r"[,;\s\t]+")


class UploadError(ValueError):
    """A file (or typed input) that cannot be read as sequences; the message is for the user."""


class SequenceError(UploadError):
    """Typed or pasted input that cannot be read as a sequence; the message is for the user."""


def _number(value: object, step: int, col: int) -> float:
    """One cell as a finite float, or a SequenceError naming where it is."""
    where = f"step {step}, x{col}"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SequenceError(f"{where} is empty: every step needs a number for every input.")
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SequenceError(f"{where} is {str(value)!r}, which is not a number.") from None
    if math.isnan(number):
        raise SequenceError(f"{where} is empty: every step needs a number for every input.")
    if math.isinf(number):
        raise SequenceError(f"{where} is infinite; use a finite number.")
    return number


def sequence_from_rows(rows: Iterable[abc.Sequence[object]],
                       width: int | None = None) -> torch.Tensor:
    """Rows of cells (one row per step) → float32 tensor [T, I].

    `width` is the number of inputs the model reads; rows of another length raise a
    SequenceError that says so. Cells may be numbers or numeric strings.
    """
    values: list[list[float]] = []
    for step, row in enumerate(rows, start=1):
        cells = list(row)
        if width is not None and len(cells) != width:
            raise SequenceError(
                f"step {step} has {len(cells)} value{'s' if len(cells) != 1 else ''}, "
                f"but the model reads {width} per step (x1 … x{width})."
            )
        values.append([_number(c, step, j) for j, c in enumerate(cells, start=1)])
        if len(values) > MAX_STEPS:
            raise SequenceError(f"the sequence is longer than {MAX_STEPS:,} steps.")
    if not values:
        raise SequenceError("the sequence is empty: add at least one step.")
    first = len(values[0])
    if first == 0:
        raise SequenceError("step 1 has no values.")
    for step, row in enumerate(values, start=1):
        if len(row) != first:
            raise SequenceError(
                f"step {step} has {len(row)} values but step 1 has {first}: "
                "every step needs the same number of inputs."
            )
    return torch.tensor(values, dtype=torch.float32)


def parse_sequence_text(text: str, width: int | None = None) -> torch.Tensor:
    """Pasted text, one step per line, numbers separated by commas, spaces or tabs → [T, I].

    Blank lines and lines starting with '#' are ignored.
    """
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rows.append([cell for cell in _SPLIT.split(line) if cell])
    if not rows:
        raise SequenceError("nothing to read: type one step per line, e.g. '3, 1, 0'.")
    return sequence_from_rows(rows, width)


def sequence_to_text(x: torch.Tensor) -> str:
    """[T, I] → the text `parse_sequence_text` reads back (compact numbers)."""
    return "\n".join(", ".join(f"{float(v):g}" for v in row) for row in x.tolist())


def encode_sequence(x: torch.Tensor) -> str:
    """[T, I] → a compact URL-safe string: steps separated by '_', values by '~'."""
    return "_".join("~".join(f"{float(v):g}" for v in row) for row in x.tolist())


def decode_sequence(text: str, width: int | None = None) -> torch.Tensor:
    """Inverse of `encode_sequence`; raises SequenceError on anything malformed."""
    rows = [step.split("~") for step in text.split("_") if step != ""]
    return sequence_from_rows(rows, width)


# --------------------------------------------------------------------------------------------
# Uploaded files


@dataclass
class Sequence:
    """One sequence read from a file: numbers `values` [T, F] or text `tokens` [T]."""

    name: str  # where it came from: the file name, plus the array, key or index inside it
    values: np.ndarray | None = None  # [T, F] float32, finite; None for text
    tokens: list[str] | None = None  # [T] characters or words; None for numbers
    kind: str = "numbers"  # "numbers" | "text" | "audio" (log-mel frames) | "image" (columns)
    sample_rate: int | None = None  # audio: the WAV's sample rate in Hz

    @property
    def steps(self) -> int:
        """T, the number of steps."""
        return len(self.tokens) if self.values is None else int(self.values.shape[0])

    @property
    def features(self) -> int:
        """F, numbers per step (1 for text)."""
        return 1 if self.values is None else int(self.values.shape[1])


# Supported formats by extension: what a file of each kind holds.
FORMATS: dict[str, str] = {
    ".csv": "comma-separated numbers, one row per step, one column per feature (header optional)",
    ".tsv": "tab-separated numbers, one row per step (header optional)",
    ".npy": "a NumPy array [T] or [T, F] (or [N, T, F] for N sequences), numbers only",
    ".npz": "several NumPy arrays, one sequence each",
    ".json": "a list of steps, a list of sequences, or {\"sequences\": [...]}",
    ".txt": "text: one token per character, or per word when there are spaces",
    ".wav": "a sound file (PCM); read as log-mel frames, one step per 10 ms",
    ".png": "a strip of handwritten digits, dark or light ink, read column by column",
}
_ALIASES = {".text": ".txt"}


def supported() -> str:
    """The supported extensions as one line, for messages."""
    return ", ".join(ext.lstrip(".").upper() for ext in FORMATS)


def _fail(message: str) -> UploadError:
    return UploadError(message)


def _extension(filename: str) -> str:
    """The lower-case extension of `filename` that picks the format; UploadError otherwise."""
    ext = PurePath(str(filename or "")).suffix.lower()
    ext = _ALIASES.get(ext, ext)
    if ext not in FORMATS:
        what = f"“{ext}”" if ext else "no extension"
        raise _fail(f"{filename or 'The file'} has {what}, so its format is unknown. Supported "
                    f"formats: {supported()} (the extension says which one it is).")
    return ext


def parse(data: bytes, filename: str) -> list[Sequence]:
    """An uploaded file -> its sequences (at least one), by the format its extension names.

    data: the file's bytes (at most MAX_BYTES); filename: its name (only the extension and the
    stem are used). Numbers come back as float32 `values` [T, F], text as `tokens` [T]; every
    sequence has 1 <= T <= MAX_STEPS and F <= MAX_FEATURES, and every number is finite.
    Raises UploadError (with a message for the user) for anything else.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _fail(f"expected the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    ext = _extension(filename)
    if len(data) > MAX_BYTES:
        raise _fail(f"{filename} is {len(data) / 2**20:.1f} MB; files up to "
                    f"{MAX_BYTES // 2**20} MB are accepted.")
    if not data:
        raise _fail(f"{filename} is empty: it needs at least one step.")
    stem = PurePath(str(filename)).stem or "upload"
    reader = {".csv": _read_csv, ".tsv": _read_csv, ".npy": _read_npy_file,
              ".npz": _read_npz, ".json": _read_json, ".txt": _read_text, ".wav": _read_wav,
              ".png": _read_png}[ext]
    try:
        out = reader(data, stem, ext)
    except UploadError:
        raise
    except (ValueError, TypeError, OverflowError, EOFError, struct.error, zipfile.BadZipFile,
            OSError, SyntaxError, IndexError, KeyError, MemoryError, RecursionError,
            csv.Error) as err:
        raise _fail(f"{filename} could not be read as {ext.lstrip('.').upper()} "
                    f"({FORMATS[ext]}): {err}") from None
    if not out:
        raise _fail(f"{filename} holds no sequence: it needs at least one step.")
    if sum(s.steps * s.features for s in out) > MAX_VALUES:
        raise _fail(f"{filename} holds more than {MAX_VALUES:,} numbers in all; "
                    f"split it into smaller files.")
    return out


def _check_shape(steps: int, features: int, where: str) -> None:
    """UploadError when T or F is outside the limits."""
    if steps < 1:
        raise _fail(f"{where} has no steps: a sequence needs at least one step.")
    if steps > MAX_STEPS:
        raise _fail(f"{where} has {steps:,} steps; at most {MAX_STEPS:,} are accepted "
                    f"(cut it into shorter sequences).")
    if features < 1:
        raise _fail(f"{where} has no features: every step needs at least one number.")
    if features > MAX_FEATURES:
        raise _fail(f"{where} has {features:,} features per step; at most {MAX_FEATURES:,} "
                    f"are accepted.")


def _finite(values: np.ndarray, where: str, step_word: str = "step", first: int = 1
            ) -> np.ndarray:
    """values [T, F] as float32, or UploadError naming the first NaN/Inf (1-based)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = values.astype(np.float32)
    bad = ~np.isfinite(out)
    if bad.any():
        t, f = (int(i) for i in np.argwhere(bad)[0])
        raw = values[t, f]
        what = ("NaN (not a number)" if np.isnan(raw) else "infinite" if np.isinf(raw)
                else f"{float(raw):g}, too large for 32-bit floats")
        raise _fail(f"{where}: {step_word} {t + first}, feature {f + 1} is {what}; only "
                    f"finite numbers are accepted.")
    return out


def _numbers(values: np.ndarray, name: str, where: str) -> Sequence:
    """A checked [T] or [T, F] numeric array -> a Sequence."""
    if values.ndim == 1:
        values = values[:, None]
    _check_shape(values.shape[0], values.shape[1], where)
    return Sequence(name=name, values=_finite(values, where))


# -- text decoding ---------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes, filename: str) -> str:
    """Bytes -> text: UTF-8 (with or without BOM) or UTF-16 (BOM, or plain ASCII-range
    UTF-16); UploadError for anything binary."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and len(data) >= 2 and len(data) % 2 == 0:
        even, odd = data[0::2], data[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
            encoding = "utf-16-le"
        elif even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
            encoding = "utf-16-be"
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as err:
        raise _fail(f"{filename} is not text: byte {err.start + 1} cannot be read as "
                    f"{'UTF-8' if encoding is None else encoding.upper()}. Save it as UTF-8 "
                    f"or UTF-16 text, or use one of: {supported()}.") from None
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or control > 0.01 * min(len(text), 65536):
        raise _fail(f"{filename} looks like a binary file, not text (it contains control "
                    f"bytes). Supported formats: {supported()}.")
    return text


# -- CSV / TSV -------------------------------------------------------------------------------


def is_number(cell: str) -> bool:
    """True when float() reads the cell (so "nan", "inf" and "1e5" count as numbers)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """Rows = steps, columns = features; an optional header row of names."""
    filename = stem + ext
    text = decode_text(data, filename)
    delimiter = "\t" if ext == ".tsv" else ","
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for line_no, row in enumerate(reader, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) > MAX_FEATURES:
            raise _fail(f"{filename}, line {line_no} has {len(cells):,} columns; at most "
                        f"{MAX_FEATURES:,} features per step are accepted.")
        if not rows and header is None and not all(is_number(c) for c in cells if c):
            header = cells
            continue
        rows.append((line_no, cells))
        if len(rows) > MAX_STEPS:
            raise _fail(f"{filename} has more than {MAX_STEPS:,} rows (steps); at most "
                        f"{MAX_STEPS:,} are accepted (cut it into shorter sequences).")
    if not rows:
        raise _fail(f"{filename} has no rows of numbers: it needs at least one step "
                    f"(one row per step, one column per feature).")
    width = len(header) if header is not None else len(rows[0][1])
    first_line = rows[0][0]
    for line_no, cells in rows:
        if len(cells) != width:
            ref = "the header" if header is not None else f"line {first_line}"
            raise _fail(f"{filename}, line {line_no} has {len(cells)} column"
                        f"{'s' if len(cells) != 1 else ''} but {ref} has {width}: every row "
                        f"(step) needs the same number of columns (features).")
    try:
        values = np.array([cells for _, cells in rows], dtype=np.float64)
    except ValueError:
        values = None
    if values is None:  # find the first cell that is not a number, to say where it is
        for line_no, cells in rows:
            for col, cell in enumerate(cells, 1):
                if not is_number(cell):
                    name = f" (“{header[col - 1]}”)" if header else ""
                    what = "is empty" if not cell else f"is {cell[:40]!r}, which is not a number"
                    raise _fail(f"{filename}, line {line_no}, column {col}{name} {what}; every "
                                f"cell must be a number.")
    lines = [line_no for line_no, _ in rows]
    bad = ~np.isfinite(values)
    if bad.any():
        t, f = (int(i) for i in np.argwhere(bad)[0])
        raise _fail(f"{filename}, line {lines[t]}, column {f + 1} is {rows[t][1][f]!r}; only "
                    f"finite numbers are accepted (no NaN or Inf).")
    return [_numbers(values, stem, filename)]


# -- NPY / NPZ -------------------------------------------------------------------------------

_NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float
_MAX_NPY_HEADER = 10_000


def _read_exact(stream, n: int, what: str) -> bytes:
    """Exactly n bytes from stream, or UploadError saying the file is cut short."""
    chunks, left = [], n
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise _fail(f"{what} is cut short: expected {n:,} bytes of data, found "
                        f"{n - left:,}.")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_npy_header(stream, where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from an .npy header, reading only the header (bounded)."""
    magic = stream.read(8)
    if len(magic) < 8 or not magic.startswith(b"\x93NUMPY"):
        raise _fail(f"{where} is not a NumPy .npy array (its first bytes are not the "
                    f"\\x93NUMPY signature).")
    version = (magic[6], magic[7])
    if version == (1, 0):
        size_bytes = stream.read(2)
        fmt = "<H"
    elif version in ((2, 0), (3, 0)):
        size_bytes = stream.read(4)
        fmt = "<I"
    else:
        raise _fail(f"{where} uses .npy format version {version[0]}.{version[1]}; "
                    f"versions 1.0-3.0 are read.")
    if len(size_bytes) != struct.calcsize(fmt):
        raise _fail(f"{where} is cut short inside its header.")
    size = struct.unpack(fmt, size_bytes)[0]
    if size > _MAX_NPY_HEADER:
        raise _fail(f"{where} declares a {size:,}-byte header; at most {_MAX_NPY_HEADER:,} "
                    f"bytes are read.")
    header = _read_exact(stream, size, f"{where}'s header")
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
        raise _fail(f"{where} has a broken header: {type(err).__name__}: {err}") from None
    if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None:
        raise _fail(f"{where} holds {'Python objects' if dtype.hasobject else 'records'} "
                    f"(dtype {dtype}); only plain numbers (float, int, bool) are accepted, "
                    f"and nothing is ever unpickled.")
    if dtype.kind not in _NUMERIC_KINDS:
        raise _fail(f"{where} has dtype {dtype} ({dtype.kind!r}); only real numbers "
                    f"(float, int, bool) are accepted.")
    return tuple(int(n) for n in shape), bool(fortran), dtype


def _read_array(stream, where: str, budget: int = MAX_VALUES) -> np.ndarray:
    """One .npy array from a stream: header checked against the limits (at most `budget`
    numbers), then the data read."""
    shape, fortran, dtype = read_npy_header(stream, where)
    if len(shape) not in (1, 2, 3):
        raise _fail(f"{where} has shape {list(shape)}; expected [T], [T, F] or [N, T, F] "
                    f"(N sequences of T steps with F features).")
    steps, features = (shape[0], 1) if len(shape) == 1 else shape[-2:]
    if len(shape) == 3 and not 1 <= shape[0] <= MAX_SEQUENCES:
        raise _fail(f"{where} has shape {list(shape)}: {shape[0]:,} sequences; expected 1 to "
                    f"{MAX_SEQUENCES:,}.")
    _check_shape(steps, features, f"{where} (shape {list(shape)})")
    total = math.prod(shape)
    if total > budget:
        raise _fail(f"{where} (shape {list(shape)}) holds {total:,} numbers; at most "
                    f"{MAX_VALUES:,} are accepted in one file, all arrays together.")
    raw = _read_exact(stream, total * dtype.itemsize, where)
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _array_sequences(array: np.ndarray, name: str, where: str) -> list[Sequence]:
    if array.ndim == 3:
        return [_numbers(a, f"{name}[{i}]", f"{where}, sequence {i + 1}")
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
        raise _fail(f"{filename} is not an .npz archive (a zip of .npy arrays): {err}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            raise _fail(f"{filename} holds no arrays: it needs at least one sequence.")
        if len(members) > MAX_SEQUENCES:
            raise _fail(f"{filename} holds {len(members):,} files; at most {MAX_SEQUENCES:,} "
                        f"arrays are accepted.")
        out: list[Sequence] = []
        budget = MAX_VALUES
        for info in members:
            where = f"{filename}, array “{info.filename}”"
            if not info.filename.endswith(".npy"):
                raise _fail(f"{where} is not an .npy array; an .npz holds only .npy files "
                            f"(np.savez).")
            if info.flag_bits & 0x1:
                raise _fail(f"{where} is encrypted; save the arrays with np.savez.")
            try:
                with archive.open(info) as stream:
                    array = _read_array(stream, where, budget)
            except UploadError:
                raise
            except Exception as err:  # zlib / lzma / bz2 / CRC errors of a corrupt member
                raise _fail(f"{where} is corrupt and cannot be unpacked "
                            f"({type(err).__name__}: {err}).") from None
            budget -= array.size
            out += _array_sequences(array, info.filename.removesuffix(".npy"), where)
            if len(out) > MAX_SEQUENCES:
                raise _fail(f"{filename} holds more than {MAX_SEQUENCES:,} sequences.")
    return out


# -- JSON ------------------------------------------------------------------------------------


def _json_depth_error(text: str, filename: str) -> UploadError:
    """The place where nesting first goes deeper than MAX_JSON_DEPTH (a bounded scan)."""
    depth, in_string, escaped, line, col = 0, False, False, 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                break
        elif ch in "]}":
            depth -= 1
    return _fail(f"{filename}, line {line}, column {col}: the JSON is nested more than "
                 f"{MAX_JSON_DEPTH} levels deep; a list of sequences of steps needs 3 or 4.")


def _json_path(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                   for i, p in enumerate(path)) or "the top level"


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float))  # bool included: JSON true/false read as 1/0


def _json_steps(steps: object, name: str, where: str, path: tuple) -> Sequence:
    """A list of steps (numbers, lists of numbers, or strings) -> a Sequence."""
    if not isinstance(steps, list):
        raise _fail(f"{where}, at {_json_path(path)}: expected a list of steps, found "
                    f"{_json_type(steps)}.")
    if not steps:
        raise _fail(f"{where}, at {_json_path(path)}: the sequence is empty; it needs at least "
                    f"one step.")
    if len(steps) > MAX_STEPS:
        raise _fail(f"{where}, at {_json_path(path)}: {len(steps):,} steps; at most "
                    f"{MAX_STEPS:,} are accepted.")
    if all(isinstance(s, str) for s in steps):
        return Sequence(name=name, tokens=list(steps), kind="text")
    width = len(steps[0]) if isinstance(steps[0], list) else None
    rows = []
    for t, step in enumerate(steps):
        row = step if isinstance(step, list) else [step]
        if (width is None) != (not isinstance(step, list)) or (width is not None
                                                               and len(row) != width):
            raise _fail(f"{where}, at {_json_path(path + (t,))}: step {t + 1} is "
                        f"{_json_type(step)} but step 1 is {_json_type(steps[0])}; every step "
                        f"needs the same number of features.")
        for f, v in enumerate(row):
            if not _is_num(v):
                key = path + (t, f) if width is not None else path + (t,)
                raise _fail(f"{where}, at {_json_path(key)}: expected a number, found "
                            f"{_json_type(v)}.")
        rows.append(row)
    if width is not None:
        _check_shape(len(rows), width, f"{where}, at {_json_path(path)}")
    try:
        values = np.array(rows, dtype=np.float64)
    except OverflowError:
        raise _fail(f"{where}, at {_json_path(path)}: a number is too large.") from None
    return _numbers(values, name, f"{where}, at {_json_path(path)}")


def _json_type(v: object) -> str:
    if isinstance(v, list):
        return f"a list of {len(v)}"
    if isinstance(v, dict):
        return "an object {...}"
    if isinstance(v, str):
        return f"the text {v[:30]!r}"
    if v is None:
        return "null"
    return f"the number {v!r}" if _is_num(v) else type(v).__name__


def _read_json(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """A list of steps, a list of sequences, or {"sequences": [...]} (each a list of steps or
    {"name": ..., "values"/"tokens": [...]})."""
    filename = stem + ext
    text = decode_text(data, filename)
    try:
        doc = json.loads(text)
    except RecursionError:
        raise _json_depth_error(text, filename) from None
    except json.JSONDecodeError as err:
        raise _fail(f"{filename}, line {err.lineno}, column {err.colno}: not valid JSON "
                    f"({err.msg}).") from None
    except ValueError as err:  # e.g. an integer with thousands of digits
        raise _fail(f"{filename}: a value cannot be read ({err}).") from None
    path: tuple = ()
    if isinstance(doc, dict):
        if "sequences" not in doc:
            raise _fail(f"{filename}: the top-level object has keys "
                        f"{sorted(doc)[:8]} but no \"sequences\"; expected "
                        f"{{\"sequences\": [...]}}, a list of steps or a list of sequences.")
        doc, path = doc["sequences"], ("sequences",)
        if not isinstance(doc, list):
            raise _fail(f"{filename}, at sequences: expected a list of sequences, found "
                        f"{_json_type(doc)}.")
        items = doc
    elif isinstance(doc, list):
        nested = bool(doc) and all(isinstance(s, (list, dict)) for s in doc) and any(
            isinstance(s, dict) or (s and isinstance(s[0], list)) for s in doc)
        if not nested:
            return [_json_steps(doc, stem, filename, ())]
        items = doc
    else:
        raise _fail(f"{filename}: the top level is {_json_type(doc)}; expected a list of "
                    f"steps, a list of sequences or {{\"sequences\": [...]}}.")
    if not items:
        raise _fail(f"{filename}, at {_json_path(path)}: no sequences; at least one is needed.")
    if len(items) > MAX_SEQUENCES:
        raise _fail(f"{filename}, at {_json_path(path)}: {len(items):,} sequences; at most "
                    f"{MAX_SEQUENCES:,} are accepted.")
    out = []
    for i, item in enumerate(items):
        key = path + (i,)
        name = f"{stem}[{i}]"
        if isinstance(item, dict):
            body = [k for k in ("values", "tokens", "steps") if k in item]
            if len(body) != 1:
                raise _fail(f"{filename}, at {_json_path(key)}: expected an object with one "
                            f"of \"values\", \"tokens\" or \"steps\" (and optionally "
                            f"\"name\"), found keys {sorted(item)[:8]}.")
            label = item.get("name")
            name = str(label)[:80] if isinstance(label, (str, int, float)) else name
            seq = _json_steps(item[body[0]], name, filename, key + (body[0],))
            if body[0] == "tokens" and seq.tokens is None:
                raise _fail(f"{filename}, at {_json_path(key + ('tokens',))}: expected a list "
                            f"of strings.")
            out.append(seq)
        else:
            out.append(_json_steps(item, name, filename, key))
    return out


# -- plain text ------------------------------------------------------------------------------


def _read_text(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """Characters, or whitespace-separated words when the text has spaces."""
    filename = stem + ext
    text = decode_text(data, filename).strip()
    if not text:
        raise _fail(f"{filename} has no text (only spaces or blank lines): it needs at least "
                    f"one character.")
    words = text.split()
    tokens = words if len(words) > 1 else list(text)
    if len(tokens) > MAX_STEPS:
        unit = "words" if len(words) > 1 else "characters"
        raise _fail(f"{filename} has {len(tokens):,} {unit}; at most {MAX_STEPS:,} steps are "
                    f"accepted (shorten the text).")
    return [Sequence(name=stem, tokens=tokens, kind="text")]


# -- WAV -------------------------------------------------------------------------------------

MIN_RATE, MAX_RATE = 1_000, 192_000  # sample rates accepted, Hz


def _read_wav(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """A PCM WAV file -> log-mel frames [T, F] (engine.audio)."""
    filename = stem + ext
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise _fail(f"{filename} is not a WAV file (it does not start with RIFF...WAVE). "
                    f"Supported formats: {supported()}.")
    from engine import audio  # imported here: only WAV uploads need it

    try:
        samples, rate = audio.read_wav(data)
    except Exception as err:  # the wave module raises several kinds on a corrupt file
        raise _fail(f"{filename} is not a readable PCM WAV file ({type(err).__name__}"
                    f"{': ' + str(err) if str(err) else ''}).") from None
    try:
        if not MIN_RATE <= rate <= MAX_RATE:
            raise _fail(f"{filename} has a sample rate of {rate:,} Hz; rates from "
                        f"{MIN_RATE:,} to {MAX_RATE:,} Hz are accepted.")
        hop = max(1, int(round(rate * audio.HOP_MS / 1000.0)))
        frames = 1 + len(samples) // hop
        if frames > MAX_STEPS:
            raise _fail(f"{filename} lasts {len(samples) / rate:.1f} s, {frames:,} frames of "
                        f"{audio.HOP_MS:g} ms; at most {MAX_STEPS:,} steps are accepted "
                        f"(about {MAX_STEPS * audio.HOP_MS / 1000:.0f} s).")
        features = np.asarray(audio.log_mel(samples, rate))
    except UploadError:
        raise
    except (ValueError, EOFError, struct.error, TypeError, OverflowError) as err:
        raise _fail(f"{filename} could not be read as a WAV file: {err}") from None
    if features.ndim != 2:
        raise _fail(f"{filename} gave features of shape {list(features.shape)}; expected "
                    f"[T, F].")
    seq = _numbers(features, stem, filename)
    seq.kind, seq.sample_rate = "audio", int(rate)
    return [seq]


# -- PNG -------------------------------------------------------------------------------------

STRIP_HEIGHT = 8  # pixel rows of a digit strip (engine.digits.HEIGHT)


def _read_png(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """A digit strip image -> columns [W, 8] in [0, 1], ink high (engine.digits' strip format:
    the image is `values.T`). The picture is scaled to 8 rows keeping its aspect ratio; light
    backgrounds are inverted so the ink is bright."""
    filename = stem + ext
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _fail(f"{filename} is not a PNG image (wrong signature). Supported formats: "
                    f"{supported()}.")
    from PIL import Image  # imported here: only PNG uploads need it

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            width, height = img.size
            if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                raise _fail(f"{filename} is {width} x {height} pixels; at most "
                            f"{MAX_IMAGE_PIXELS:,} pixels are accepted.")
            steps = max(1, round(width * STRIP_HEIGHT / height))
            _check_shape(steps, STRIP_HEIGHT, f"{filename} (scaled to {STRIP_HEIGHT} rows)")
            img.load()
            gray = img.convert("LA") if img.mode in ("RGBA", "LA", "PA", "P") else img
            if gray.mode == "LA":  # transparent pixels count as background
                plain = Image.new("LA", gray.size, (255, 255))
                plain.alpha_composite(gray)
                gray = plain
            gray = gray.convert("L").resize((steps, STRIP_HEIGHT), Image.Resampling.BOX)
    except UploadError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, EOFError) as err:
        raise _fail(f"{filename} is a broken or cut-short PNG: {err}") from None
    pixels = np.asarray(gray, dtype=np.float32) / 255.0  # [8, W]
    if float(np.median(pixels)) > 0.5:  # dark ink on light paper -> light ink on dark
        pixels = 1.0 - pixels
    low, high = float(pixels.min()), float(pixels.max())
    if high - low > 1e-6:
        pixels = (pixels - low) / (high - low)
    seq = _numbers(pixels.T.copy(), stem, filename)
    seq.kind = "image"
    return [seq]


def strip_image(seq: Sequence) -> np.ndarray:
    """A PNG's sequence -> the strip image [8, W] in [0, 1] that engine.digits reads."""
    if seq.values is None or seq.values.shape[1] != STRIP_HEIGHT:
        raise _fail(f"{seq.name} is not a digit strip: expected {STRIP_HEIGHT} numbers per "
                    f"column (a PNG), found {seq.features}.")
    return np.ascontiguousarray(seq.values.T.clip(0.0, 1.0))


# -- downloadable examples -------------------------------------------------------------------


def _example_values() -> np.ndarray:
    """The lecture's 5-step walk-through [5, 3] (x1, x2, x3)."""
    from engine import lee

    return lee.LECTURE_WALKTHROUGH.numpy().astype(np.float32)


def _wav_bytes(seconds: float = 0.6, rate: int = 16_000) -> bytes:
    """A mono 16-bit PCM WAV: a rising tone, then a lower one."""
    import wave

    t = np.arange(int(seconds * rate)) / rate
    freq = np.where(t < seconds / 2, 300.0 + 900.0 * t / seconds, 440.0)
    wave_form = 0.4 * np.sin(2 * np.pi * np.cumsum(freq) / rate)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((wave_form * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _png_bytes(digits: tuple[int, ...] = (2, 0, 2, 6), seed: int = 7, scale: int = 4) -> bytes:
    """A held-out digit strip, dark ink on white paper, `scale` times its 8-pixel height."""
    from PIL import Image

    from engine import digits as digit_data

    strip = digit_data.make_strip(list(digits), seed, split="test")
    pixels = np.round((1.0 - strip.image) * 255).astype(np.uint8)
    img = Image.fromarray(pixels, mode="L").resize(
        (strip.width * scale, STRIP_HEIGHT * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def example(ext: str) -> tuple[str, bytes]:
    """(file name, bytes) of a small valid example file in the format of `ext` (e.g. ".csv")."""
    ext = _ALIASES.get(ext.lower(), ext.lower())
    x = _example_values()
    header = ["x1", "x2", "x3"]
    if ext in (".csv", ".tsv"):
        sep = "," if ext == ".csv" else "\t"
        rows = [sep.join(header)] + [sep.join(f"{v:g}" for v in row) for row in x]
        return f"example{ext}", ("\n".join(rows) + "\n").encode("utf-8")
    buf = io.BytesIO()
    if ext == ".npy":
        np.save(buf, x, allow_pickle=False)
        return "example.npy", buf.getvalue()
    if ext == ".npz":
        np.savez_compressed(buf, walkthrough=x, reversed=x[::-1].copy())
        return "example.npz", buf.getvalue()
    if ext == ".json":
        doc = {"sequences": [{"name": "walkthrough", "values": x.tolist()},
                             {"name": "words", "tokens": ["the", "cell", "remembers"]}]}
        return "example.json", (json.dumps(doc, indent=1) + "\n").encode("utf-8")
    if ext == ".txt":
        return "example.txt", b"the memory cell keeps what the input gate lets in\n"
    if ext == ".wav":
        return "example.wav", _wav_bytes()
    if ext == ".png":
        return "example.png", _png_bytes()
    raise _fail(f"no example for {ext!r}; formats: {supported()}")

"""Text formats: CSV/TSV, JSON and plain text (characters or words), UTF-8 or UTF-16."""

from __future__ import annotations

import codecs
import csv
import io
import json

import numpy as np

from engine.uploads.common import (
    Sequence,
    _check_shape,
    _fail,
    _numbers,
    supported,
)
from engine.uploads.errors import (
    MAX_FEATURES,
    MAX_JSON_DEPTH,
    MAX_SEQUENCES,
    MAX_STEPS,
    UploadError,
)

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



"""Text formats: CSV/TSV, JSON and plain text (characters or words), UTF-8 or UTF-16."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re

import numpy as np
import pandas as pd

from engine.messages import Note, Phrase
from engine.uploads.common import (
    Sequence,
    _check_shape,
    _fail,
    _numbers,
    supported,
)
from engine.uploads.errors import (
    MAX_COLUMNS,
    MAX_FEATURES,
    MAX_JSON_DEPTH,
    MAX_SEQUENCES,
    MAX_STEPS,
    MAX_TABLE_CELLS,
    MAX_TABLE_ROWS,
    UploadError,
)
from engine.uploads.tables import NA_VALUES, Table, has_header, is_missing_text, table_sequences

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
        raise _fail("uploads.text_files.not_text",
                    "{filename} is not text: byte {byte} cannot be read as {encoding}. Save it "
                    "as UTF-8 or UTF-16 text, or use one of: {supported}.",
                    filename=filename, byte=err.start + 1, supported=supported(),
                    encoding="UTF-8" if encoding is None else encoding.upper()) from None
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or control > 0.01 * min(len(text), 65536):
        raise _fail("uploads.text_files.binary",
                    "{filename} looks like a binary file, not text (it contains control bytes). "
                    "Supported formats: {supported}.",
                    filename=filename, supported=supported())
    return text


# -- CSV / TSV -------------------------------------------------------------------------------


def is_number(cell: str) -> bool:
    """True when float() reads the cell (so "nan", "inf" and "1e5" count as numbers)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars (|)"}
_DELIMITER_WORDS = {",": Phrase("uploads.value.commas", "commas"),
                    ";": Phrase("uploads.value.semicolons", "semicolons"),
                    "\t": Phrase("uploads.value.tabs", "tabs"),
                    "|": Phrase("uploads.value.bars", "bars (|)")}  # DELIMITERS, in words
_PREFERRED = ("\t", ";", "|", ",")  # on a tie: ";" with "3,2" cells is a European CSV
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")
_SNIFF_LINES = 50  # lines looked at to find the delimiter and the header


def _sniff(sample: list[str], ext: str) -> tuple[str, bool]:
    """(delimiter, decimal comma?) of a table from its first lines: the delimiter that splits
    them into the same number (> 1) of columns; decimal commas when cells read like 3,2."""
    best, best_score = ",", (False, 0.0, 0)
    order = ("\t", *[d for d in _PREFERRED if d != "\t"]) if ext == ".tsv" else _PREFERRED
    for rank, delimiter in enumerate(order):
        counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        mode = max(set(counts), key=lambda c: (counts.count(c), c))  # ties: more columns
        score = (mode > 1, round(counts.count(mode) / len(counts), 1), -rank)
        if score > best_score:
            best, best_score = delimiter, score
    if not best_score[0]:  # nothing splits the lines: one column, in the extension's format
        best = "\t" if ext == ".tsv" else ","
    decimal_comma = best != "," and any(
        _DECIMAL_COMMA.match(cell.strip())
        for row in csv.reader(sample, delimiter=best) for cell in row)
    return best, decimal_comma


def _read_csv(data: bytes, stem: str, ext: str, fill: str | None = None) -> list[Sequence]:
    """A table: rows = steps, number columns = features; the delimiter, decimal commas and a
    header row are found from the first lines; then the column rules of `tables`."""
    filename = stem + ext
    text = decode_text(data, filename)
    lines = text.splitlines()
    kept = [k for k, line in enumerate(lines)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise _fail("uploads.tables.no_rows",
                    "{filename} has no rows of numbers: it needs at least one step (one row per "
                    "step, one column per feature).",
                    filename=filename)
    if len(kept) > MAX_TABLE_ROWS + 1:
        raise _fail("uploads.text_files.too_many_rows",
                    "{filename} has {rows:,} rows; at most {limit:,} are read (and at most "
                    "{steps:,} steps a sequence).",
                    filename=filename, rows=len(kept), limit=MAX_TABLE_ROWS, steps=MAX_STEPS)
    sample = [lines[k] for k in kept[:_SNIFF_LINES]]
    delimiter, decimal_comma = _sniff(sample, ext)
    sample_rows = [[c.strip() for c in row] for row in csv.reader(sample, delimiter=delimiter)]
    width = len(sample_rows[0])
    if width > MAX_COLUMNS:
        raise _fail("uploads.text_files.too_many_columns",
                    "{filename}, line {line} has {width:,} columns; at most {limit:,} "
                    "features per step are accepted.",
                    filename=filename, line=kept[0] + 1, width=width, limit=MAX_FEATURES)
    if width * len(kept) > MAX_TABLE_CELLS:
        raise _fail("uploads.spreadsheets.too_many_cells",
                    "{filename} has {rows:,} rows of {columns:,} columns; at most "
                    "{limit:,} cells are read in one table.",
                    filename=filename, rows=len(kept), columns=width, limit=MAX_TABLE_CELLS)
    header = has_header(sample_rows, decimal_comma)
    body = "\n".join(lines[k] for k in kept)
    try:
        frame = pd.read_csv(
            io.StringIO(body), sep=delimiter, header=None, skiprows=1 if header else 0,
            decimal="," if decimal_comma else ".", keep_default_na=False, na_values=NA_VALUES,
            skipinitialspace=True, skip_blank_lines=False,
            engine="c", low_memory=False)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except pd.errors.ParserError as err:
        raise _ragged_error(str(err), filename, kept, width, header) from None
    if len(frame) == 0:
        raise _fail("uploads.tables.no_rows",
                    "{filename} has no rows of numbers: it needs at least one step (one row per "
                    "step, one column per feature).",
                    filename=filename)
    data_lines = kept[1:] if header else kept
    exact = len(frame) == len(data_lines)
    numbers = (np.array(data_lines) + 1) if exact else np.arange(1, len(frame) + 1) + header

    def raw_row(i: int) -> list[str] | None:
        """Row i's cells as written (None when lines and rows do not match: quoted line
        breaks)."""
        if not exact:
            return None
        return next(csv.reader([lines[data_lines[i]]], delimiter=delimiter), [])

    def raw_cell(i: int, j: int) -> str | None:
        row = raw_row(i)
        return row[j] if row is not None and j < len(row) else None

    _check_short_rows(frame, raw_row, filename, numbers, width, header, kept)
    table = Table(filename=filename, stem=stem, frame=frame,
                  names=sample_rows[0] + [""] * (frame.shape[1] - width) if header else None,
                  row_numbers=numbers, row_word="line" if exact else "row",
                  raw_cell=raw_cell, decimal_comma=decimal_comma)
    if delimiter != ("\t" if ext == ".tsv" else ",") or decimal_comma:
        what = _DELIMITER_WORDS[delimiter]
        table.notes.append(Note("uploads.note.separated_decimal_commas", "Columns separated by "
                                "{what}, decimal commas (3,2 is 3.2).", what=what)
                           if decimal_comma else
                           Note("uploads.note.separated", "Columns separated by {what}.",
                                what=what))
    return table_sequences(table, fill)


def _first_row(header: bool, kept: list[int]) -> Phrase:
    """The row the others are compared with: the header, or the first line."""
    if header:
        return Phrase("uploads.place.the_header", "the header")
    return Phrase("uploads.place.line", "line {line}", line=kept[0] + 1)


def _ragged_error(message: str, filename: str, kept: list[int], width: int,
                  header: bool) -> UploadError:
    """pandas' "Expected 3 fields in line 4, saw 5" as a message naming the file's line."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if not found:
        return _fail("uploads.text_files.not_a_table",
                     "{filename} could not be read as a table: {message}",
                     filename=filename, message=message)
    line = int(found.group(2))
    line = kept[line - 1] + 1 if 0 < line <= len(kept) else line
    saw = int(found.group(3))
    ref = _first_row(header, kept)
    return _fail("uploads.text_files.ragged",
                 "{filename}, line {line} has {saw} columns but {ref} has {width}: every row "
                 "(step) needs the same number of columns (features).",
                 filename=filename, line=line, saw=saw, ref=ref, width=width)


def _check_short_rows(frame: pd.DataFrame, raw_row, filename: str, numbers: np.ndarray,
                      width: int, header: bool, kept: list[int]) -> None:
    """UploadError for a row with fewer columns than the first (pandas pads it with gaps)."""
    last = frame.iloc[:, -1]
    for i in np.flatnonzero([is_missing_text(v) for v in last]):
        row = raw_row(int(i))
        if row is not None and len(row) < width:
            ref = _first_row(header, kept)
            if len(row) == 1:
                raise _fail("uploads.text_files.ragged_one",
                            "{filename}, line {line} has 1 column but {ref} has {width}: every "
                            "row (step) needs the same number of columns (features).",
                            filename=filename, line=int(numbers[i]), ref=ref, width=width)
            raise _fail("uploads.text_files.ragged",
                        "{filename}, line {line} has {saw} columns but {ref} has {width}: "
                        "every row (step) needs the same number of columns (features).",
                        filename=filename, line=int(numbers[i]), saw=len(row), ref=ref,
                        width=width)


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
    return _fail("uploads.text_files.json_too_deep",
                 "{filename}, line {line}, column {col}: the JSON is nested more than "
                 "{limit} levels deep; a list of sequences of steps needs 3 or 4.",
                 filename=filename, line=line, col=col, limit=MAX_JSON_DEPTH)


def _json_path(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                   for i, p in enumerate(path)) or "the top level"


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float))  # bool included: JSON true/false read as 1/0


def _json_steps(steps: object, name: str, where: str, path: tuple) -> Sequence:
    """A list of steps (numbers, lists of numbers, or strings) -> a Sequence."""
    if not isinstance(steps, list):
        raise _fail("uploads.text_files.json_not_steps",
                    "{where}, at {path}: expected a list of steps, found {found}.",
                    where=where, path=_json_path(path), found=_json_type(steps))
    if not steps:
        raise _fail("uploads.text_files.json_empty_sequence",
                    "{where}, at {path}: the sequence is empty; it needs at least one step.",
                    where=where, path=_json_path(path))
    if len(steps) > MAX_STEPS:
        raise _fail("uploads.text_files.json_too_many_steps",
                    "{where}, at {path}: {steps:,} steps; at most {limit:,} are accepted.",
                    where=where, path=_json_path(path), steps=len(steps), limit=MAX_STEPS)
    if all(isinstance(s, str) for s in steps):
        return Sequence(name=name, tokens=list(steps), kind="text")
    width = len(steps[0]) if isinstance(steps[0], list) else None
    rows = []
    for t, step in enumerate(steps):
        row = step if isinstance(step, list) else [step]
        if (width is None) != (not isinstance(step, list)) or (width is not None
                                                               and len(row) != width):
            raise _fail("uploads.text_files.json_ragged",
                        "{where}, at {path}: step {step} is {found} but step 1 is {first}; "
                        "every step needs the same number of features.",
                        where=where, path=_json_path(path + (t,)), step=t + 1,
                        found=_json_type(step), first=_json_type(steps[0]))
        for f, v in enumerate(row):
            if not _is_num(v):
                key = path + (t, f) if width is not None else path + (t,)
                raise _fail("uploads.text_files.json_not_a_number",
                            "{where}, at {path}: expected a number, found {found}.",
                            where=where, path=_json_path(key), found=_json_type(v))
        rows.append(row)
    if width is not None:
        _check_shape(len(rows), width, _json_place(where, path))
    try:
        values = np.array(rows, dtype=np.float64)
    except OverflowError:
        raise _fail("uploads.text_files.json_number_too_large",
                    "{where}, at {path}: a number is too large.",
                    where=where, path=_json_path(path)) from None
    return _numbers(values, name, _json_place(where, path))


def _json_place(where: str, path: tuple) -> Phrase:
    return Phrase("uploads.place.json_path", "{where}, at {path}", where=where,
                  path=_json_path(path))


def _json_type(v: object) -> str | Phrase:
    if isinstance(v, list):
        return Phrase("uploads.value.json_list", "a list of {length}", length=len(v))
    if isinstance(v, dict):
        return Phrase("uploads.value.json_object", "an object {{...}}")
    if isinstance(v, str):
        return Phrase("uploads.value.json_text", "the text {text!r}", text=v[:30])
    if v is None:
        return "null"
    if _is_num(v):
        return Phrase("uploads.value.json_number", "the number {number!r}", number=v)
    return type(v).__name__


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
        raise _fail("uploads.text_files.json_invalid",
                    "{filename}, line {line}, column {column}: not valid JSON ({err}).",
                    filename=filename, line=err.lineno, column=err.colno, err=err.msg) from None
    except ValueError as err:  # e.g. an integer with thousands of digits
        raise _fail("uploads.text_files.json_value",
                    "{filename}: a value cannot be read ({err}).",
                    filename=filename, err=err) from None
    path: tuple = ()
    if isinstance(doc, dict):
        if "sequences" not in doc:
            raise _fail("uploads.text_files.json_no_sequences_key",
                        "{filename}: the top-level object has keys {keys} but no \"sequences\"; "
                        "expected {{\"sequences\": [...]}}, a list of steps or a list of "
                        "sequences.",
                        filename=filename, keys=sorted(doc)[:8])
        doc, path = doc["sequences"], ("sequences",)
        if not isinstance(doc, list):
            raise _fail("uploads.text_files.json_sequences_not_list",
                        "{filename}, at sequences: expected a list of sequences, found "
                        "{found}.",
                        filename=filename, found=_json_type(doc))
        items = doc
    elif isinstance(doc, list):
        nested = bool(doc) and all(isinstance(s, (list, dict)) for s in doc) and any(
            isinstance(s, dict) or (s and isinstance(s[0], list)) for s in doc)
        if not nested:
            return [_json_steps(doc, stem, filename, ())]
        items = doc
    else:
        raise _fail("uploads.text_files.json_top_level",
                    "{filename}: the top level is {found}; expected a list of steps, a list "
                    "of sequences or {{\"sequences\": [...]}}.",
                    filename=filename, found=_json_type(doc))
    if not items:
        raise _fail("uploads.text_files.json_no_sequences",
                    "{filename}, at {path}: no sequences; at least one is needed.",
                    filename=filename, path=_json_path(path))
    if len(items) > MAX_SEQUENCES:
        raise _fail("uploads.text_files.json_too_many_sequences",
                    "{filename}, at {path}: {sequences:,} sequences; at most {limit:,} are "
                    "accepted.",
                    filename=filename, path=_json_path(path), sequences=len(items),
                    limit=MAX_SEQUENCES)
    out = []
    for i, item in enumerate(items):
        key = path + (i,)
        name = f"{stem}[{i}]"
        if isinstance(item, dict):
            body = [k for k in ("values", "tokens", "steps") if k in item]
            if len(body) != 1:
                raise _fail("uploads.text_files.json_bad_object",
                            "{filename}, at {path}: expected an object with one of \"values\", "
                            "\"tokens\" or \"steps\" (and optionally \"name\"), found keys "
                            "{keys}.",
                            filename=filename, path=_json_path(key), keys=sorted(item)[:8])
            label = item.get("name")
            name = str(label)[:80] if isinstance(label, (str, int, float)) else name
            seq = _json_steps(item[body[0]], name, filename, key + (body[0],))
            if body[0] == "tokens" and seq.tokens is None:
                raise _fail("uploads.text_files.json_tokens_not_strings",
                            "{filename}, at {path}: expected a list of strings.",
                            filename=filename, path=_json_path(key + ("tokens",)))
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
        raise _fail("uploads.text_files.blank_text",
                    "{filename} has no text (only spaces or blank lines): it needs at least one "
                    "character.",
                    filename=filename)
    words = text.split()
    tokens = words if len(words) > 1 else list(text)
    if len(tokens) > MAX_STEPS:
        if len(words) > 1:
            raise _fail("uploads.text_files.too_many_words",
                        "{filename} has {tokens:,} words; at most {limit:,} steps are accepted "
                        "(shorten the text).", filename=filename, tokens=len(tokens),
                        limit=MAX_STEPS)
        raise _fail("uploads.text_files.too_many_characters",
                    "{filename} has {tokens:,} characters; at most {limit:,} steps are accepted "
                    "(shorten the text).", filename=filename, tokens=len(tokens),
                    limit=MAX_STEPS)
    return [Sequence(name=stem, tokens=tokens, kind="text")]



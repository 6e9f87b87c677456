"""Tables (CSV/TSV, Parquet, Excel) -> sequences, by what each column holds.

Number columns are the features. Columns that are not numbers are not features:
- a date/time column gives the step labels (`Sequence.labels`);
- a column named like id / seq / sequence / series / group / name, or a text column whose values
  come in contiguous runs, splits the rows into one sequence per value (long format); a number
  column named t / step / time / ... that counts 0, 1, 2, ... (or 1, 2, 3, ...) inside each
  sequence gives the order of the rows;
- an unnamed leading integer column (the index pandas' `to_csv` writes) is dropped;
- any other text column is dropped.
Everything done is said in `Sequence.notes`. Missing cells are refused with their place, or
filled (`fill="interpolate"`: linear along time, the nearest value at the ends).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.messages import Joined, Note, Phrase
from engine.uploads.common import Sequence, _check_shape, _fail
from engine.uploads.errors import MAX_SEQUENCES, GapsError

FILLS = {"interpolate": "linear interpolation along time, then the nearest value at the ends"}
NA_VALUES = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", "none", "#N/A"]
_NA = {v.lower() for v in NA_VALUES}
GROUP_WORDS = {"id", "seq", "sequence", "series", "group", "name"}  # words naming a sequence
ORDER_NAMES = {"t", "step", "time", "timestep", "time_step", "idx", "index", "frame",
               "position", "pos"}  # names of a column that counts the steps
_INDEX_NAMES = {"", "unnamed: 0", "unnamed:0"}  # how an unnamed leading column is headed
_DATE_SEPARATOR = re.compile(r"[-/:.\s]")  # dates and times have one (2024-01-05, 10:30)
_MONTH_LIKE = re.compile(r"[A-Za-z]{3}")  # or a word ("5 Jan 2024")
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class Table:
    """A table as read, before its columns are sorted out."""

    filename: str
    stem: str
    frame: pd.DataFrame  # one column per file column, one row per data row (any dtypes)
    names: list[str] | None  # the header's names (None: no header)
    row_numbers: np.ndarray  # [R] the file's line/row number of each frame row (1-based)
    row_word: str = "line"  # "line" (CSV) or "row" (Parquet, Excel)
    column_label: Callable[[int], str | Phrase] = lambda j: Phrase(
        "uploads.place.column", "column {column}", column=j + 1)
    raw_cell: Callable[[int, int], str | None] = lambda i, j: None  # the cell as written
    decimal_comma: bool = False  # text numbers use "," as the decimal mark
    notes: list[str] = field(default_factory=list)

    def where(self, i: int, j: int) -> Phrase:
        """'data.csv, line 7, column 3 (“temp”)': where row i, column j of the frame is in the
        file."""
        name = self.names[j] if self.names else ""
        values = {"filename": self.filename, "row": int(self.row_numbers[i]),
                  "column": self.column_label(j)}
        if self.row_word == "line":
            if name:
                return Phrase("uploads.place.line_column_named",
                              "{filename}, line {row}, {column} (“{name}”)",
                              name=str(name)[:40], **values)
            return Phrase("uploads.place.line_column", "{filename}, line {row}, {column}",
                          **values)
        if name:
            return Phrase("uploads.place.row_column_named",
                          "{filename}, row {row}, {column} (“{name}”)", name=str(name)[:40],
                          **values)
        return Phrase("uploads.place.row_column", "{filename}, row {row}, {column}", **values)

    def name(self, j: int) -> str | Phrase:
        """The column's name for notes: its header, or 'column 3'."""
        name = self.names[j] if self.names else ""
        return (Phrase("uploads.place.quoted", "“{name}”", name=str(name)[:40]) if name
                else self.column_label(j))


@dataclass
class _Column:
    """One column, sorted out."""

    index: int
    kind: str  # "number" | "date" | "text" | "empty"
    numbers: np.ndarray | None = None  # [R] float64, NaN where missing (numbers)
    text: np.ndarray | None = None  # [R] object: str, None where missing (dates, text)


# -- what a cell is ----------------------------------------------------------------------------


def is_missing_text(value: object) -> bool:
    """True for an empty cell or a written missing value (NA, NaN, null, ...)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and value.strip().lower() in _NA


def looks_like_dates(values: list[str]) -> bool:
    """True when every value of a sample reads as a date or time (ISO 8601, or another common
    way of writing one)."""
    sample = [str(v).strip() for v in values[:: max(1, len(values) // 200)][:200]]
    if not sample or not all(any(c.isdigit() for c in v) and (
            _DATE_SEPARATOR.search(v) or _MONTH_LIKE.search(v)) for v in sample):
        return False
    series = pd.Series(sample, dtype=object)
    if pd.to_datetime(series, errors="coerce", format="ISO8601").notna().all():
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(pd.to_datetime(series, errors="coerce", format="mixed").notna().all())


def _label(value: object) -> str:
    """A date/time cell as a step label."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time() and value.tzinfo is None
                else value.isoformat(sep=" "))
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _column(table: Table, j: int) -> _Column:
    """Sort out column j: numbers, dates or text; UploadError for a column of numbers with a
    stray word in it (a typo), naming the cell."""
    s = table.frame.iloc[:, j]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_bool_dtype(s.dtype):
        return _Column(j, "number", numbers=s.to_numpy(dtype=np.float64))
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return _Column(j, "empty" if np.isnan(values).all() else "number", numbers=values)
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
        text = np.array([None if pd.isna(v) else _label(v) for v in s], dtype=object)
        return _Column(j, "date", text=text)
    cells = s.to_numpy(dtype=object)
    missing = np.fromiter((is_missing_text(v) for v in cells), bool, len(cells))
    if missing.all():
        return _Column(j, "empty")
    plain = np.array([v.strip() if isinstance(v, str) else v for v in cells], dtype=object)
    if table.decimal_comma:
        plain = np.array([v.replace(",", ".") if isinstance(v, str) else v for v in plain],
                         dtype=object)
    plain = np.array([float(v) if isinstance(v, bool) else v for v in plain], dtype=object)
    numbers = pd.to_numeric(pd.Series(plain, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, copy=True)
    numbers[missing] = np.nan
    words = ~missing & np.isnan(numbers)
    if not words.any():
        return _Column(j, "number", numbers=numbers)
    n_words, n_numbers = int(words.sum()), int((~missing & ~words).sum())
    grouping = table.names is not None and _named(table.names[j], GROUP_WORDS)
    if n_numbers >= n_words and not grouping:
        i = int(np.argmax(words))
        raise _fail("uploads.tables.not_a_number",
                    "{where} is {cells!r}, which is not a number; every cell of a column of "
                    "numbers must be a number.",
                    where=table.where(i, j), cells=str(cells[i])[:40])
    text = np.array([None if m else _label(v) if isinstance(v, (dt.date, dt.time))
                     else str(v).strip() for v, m in zip(cells, missing, strict=True)],
                    dtype=object)
    present = [v for v, m in zip(cells, missing, strict=True) if not m]
    dated = all(isinstance(v, (dt.date, dt.time, pd.Timestamp)) for v in present) or (
        not grouping and looks_like_dates([str(v) for v in present]))
    return _Column(j, "date" if dated else "text", text=text)


def _named(name: object, words: set[str]) -> bool:
    """True when a column's name has one of `words` as a word ("seq_id", "Series name")."""
    return any(t in words for t in re.split(r"[^a-z0-9]+", str(name or "").lower()))


# -- the table's columns -> sequences ----------------------------------------------------------


def table_sequences(table: Table, fill: str | None = None) -> list[Sequence]:
    """The sequences of a table, by the column rules above."""
    if fill is not None and fill not in FILLS:
        raise _fail("uploads.reader.unknown_fill",
                    "unknown way to fill gaps {fill!r}; valid: {valid}.",
                    fill=fill, valid=", ".join(FILLS))
    frame = table.frame
    if len(frame) == 0 or frame.shape[1] == 0:
        raise _fail("uploads.tables.no_rows",
                    "{filename} has no rows of numbers: it needs at least one step (one row per "
                    "step, one column per feature).",
                    filename=table.filename)
    notes = list(table.notes)
    columns = [_column(table, j) for j in range(frame.shape[1])]
    names = table.names or [""] * len(columns)
    empty = [c for c in columns if c.kind == "empty"]
    if empty:
        listed = _list(table.name(c.index) for c in empty)
        notes.append(Note("uploads.note.empty_columns", "Empty columns {names}: dropped.",
                          names=listed) if len(empty) > 1 else
                     Note("uploads.note.empty_column", "Empty column {names}: dropped.",
                          names=listed))
    live = [c for c in columns if c.kind != "empty"]
    # the index pandas' to_csv writes first: no name, whole numbers
    first = live[0] if live else None
    if (first is not None and first.index == 0 and table.names is not None
            and str(names[0]).strip().lower() in _INDEX_NAMES and first.kind == "number"
            and len(live) > 1 and not np.isnan(first.numbers).any()
            and np.array_equal(first.numbers, np.round(first.numbers))):
        notes.append(Note("uploads.note.row_index", "The unnamed first column holds whole "
                          "numbers: read as a row index (as pandas' to_csv writes it), not a "
                          "feature."))
        live = live[1:]
    rows = len(frame)
    group = _group_column(table, live, notes)
    if group is not None:
        live = [c for c in live if c is not group]
    keys = group.numbers if group is not None and group.kind == "number" else (
        group.text if group is not None else None)
    if keys is not None:
        gone = np.flatnonzero(pd.isna(pd.Series(keys, dtype=object)).to_numpy())
        if len(gone):
            raise _fail("uploads.tables.no_sequence_name",
                        "{where} is empty: every row needs the name of its sequence.",
                        where=table.where(int(gone[0]), group.index))
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
        if len(uniques) > MAX_SEQUENCES:
            raise _fail("uploads.tables.too_many_sequences",
                        "{filename}: column {column} names {sequences:,} sequences; at most "
                        "{limit:,} are accepted.",
                        filename=table.filename, column=table.name(group.index),
                        sequences=len(uniques), limit=MAX_SEQUENCES)
        groups = [np.flatnonzero(codes == k) for k in range(len(uniques))]
        labels = [_key_text(u) for u in uniques]
        notes.append(Note("uploads.note.long_format", "Column {column} names the sequence of "
                          "each row: {count} sequences (long format).",
                          column=table.name(group.index), count=len(groups))
                     if len(groups) != 1 else
                     Note("uploads.note.long_format_one", "Column {column} names the sequence "
                          "of each row: 1 sequence (long format).",
                          column=table.name(group.index)))
    else:
        groups, labels = [np.arange(rows)], [None]
    groups = _order(table, live, groups, notes)
    dates = [c for c in live if c.kind == "date"]
    if dates:
        notes.append(Note("uploads.note.dates", "Column {column} holds dates or times: they "
                          "label the steps.", column=table.name(dates[0].index)))
        if len(dates) > 1:
            notes.append(Note("uploads.note.other_dates", "Other date columns {names}: dropped.",
                              names=_list(table.name(c.index) for c in dates[1:])))
    text = [c for c in live if c.kind == "text"]
    if text:
        listed = _list(table.name(c.index) for c in text)
        notes.append(Note("uploads.note.text_columns", "Text columns {names}: not numbers, "
                          "dropped.", names=listed) if len(text) > 1 else
                     Note("uploads.note.text_column", "Text column {names}: not numbers, "
                          "dropped.", names=listed))
    features = [c for c in live if c.kind == "number"]
    if not features:
        raise _fail("uploads.tables.no_number_column",
                    "{filename} has no column of numbers: every column holds text or dates, and "
                    "the features of a step must be numbers.",
                    filename=table.filename)
    values = np.stack([c.numbers for c in features], axis=1)  # [R, F]
    _check_finite(table, values, features)
    filled = 0
    missing = np.isnan(values)
    if missing.any():
        if fill is None:
            i, f = (int(k) for k in np.argwhere(missing)[0])
            raw = table.raw_cell(i, features[f].index)
            what = (Phrase("uploads.value.missing_marker", "is {raw!r}, a missing value",
                           raw=raw.strip()[:40]) if raw and raw.strip()
                    else Phrase("uploads.value.empty_cell", "is empty"))
            count = int(missing.sum())
            cells = (Phrase("uploads.value.one_missing_cell", "the missing cell") if count == 1
                     else Phrase("uploads.value.missing_cells", "the {count:,} missing cells",
                                 count=count))
            raise GapsError("uploads.tables.gaps",
                            "{where} {what}; only finite numbers are accepted. Choose “fill "
                            "gaps” to fill {cells} by linear interpolation.",
                            where=table.where(i, features[f].index), what=what, cells=cells)
        filled = int(missing.sum())
        values = _interpolate(table, values, groups, labels, features)
        notes.append(Note("uploads.note.filled", "Filled {count:,} missing cells: linear "
                          "interpolation along time, then the nearest value at the ends.",
                          count=filled) if filled != 1 else
                     Note("uploads.note.filled_one", "Filled 1 missing cell: linear "
                          "interpolation along time, then the nearest value at the ends."))
    feature_names = [str(names[c.index]) if names[c.index] else f"x{k + 1}"
                     for k, c in enumerate(features)]
    out = []
    for rows_k, key in zip(groups, labels, strict=True):
        name = table.stem if key is None else f"{table.stem}[{key}]"
        where = table.filename if key is None else Phrase(
            "uploads.place.named_sequence", "{filename}, sequence {key!r}",
            filename=table.filename, key=key)
        _check_shape(len(rows_k), len(features), where)
        seq = Sequence(name=name, values=values[rows_k].astype(np.float32),
                       columns=feature_names, notes=notes)
        if dates:
            seq.labels = [str(v) if v is not None else "" for v in dates[0].text[rows_k]]
        out.append(seq)
    for seq in out[1:]:
        seq.notes = list(notes)
    return out


def _list(names) -> Joined | Phrase:
    """Up to six names, then how many more: each worded by the app (see Joined)."""
    names = list(names)
    if len(names) > 6:
        return Phrase("uploads.value.and_more", "{names} and {count} more",
                      names=Joined(names[:6], ", "), count=len(names) - 6)
    return Joined(names, ", ")


def _key_text(value: object) -> str:
    """A sequence's name from its id cell (1.0 -> "1")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:60]


def _group_column(table: Table, live: list[_Column], notes: list[str]) -> _Column | None:
    """The column that splits the rows into sequences, or None. A column named like an id
    with a different value on every row is a row id: dropped (from `live`, in place)."""
    rows = len(table.frame)
    named, runs = [], []
    for c in list(live):
        if c.kind == "date":
            continue
        keys = c.numbers if c.kind == "number" else c.text
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
        if table.names is not None and _named(table.names[c.index], GROUP_WORDS):
            if rows > 1 and len(uniques) == rows:
                live.remove(c)
                notes.append(Note("uploads.note.row_id", "Column {column} has a different "
                                  "value on every row: a row id, dropped.",
                                  column=table.name(c.index)))
            else:
                named.append(c)
        elif c.kind == "text" and len(uniques) < rows:
            changes = 1 + int(np.count_nonzero(codes[1:] != codes[:-1]))
            if changes == len(uniques):  # every value in one contiguous run
                runs.append(c)
    chosen = (named or runs or [None])[0]
    for c in named[1:]:
        if c.kind == "number":  # another id-like number column: not a feature either
            live.remove(c)
            notes.append(Note("uploads.note.id", "Column {column} looks like an id: dropped.",
                              column=table.name(c.index)))
    return chosen


def _order(table: Table, live: list[_Column], groups: list[np.ndarray], notes: list[str]
           ) -> list[np.ndarray]:
    """Rows of each group in the order a step-counting column gives (it is then dropped from
    `live`); the file's order otherwise."""
    for c in list(live):
        if c.kind != "number" or table.names is None:
            continue
        if str(table.names[c.index]).strip().lower() not in ORDER_NAMES:
            continue
        v = c.numbers
        if np.isnan(v).any() or not np.array_equal(v, np.round(v)):
            continue
        starts = {float(v[g].min()) for g in groups}
        if len(starts) != 1 or starts.pop() not in (0.0, 1.0):
            continue
        if not all(np.array_equal(np.sort(v[g]), v[g].min() + np.arange(len(g)))
                   for g in groups):
            continue
        live.remove(c)
        notes.append(Note("uploads.note.order_in_sequences", "Column {column} counts the "
                          "steps inside each sequence: it gives their order, not a feature.",
                          column=table.name(c.index)) if len(groups) > 1 else
                     Note("uploads.note.order", "Column {column} counts the steps: it gives "
                          "their order, not a feature.", column=table.name(c.index)))
        return [g[np.argsort(v[g], kind="stable")] for g in groups]
    return groups


def _check_finite(table: Table, values: np.ndarray, features: list[_Column]) -> None:
    """UploadError naming the first infinite number, or one too large for 32-bit floats."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > _FLOAT32_MAX)
    if bad.any():
        i, f = (int(k) for k in np.argwhere(bad)[0])
        raw = table.raw_cell(i, features[f].index)
        shown = repr(raw.strip()[:40]) if raw else f"{values[i, f]:g}"
        raise _fail("uploads.tables.not_finite",
                    "{where} is {shown}; only finite numbers are accepted (no NaN or Inf, at "
                    "most {limit:.3g} in size).",
                    where=table.where(i, features[f].index), shown=shown, limit=_FLOAT32_MAX)


def _interpolate(table: Table, values: np.ndarray, groups: list[np.ndarray],
                 keys: list[str | None], features: list[_Column]) -> np.ndarray:
    """Missing cells filled inside each sequence: linear along the steps, then the nearest
    value at the ends; UploadError for a column with no number in a sequence."""
    out = values.copy()
    for rows_k, key in zip(groups, keys, strict=True):
        block = out[rows_k]
        for f in range(block.shape[1]):
            col = block[:, f]
            known = ~np.isnan(col)
            if known.all():
                continue
            if not known.any():
                column = table.name(features[f].index)
                if key is None:
                    raise _fail("uploads.tables.nothing_to_fill_from",
                                "{filename}: column {column} has no number, so its gaps cannot "
                                "be filled.", filename=table.filename, column=column)
                raise _fail("uploads.tables.nothing_to_fill_from_in_sequence",
                            "{filename}: column {column} has no number in sequence {key!r}, so "
                            "its gaps cannot be filled.",
                            filename=table.filename, column=column, key=key)
            steps = np.arange(len(col))
            col[~known] = np.interp(steps[~known], steps[known], col[known])
        out[rows_k] = block
    return out


# -- is the first row a header? ----------------------------------------------------------------


def _cell_kind(value: object, decimal_comma: bool) -> str:
    """"missing", "number", "date" or "text": what one cell looks like."""
    if is_missing_text(value):
        return "missing"
    if isinstance(value, (bool, int, float, np.number)):
        return "number"
    if isinstance(value, (dt.date, dt.time)):
        return "date"
    text = str(value).strip()
    try:
        float(text.replace(",", ".") if decimal_comma else text)
        return "number"
    except ValueError:
        pass
    return "date" if looks_like_dates([text]) else "text"


def has_header(rows: list[list[object]], decimal_comma: bool = False) -> bool:
    """True when the first of these rows (the start of a table) names the columns: it holds
    no number, and some column's cell in it differs in kind (number, date, text, empty) from
    the cells below it."""
    if not rows:
        return False
    kinds = [[_cell_kind(c, decimal_comma) for c in row] for row in rows[:20]]
    head = kinds[0]
    if "number" in head:
        return False
    if len(kinds) == 1:
        return True
    for j, kind in enumerate(head):
        below = [row[j] for row in kinds[1:] if j < len(row) and row[j] != "missing"]
        if below and max(set(below), key=below.count) != kind:
            return True
    return False

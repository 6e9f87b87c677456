"""Binary tables: Parquet (pyarrow) and Excel .xlsx (openpyxl, first sheet), read like a CSV
(the column rules of `tables`). Sizes are checked from the metadata before any data is
unpacked: a Parquet file's rows, columns and uncompressed bytes, an .xlsx zip's unpacked bytes
and its sheet's declared size."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from engine.messages import Phrase
from engine.uploads.common import Sequence, _fail
from engine.uploads.errors import (
    MAX_COLUMNS,
    MAX_FEATURES,
    MAX_TABLE_CELLS,
    MAX_TABLE_ROWS,
    MAX_UNPACKED_BYTES,
    UploadError,
)
from engine.uploads.tables import Table, has_header, table_sequences

_MAX_ZIP_MEMBERS = 1_000  # files inside an .xlsx (a workbook of one sheet has about a dozen)
_MAX_ROW_GROUPS = 10_000  # row groups in a Parquet file (each has its own metadata)


def _check_size(filename: str, rows: int, columns: int) -> None:
    """UploadError when a table's rows, columns or cells are over the limits."""
    if rows > MAX_TABLE_ROWS:
        raise _fail("uploads.spreadsheets.too_many_rows",
                    "{filename} has {rows:,} rows; at most {limit:,} are read.",
                    filename=filename, rows=rows, limit=MAX_TABLE_ROWS)
    if columns > MAX_COLUMNS:
        raise _fail("uploads.spreadsheets.too_many_columns",
                    "{filename} has {columns:,} columns; at most {limit:,} features per "
                    "step are accepted.",
                    filename=filename, columns=columns, limit=MAX_FEATURES)
    if rows * columns > MAX_TABLE_CELLS:
        raise _fail("uploads.spreadsheets.too_many_cells",
                    "{filename} has {rows:,} rows of {columns:,} columns; at most "
                    "{limit:,} cells are read in one table.",
                    filename=filename, rows=rows, columns=columns, limit=MAX_TABLE_CELLS)


# -- Parquet -----------------------------------------------------------------------------------


def _read_parquet(data: bytes, stem: str, ext: str, fill: str | None = None) -> list[Sequence]:
    """A Parquet table (pandas' to_parquet): its metadata checked, then the column rules."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    filename = stem + ext
    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise _fail("uploads.spreadsheets.not_parquet",
                    "{filename} is not a Parquet file (it does not start and end with PAR1).",
                    filename=filename)
    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        meta = pf.metadata
        schema = pf.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as err:
        raise _fail("uploads.spreadsheets.broken_parquet",
                    "{filename} is a broken Parquet file: {err}",
                    filename=filename, err=err) from None
    _check_size(filename, meta.num_rows, meta.num_columns)
    if meta.num_row_groups > _MAX_ROW_GROUPS:
        raise _fail("uploads.spreadsheets.too_many_row_groups",
                    "{filename} has {groups:,} row groups; at most {limit:,} are read.",
                    filename=filename, groups=meta.num_row_groups,
                    limit=_MAX_ROW_GROUPS)
    unpacked = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        unpacked += max(group.total_byte_size, sum(
            group.column(c).total_uncompressed_size for c in range(group.num_columns)))
    if unpacked > MAX_UNPACKED_BYTES:
        raise _fail("uploads.spreadsheets.unpacks_too_large",
                    "{filename} unpacks to {unpacked:,.0f} MB; at most {limit} MB "
                    "are read.",
                    filename=filename, unpacked=unpacked / 2**20,
                    limit=MAX_UNPACKED_BYTES // 2**20)
    for column in schema:
        kind = column.type
        if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(
                kind):
            raise _fail("uploads.spreadsheets.nested_column",
                        "{filename}: column “{name}” holds {kind}; a table of numbers, text and "
                        "dates is read (one value a cell).",
                        filename=filename, name=column.name[:40], kind=kind)
    try:
        frame = pf.read().to_pandas()
    except (pa.ArrowException, OSError, ValueError, TypeError) as err:
        raise _fail("uploads.spreadsheets.broken_parquet",
                    "{filename} is a broken Parquet file: {err}",
                    filename=filename, err=err) from None
    if len(frame) != meta.num_rows:
        raise _fail("uploads.spreadsheets.parquet_rows_disagree",
                    "{filename} is a broken Parquet file: its metadata says {rows:,} rows, its "
                    "data holds {found:,}.",
                    filename=filename, rows=meta.num_rows, found=len(frame))
    if not isinstance(frame.index, pd.RangeIndex):  # a named index (e.g. dates) is a column
        frame = frame.reset_index()
    names = [str(c) for c in frame.columns]
    frame.columns = range(len(names))
    table = Table(filename=filename, stem=stem, frame=frame, names=names,
                  row_numbers=np.arange(1, len(frame) + 1), row_word="row")
    return table_sequences(table, fill)


# -- Excel -------------------------------------------------------------------------------------


def _check_zip(data: bytes, filename: str) -> None:
    """UploadError unless `data` is a zip whose members unpack to at most MAX_UNPACKED_BYTES
    (the sizes its directory declares; zipfile stops any member at its declared size)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _fail("uploads.spreadsheets.not_xlsx",
                    "{filename} is not an Excel .xlsx workbook (an .xlsx file is a zip archive; "
                    "old .xls files and password-protected workbooks are not read: save it as "
                    ".xlsx or CSV).",
                    filename=filename) from None
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_ZIP_MEMBERS:
            raise _fail("uploads.spreadsheets.too_many_members",
                        "{filename} holds {files:,} files; an Excel workbook has at most "
                        "{limit:,}.",
                        filename=filename, files=len(members),
                        limit=_MAX_ZIP_MEMBERS)
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _fail("uploads.spreadsheets.unpacks_too_large",
                        "{filename} unpacks to {unpacked:,.0f} MB; at most {limit} "
                        "MB are read.",
                        filename=filename, unpacked=unpacked / 2**20,
                        limit=MAX_UNPACKED_BYTES // 2**20)
        if any(m.flag_bits & 0x1 for m in members):
            raise _fail("uploads.spreadsheets.encrypted",
                        "{filename} is encrypted; save it without a password.",
                        filename=filename)
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise _fail("uploads.spreadsheets.zip_not_xlsx",
                        "{filename} is a zip archive but not an Excel workbook (no "
                        "xl/workbook.xml inside).",
                        filename=filename)


def _column_letters(j: int) -> str:
    """0 -> "A", 26 -> "AA" (Excel's column names)."""
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _column_place(j: int) -> Phrase:
    """'column C': a spreadsheet's column j (0-based) by its letters."""
    return Phrase("uploads.place.column", "column {column}", column=_column_letters(j))


def _read_xlsx(data: bytes, stem: str, ext: str, fill: str | None = None) -> list[Sequence]:
    """The first sheet of an Excel workbook: its size checked, then the column rules."""
    import openpyxl

    filename = stem + ext
    _check_zip(data, filename)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds (KeyError, XML errors, ...) on junk
        raise _fail("uploads.spreadsheets.broken_xlsx",
                    "{filename} is a broken Excel workbook ({kind}: {err}).",
                    filename=filename, kind=type(err).__name__, err=str(err)[:200]) from None
    try:
        if not book.worksheets:
            raise _fail("uploads.spreadsheets.no_sheet",
                        "{filename} has no sheet.",
                        filename=filename)
        sheet = book.worksheets[0]
        if not hasattr(sheet, "iter_rows"):
            raise _fail("uploads.spreadsheets.chart_sheet",
                        "{filename}: the first sheet is a chart, not a table.",
                        filename=filename)
        declared_rows, declared_cols = sheet.max_row or 0, sheet.max_column or 0
        if declared_rows > MAX_TABLE_ROWS + 1 or declared_cols > MAX_COLUMNS:
            _check_size(filename, max(declared_rows - 1, 0), declared_cols)
        rows: list[tuple] = []
        cells = 0
        # (read-only sheets pad every row to max_col and yield empty rows up to max_row)
        last_row = min(declared_rows or MAX_TABLE_ROWS + 2, MAX_TABLE_ROWS + 2)
        last_col = min(declared_cols or MAX_COLUMNS + 1, MAX_COLUMNS + 1)
        for row in sheet.iter_rows(min_row=1, max_row=last_row, min_col=1, max_col=last_col,
                                   values_only=True):
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] is not None:
                _check_size(filename, len(rows), len(row))
            rows.append(row[:MAX_COLUMNS])
            cells += len(row)
            if len(rows) > MAX_TABLE_ROWS + 1 or cells > MAX_TABLE_CELLS + MAX_COLUMNS:
                _check_size(filename, len(rows), max(len(r) for r in rows[:100]))
                raise _fail("uploads.spreadsheets.too_many_cells_read",
                            "{filename} has more than {limit:,} cells; at most that "
                            "many are read in one table.",
                            filename=filename, limit=MAX_TABLE_CELLS)
    except UploadError:
        raise
    except Exception as err:  # a broken sheet's XML, cut short
        raise _fail("uploads.spreadsheets.broken_xlsx",
                    "{filename} is a broken Excel workbook ({kind}: {err}).",
                    filename=filename, kind=type(err).__name__, err=str(err)[:200]) from None
    finally:
        book.close()
    kept = [k for k, row in enumerate(rows) if any(v is not None and str(v).strip() != ""
                                                   for v in row)]
    if not kept:
        raise _fail("uploads.spreadsheets.empty_sheet",
                    "{filename}: the first sheet is empty; it needs one row per step.",
                    filename=filename)
    width = 1 + max(max((j for j, v in enumerate(rows[k]) if v is not None), default=0)
                    for k in kept)
    grid = [list(rows[k][:width]) + [None] * (width - len(rows[k][:width])) for k in kept]
    header = has_header(grid[:20])
    body = grid[1:] if header else grid
    numbers = np.array(kept[1:] if header else kept) + 1
    frame = pd.DataFrame(body, dtype=object) if body else pd.DataFrame()
    names = ["" if v is None else str(v).strip() for v in grid[0]] if header else None
    table = Table(filename=filename, stem=stem, frame=frame, names=names, row_numbers=numbers,
                  row_word="row", column_label=_column_place,
                  raw_cell=lambda i, j: None if body[i][j] is None else str(body[i][j]))
    return table_sequences(table, fill)

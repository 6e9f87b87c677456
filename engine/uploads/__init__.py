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

The pieces, one concern each: errors and limits (errors), typed input (typed), the link codec
(url_codec), what every reader shares (common), the column rules of tables (tables: dates
label the steps, an id column splits long format into sequences, gaps refused or filled), the
readers (text_files: CSV/TSV, JSON, text; spreadsheets: Parquet, Excel; arrays: NPY/NPZ;
media: WAV/FLAC/OGG/MP3 and PNG), the dispatcher (reader) and example files (examples).
Every public name is re-exported here.
"""

from engine.uploads.arrays import read_npy_header
from engine.uploads.common import FORMATS, Sequence, supported
from engine.uploads.errors import (
    MAX_AUDIO_SAMPLES,
    MAX_BYTES,
    MAX_CHANNELS,
    MAX_COLUMNS,
    MAX_FEATURES,
    MAX_IMAGE_PIXELS,
    MAX_JSON_DEPTH,
    MAX_SEQUENCES,
    MAX_STEPS,
    MAX_TABLE_CELLS,
    MAX_TABLE_ROWS,
    MAX_UNPACKED_BYTES,
    MAX_VALUES,
    GapsError,
    SequenceError,
    UploadError,
)
from engine.uploads.examples import EXAMPLES, example
from engine.uploads.media import AUDIO_READ, STRIP_HEIGHT, strip_image
from engine.uploads.reader import parse
from engine.uploads.tables import FILLS
from engine.uploads.text_files import decode_text, is_number
from engine.uploads.typed import parse_sequence_text, sequence_from_rows, sequence_to_text
from engine.uploads.url_codec import decode_sequence, encode_sequence

__all__ = [
    "AUDIO_READ", "EXAMPLES", "FILLS", "FORMATS", "MAX_AUDIO_SAMPLES", "MAX_BYTES",
    "MAX_CHANNELS", "MAX_COLUMNS", "MAX_FEATURES", "MAX_IMAGE_PIXELS", "MAX_JSON_DEPTH",
    "MAX_SEQUENCES", "MAX_STEPS", "MAX_TABLE_CELLS", "MAX_TABLE_ROWS", "MAX_UNPACKED_BYTES",
    "MAX_VALUES", "STRIP_HEIGHT", "GapsError", "Sequence", "SequenceError",
    "UploadError", "decode_sequence", "decode_text", "encode_sequence", "example", "is_number",
    "parse", "parse_sequence_text", "read_npy_header", "sequence_from_rows", "sequence_to_text",
    "strip_image", "supported",
]

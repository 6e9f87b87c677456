"""What an upload may be, at most, and the errors a bad one raises (messages for the user)."""

from __future__ import annotations

from engine.messages import UserError

MAX_BYTES = 10 * 1024 * 1024  # largest file accepted (Streamlit's server.maxUploadSize = 10)
MAX_STEPS = 10_000  # longest sequence accepted (T)
MAX_FEATURES = 1_024  # widest step accepted (F)
MAX_SEQUENCES = 1_000  # most sequences in one file
MAX_VALUES = MAX_STEPS * MAX_FEATURES  # most numbers in one file, all sequences together
MAX_JSON_DEPTH = 32  # deepest JSON nesting read (a list of sequences needs 3 or 4)
MAX_IMAGE_PIXELS = 4_000_000  # largest PNG accepted, width x height
MAX_COLUMNS = MAX_FEATURES + 16  # widest table read: the features plus id, time, date, index
MAX_TABLE_ROWS = 100_000  # most rows in a table (long format: many sequences, one row a step)
MAX_TABLE_CELLS = 2_000_000  # most cells in a table, rows x columns (parsing memory)
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # most bytes an .xlsx or .parquet may unpack to (bombs)
MAX_AUDIO_SAMPLES = 10_000_000  # most decoded samples, all channels (40 MB as float32)
MAX_CHANNELS = 64  # most audio channels (a block of decoded audio stays small)


class UploadError(UserError):
    """A file (or typed input) that cannot be read as sequences; the message is for the user."""


class GapsError(UploadError):
    """A table with missing cells (the message names the first); parse(..., fill="interpolate")
    fills them."""


class SequenceError(UploadError):
    """Typed or pasted input that cannot be read as a sequence; the message is for the user."""



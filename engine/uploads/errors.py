"""What an upload may be, at most, and the errors a bad one raises (messages for the user)."""

from __future__ import annotations

MAX_BYTES = 10 * 1024 * 1024  # largest file accepted (Streamlit's server.maxUploadSize = 10)
MAX_STEPS = 10_000  # longest sequence accepted (T)
MAX_FEATURES = 1_024  # widest step accepted (F)
MAX_SEQUENCES = 1_000  # most sequences in one file
MAX_VALUES = MAX_STEPS * MAX_FEATURES  # most numbers in one file, all sequences together
MAX_JSON_DEPTH = 32  # deepest JSON nesting read (a list of sequences needs 3 or 4)
MAX_IMAGE_PIXELS = 4_000_000  # largest PNG accepted, width x height


class UploadError(ValueError):
    """A file (or typed input) that cannot be read as sequences; the message is for the user."""


class SequenceError(UploadError):
    """Typed or pasted input that cannot be read as a sequence; the message is for the user."""



"""What every file reader shares: the Sequence a file becomes, the formats, and the checks
every array passes (shape limits, finite numbers)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.messages import Phrase
from engine.uploads.errors import (
    MAX_FEATURES,
    MAX_STEPS,
    UploadError,
)

# --------------------------------------------------------------------------------------------
# Uploaded files


@dataclass
class Sequence:
    """One sequence read from a file: numbers `values` [T, F] or text `tokens` [T]."""

    name: str  # where it came from: the file name, plus the array, key or index inside it
    values: np.ndarray | None = None  # [T, F] float32, finite; None for text
    tokens: list[str] | None = None  # [T] characters or words; None for numbers
    kind: str = "numbers"  # "numbers" | "text" | "audio" (log-mel frames) | "image" (columns)
    sample_rate: int | None = None  # audio: the file's sample rate in Hz
    labels: list[str] | None = None  # [T] step labels (a table's date/time column), or None
    notes: list[str] = field(default_factory=list)  # what reading did (columns dropped, ...)
    columns: list[str] | None = None  # [F] feature names (a table's header), or None

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
    ".csv": "a table, one row per step, one number column per feature (header optional; "
            "commas, semicolons, tabs or bars between columns; decimal commas read); a date "
            "column labels the steps, an id column splits the rows into sequences",
    ".tsv": "a tab-separated table, read like CSV",
    ".parquet": "a table (pandas' to_parquet), read like CSV",
    ".xlsx": "an Excel workbook: its first sheet, read like CSV",
    ".npy": "a NumPy array [T] or [T, F] (or [N, T, F] for N sequences), numbers only",
    ".npz": "several NumPy arrays, one sequence each",
    ".json": "a list of steps, a list of sequences, or {\"sequences\": [...]}",
    ".txt": "text: one token per character, or per word when there are spaces",
    ".wav": "a sound file (integer or float PCM, any rate and channels); read as log-mel "
            "frames, one step per 10 ms",
    ".flac": "a FLAC sound file, read like WAV",
    ".ogg": "an OGG/Vorbis sound file, read like WAV",
    ".mp3": "an MP3 sound file, read like WAV",
    ".png": "a strip of handwritten digits, dark or light ink, read column by column",
}
_ALIASES = {".text": ".txt"}


def supported() -> str:
    """The supported extensions as one line, for messages."""
    return ", ".join(ext.lstrip(".").upper() for ext in FORMATS)


def _fail(code: str, template: str | None = None, /, **values: object) -> UploadError:
    """The UploadError `code` (see engine.messages.UserError), to raise."""
    return UploadError(code, template, **values)


def _check_shape(steps: int, features: int, where: str | Phrase) -> None:
    """UploadError when T or F is outside the limits."""
    if steps < 1:
        raise _fail("uploads.common.no_steps",
                    "{where} has no steps: a sequence needs at least one step.",
                    where=where)
    if steps > MAX_STEPS:
        raise _fail("uploads.common.too_many_steps",
                    "{where} has {steps:,} steps; at most {limit:,} are accepted (cut it "
                    "into shorter sequences).",
                    where=where, steps=steps, limit=MAX_STEPS)
    if features < 1:
        raise _fail("uploads.common.no_features",
                    "{where} has no features: every step needs at least one number.",
                    where=where)
    if features > MAX_FEATURES:
        raise _fail("uploads.common.too_many_features",
                    "{where} has {features:,} features per step; at most {limit:,} are "
                    "accepted.",
                    where=where, features=features, limit=MAX_FEATURES)


def _finite(values: np.ndarray, where: str | Phrase) -> np.ndarray:
    """values [T, F] as float32, or UploadError naming the first NaN/Inf (1-based)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = values.astype(np.float32)
    bad = ~np.isfinite(out)
    if bad.any():
        t, f = (int(i) for i in np.argwhere(bad)[0])
        raw = values[t, f]
        raise _fail("uploads.common.not_finite",
                    "{where}: step {step}, feature {feature} is {what}; only finite numbers are "
                    "accepted.",
                    where=where, step=t + 1, feature=f + 1, what=not_finite(raw))
    return out


def not_finite(raw: float) -> Phrase:
    """What a number that is not a finite float32 is: NaN, infinite or too large."""
    if np.isnan(raw):
        return Phrase("uploads.value.nan", "NaN (not a number)")
    if np.isinf(raw):
        return Phrase("uploads.value.infinite", "infinite")
    return Phrase("uploads.value.too_large", "{number:g}, too large for 32-bit floats",
                  number=float(raw))


def _numbers(values: np.ndarray, name: str, where: str | Phrase) -> Sequence:
    """A checked [T] or [T, F] numeric array -> a Sequence."""
    if values.ndim == 1:
        values = values[:, None]
    _check_shape(values.shape[0], values.shape[1], where)
    return Sequence(name=name, values=_finite(values, where))



"""Sound and pictures: a WAV becomes log-mel frames, a PNG a digit strip read column by column."""

from __future__ import annotations

import io
import struct

import numpy as np

from engine.uploads.common import (
    Sequence,
    _check_shape,
    _fail,
    _numbers,
    supported,
)
from engine.uploads.errors import (
    MAX_IMAGE_PIXELS,
    MAX_STEPS,
    UploadError,
)

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



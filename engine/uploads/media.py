"""Sound and pictures: a WAV, FLAC, OGG or MP3 becomes log-mel frames,
a PNG a digit strip read column by column."""

from __future__ import annotations

import io

import numpy as np

from engine.messages import Note, Phrase
from engine.uploads.common import (
    Sequence,
    _check_shape,
    _fail,
    _numbers,
    supported,
)
from engine.uploads.errors import (
    MAX_AUDIO_SAMPLES,
    MAX_CHANNELS,
    MAX_IMAGE_PIXELS,
    MAX_STEPS,
    UploadError,
)

# -- sound: WAV, FLAC, OGG/Vorbis, MP3 ---------------------------------------------------------

MIN_RATE, MAX_RATE = 1_000, 192_000  # sample rates accepted, Hz
AUDIO_FORMATS = {"WAV": ".wav", "WAVEX": ".wav", "RF64": ".wav", "FLAC": ".flac",
                 "OGG": ".ogg", "MP3": ".mp3"}  # libsndfile's container names -> extension
_AUDIO_READ = Phrase("uploads.value.audio_read",
                     "WAV (8/16/24/32-bit integer or 32/64-bit float PCM), FLAC, OGG/Vorbis and "
                     "MP3, any sample rate from {low:,} to {high:,} Hz and any number of channels "
                     "up to {channels}", low=MIN_RATE, high=MAX_RATE, channels=MAX_CHANNELS)
AUDIO_READ = str(_AUDIO_READ)  # the sound files read, in words
_BLOCK = 1 << 16  # frames decoded at a time (then mixed to mono)
_SIGNATURES = {".wav": (b"RIFF", b"RF64"), ".flac": (b"fLaC",), ".ogg": (b"OggS",)}


def _read_audio(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """A sound file -> log-mel frames [T, F] (engine.audio.log_mel): decoded with soundfile
    (libsndfile) to float samples, mixed to mono; its length checked before decoding."""
    filename = stem + ext
    kind = ext.lstrip(".").upper()
    if ext == ".wav" and not (len(data) >= 12 and data[:4] in (b"RIFF", b"RF64")
                              and data[8:12] == b"WAVE"):
        raise _fail("uploads.media.not_wav",
                    "{filename} is not a WAV file (it does not start with RIFF...WAVE). "
                    "Supported formats: {supported}.",
                    filename=filename, supported=supported())
    if ext in _SIGNATURES and not data.startswith(_SIGNATURES[ext]):
        raise _fail("uploads.media.wrong_signature",
                    "{filename} is not a {kind} file (wrong signature). Sound formats read: "
                    "{formats}.",
                    filename=filename, kind=kind, formats=_AUDIO_READ)
    import soundfile as sf  # imported here: only sound uploads need it

    try:
        sound = sf.SoundFile(io.BytesIO(data))
    except (sf.SoundFileError, RuntimeError, TypeError, ValueError) as err:
        raise _fail("uploads.media.unreadable_sound",
                    "{filename} could not be read as {kind} sound ({why}). Sound formats read: "
                    "{formats}.",
                    filename=filename, kind=kind, why=_why(err), formats=_AUDIO_READ) from None
    with sound:
        if sound.format not in AUDIO_FORMATS:
            raise _fail("uploads.media.other_sound_format",
                        "{filename} holds {kind} sound; formats read: {formats}.",
                        filename=filename, kind=sound.format_info, formats=_AUDIO_READ)
        rate, channels, frames = int(sound.samplerate), int(sound.channels), int(sound.frames)
        if not MIN_RATE <= rate <= MAX_RATE:
            raise _fail("uploads.media.sample_rate",
                        "{filename} has a sample rate of {rate:,} Hz; rates from {low:,} to "
                        "{high:,} Hz are accepted.",
                        filename=filename, rate=rate, low=MIN_RATE, high=MAX_RATE)
        if not 1 <= channels <= MAX_CHANNELS:
            raise _fail("uploads.media.too_many_channels",
                        "{filename} has {channels:,} channels; at most {limit} are read.",
                        filename=filename, channels=channels, limit=MAX_CHANNELS)
        from engine import audio  # imported here: only sound uploads need it

        hop = max(1, int(round(rate * audio.HOP_MS / 1000.0)))
        most = min(MAX_STEPS * hop, MAX_AUDIO_SAMPLES // channels)  # frames accepted
        if frames > most:
            raise _too_long(filename, frames, rate, channels, hop)
        mono, total = [], 0
        try:
            for block in sound.blocks(blocksize=_BLOCK, dtype="float32", always_2d=True):
                total += len(block)
                if total > most:  # an MP3's length is only an estimate until decoded
                    raise _too_long(filename, total, rate, channels, hop)
                mono.append(block.mean(axis=1))
        except (sf.SoundFileError, RuntimeError, ValueError) as err:
            raise _fail("uploads.media.broken_sound",
                        "{filename} is a broken or cut-short {kind} file ({why}).",
                        filename=filename, kind=kind, why=_why(err)) \
                from None
    samples = np.concatenate(mono) if mono else np.zeros(0, np.float32)
    if not np.isfinite(samples).all():
        raise _fail("uploads.media.samples_not_finite",
                    "{filename} holds samples that are not finite numbers (NaN or infinite).",
                    filename=filename)
    try:
        features = np.asarray(audio.log_mel(samples, rate))
    except ValueError as err:  # too short for one analysis window
        raise _fail("uploads.media.too_short",
                    "{filename} is too short to read: {err} ({window:g} ms).",
                    filename=filename, err=err, window=audio.WIN_MS) from None
    seq = _numbers(features, stem, filename)
    seq.kind, seq.sample_rate = "audio", rate
    if channels > 1:
        seq.notes = [Note("uploads.note.mono", "{channels} channels mixed to mono.",
                          channels=channels)]
    return [seq]


def _why(err: Exception) -> str:
    """libsndfile's reason, without the stream's repr (and without its "file does not exist",
    which it says of data it cannot decode)."""
    text = str(err).split(": ", 1)[-1] if "<_io." in str(err) else str(err)
    text = text.strip().removeprefix("Error : ").rstrip(".")
    if "does not exist" in text or not text:
        return "its data cannot be decoded"
    return text[:200]


def _too_long(filename: str, frames: int, rate: int, channels: int, hop: int) -> UploadError:
    from engine import audio

    seconds = MAX_STEPS * audio.HOP_MS / 1000
    if frames * channels > MAX_AUDIO_SAMPLES and frames <= MAX_STEPS * hop:
        return _fail("uploads.media.too_many_samples",
                     "{filename} holds {samples:,} samples ({channels} channels of {seconds:.1f} "
                     "s); at most {limit:,} are decoded.",
                     filename=filename, samples=frames * channels, channels=channels,
                     seconds=frames / rate, limit=MAX_AUDIO_SAMPLES)
    return _fail("uploads.media.too_long",
                 "{filename} lasts {length:.1f} s, more than {limit:,} frames of {hop:g} ms; "
                 "at most {limit:,} steps are accepted (about {seconds:.0f} s).",
                 filename=filename, length=frames / rate, limit=MAX_STEPS, hop=audio.HOP_MS,
                 seconds=seconds)


# -- PNG -------------------------------------------------------------------------------------

STRIP_HEIGHT = 8  # pixel rows of a digit strip (engine.digits.HEIGHT)


def _read_png(data: bytes, stem: str, ext: str) -> list[Sequence]:
    """A digit strip image -> columns [W, 8] in [0, 1], ink high (engine.digits' strip format:
    the image is `values.T`). The picture is scaled to 8 rows keeping its aspect ratio; light
    backgrounds are inverted so the ink is bright."""
    filename = stem + ext
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _fail("uploads.media.not_png",
                    "{filename} is not a PNG image (wrong signature). Supported formats: "
                    "{supported}.",
                    filename=filename, supported=supported())
    from PIL import Image  # imported here: only PNG uploads need it

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            width, height = img.size
            if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                raise _fail("uploads.media.too_many_pixels",
                            "{filename} is {width} x {height} pixels; at most "
                            "{limit:,} pixels are accepted.",
                            filename=filename, width=width, height=height,
                            limit=MAX_IMAGE_PIXELS)
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
        raise _fail("uploads.media.broken_png",
                    "{filename} is a broken or cut-short PNG: {err}",
                    filename=filename, err=err) from None
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
        raise _fail("uploads.media.not_a_strip",
                    "{name} is not a digit strip: expected {height} numbers per column (a PNG), "
                    "found {features}.",
                    name=seq.name, height=STRIP_HEIGHT, features=seq.features)
    return np.ascontiguousarray(seq.values.T.clip(0.0, 1.0))



"""Sound as people have it: float and 8/16/24/32-bit WAV, FLAC, OGG/Vorbis and MP3, any rate
and channel count, written with soundfile and Python's wave; every one becomes the log-mel
frames engine.audio.log_mel gives for the same samples mixed to mono."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
import soundfile as sf

from engine import audio
from engine.uploads import (
    AUDIO_READ,
    MAX_AUDIO_SAMPLES,
    MAX_CHANNELS,
    UploadError,
    parse,
)


def tone(rate: int, seconds: float = 0.5, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def sound(samples: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


@pytest.mark.parametrize(("subtype", "step", "atol"),
                         [("PCM_U8", 2 / 256, 0.15), ("PCM_16", 2 / 65536, 0.01),
                          ("PCM_24", 2 / 2**24, 1e-3), ("PCM_32", 2 / 2**32, 1e-3),
                          ("FLOAT", 0.0, 1e-3), ("DOUBLE", 0.0, 1e-3)])
def test_wav_of_every_sample_type_gives_the_log_mel_of_its_samples(subtype, step, atol):
    rate = 22_050
    x = tone(rate)
    (seq,) = parse(sound(x, rate, "WAV", subtype), "a.wav")
    quantised = np.round(x / step) * step if step else x  # what the file can hold
    expected = audio.log_mel(quantised, rate)
    assert seq.kind == "audio" and seq.sample_rate == rate
    assert seq.values.shape == expected.shape
    loud = expected > expected.max() - 6.0  # quantisation noise moves only the quiet bands
    np.testing.assert_allclose(seq.values[loud], expected[loud], atol=atol)


def test_stereo_is_mixed_to_mono_with_python_wave():
    rate = 16_000
    left, right = tone(rate, freq=300.0), tone(rate, freq=2_000.0, amp=0.25)
    ints = np.round(np.stack([left, right], axis=1) * 32767).astype("<i2")
    (seq,) = parse(wav_16(ints, rate), "stereo.wav")
    expected = audio.log_mel(ints.astype(np.float32).mean(axis=1) / 32768.0, rate)
    np.testing.assert_allclose(seq.values, expected, atol=1e-3)
    assert any("2 channels" in n for n in seq.notes)


def wav_16(ints: np.ndarray, rate: int) -> bytes:
    """int16 samples [N, C] as a WAV written by Python's wave module."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(ints.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(ints.astype("<i2").tobytes())
    return buf.getvalue()


def test_flac_is_lossless():
    rate = 44_100
    x = np.stack([tone(rate), tone(rate, freq=880.0)], axis=1)
    ints = np.round(x * 32767).astype(np.int16)
    buf = io.BytesIO()
    sf.write(buf, ints, rate, format="FLAC", subtype="PCM_16")
    (flac,) = parse(buf.getvalue(), "a.flac")
    (pcm,) = parse(wav_16(ints, rate), "a.wav")
    np.testing.assert_array_equal(flac.values, pcm.values)
    mono = ints.astype(np.float32).mean(axis=1) / 32768.0
    np.testing.assert_allclose(flac.values, audio.log_mel(mono, rate), atol=1e-3)


@pytest.mark.parametrize(("ext", "fmt", "subtype"), [(".ogg", "OGG", "VORBIS"),
                                                     (".mp3", "MP3", "MPEG_LAYER_III")])
def test_lossy_formats_keep_the_tone(ext, fmt, subtype):
    rate = 16_000
    x = tone(rate, seconds=1.0, freq=1_000.0)
    (seq,) = parse(sound(x, rate, fmt, subtype), "a" + ext)
    reference = audio.log_mel(x, rate)
    hop = rate // 100
    assert abs(seq.steps - reference.shape[0]) <= 1 + 2_000 // hop  # an encoder's padding
    middle = seq.values[seq.steps // 4: 3 * seq.steps // 4]
    assert np.bincount(middle.argmax(axis=1)).argmax() == reference[50].argmax()


def test_rates_and_channel_counts():
    for rate, channels in ((8_000, 1), (48_000, 6), (96_000, 2)):
        x = np.tile(tone(rate, seconds=0.2)[:, None], (1, channels))
        (seq,) = parse(sound(x, rate, "WAV", "PCM_16"), "r.wav")
        assert seq.sample_rate == rate and seq.steps == 1 + len(x) // (rate // 100)


def test_a_sound_format_it_cannot_read_names_those_it_can():
    aiff = sound(tone(16_000), 16_000, "AIFF", "PCM_16")
    with pytest.raises(UploadError) as err:
        parse(aiff, "sound.mp3")
    assert AUDIO_READ in str(err.value)
    for word in ("WAV", "FLAC", "OGG/Vorbis", "MP3"):
        assert word in AUDIO_READ


def test_audio_limits_one_past():
    rate, channels = 48_000, 8  # FLAC's most channels
    frames = MAX_AUDIO_SAMPLES // channels + 1  # one frame too many (26 s: under 10,000 steps)
    flac = sound(np.zeros((frames, channels), np.float32), rate, "FLAC", "PCM_16")
    with pytest.raises(UploadError, match=f"at most {MAX_AUDIO_SAMPLES:,} are decoded"):
        parse(flac, "many.flac")
    fits = sound(np.zeros((frames - 1, channels), np.float32), rate, "FLAC", "PCM_16")
    assert parse(fits, "fits.flac")[0].steps == 1 + (frames - 1) // (rate // 100)
    wide = wav_16(np.zeros((1_000, MAX_CHANNELS + 1), np.int16), 8_000)
    with pytest.raises(UploadError, match=f"{MAX_CHANNELS + 1} channels; at most {MAX_CHANNELS}"):
        parse(wide, "wide.wav")

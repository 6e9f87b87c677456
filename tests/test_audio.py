"""engine.audio: WAV reading and log-mel frames, checked on synthetic tones."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from engine.audio import log_mel, mel_filterbank, read_wav


def wav_bytes(samples: np.ndarray, rate: int, width: int = 2, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 2:
            ints = np.round(samples * 32767).astype("<i2")
        elif width == 1:
            ints = np.round(samples * 127 + 128).astype(np.uint8)
        else:
            ints = np.round(samples * (2**31 - 1)).astype("<i4")
        w.writeframes(ints.tobytes())
    return buf.getvalue()


def tone(freq: float, rate: int = 16000, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("width", [1, 2, 4])
def test_read_wav_round_trips_a_tone(width):
    x = tone(440.0)
    samples, rate = read_wav(wav_bytes(x, 16000, width))
    assert rate == 16000 and samples.dtype == np.float32 and samples.shape == x.shape
    assert np.max(np.abs(samples - x)) < (0.02 if width == 1 else 1e-4)


def test_read_wav_mixes_stereo_to_mono():
    x = tone(300.0)
    stereo = np.stack([x, -x * 0 + x * 0.5], axis=1).reshape(-1)
    samples, _ = read_wav(wav_bytes(stereo, 8000, 2, channels=2))
    assert samples.shape == x.shape
    assert np.allclose(samples, 0.75 * x, atol=1e-4)


def test_read_wav_refuses_other_bytes():
    with pytest.raises(ValueError, match="WAV"):
        read_wav(b"RIFF-not-really-a-wave-file")


def test_log_mel_peaks_in_the_band_of_the_tone():
    rate = 16000
    feats_low = log_mel(tone(300.0, rate), rate)
    feats_high = log_mel(tone(3000.0, rate), rate)
    hop = rate // 100
    assert feats_low.shape == (1 + 8000 // hop, 40)
    fb = mel_filterbank(512, rate)
    bins = np.linspace(0, rate / 2, 257)
    for feats, f in ((feats_low, 300.0), (feats_high, 3000.0)):
        expected = int(np.argmax(fb[:, np.argmin(np.abs(bins - f))]))
        peak = np.bincount(np.argmax(feats[2:-2], axis=1)).argmax()
        assert abs(int(peak) - expected) <= 1


def test_log_mel_is_louder_for_a_louder_tone_by_the_power_ratio():
    rate = 16000
    quiet, loud = log_mel(tone(1000.0, rate) * 0.1, rate), log_mel(tone(1000.0, rate), rate)
    band = int(np.argmax(loud[10]))
    assert np.isclose(loud[10, band] - quiet[10, band], np.log(100.0), atol=0.05)


def test_log_mel_refuses_too_short_audio():
    with pytest.raises(ValueError, match="too short"):
        log_mel(np.zeros(10, dtype=np.float32), 16000)


def test_trim_silence_keeps_the_loud_part_with_padding():
    from engine.audio import trim_silence

    rate = 1000
    x = np.concatenate([np.zeros(300), tone(100.0, rate, 0.5), np.zeros(400)]).astype(np.float32)
    y = trim_silence(x, rate, pad_s=0.02)
    loud = np.flatnonzero(np.abs(x) > 0.02 * np.abs(x).max())
    assert len(y) == (loud[-1] + 20) - (loud[0] - 20)
    assert np.array_equal(y, x[loud[0] - 20: loud[-1] + 20])
    assert np.array_equal(trim_silence(np.zeros(10), rate), np.zeros(10))


def test_resample_keeps_a_tones_frequency_and_duration():
    from engine.audio import resample

    x = tone(440.0, 22050, 0.5)
    y = resample(x, 22050, 16000)
    assert len(y) == 8000
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * 16000 / len(y) - 440.0) < 3.0
    assert resample(x, 22050, 22050) is not None and np.array_equal(resample(x, 22050, 22050), x)

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


def hz_to_mel(hz):
    """HTK mel scale, written here from its formula (O'Shaughnessy 1987)."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def reference_filterbank(n_fft: int, rate: int, n_mels: int = 40) -> np.ndarray:
    """Triangles [n_mels, n_fft // 2 + 1], peak 1, centred on n_mels points evenly spaced in mel
    between 0 Hz and Nyquist, each reaching zero at its neighbours' centres (a loop, on
    purpose unlike the engine's vectorised version)."""
    bins = np.arange(n_fft // 2 + 1) * rate / n_fft
    edges = mel_to_hz(np.linspace(0.0, hz_to_mel(rate / 2), n_mels + 2))
    fb = np.zeros((n_mels, len(bins)))
    for m in range(n_mels):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        for j, f in enumerate(bins):
            if lo <= f <= mid:
                fb[m, j] = (f - lo) / (mid - lo)
            elif mid < f <= hi:
                fb[m, j] = (hi - f) / (hi - mid)
    return fb


def reference_log_mel(x: np.ndarray, rate: int, win_ms: float = 25.0, hop_ms: float = 10.0,
                      n_mels: int = 40) -> np.ndarray:
    """Log-mel frames [T, n_mels] with numpy only: centred frames (reflect padding), a
    periodic Hann window of win_ms in the middle of a power-of-two FFT, power spectrum,
    the filterbank above, natural log of (energy + 1e-6)."""
    win, hop = round(rate * win_ms / 1000), round(rate * hop_ms / 1000)
    n_fft = 1
    while n_fft < win:
        n_fft *= 2
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)  # periodic
    window = np.zeros(n_fft)
    window[(n_fft - win) // 2:(n_fft - win) // 2 + win] = hann
    padded = np.pad(x.astype(np.float64), n_fft // 2, mode="reflect")
    frames = np.stack([padded[t * hop:t * hop + n_fft] for t in range(1 + len(x) // hop)])
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return np.log(power @ reference_filterbank(n_fft, rate, n_mels).T + 1e-6)


def test_mel_filterbank_matches_the_mel_formula():
    for n_fft, rate in ((512, 16000), (1024, 22050)):
        assert np.allclose(mel_filterbank(n_fft, rate), reference_filterbank(n_fft, rate),
                           atol=1e-5)


@pytest.mark.parametrize("rate, hop_ms", [(16000, 10.0), (22050, 20.0)])
def test_log_mel_matches_an_independent_numpy_computation(rate, hop_ms):
    rng = np.random.default_rng(0)
    x = (tone(300.0, rate, 0.3) + tone(2500.0, rate, 0.3) * 0.3
         + 0.05 * rng.normal(size=int(rate * 0.3))).astype(np.float32)
    got = log_mel(x, rate, hop_ms=hop_ms)
    want = reference_log_mel(x, rate, hop_ms=hop_ms)
    assert got.shape == want.shape
    assert np.allclose(got, want, atol=2e-3)


def test_log_mel_peaks_in_the_band_of_the_tone():
    rate = 16000
    feats_low = log_mel(tone(300.0, rate), rate)
    feats_high = log_mel(tone(3000.0, rate), rate)
    hop = rate // 100
    assert feats_low.shape == (1 + 8000 // hop, 40)
    # the band whose centre (evenly spaced in mel, 0 Hz … Nyquist) is nearest the tone
    centres = mel_to_hz(np.linspace(0.0, hz_to_mel(rate / 2), 42))[1:-1]
    for feats, f in ((feats_low, 300.0), (feats_high, 3000.0)):
        expected = int(np.argmin(np.abs(centres - f)))
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

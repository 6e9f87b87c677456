"""Audio features: read a WAV file and turn its samples into log-mel frames.

The standard library's `wave` module reads the file (8/16/24/32-bit integer PCM, any number of
channels, mixed down to mono); `torch.stft` and a triangular mel filterbank (HTK mel scale,
Slaney-style area normalisation off) give the frames. No audio library is needed.
"""

from __future__ import annotations

import io
import wave

import numpy as np
import torch

N_MELS = 40  # mel bands per frame
WIN_MS = 25.0  # analysis window length, milliseconds
HOP_MS = 10.0  # hop between frames, milliseconds


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """(samples float32 [N] in [-1, 1], sample_rate) from the bytes of a PCM WAV file.

    Several channels are averaged to mono. A file that is not an integer-PCM WAV raises
    ValueError with a message that says why.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a PCM WAV file: {exc}") from exc
    if rate <= 0:
        raise ValueError("WAV file has no sample rate")
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        samples = ints.astype(np.float32) / float(1 << 23)
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / float(1 << 31)
    else:
        raise ValueError(f"unsupported WAV sample width: {width} bytes")
    samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels).mean(axis=1)
    return samples.astype(np.float32), int(rate)


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """HTK mel scale."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    """Inverse of `_hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(n_fft: int, sample_rate: int, n_mels: int = N_MELS,
                   f_min: float = 0.0, f_max: float | None = None) -> np.ndarray:
    """Triangular mel filters [n_mels, n_fft // 2 + 1], peak 1, on the HTK mel scale."""
    f_max = sample_rate / 2.0 if f_max is None else f_max
    freqs = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(f_min), _hz_to_mel(f_max), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs[None, :] - lower) / np.maximum(centre - lower, 1e-9)
    down = (upper - freqs[None, :]) / np.maximum(upper - centre, 1e-9)
    return np.clip(np.minimum(up, down), 0.0, None).astype(np.float32)


def log_mel(samples: np.ndarray, sample_rate: int, n_mels: int = N_MELS,
            win_ms: float = WIN_MS, hop_ms: float = HOP_MS) -> np.ndarray:
    """Log-mel frames [T, n_mels] (natural log of power + 1e-6) of mono `samples` [N].

    Hann window of `win_ms`, hop of `hop_ms`, FFT size the next power of two; frames are
    centred (reflect padding), so T = 1 + N // hop. Fewer samples than one window raise
    ValueError.
    """
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if sample_rate <= 0:
        raise ValueError("sample rate must be positive")
    win = max(2, int(round(sample_rate * win_ms / 1000.0)))
    hop = max(1, int(round(sample_rate * hop_ms / 1000.0)))
    if len(x) < win:
        raise ValueError(f"audio too short: {len(x)} samples, need at least {win}")
    n_fft = 1 << (win - 1).bit_length()
    spec = torch.stft(torch.from_numpy(x), n_fft=n_fft, hop_length=hop, win_length=win,
                      window=torch.hann_window(win), center=True, pad_mode="reflect",
                      return_complex=True)
    power = spec.abs().pow(2).numpy()  # [F, T]
    fb = mel_filterbank(n_fft, sample_rate, n_mels)
    return np.log(fb @ power + 1e-6).T.astype(np.float32)


def trim_silence(samples: np.ndarray, sample_rate: int, threshold: float = 0.02,
                 pad_s: float = 0.02) -> np.ndarray:
    """`samples` [N] from pad_s before the first to pad_s after the last sample louder than
    threshold × the loudest one (all of it when nothing is louder)."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    peak = float(np.abs(x).max()) if len(x) else 0.0
    if peak == 0.0:
        return x
    loud = np.flatnonzero(np.abs(x) > threshold * peak)
    pad = int(sample_rate * pad_s)
    return x[max(loud[0] - pad, 0): loud[-1] + pad]


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """`samples` [N] at `rate` Hz, linearly interpolated to `new_rate` Hz."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if rate == new_rate or len(x) == 0:
        return x
    n = int(round(len(x) * new_rate / rate))
    return np.interp(np.arange(n) * (rate / new_rate), np.arange(len(x)), x).astype(np.float32)

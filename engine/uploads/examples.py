"""A small valid example file of every format, for the pages' download buttons."""

from __future__ import annotations

import io
import json

import numpy as np

from engine.uploads.common import (
    _ALIASES,
    _fail,
    supported,
)
from engine.uploads.media import STRIP_HEIGHT

# -- downloadable examples -------------------------------------------------------------------


def _example_values() -> np.ndarray:
    """The lecture's 5-step walk-through [5, 3] (x1, x2, x3)."""
    from engine import lee

    return lee.LECTURE_WALKTHROUGH.numpy().astype(np.float32)


def _wav_bytes(seconds: float = 0.6, rate: int = 16_000) -> bytes:
    """A mono 16-bit PCM WAV: a rising tone, then a lower one."""
    import wave

    t = np.arange(int(seconds * rate)) / rate
    freq = np.where(t < seconds / 2, 300.0 + 900.0 * t / seconds, 440.0)
    wave_form = 0.4 * np.sin(2 * np.pi * np.cumsum(freq) / rate)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((wave_form * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _png_bytes(digits: tuple[int, ...] = (2, 0, 2, 6), seed: int = 7, scale: int = 4) -> bytes:
    """A held-out digit strip, dark ink on white paper, `scale` times its 8-pixel height."""
    from PIL import Image

    from engine import digits as digit_data

    strip = digit_data.make_strip(list(digits), seed, split="test")
    pixels = np.round((1.0 - strip.image) * 255).astype(np.uint8)
    img = Image.fromarray(pixels, mode="L").resize(
        (strip.width * scale, STRIP_HEIGHT * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def example(ext: str) -> tuple[str, bytes]:
    """(file name, bytes) of a small valid example file in the format of `ext` (e.g. ".csv")."""
    ext = _ALIASES.get(ext.lower(), ext.lower())
    x = _example_values()
    header = ["x1", "x2", "x3"]
    if ext in (".csv", ".tsv"):
        sep = "," if ext == ".csv" else "\t"
        rows = [sep.join(header)] + [sep.join(f"{v:g}" for v in row) for row in x]
        return f"example{ext}", ("\n".join(rows) + "\n").encode("utf-8")
    buf = io.BytesIO()
    if ext == ".npy":
        np.save(buf, x, allow_pickle=False)
        return "example.npy", buf.getvalue()
    if ext == ".npz":
        np.savez_compressed(buf, walkthrough=x, reversed=x[::-1].copy())
        return "example.npz", buf.getvalue()
    if ext == ".json":
        doc = {"sequences": [{"name": "walkthrough", "values": x.tolist()},
                             {"name": "words", "tokens": ["the", "cell", "remembers"]}]}
        return "example.json", (json.dumps(doc, indent=1) + "\n").encode("utf-8")
    if ext == ".txt":
        return "example.txt", b"the memory cell keeps what the input gate lets in\n"
    if ext == ".wav":
        return "example.wav", _wav_bytes()
    if ext == ".png":
        return "example.png", _png_bytes()
    raise _fail(f"no example for {ext!r}; formats: {supported()}")

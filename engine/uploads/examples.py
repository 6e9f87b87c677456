"""A small valid example file of every format, for the pages' download buttons, and a few
tables as people have them (dates, long format, a European CSV)."""

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


# Example tables as people have them, by key: what each shows (the file is "<key>.csv").
EXAMPLES = {
    "dated": "a CSV with a date column (date, temp, humidity): the dates label the steps",
    "long": "a long-format CSV (seq_id, t, value): three sequences, one row per step",
    "european": "a CSV as Excel saves it in much of Europe: semicolons, decimal commas",
}


def _tone(seconds: float = 0.6, rate: int = 16_000) -> np.ndarray:
    """A rising tone, then a lower one [N] in [-0.4, 0.4]."""
    t = np.arange(int(seconds * rate)) / rate
    freq = np.where(t < seconds / 2, 300.0 + 900.0 * t / seconds, 440.0)
    return 0.4 * np.sin(2 * np.pi * np.cumsum(freq) / rate)


def _sound_bytes(fmt: str, subtype: str, rate: int = 16_000) -> bytes:
    """The tone as a FLAC / OGG / MP3 file (soundfile)."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, _tone(rate=rate).astype(np.float32), rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def _weather():
    """Ten days of temperature and humidity (a pandas DataFrame with a date column)."""
    import pandas as pd

    days = pd.date_range("2024-01-01", periods=10, freq="D")
    k = np.arange(10)
    return pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                         "temp": np.round(3.0 + 2.5 * np.sin(k / 2.0), 1),
                         "humidity": np.round(80.0 - 3.0 * k + 4.0 * np.cos(k), 0)})


def _long_table():
    """Three sequences of one value a step, in long format (seq_id, t, value)."""
    import pandas as pd

    parts = []
    for name, n, speed in (("a", 6, 0.5), ("b", 8, 0.9), ("c", 5, 1.4)):
        t = np.arange(n)
        parts.append(pd.DataFrame({"seq_id": name, "t": t,
                                   "value": np.round(np.sin(speed * t), 3)}))
    return pd.concat(parts, ignore_index=True)


def _table_bytes(kind: str) -> bytes:
    """An example table: "dated", "long", "european" (CSV), "parquet", "xlsx"."""
    import pandas as pd

    x = _example_values()
    walk = pd.DataFrame(x, columns=["x1", "x2", "x3"])
    buf = io.BytesIO()
    if kind == "dated":
        return _weather().to_csv(index=False).encode("utf-8")
    if kind == "long":
        return _long_table().to_csv(index=False).encode("utf-8")
    if kind == "european":
        return _weather().drop(columns="date").to_csv(index=False, sep=";",
                                                      decimal=",").encode("utf-8")
    if kind == "parquet":  # the walk-through, its steps dated
        walk.insert(0, "date", pd.date_range("2024-03-04", periods=len(walk), freq="D"))
        walk.to_parquet(buf, index=False)
    else:  # xlsx: the walk-through and its reverse, in long format
        rows = [(name, t, *map(float, row)) for name, block in (("walkthrough", x),
                                                                  ("reversed", x[::-1]))
                for t, row in enumerate(block)]
        pd.DataFrame(rows, columns=["sequence", "step", "x1", "x2", "x3"]).to_excel(
            buf, index=False, sheet_name="sequences")
    return buf.getvalue()


def _wav_bytes(seconds: float = 0.6, rate: int = 16_000) -> bytes:
    """A mono 16-bit PCM WAV: a rising tone, then a lower one."""
    import wave

    wave_form = _tone(seconds, rate)
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
    """(file name, bytes) of a small valid example file in the format of `ext` (e.g. ".csv"),
    or of one of the EXAMPLES tables by its key (e.g. "long" -> long.csv)."""
    if ext in EXAMPLES:
        return f"{ext}.csv", _table_bytes(ext)
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
    if ext in (".parquet", ".xlsx"):
        return f"example{ext}", _table_bytes(ext.lstrip("."))
    if ext == ".wav":
        return "example.wav", _wav_bytes()
    sounds = {".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"),
              ".mp3": ("MP3", "MPEG_LAYER_III")}
    if ext in sounds:
        return f"example{ext}", _sound_bytes(*sounds[ext])
    if ext == ".png":
        return "example.png", _png_bytes()
    raise _fail("uploads.examples.no_example",
                "no example for {ext!r}; formats: {supported}",
                ext=ext, supported=supported())

"""The gradient lab's own sequence and the embeddings lab's own sequences take every format
that gives numbers (Parquet, Excel, FLAC, OGG, MP3 besides CSV, NPY, JSON, WAV), their widgets
name them, and a table with gaps is filled through the "Fill gaps" choice (AppTest)."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import soundfile as sf
import torch
from apptest import errors, run_app
from safetensors.torch import save as save_safetensors

from engine import embeddings
from engine.gradients import hidden_grad_norms
from engine.uploads import parse
from figures.gradients import sci

OCTET = "application/octet-stream"
NEW = (".parquet", ".xlsx", ".flac", ".ogg", ".mp3")
NAMED = ("Parquet", "Excel", "FLAC", "OGG", "MP3")


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def flac(seconds: float, rate: int = 16_000) -> bytes:
    """A tone gliding from 200 to 800 Hz."""
    t = np.arange(int(seconds * rate)) / rate
    buf = io.BytesIO()
    sf.write(buf, (0.3 * np.sin(2 * np.pi * (200 * t + 300 * t**2))).astype(np.float32), rate,
             format="FLAC")
    return buf.getvalue()


def long_parquet(n: int) -> bytes:
    """n sequences of 2 numbers a step, 10 to 14 steps each, in long format."""
    rows = [(f"s{i}", k, float(np.sin(0.3 * (i % 3 + 1) * k)), float(k) / 10)
            for i in range(n) for k in range(10 + i % 5)]
    buf = io.BytesIO()
    pd.DataFrame(rows, columns=["seq_id", "t", "a", "b"]).to_parquet(buf, index=False)
    return buf.getvalue()


def test_the_embeddings_lab_trains_on_parquet_excel_and_sound():
    at = run_app("views/embeddings.py", timeout=180)
    at.radio(key="emb.set").set_value("own").run()
    widget = at.file_uploader(key="emb.own.files")
    assert set(NEW) <= set(widget.proto.type), list(widget.proto.type)
    assert all(name in widget.label for name in NAMED), widget.label
    at.file_uploader(key="emb.own.files").set_value(
        [("runs.parquet", long_parquet(12), OCTET)]).run()
    assert not at.exception and not errors(at), errors(at)
    assert any("**12 sequences** of 2 numbers per step, 10–14 steps long" in m.value
               for m in at.markdown)
    # one recording cut into windows: as many points as the engine makes of it
    sound = flac(2.0)
    at.file_uploader(key="emb.own.files").set_value([("glide.flac", sound, "audio/flac")]).run()
    at.number_input(key="emb.own.window").set_value(20).run()
    assert not at.exception and not errors(at), errors(at)
    n = len(embeddings.own_data(parse(sound, "glide.flac"), 20).items)
    assert n >= embeddings.OWN_MIN
    assert any(f"**{n} sequences** of 40 numbers per step, 20 steps long" in m.value
               for m in at.markdown), [m.value for m in at.markdown]
    # an Excel workbook with a gap: refused with the choice, then filled
    frame = pd.DataFrame({"seq_id": np.repeat([f"r{i}" for i in range(8)], 6),
                          "x": np.tile(np.arange(6.0), 8)})
    frame.loc[9, "x"] = np.nan
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    at.file_uploader(key="emb.own.files").set_value([("gaps.xlsx", buf.getvalue(), OCTET)]).run()
    assert not at.exception
    assert any("is empty" in e and "fill gaps" in e for e in errors(at)), errors(at)
    (fill,) = [c for c in at.checkbox if c.key.startswith("emb.own.fill.")]
    fill.check().run()
    assert not at.exception and not errors(at), errors(at)
    assert any("**8 sequences** of 1 number per step, 6 steps long" in m.value
               for m in at.markdown)
    assert any("Filled 1 missing cell" in plain(c.value) for c in at.caption)


def test_the_gradient_lab_reads_a_flac_for_a_model_of_40_inputs():
    at = run_app("views/gradients.py", timeout=120)
    at.radio(key="grad.source").set_value("own").run()
    widget = at.file_uploader(key="upload.grad_seq.file")
    assert set(NEW) <= set(widget.proto.type), list(widget.proto.type)
    (said,) = [plain(c.value) for c in at.caption if c.value.startswith("Reads ")]
    assert all(name in said for name in NAMED), said
    torch.manual_seed(1)
    model = torch.nn.LSTM(40, 6)
    at.file_uploader(key="upload.grad_model.file").set_value(
        ("m.safetensors", save_safetensors(model.state_dict()), OCTET)).run()
    sound = flac(0.5)
    at.file_uploader(key="upload.grad_seq.file").set_value(("tone.flac", sound,
                                                            "audio/flac")).run()
    assert not at.exception and not errors(at), errors(at)
    (seq,) = parse(sound, "tone.flac")
    want = hidden_grad_norms(model, torch.from_numpy(seq.values)).hidden
    table = next(df.value for df in at.dataframe if "going back" in df.value.columns)
    assert table["at t = 1"].iloc[0] == sci(np.log10(float(want[0])))


def test_the_gradient_lab_says_which_dates_its_steps_are():
    at = run_app("views/gradients.py", timeout=120)
    at.radio(key="grad.source").set_value("own").run()
    torch.manual_seed(1)
    at.file_uploader(key="upload.grad_model.file").set_value(
        ("m.safetensors", save_safetensors(torch.nn.GRU(2, 3).state_dict()), OCTET)).run()
    days = pd.date_range("2024-05-01", periods=12, freq="D").strftime("%d.%m.%Y").tolist()
    data = pd.DataFrame({"day": days, "a": np.arange(12.0), "b": np.ones(12)}).to_csv(
        index=False).encode()
    at.file_uploader(key="upload.grad_seq.file").set_value(("days.csv", data, "text/csv")).run()
    assert not at.exception and not errors(at), errors(at)
    said = " ".join(plain(c.value) for c in at.caption)
    assert f"days, 12 steps, {days[0]} … {days[-1]}; L = sum of h_T" in said, said

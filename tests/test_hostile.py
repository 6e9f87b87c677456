"""Broken and hostile files: every one is refused with UploadError / CheckpointError, quickly,
without running code or allocating what a header claims; plus property-based fuzzing."""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import struct
import time
import tracemalloc
import wave
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save as save_safetensors

from engine.checkpoint import CheckpointError, load_user_model
from engine.uploads import FORMATS, MAX_FEATURES, MAX_STEPS, UploadError, example, parse

SECONDS = 5.0  # the most any single refusal may take


class Marker:
    """Unpickling this creates a file: proof that something was unpickled."""

    path = ""

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def marker_object(path: Path) -> Marker:
    m = Marker()
    m.path = str(path)
    return m


def npy_header(shape, descr="<f8", version=(1, 0)) -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)}).encode()
    header += b" " * (64 - (len(header) + 11) % 64) + b"\n"
    if version == (1, 0):
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header


def npz_bomb(shape=(100, 10_000, 1_000), zeros_mb=200) -> bytes:
    """An .npz whose one member inflates to `zeros_mb` MB of zeros after a header claiming
    `shape` float64 (far over the limits)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = npy_header(shape)
    body = [comp.compress(head)]
    chunk = bytes(1 << 20)
    body += [comp.compress(chunk) for _ in range(zeros_mb)]
    body.append(comp.flush())
    raw = b"".join(body)
    size = len(head) + zeros_mb * (1 << 20)
    crc = zlib.crc32(head)
    for _ in range(zeros_mb):
        crc = zlib.crc32(chunk, crc)
    name = b"bomb.npy"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size,
                        len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                          len(raw), size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(raw), 0)
    return local + raw + central + end


def raw_zip(members: list[tuple[bytes, bytes, int, int, int, int]]) -> bytes:
    """A zip of (name, stored bytes, method, crc, compressed size, declared size) members,
    written by hand so that the declared sizes can lie."""
    local_parts, central_parts, offset = [], [], 0
    for name, raw, method, crc, comp, size in members:
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, comp,
                            size, len(name), 0) + name
        central_parts.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0,
                                         method, 0, 0, crc, comp, size, len(name), 0, 0, 0, 0,
                                         0, offset) + name)
        local_parts.append(local + raw)
        offset += len(local) + len(raw)
    central = b"".join(central_parts)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(central), offset, 0)
    return b"".join(local_parts) + central + end


def xlsx_bomb(zeros_mb: int = 200, lie: bool = False) -> bytes:
    """An .xlsx whose sheet inflates to `zeros_mb` MB (declared as such, or declared as 1 KB
    when `lie`)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    raw = b"".join([comp.compress(chunk) for _ in range(zeros_mb)] + [comp.flush()])
    crc = 0
    for _ in range(zeros_mb):
        crc = zlib.crc32(chunk, crc)
    size = 1024 if lie else zeros_mb * (1 << 20)
    book = b'<?xml version="1.0"?><workbook/>'
    return raw_zip([(b"xl/workbook.xml", book, 0, zlib.crc32(book), len(book), len(book)),
                    (b"xl/worksheets/sheet1.xml", raw, 8, crc, len(raw), size)])


def xlsx_claiming(ref: str) -> bytes:
    """A real .xlsx (pandas) whose sheet declares the dimension `ref` (e.g. A1:XFD1048576)."""
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}).to_excel(buf, index=False)
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B3" />', f'<dimension ref="{ref}" />'
                                    .encode())
                assert ref.encode() in data
            dst.writestr(info.filename, data)
    return out.getvalue()


def parquet_claiming(rows: int) -> bytes:
    """A real Parquet file (pandas) whose footer claims `rows` rows (thrift compact varints
    of the file's and the row group's num_rows, rewritten)."""
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"a": [1.0, 2.0, 3.0]}).to_parquet(buf, index=False)
    data = buf.getvalue()
    size = struct.unpack("<I", data[-8:-4])[0]
    footer = data[-8 - size:-8]

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    old, new = b"\x16" + varint(3 << 1), b"\x16" + varint(rows << 1)  # i64 field 3, zigzag
    assert footer.count(old) >= 1
    footer = footer.replace(old, new)
    return data[:-8 - size] + footer + struct.pack("<I", len(footer)) + b"PAR1"


def _sound(fmt: str, subtype: str, seconds: float = 0.5) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    t = np.arange(int(16_000 * seconds)) / 16_000
    sf.write(buf, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16_000, format=fmt,
             subtype=subtype)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with a tiny (wrong) body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))


def wav_bytes(rate=8000, channels=1, width=2, frames=800) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(frames * channels * width))
    return buf.getvalue()


def upload_corpus(marker: Path) -> list[tuple[str, str, bytes]]:
    """(label, filename, bytes) of files parse must refuse."""
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    evil = io.BytesIO()
    np.save(evil, np.array([marker_object(marker), 1], dtype=object), allow_pickle=True)
    evil_npz = io.BytesIO()
    with zipfile.ZipFile(evil_npz, "w") as z:
        z.writestr("evil.npy", evil.getvalue())
    corpus = [(f"empty{ext}", f"empty{ext}", b"") for ext in FORMATS]
    corpus += [(f"noise{ext}", f"noise{ext}", noise) for ext in FORMATS]
    corpus += [
        ("no extension", "data", b"1,2\n"),
        ("unknown extension", "data.xls", b"1,2\n"),
        ("ragged csv", "r.csv", b"1,2,3\n4,5\n6,7,8\n"),
        ("nan csv", "n.csv", b"1,2\n3,NaN\n"),
        ("inf tsv", "i.tsv", b"1\t2\n3\tinf\n"),
        ("header only", "h.csv", b"a,b,c\n"),
        ("too long csv", "l.csv", b"0\n" * (MAX_STEPS + 1)),
        ("too wide csv", "w.csv", (",".join(["0"] * (MAX_FEATURES + 1))).encode()),
        ("oversize", "big.csv", b"0," * (5 * 2**20 + 10)),
        ("nul csv", "z.csv", b"1,2\n\x00\x00\x00\x00\n" * 50),
        ("pickled object array", "evil.npy", evil.getvalue()),
        ("pickled object npz", "evil.npz", evil_npz.getvalue()),
        ("plain pickle as npy", "p.npy", pickle.dumps(marker_object(marker))),
        ("npy nan", "n.npy", _npy(np.array([[1.0, np.nan]]))),
        ("npy inf", "n.npy", _npy(np.array([1.0, -np.inf]))),
        ("npy huge claimed shape", "h.npy", npy_header((10**12, 10**6)) + bytes(64)),
        ("npy too long", "l.npy", npy_header((MAX_STEPS + 1, 1)) + bytes(8)),
        ("npy too wide", "w.npy", npy_header((2, MAX_FEATURES + 1)) + bytes(8)),
        ("npy 4-D", "d.npy", npy_header((1, 1, 1, 1)) + bytes(8)),
        ("npy truncated data", "t.npy", npy_header((100, 3)) + bytes(10)),
        ("npy truncated header", "t.npy", npy_header((100, 3))[:20]),
        ("npy header 2.0 huge length", "t.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31)),
        ("npy bad header", "b.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': os.system}\n"),
        ("npy strings", "s.npy", _npy(np.array(["a", "b"]))),
        ("npy empty", "e.npy", _npy(np.zeros((0, 4)))),
        ("npz bomb", "bomb.npz", npz_bomb()),
        ("npz not zip", "x.npz", b"PK\x03\x04" + noise),
        ("npz empty zip", "e.npz", _empty_zip()),
        ("deep json", "d.json", b"[" * 200_000 + b"]" * 200_000),
        ("deep json objects", "d.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        ("json moderately deep", "d.json", b"[" * 40 + b"1" + b"]" * 40),
        ("json huge int", "i.json", b"[" + b"9" * 5000 + b"]"),
        ("json overflow", "o.json", b"[1e400]"),
        ("json nan", "n.json", b"[[1, NaN]]"),
        ("json ragged", "r.json", b"[[1, 2], [3]]"),
        ("json mixed", "m.json", b'[[1, 2], "a"]'),
        ("json too many steps", "l.json", json.dumps([0] * (MAX_STEPS + 1)).encode()),
        ("json wrong top", "w.json", b"42"),
        ("json object", "o.json", b'{"values": [1]}'),
        ("json truncated", "t.json", b'{"sequences": [[1, 2'),
        ("json sequences not list", "s.json", b'{"sequences": 3}'),
        ("text binary", "b.txt", bytes(range(256)) * 8),
        ("text blank", "b.txt", b"   \n\t\n"),
        ("text too long", "l.txt", b"a " * (MAX_STEPS + 1)),
        ("wav truncated", "t.wav", wav_bytes()[:30]),
        ("wav header only", "h.wav", wav_bytes(frames=0)),
        ("wav absurd rate", "r.wav", wav_bytes(rate=1)),
        ("wav huge rate", "r.wav", wav_bytes(rate=2**31 - 1)),
        ("wav too long", "l.wav", wav_bytes(rate=1000, width=1, frames=1000 * 120)),
        ("wav float format", "f.wav", _wav_with_format(3)),
        ("wav not riff", "n.wav", b"RIFX" + noise),
        ("png truncated", "t.png", example(".png")[1][:60]),
        ("png corrupt body", "c.png", example(".png")[1][:40] + noise[:200]),
        ("png huge claimed size", "h.png", png_claiming(100_000, 100_000)),
        ("png too wide for 8 rows", "w.png", png_claiming(20_000, 8)),
        ("png signature only", "s.png", b"\x89PNG\r\n\x1a\n"),
        ("jpeg named png", "j.png", b"\xff\xd8\xff\xe0" + noise),
        ("xlsx bomb", "bomb.xlsx", xlsx_bomb()),
        ("xlsx bomb declared small", "lie.xlsx", xlsx_bomb(lie=True)),
        ("xlsx sheet claiming a million rows", "dim.xlsx", xlsx_claiming("A1:B1048576")),
        ("xlsx sheet claiming 16,384 columns", "dim.xlsx", xlsx_claiming("A1:XFD3")),
        ("xlsx not a workbook", "n.xlsx", _npy_zip()),
        ("xlsx truncated", "t.xlsx", example(".xlsx")[1][:2000]),
        ("parquet claiming 10^9 rows", "rows.parquet", parquet_claiming(10**9)),
        ("parquet truncated", "t.parquet", example(".parquet")[1][:500]),
        ("parquet footer only", "f.parquet", b"PAR1" + b"\x00" * 8 + b"PAR1"),
        ("flac truncated", "t.flac", _sound("FLAC", "PCM_16")[:1500]),
        ("flac header only", "h.flac", _sound("FLAC", "PCM_16")[:42]),
        ("ogg truncated", "t.ogg", _sound("OGG", "VORBIS")[:300]),
        ("mp3 of noise", "n.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + noise * 256),
        ("mp3 frame sync then noise", "s.mp3", b"\xff\xfb\x90\x64" + noise * 256),
        ("mp3 truncated to its header", "t.mp3", _sound("MP3", "MPEG_LAYER_III")[:100]),
        ("flac named wav", "f.wav", _sound("FLAC", "PCM_16")),
        ("aiff named mp3", "a.mp3", _sound("AIFF", "PCM_16")),
        ("float wav of NaN", "nan.wav", _float_wav(np.full(4000, np.nan, np.float32))),
        ("csv with a million lines", "m.csv", b"1\n" * (10**6 + 1)),
        ("csv text only", "t.csv", b"name,city\nann,paris\nbob,oslo\n"),
        ("csv long format of 1,001 sequences", "g.csv",
         ("id,v\n" + "".join(f"{k},1\n{k},2\n" for k in range(1_001))).encode()),
    ]
    return corpus


def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _npy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.npy", _npy(np.zeros(3)))
    return buf.getvalue()


def _float_wav(samples: np.ndarray) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, samples, 16_000, format="WAV", subtype="FLOAT")
    return buf.getvalue()


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    return buf.getvalue()


def _wav_with_format(tag: int) -> bytes:
    data = bytearray(wav_bytes())
    data[20:22] = struct.pack("<H", tag)
    return bytes(data)


def test_the_compressed_bomb_is_refused_without_allocating():
    bomb = npz_bomb()
    assert len(bomb) < 1_000_000  # ~200 MB of zeros inside
    tracemalloc.start()
    try:
        with pytest.raises(UploadError, match=r"holds 1,000,000,000 numbers"):
            parse(bomb, "bomb.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20


@pytest.mark.parametrize(("label", "name", "make", "words"), [
    ("xlsx bomb", "bomb.xlsx", xlsx_bomb, "unpacks to 200 MB; at most 64 MB"),
    ("parquet rows", "rows.parquet", lambda: parquet_claiming(10**9),
     "1,000,000,000 rows; at most 100,000"),
    ("xlsx dimension", "dim.xlsx", lambda: xlsx_claiming("A1:B1048576"),
     "1,048,575 rows; at most 100,000"),
])
def test_table_bombs_are_refused_from_their_metadata_without_allocating(label, name, make,
                                                                         words):
    data = make()
    assert len(data) < 1_000_000, label
    tracemalloc.start()
    try:
        with pytest.raises(UploadError) as err:
            parse(data, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(err.value)
    assert peak < 20 * 2**20, f"{label}: {peak / 2**20:.1f} MB"


def test_messages_name_the_limit_or_place():
    messages = refusal_messages("upload")
    assert "10,000" in messages["too long csv"] and "1,024" in messages["too wide csv"]
    assert "line 2" in messages["ragged csv"] and "line 2, column 2" in messages["nan csv"]
    assert "nested more than" in messages["deep json"]
    assert "nested more than" in messages["deep json objects"]
    assert "Python objects" in messages["pickled object array"]
    assert "10 MB" in messages["oversize"]
    for ext in ("CSV", "NPY", "PNG", "WAV", "PARQUET", "XLSX", "FLAC", "OGG", "MP3"):
        assert ext in messages["unknown extension"]
    for label in ("mp3 of noise", "aiff named mp3", "flac truncated", "ogg truncated"):
        assert "FLAC" in messages[label] or "cut-short" in messages[label], label
    assert "NaN" in messages["float wav of NaN"]
    assert "1,001 sequences" in messages["csv long format of 1,001 sequences"]
    assert "no column of numbers" in messages["csv text only"]


# -- checkpoints -----------------------------------------------------------------------------


def _torch_bytes(obj, **kw) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def _safetensors_with_header(header: dict | bytes, body: bytes = b"") -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


def checkpoint_corpus(marker: Path) -> list[tuple[str, str, bytes]]:
    lstm = torch.nn.LSTM(3, 4, num_layers=2).state_dict()
    noise = np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    bad_layer = dict(lstm)
    bad_layer["weight_hh_l1"] = torch.zeros(16, 5)
    missing = {k: v for k, v in lstm.items() if k != "bias_hh_l1"}
    nan = dict(lstm)
    nan["weight_ih_l0"] = torch.full((16, 3), float("nan"))
    good = save_safetensors({k: v.contiguous() for k, v in lstm.items()})
    compressed = io.BytesIO()
    with zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", pickle.dumps({}))
    return [
        ("empty safetensors", "m.safetensors", b""),
        ("empty pt", "m.pt", b""),
        ("noise safetensors", "m.safetensors", noise),
        ("noise pt", "m.pt", noise),
        ("wrong extension", "m.h5", good),
        ("absurd header size", "m.safetensors", struct.pack("<Q", 2**60) + b"{}"),
        ("header not json", "m.safetensors", _safetensors_with_header(b"{not json")),
        ("header a list", "m.safetensors", _safetensors_with_header(b"[1, 2]")),
        ("deep header", "m.safetensors", _safetensors_with_header(b"[" * 50_000 + b"]" * 50_000)),
        ("offsets outside", "m.safetensors", _safetensors_with_header(
            {"weight_ih_l0": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]}})),
        ("offsets disagree", "m.safetensors", _safetensors_with_header(
            {"weight_ih_l0": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 8]}},
            bytes(8))),
        ("int dtype", "m.safetensors", _safetensors_with_header(
            {"weight_ih_l0": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, bytes(8))),
        ("huge shape", "m.safetensors", _safetensors_with_header(
            {"w": {"dtype": "F32", "shape": [2**31, 2**31], "data_offsets": [0, 4]}}, bytes(4))),
        ("truncated safetensors", "m.safetensors", good[: len(good) // 2]),
        ("no tensors", "m.safetensors", save_safetensors({})),
        ("wrong names", "m.safetensors", save_safetensors(torch.nn.Linear(3, 4).state_dict())),
        ("inconsistent shapes", "m.safetensors", save_safetensors(bad_layer)),
        ("missing tensor", "m.safetensors", save_safetensors(missing)),
        ("gate count 2", "m.safetensors", save_safetensors(
            {"weight_ih_l0": torch.zeros(8, 3), "weight_hh_l0": torch.zeros(8, 4)})),
        ("nan weights", "m.safetensors", save_safetensors(nan)),
        ("two prefixes", "m.safetensors", save_safetensors(
            {f"enc.{k}": v for k, v in lstm.items()}
            | {f"dec.{k}": v.clone() for k, v in lstm.items()})),
        ("projection lstm", "m.safetensors", save_safetensors(
            torch.nn.LSTM(3, 4, proj_size=2).state_dict())),
        ("pickle bomb in torch zip", "m.pt", _torch_bytes({"weight_ih_l0":
                                                          marker_object(marker)})),
        ("raw pickle", "m.pt", pickle.dumps({"weight_ih_l0": marker_object(marker)})),
        ("legacy torch format", "m.pt", _torch_bytes(lstm, _use_new_zipfile_serialization=False)),
        ("pickle named safetensors", "m.safetensors", pickle.dumps(marker_object(marker))),
        ("compressed zip", "m.pt", compressed.getvalue()),
        ("zip without data.pkl", "m.pt", _empty_zip()),
        ("torch non-dict", "m.pt", _torch_bytes([torch.zeros(3)])),
        ("torch dict of ints", "m.pt", _torch_bytes({"weight_ih_l0": 3})),
        ("torch truncated", "m.pt", _torch_bytes(lstm)[:500]),
        ("torch int tensors", "m.pt", _torch_bytes({k: v.long() for k, v in lstm.items()})),
        ("oversize", "m.safetensors", b"\0" * (10 * 2**20 + 1)),
    ]


def test_the_marker_pickles_do_run_code_when_unpickled(tmp_path):
    # the corpus is only a test of refusal if loading it the unsafe way would have run code
    marker = tmp_path / "was-unpickled"
    pickle.loads(pickle.dumps(marker_object(marker)))
    assert marker.exists()
    marker.unlink()
    torch.load(io.BytesIO(_torch_bytes({"w": marker_object(marker)})), weights_only=False)
    assert marker.exists()


def test_checkpoint_messages_say_what_was_found_and_expected():
    got = refusal_messages("checkpoint")
    assert "weight_hh_l1: expected [16, 4], got [16, 5]" in got["inconsistent shapes"]
    assert "missing ['bias_hh_l1']" in got["missing tensor"]
    assert "weight_ih_l0" in got["wrong names"] and "found tensors [bias, weight]" in got[
        "wrong names"]
    assert "header size" in got["absurd header size"]
    assert "weights_only" in got["pickle bomb in torch zip"]
    assert "G = 4 (LSTM), 3 (GRU) or 1 (RNN)" in got["gate count 2"]
    assert "save_file(model.state_dict()" in got["noise pt"]
    # torch's weights_only refusal is written for a terminal (ANSI bold); none of it reaches a page
    assert not any("\x1b" in m or "\x00" in m for m in got.values()), got


# -- every hostile file is refused -----------------------------------------------------------

# kind -> (its corpus of hostile files, the function that reads one, the error it must raise)
REFUSERS = {
    "upload": (upload_corpus, parse, UploadError),
    "checkpoint": (checkpoint_corpus, load_user_model, CheckpointError),
}


@pytest.mark.parametrize("kind", list(REFUSERS))
def test_every_hostile_file_is_refused_quickly_and_runs_nothing(kind, tmp_path):
    corpus, read, error = REFUSERS[kind]
    marker = tmp_path / "was-unpickled"
    for label, name, data in corpus(marker):
        start = time.perf_counter()
        with pytest.raises(error) as err:
            read(data, name)
        took = time.perf_counter() - start
        assert took < SECONDS, f"{label}: {took:.2f} s"
        assert str(err.value), label
        assert not marker.exists(), label


def refusal_messages(kind: str) -> dict[str, str]:
    """The message of each refused file in `kind`'s corpus, by label."""
    corpus, read, error = REFUSERS[kind]
    messages = {}
    for label, name, data in corpus(Path("/nonexistent/never")):
        try:
            read(data, name)
        except error as err:
            messages[label] = str(err)
    return messages


# -- property-based fuzzing ------------------------------------------------------------------

FUZZ = settings(max_examples=80, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow], database=None)
VALID = {ext: example(ext) for ext in FORMATS}


def _check_result(seqs) -> None:
    assert seqs
    for s in seqs:
        assert 1 <= s.steps <= MAX_STEPS
        if s.values is not None:
            assert s.values.ndim == 2 and 1 <= s.values.shape[1] <= MAX_FEATURES
            assert s.values.dtype == np.float32 and np.isfinite(s.values).all()
        else:
            assert all(isinstance(t, str) for t in s.tokens)


@FUZZ
@given(data=st.binary(max_size=2048), ext=st.sampled_from(sorted(FORMATS)))
def test_parse_random_bytes_only_raises_upload_error(data, ext):
    with contextlib.suppress(UploadError):
        _check_result(parse(data, "fuzz" + ext))


@st.composite
def mutated(draw):
    ext = draw(st.sampled_from(sorted(FORMATS)))
    data = bytearray(VALID[ext][1])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[pos:pos + draw(st.integers(1, 16))]
    return ext, bytes(data)


@FUZZ
@given(case=mutated())
def test_parse_mutated_valid_files_only_raises_upload_error(case):
    ext, data = case
    with contextlib.suppress(UploadError):
        _check_result(parse(data, "fuzz" + ext))


GOOD_CHECKPOINTS = {
    ".safetensors": save_safetensors(torch.nn.GRU(2, 3).state_dict()),
    ".pt": _torch_bytes(torch.nn.RNN(2, 3).state_dict()),
}


@FUZZ
@given(ext=st.sampled_from(sorted(GOOD_CHECKPOINTS)), pos=st.integers(0, 10**6),
       value=st.integers(0, 255), cut=st.booleans())
def test_load_user_model_on_mutated_checkpoints(ext, pos, value, cut):
    data = bytearray(GOOD_CHECKPOINTS[ext])
    pos %= len(data)
    if cut:
        del data[pos:]
    else:
        data[pos] = value
    try:
        model = load_user_model(bytes(data), "fuzz" + ext)
    except CheckpointError:
        return
    assert isinstance(model, (torch.nn.GRU, torch.nn.RNN, torch.nn.LSTM))

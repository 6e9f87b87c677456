"""Uploaded files: every format reads back exactly what was written, with the stated limits."""

import io
import json
import wave
import zipfile

import numpy as np
import pytest

from engine import audio, digits
from engine.uploads import (
    FORMATS,
    MAX_FEATURES,
    MAX_STEPS,
    SequenceError,
    UploadError,
    example,
    parse,
    strip_image,
)

X = np.array([[3, 1, 0], [4, 1, 0], [2, 0, 0], [-1.5, 0.25, 1e-3]], dtype=np.float32)


def npy(array, **kw) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=kw.get("allow_pickle", False))
    return buf.getvalue()


def test_errors_are_value_errors_and_typed_errors_are_upload_errors():
    assert issubclass(UploadError, ValueError)
    assert issubclass(SequenceError, UploadError)


@pytest.mark.parametrize("ext", list(FORMATS))
def test_every_example_parses(ext):
    name, data = example(ext)
    assert name.endswith(ext)
    seqs = parse(data, name)
    assert seqs and all(s.steps >= 1 for s in seqs)
    for s in seqs:
        if s.values is not None:
            assert s.values.dtype == np.float32 and np.isfinite(s.values).all()


def test_csv_with_and_without_header_and_tsv():
    body = "\n".join(",".join(f"{v:.9g}" for v in row) for row in X)
    for text in (body, "x1,x2,x3\n" + body, "# a comment\n\n" + body + "\n\n"):
        (seq,) = parse(text.encode(), "walk.csv")
        np.testing.assert_array_equal(seq.values, X)
        assert seq.name == "walk"
    tsv = body.replace(",", "\t")
    np.testing.assert_array_equal(parse(tsv.encode("utf-8-sig"), "walk.TSV")[0].values, X)


def test_csv_one_column_is_one_feature():
    (seq,) = parse(b"value\n1\n2\n3\n", "a.csv")
    assert seq.values.shape == (3, 1)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,2,3\n4,5\n", ["line 2", "2 columns", "line 1 has 3"]),
        ("a,b,c\n1,2,3\n4,5,6,7\n", ["line 3", "4 columns", "the header has 3"]),
        ("1,2,3\n4,abc,6\n", ["line 2, column 2", "'abc'", "not a number"]),
        ("x,y\n1,2\n3,\n", ["line 3, column 2", "(“y”)", "empty"]),
        ("1,2\n3,nan\n", ["line 2, column 2", "'nan'", "finite"]),
        ("1,2\n-inf,3\n", ["line 2, column 1", "finite"]),
        ("a,b\n", ["no rows of numbers", "at least one step"]),
        ("1,1e999\n", ["line 1, column 2", "finite"]),
    ],
)
def test_bad_csv_says_where(text, words):
    with pytest.raises(UploadError) as err:
        parse(text.encode(), "bad.csv")
    for word in words:
        assert word in str(err.value)


def test_limits_have_their_own_messages():
    with pytest.raises(UploadError, match="10,001 steps|more than 10,000 rows"):
        parse(("1\n" * (MAX_STEPS + 1)).encode(), "long.csv")
    with pytest.raises(UploadError, match="1,025 features per step; at most 1,024"):
        parse((",".join(["1"] * (MAX_FEATURES + 1)) + "\n").encode(), "wide.csv")
    with pytest.raises(UploadError, match="10,001 steps"):
        parse(npy(np.zeros((MAX_STEPS + 1, 2), np.float32)), "long.npy")
    with pytest.raises(UploadError, match="1,025 features"):
        parse(npy(np.zeros((2, MAX_FEATURES + 1), np.float32)), "wide.npy")
    with pytest.raises(UploadError, match="MB; files up to 10 MB"):
        parse(b"1\n" * (5 * 2**20 + 1), "big.csv")
    with pytest.raises(UploadError, match="no steps"):
        parse(npy(np.zeros((0, 3), np.float32)), "empty.npy")
    with pytest.raises(UploadError, match="empty"):
        parse(b"", "empty.csv")


def test_unknown_extension_lists_the_supported_formats():
    for name in ("data.xls", "data", "archive.tar.gz"):
        with pytest.raises(UploadError) as err:
            parse(b"1,2\n", name)
        for ext in ("CSV", "NPY", "JSON", "TXT", "WAV", "PNG"):
            assert ext in str(err.value)


def test_npy_shapes_dtypes_and_order():
    for array in (X, X.astype(np.float64), X.astype(">f8"), np.asfortranarray(X),
                  X.astype(np.float16)):
        (seq,) = parse(npy(array), "x.npy")
        np.testing.assert_array_equal(seq.values, np.asarray(array, dtype=np.float32))
    (seq,) = parse(npy(np.arange(5, dtype=np.int16)), "x.npy")
    assert seq.values.shape == (5, 1)
    three = np.stack([X, X * 2])
    seqs = parse(npy(three), "batch.npy")
    assert [s.name for s in seqs] == ["batch[0]", "batch[1]"]
    np.testing.assert_array_equal(seqs[1].values, X * 2)


def test_npy_nan_names_the_first_position():
    bad = X.copy()
    bad[2, 1] = np.nan
    bad[3, 0] = np.inf
    with pytest.raises(UploadError, match=r"step 3, feature 2 is NaN"):
        parse(npy(bad), "x.npy")


def test_npy_refuses_other_dtypes():
    for array, word in ((np.array(["a", "b"]), "dtype <U1"), (X.astype(np.complex64), "complex"),
                        (np.zeros(3, dtype=[("a", "f4")]), "records")):
        with pytest.raises(UploadError) as err:
            parse(npy(array), "x.npy")
        assert word in str(err.value) or "real numbers" in str(err.value)


def test_npz_reads_every_array_by_name():
    buf = io.BytesIO()
    np.savez_compressed(buf, first=X, second=X[:2])
    seqs = parse(buf.getvalue(), "two.npz")
    assert [s.name for s in seqs] == ["first", "second"]
    np.testing.assert_array_equal(seqs[1].values, X[:2])


def test_npz_with_a_foreign_member_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(UploadError, match="notes.txt"):
        parse(buf.getvalue(), "x.npz")


def test_json_shapes():
    steps = X.tolist()
    np.testing.assert_array_equal(parse(json.dumps(steps).encode(), "a.json")[0].values, X)
    (seq,) = parse(b"[1, 2, 3.5]", "a.json")
    assert seq.values[:, 0].tolist() == [1, 2, 3.5]
    seqs = parse(json.dumps([steps, steps[:2]]).encode(), "a.json")
    assert [s.steps for s in seqs] == [4, 2]
    doc = {"sequences": [{"name": "w", "values": steps}, {"tokens": ["a", "b"]}, steps]}
    seqs = parse(json.dumps(doc).encode(), "a.json")
    assert seqs[0].name == "w" and seqs[1].tokens == ["a", "b"] and seqs[2].steps == 4
    assert parse(b'["the", "cat"]', "a.json")[0].tokens == ["the", "cat"]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ('{"sequences": [[[1, 2], [3, "x"]]]}', ["sequences[0][1][1]", "expected a number"]),
        ('[[1, 2], [3]]', ["[1]", "step 2", "same number"]),
        ('{"seqs": []}', ['no "sequences"']),
        ('[1, NaN]', ["step 2", "NaN"]),
        ('[1, 2', ["line 1", "not valid JSON"]),
        ('"hello"', ["top level"]),
        ('[]', ["empty"]),
    ],
)
def test_bad_json_says_where(doc, words):
    with pytest.raises(UploadError) as err:
        parse(doc.encode(), "bad.json")
    for word in words:
        assert word in str(err.value)


def test_deep_json_is_refused_with_a_position():
    with pytest.raises(UploadError, match="nested more than"):
        parse(b"[" * 100_000 + b"]" * 100_000, "deep.json")


def test_text_characters_words_and_encodings():
    assert parse(b"hello", "a.txt")[0].tokens == list("hello")
    assert parse(b"the cat  sat\n", "a.txt")[0].tokens == ["the", "cat", "sat"]
    for encoding in ("utf-8-sig", "utf-16"):  # with a BOM
        assert parse("好棒棒 ok".encode(encoding), "a.txt")[0].tokens == ["好棒棒", "ok"]
    for encoding in ("utf-16-le", "utf-16-be"):  # no BOM: recognised for plain Latin text
        assert parse("hello ok".encode(encoding), "a.txt")[0].tokens == ["hello", "ok"]
    assert parse("好棒棒".encode(), "a.txt")[0].tokens == ["好", "棒", "棒"]
    with pytest.raises(UploadError, match="not text|binary"):
        parse(bytes(range(256)) * 4, "a.txt")
    with pytest.raises(UploadError, match="no text"):
        parse(b"  \n\n", "a.txt")


def _wav(samples: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def test_wav_gives_the_embeddings_features():
    rate = 8000
    t = np.arange(rate // 2) / rate
    data = _wav(0.3 * np.sin(2 * np.pi * 440 * t), rate)
    (seq,) = parse(data, "tone.wav")
    expected = audio.log_mel(*audio.read_wav(data))
    np.testing.assert_allclose(seq.values, expected)
    assert seq.kind == "audio" and seq.sample_rate == rate
    with pytest.raises(UploadError, match="frames"):
        parse(_wav(np.zeros(8000 * 101), 8000), "long.wav")


def test_png_strip_round_trips_to_the_recogniser_format():
    from PIL import Image

    strip = digits.make_strip([4, 2], 3, split="test")
    for ink_dark, scale in ((True, 3), (False, 1)):
        pixels = (1 - strip.image) if ink_dark else strip.image
        img = Image.fromarray(np.round(pixels * 255).astype(np.uint8), mode="L")
        img = img.resize((strip.width * scale, 8 * scale), Image.Resampling.NEAREST)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        (seq,) = parse(buf.getvalue(), "strip.png")
        image = strip_image(seq)
        assert image.shape == strip.image.shape
        lo, hi = strip.image.min(), strip.image.max()
        np.testing.assert_allclose(image, (strip.image - lo) / (hi - lo), atol=2 / 255)


def test_example_png_is_read_right_by_the_shipped_recogniser():
    from pathlib import Path

    from engine import checkpoint

    paths = sorted((Path(__file__).resolve().parents[1] / "pretrained" / "ctc_digits")
                   .glob("epoch_*.json"))
    model = checkpoint.load(paths[-1])
    name, data = example(".png")
    (seq,) = parse(data, name)
    assert model.recognise(strip_image(seq)) == [2, 0, 2, 6]

"""Typed and pasted sequences: values come through exactly, bad input gets a clear message."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.uploads import (
    SequenceError,
    decode_sequence,
    encode_sequence,
    parse_sequence_text,
    sequence_from_rows,
    sequence_to_text,
)


def test_rows_become_a_float_tensor():
    x = sequence_from_rows([[3, 1, 0], ["4", " 1 ", 0.5]], width=3)
    assert x.dtype == torch.float32
    assert x.tolist() == [[3.0, 1.0, 0.0], [4.0, 1.0, 0.5]]


@pytest.mark.parametrize(
    ("rows", "width", "words"),
    [
        ([[1, 2, 3], [4, "abc", 6]], 3, ["step 2, x2", "'abc'", "not a number"]),
        ([[1, 2, 3], [4, None, 6]], 3, ["step 2, x2", "empty"]),
        ([[1, 2, 3], [4, float("nan"), 6]], 3, ["step 2, x2", "empty"]),
        ([[1, 2, 3], [4, 5]], 3, ["step 2", "2 values", "reads 3"]),
        ([[1, 2], [4, 5]], 3, ["step 1", "2 values", "reads 3"]),
        ([[1, 2, 3], [4, 5]], None, ["step 2", "step 1 has 3"]),
        ([[1, "inf", 3]], 3, ["step 1, x2", "infinite"]),
        ([], 3, ["empty"]),
    ],
)
def test_bad_rows_say_where_and_what(rows, width, words):
    with pytest.raises(SequenceError) as err:
        sequence_from_rows(rows, width)
    for word in words:
        assert word in str(err.value)


def test_pasted_text_accepts_commas_spaces_tabs_and_comments():
    text = "# the walk-through\n3, 1, 0\n4 1 0\n\n2\t0\t0\n"
    assert parse_sequence_text(text, width=3).tolist() == [[3, 1, 0], [4, 1, 0], [2, 0, 0]]


def test_pasted_text_with_a_word_names_the_line():
    with pytest.raises(SequenceError, match=r"step 2, x3 is 'zero'"):
        parse_sequence_text("3,1,0\n4,1,zero", width=3)
    with pytest.raises(SequenceError, match="nothing to read"):
        parse_sequence_text("  \n# only a comment\n")


def test_text_and_url_encodings_round_trip():
    x = torch.tensor([[3.0, -1.0, 0.25], [1e-3, 100.0, -7.5]])
    assert torch.equal(parse_sequence_text(sequence_to_text(x)), x)
    encoded = encode_sequence(x)
    assert all(ch.isalnum() or ch in "-.~_+" for ch in encoded)
    assert torch.equal(decode_sequence(encoded, width=3), x)
    with pytest.raises(SequenceError):
        decode_sequence("1~2_3~x", width=2)


def test_the_link_codec_writes_values_as_the_user_typed_them():
    x = torch.tensor([[1.2345678, 0.126, 3.0], [-0.1, 1e-7, 123456.78]])
    assert encode_sequence(x) == "1.2345678~0.126~3_-0.1~1e-07~123456.78"
    assert sequence_to_text(x).splitlines()[0] == "1.2345678, 0.126, 3"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False), min_size=1,
                max_size=12))
def test_the_link_and_text_codecs_round_trip_every_float32_exactly(values):
    x = torch.tensor([values], dtype=torch.float32)
    assert torch.equal(decode_sequence(encode_sequence(x)), x)
    assert torch.equal(parse_sequence_text(sequence_to_text(x)), x)
    assert "+" not in encode_sequence(x)

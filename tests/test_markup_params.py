"""The escaping helper (app/markup.py) and the URL-parameter parsers (components.url_params)."""

import pytest

from components import url_params as up
from markup import clean, md, tex

HOSTILE = ["²", "1" * 40, "-1", "1e309", "nan", "inf", "", " ", "x" * 5000, "٣", "0x10", "1_0",
           "+", "1.5", "3 4"]


@pytest.mark.parametrize("raw", HOSTILE)
def test_int_value_refuses_hostile_text(raw):
    assert up.int_value(raw, 1, 10**6) is None


def test_int_value_reads_ascii_integers_in_range():
    assert up.int_value("7", 1, 9) == 7
    assert up.int_value(" 9 ", 1, 9) == 9
    assert up.int_value("10", 1, 9) is None
    assert up.int_value("-3", -5, 5) == -3


@pytest.mark.parametrize("raw", ["1e309", "nan", "inf", "-inf", "²", "", "1" * 40, "1,5"])
def test_float_value_refuses_non_finite_and_foreign(raw):
    assert up.float_value(raw, -1e300, 1e300) is None


def test_float_value_reads_decimals():
    assert up.float_value("1.2345678", 0, 2) == 1.2345678
    assert up.float_value("-.5", -1, 1) == -0.5
    assert up.float_value("2e-3", 0, 1) == 0.002
    assert up.float_value("3", 0, 2) is None


def test_get_takes_the_last_of_repeated_keys():
    assert up.get({"step": ["1", "5"]}, "step") == "5"
    assert up.get({"step": "2"}, "step") == "2"
    assert up.get({}, "step") is None


def test_text_value_bounds_length_and_drops_control_characters():
    assert up.text_value("a\x1bb", 10) == "ab"
    assert up.text_value("x" * 11, 10) is None
    assert up.text_value("   ", 10) is None


@pytest.mark.parametrize("text", ["[click](https://evil.example)", "<img src=x onerror=1>",
                                  "**bold** _it_ `code` $x^2$ :red[hi] :material/home:",
                                  "# heading", "https://evil.example", "![i](https://e.x/i.png)"])
def test_md_escapes_every_markup_character(text):
    escaped = md(text)
    # Every ASCII punctuation character is preceded by a backslash.
    i = 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\":
            i += 2
            continue
        assert ch.isalnum() or ch in " \u00a0" or not ch.isascii(), (text, escaped, ch)
        i += 1
    # Removing the escapes (and the word joiners that stop autolinks) gives the text back.
    assert escaped.replace("\\", "").replace("\u2060", "") == text.replace("\\", "")


def test_md_keeps_one_line_and_visible_spaces():
    assert "\n" not in md("a\nb")
    assert md("a    b").count("\u00a0") == 3


def test_tex_escapes_specials():
    assert tex("one-hot #71 of 97") == r"one-hot \#71 of 97"
    assert tex("a_b {c} 50% $ & ~ ^ \\") == (r"a\_b \{c\} 50\% \$ \& \textasciitilde{} "
                                             r"\textasciicircum{} \textbackslash{}")


def test_clean_removes_ansi_escapes():
    assert clean("\x1b[1mWeightsUnpickler error:\x1b[0m Unsupported") == (
        "WeightsUnpickler error: Unsupported")

"""Every page survives every hostile link: each URL parameter any page reads, set to Unicode
digits, huge, negative, non-finite, empty, very long or repeated values, never raises; the page
still draws (its title is there)."""

from __future__ import annotations

import pytest
from apptest import run_app

from labs import LABS

# Every parameter a page reads from its link (stepper, slot filling, character LSTM, ...).
PARAMS = ("model", "in", "hid", "layers", "bi", "act", "seed", "seq", "rs", "x", "text", "step",
          "w", "a", "b", "tagger", "encoding", "cell", "series", "feature", "lesson", "scene",
          "present", "lang", "tab", "T", "w0", "b0", "lr", "clip", "steps", "source", "nT",
          "hidden", "radius", "bf", "nseed", "target", "path", "epoch", "digits", "beam", "data",
          "colour", "word", "search", "words")
HOSTILE = {
    "unicode superscript": "²",
    "arabic digit": "٣",
    "40 digits": "9" * 40,
    "negative": "-5",
    "overflow": "1e309",
    "nan": "nan",
    "empty": "",
    "5,000 characters": "7" * 5000,
    "markup": "[x](https://evil.example)",
    "html": "<img src=https://evil.example/x.png>",
    "control": "\x1b[1m\x00",
}
PAGES = ["views/home.py"] + [lab.page for lab in LABS]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_values_for_every_parameter(page, name):
    at = run_app(page, **{p: HOSTILE[name] for p in PARAMS})  # fails on any exception
    assert at.title, f"{page} drew no title with {name!r} link values"


@pytest.mark.parametrize("page", PAGES)
def test_repeated_keys(page):
    at = run_app(page, **{p: ["1", "²", "1" * 40] for p in PARAMS})
    assert at.title

"""Defensive parsing of URL parameters: every value a link carries is untrusted.

Each parser returns the value, or None when the text is not a valid value (then the page
ignores it and says so with `warn_ignored`). Only ASCII digits count as digits (`"²".isdigit()`
is True, `int("²")` fails), numbers have a bounded length (no 5,000-digit integers), floats
must be finite, and every value is checked against its range before it is used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import streamlit as st

MAX_NUMBER_CHARS = 24  # longest text read as a number
_INT = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?", re.ASCII)


def get(params: Mapping, name: str) -> str | None:
    """The (last) value of `name` in `params` as text, or None when absent."""
    if name not in params:
        return None
    value = params[name]
    if isinstance(value, list | tuple):  # a plain dict of lists (repeated keys)
        value = value[-1] if value else ""
    return str(value)


def _number(raw: str | None, pattern: re.Pattern, cast, low, high):
    """`cast(raw)` when `raw` is short, matches `pattern` and lands finite in low..high."""
    if raw is None or len(raw) > MAX_NUMBER_CHARS:
        return None
    raw = raw.strip()
    if not pattern.fullmatch(raw):
        return None
    value = cast(raw)
    return value if math.isfinite(value) and low <= value <= high else None


def int_value(raw: str | None, low: int, high: int) -> int | None:
    """An integer low..high written in ASCII digits, or None."""
    return _number(raw, _INT, int, low, high)


def float_value(raw: str | None, low: float, high: float) -> float | None:
    """A finite number low..high in plain decimal notation, or None."""
    return _number(raw, _FLOAT, float, low, high)


def choice_value(raw: str | None, options: Iterable[str]) -> str | None:
    """`raw` when it is one of `options` (exactly), or None."""
    if raw is None:
        return None
    return raw if raw in set(options) else None


def bool_value(raw: str | None) -> bool | None:
    """1/true/yes/on → True, 0/false/no/off → False (any case), else None."""
    if raw is None or len(raw) > 8:
        return None
    return {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False,
            "no": False, "off": False}.get(raw.strip().lower())


def text_value(raw: str | None, max_chars: int) -> str | None:
    """Non-blank text of at most `max_chars` characters (control characters removed), or
    None."""
    if raw is None or len(raw) > max_chars:
        return None
    text = "".join(ch for ch in raw if ch in "\n\t" or ch.isprintable())
    return text if text.strip() else None


def warn_ignored(bad: Iterable[str]) -> None:
    """The toast that names the link parameters a page ignored (nothing when there are none)."""
    names = sorted(set(bad))
    if names:
        st.toast(f"Ignored link parameter(s) that were not valid: {', '.join(names)}.",
                 icon="⚠️")

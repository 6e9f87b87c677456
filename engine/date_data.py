"""The attention lab's data: dates as people write them, and the ISO date a booking system needs.

Seven written forms (`FORMS`), each with small variations (ordinal or plain day, comma or not,
month name in full or abbreviated, with or without a dot, zero-padded or not, any letter case),
for every calendar day of the years `FIRST_YEAR`..`LAST_YEAR`. The calendar days are split
once into training and held-out days (`is_heldout`), so held-out phrases name days the models
never read. `parse` reads the same forms back with regular expressions: a reference that does
not share code with the generator, used by the page to say where a model went wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import numpy as np

FIRST_YEAR, LAST_YEAR = 1900, 2099  # the years the models learned
MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July",
                           "August", "September", "October", "November", "December")
HELDOUT_EVERY = 10  # one calendar day in ten (by a CRC-32 of its ISO form) is held out
TRAIN_SEED = 7  # seed of the shipped training phrases
TRAIN_SIZE = 40_000  # training phrases
HELDOUT_SEED = 1007  # seed of the held-out phrases
HELDOUT_SIZE = 2_000  # held-out phrases

# Written forms by key: a title and how the lecture's "November 2nd" of 2026 looks in it.
FORMS: dict[str, str] = {
    "month_day_year": "November 2, 2026",
    "day_month_year": "2 November 2026",
    "abbr_day_year": "Nov 2 2026",
    "abbr_dot_ordinal": "nov. 2nd, 2026",
    "numeric_mdy": "11/02/2026",
    "the_nth_of": "the 2nd of November 2026",
    "cjk": "2026年11月2日",
}
FORM_TITLES: dict[str, str] = {
    "month_day_year": "Month day, year",
    "day_month_year": "Day month year",
    "abbr_day_year": "Abbreviated month",
    "abbr_dot_ordinal": "Abbreviation with dot, ordinal",
    "numeric_mdy": "Numbers, month first",
    "the_nth_of": "“the …th of …”",
    "cjk": "年月日",
}


@dataclass(frozen=True)
class Phrase:
    """One written date and its ISO form."""

    text: str  # as a person writes it, e.g. "nov. 2nd, 2026"
    iso: str  # "2026-11-02"
    form: str  # a key of FORMS


def ordinal(day: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 22 -> "22nd"."""
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def is_heldout(day: dt.date) -> bool:
    """True for the fixed tenth of calendar days that training never sees."""
    return zlib.crc32(day.isoformat().encode()) % HELDOUT_EVERY == 0


def _month(m: int, rng: np.random.Generator, abbreviated: bool) -> str:
    name = MONTHS[m - 1]
    if not abbreviated:
        return name
    short = "Sept" if m == 9 and rng.random() < 0.3 else name[:3]
    return short + "." if rng.random() < 0.5 else short


def _case(text: str, rng: np.random.Generator) -> str:
    """The phrase in lower case, as written, or in capitals."""
    r = rng.random()
    return text.lower() if r < 0.35 else text.upper() if r < 0.5 else text


def render(day: dt.date, form: str, rng: np.random.Generator) -> str:
    """`day` written in `form` (a key of FORMS), with random small variations."""
    y, m, d = day.year, day.month, day.day
    dd = ordinal(d) if rng.random() < 0.4 else str(d)
    comma = "," if rng.random() < 0.5 else ""
    if form == "month_day_year":
        text = f"{_month(m, rng, False)} {dd}{comma} {y}"
    elif form == "day_month_year":
        text = f"{dd} {_month(m, rng, rng.random() < 0.3)}{comma} {y}"
    elif form == "abbr_day_year":
        text = f"{MONTHS[m - 1][:3]} {dd}{comma} {y}"
    elif form == "abbr_dot_ordinal":
        text = f"{_month(m, rng, True)} {ordinal(d)}{comma} {y}"
    elif form == "numeric_mdy":
        pad = rng.random() < 0.6
        text = f"{m:02d}/{d:02d}/{y}" if pad else f"{m}/{d}/{y}"
    elif form == "the_nth_of":
        text = f"the {ordinal(d)} of {_month(m, rng, rng.random() < 0.3)}{comma} {y}"
    elif form == "cjk":
        text = f"{y}年{m:02d}月{d:02d}日" if rng.random() < 0.2 else f"{y}年{m}月{d}日"
    else:
        raise ValueError(f"unknown date form {form!r}; valid: {', '.join(FORMS)}")
    return _case(text, rng)


def random_day(rng: np.random.Generator, heldout: bool) -> dt.date:
    """A calendar day of FIRST_YEAR..LAST_YEAR, uniform, from the training or held-out part."""
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    while True:
        day = dt.date.fromordinal(int(rng.integers(first, last + 1)))
        if is_heldout(day) == heldout:
            return day


def make_phrases(size: int, seed: int, heldout: bool) -> list[Phrase]:
    """`size` phrases of random days (training or held-out part), forms in turn."""
    rng = np.random.default_rng(seed)
    forms = list(FORMS)
    out = []
    for k in range(size):
        day = random_day(rng, heldout)
        form = forms[k % len(forms)]
        out.append(Phrase(render(day, form, rng), day.isoformat(), form))
    return out


def training_phrases() -> list[Phrase]:
    """The shipped models' training phrases (training days only)."""
    return make_phrases(TRAIN_SIZE, TRAIN_SEED, heldout=False)


def heldout_phrases() -> list[Phrase]:
    """The held-out phrases: days training never saw."""
    return make_phrases(HELDOUT_SIZE, HELDOUT_SEED, heldout=True)


# -- reading dates back (the reference) -------------------------------------------------------

_MONTH = "|".join(sorted({n.lower() for n in MONTHS} | {n[:3].lower() for n in MONTHS}
                         | {"sept"}, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_PATTERNS = (
    ("mdy", re.compile(rf"({_MONTH})\.? {_DAY},? (\d{{4}})")),
    ("dmy", re.compile(rf"(?:the )?{_DAY} (?:of )?({_MONTH})\.?,? (\d{{4}})")),
    ("num", re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")),
    ("cjk", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")),
)


def _month_number(name: str) -> int:
    return next(k + 1 for k, m in enumerate(MONTHS) if m.lower().startswith(name[:3]))


def parse(text: str) -> dt.date | None:
    """The calendar day `text` names in one of FORMS (any case, surrounding blanks ignored),
    or None when it is not one of them or not a real day."""
    text = " ".join(str(text).lower().split())
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        g = match.groups()
        if kind == "mdy":
            y, m, d = int(g[2]), _month_number(g[0]), int(g[1])
        elif kind == "dmy":
            y, m, d = int(g[2]), _month_number(g[1]), int(g[0])
        elif kind == "num":
            y, m, d = int(g[2]), int(g[0]), int(g[1])
        else:
            y, m, d = int(g[0]), int(g[1]), int(g[2])
        try:
            return dt.date(y, m, d)
        except ValueError:
            return None
    return None

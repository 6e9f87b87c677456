"""Sequences typed, pasted or edited in a table: rows of cells -> float32 [T, I]; SequenceError
names the step (1-based) and the input (x1, x2, ...)."""

from __future__ import annotations

import math
import re
from collections import abc
from collections.abc import Iterable

import numpy as np
import torch

from engine.messages import Phrase
from engine.uploads.errors import (
    MAX_STEPS,
    SequenceError,
)

_SPLIT = re.compile(r"[,;\s\t]+")


def _number(value: object, step: int, col: int) -> float:
    """One cell as a finite float, or a SequenceError naming where it is."""
    where = Phrase("uploads.place.typed_cell", "step {step}, x{col}", step=step, col=col)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SequenceError("uploads.typed.empty_cell",
                            "{where} is empty: every step needs a number for every input.",
                            where=where)
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SequenceError("uploads.typed.not_a_number",
                            "{where} is {value!r}, which is not a number.",
                            where=where, value=str(value)) from None
    if math.isnan(number):
        raise SequenceError("uploads.typed.empty_cell",
                            "{where} is empty: every step needs a number for every input.",
                            where=where)
    if math.isinf(number):
        raise SequenceError("uploads.typed.infinite",
                            "{where} is infinite; use a finite number.",
                            where=where)
    return number


def sequence_from_rows(rows: Iterable[abc.Sequence[object]],
                       width: int | None = None) -> torch.Tensor:
    """Rows of cells (one row per step) → float32 tensor [T, I].

    `width` is the number of inputs the model reads; rows of another length raise a
    SequenceError that says so. Cells may be numbers or numeric strings.
    """
    values: list[list[float]] = []
    for step, row in enumerate(rows, start=1):
        cells = list(row)
        if width is not None and len(cells) != width:
            if len(cells) == 1:
                raise SequenceError("uploads.typed.wrong_width_one",
                                    "step {step} has 1 value, but the model reads {width} per "
                                    "step (x1 … x{width}).", step=step, width=width)
            raise SequenceError("uploads.typed.wrong_width",
                                "step {step} has {count} values, but the model reads {width} "
                                "per step (x1 … x{width}).",
                                step=step, count=len(cells), width=width)
        values.append([_number(c, step, j) for j, c in enumerate(cells, start=1)])
        if len(values) > MAX_STEPS:
            raise SequenceError("uploads.typed.too_long",
                                "the sequence is longer than {limit:,} steps.",
                                limit=MAX_STEPS)
    if not values:
        raise SequenceError("uploads.typed.empty",
                            "the sequence is empty: add at least one step.")
    first = len(values[0])
    if first == 0:
        raise SequenceError("uploads.typed.first_step_empty",
                            "step 1 has no values.")
    for step, row in enumerate(values, start=1):
        if len(row) != first:
            raise SequenceError(
                "uploads.typed.ragged",
                "step {step} has {count} values but step 1 has {first}: every step needs the "
                "same number of inputs.",
                step=step, count=len(row), first=first)
    return torch.tensor(values, dtype=torch.float32)


def parse_sequence_text(text: str, width: int | None = None) -> torch.Tensor:
    """Pasted text, one step per line, numbers separated by commas, spaces or tabs → [T, I].

    Blank lines and lines starting with '#' are ignored.
    """
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rows.append([cell for cell in _SPLIT.split(line) if cell])
    if not rows:
        raise SequenceError("uploads.typed.nothing",
                            "nothing to read: type one step per line, e.g. '3, 1, 0'.")
    return sequence_from_rows(rows, width)


def exact_text(value: float) -> str:
    """The shortest decimal that reads back as exactly the same float32 (numpy's shortest
    repr): 1.2345678 → "1.2345678", 0.126 → "0.126", 3.0 → "3"; no '+' (a URL may turn it into
    a space)."""
    text = str(np.float32(value)).replace("e+", "e")
    return text[:-2] if text.endswith(".0") else text


def sequence_to_text(x: torch.Tensor) -> str:
    """[T, I] → the text `parse_sequence_text` reads back exactly (shortest numbers)."""
    values = np.asarray(x.detach().cpu(), dtype=np.float32)
    return "\n".join(", ".join(exact_text(v) for v in row) for row in values)



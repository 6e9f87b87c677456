"""A sequence [T, I] in a link: compact, URL-safe, and exact (values round-trip as float32:
each is written as the shortest decimal that reads back as the same float32, see
`engine.uploads.typed.exact_text`)."""

from __future__ import annotations

import numpy as np
import torch

from engine.uploads.typed import exact_text, sequence_from_rows


def encode_sequence(x: torch.Tensor) -> str:
    """[T, I] → a compact URL-safe string: steps separated by '_', values by '~'."""
    values = np.asarray(x.detach().cpu(), dtype=np.float32)
    return "_".join("~".join(exact_text(v) for v in row) for row in values)


def decode_sequence(text: str, width: int | None = None) -> torch.Tensor:
    """Inverse of `encode_sequence`; raises SequenceError on anything malformed."""
    rows = [step.split("~") for step in text.split("_") if step != ""]
    return sequence_from_rows(rows, width)

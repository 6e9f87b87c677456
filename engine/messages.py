"""Messages from libraries, made fit to show: terminal escapes (ANSI colours and bold, as in
torch's weights_only refusal) and other control characters removed."""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: object) -> str:
    """`text` without terminal escape sequences and control characters (tabs and newlines
    kept)."""
    return _ANSI.sub("", str(text))

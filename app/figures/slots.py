"""Slot-filling lab's look: one colour per slot and the names of a tagger's hidden state
(the drawing itself is figures.slot_frames)."""

from __future__ import annotations

from engine.slots import Reading
from i18n import _

# One colour per slot (outline and text), and a light tint of it behind a tagged word.
SLOT_COLORS: dict[str, str] = {
    "other": "#6b7280",
    "dest": "#2563eb",
    "origin": "#d97706",
    "arrive_time": "#16a34a",
    "depart_time": "#7c3aed",
}
SLOT_TINTS: dict[str, str] = {
    "other": "#f3f4f6",
    "dest": "#dbeafe",
    "origin": "#fef3c7",
    "arrive_time": "#dcfce7",
    "depart_time": "#ede9fe",
}


def hidden_title(reading: Reading) -> str:
    """The hidden-state rows' title for this tagger, in the reader's language."""
    if reading.model == "feedforward":
        return _("hidden layer (this word only: no memory)")
    if reading.directions == 2:
        return _("hidden: → forward (so far), ← backward (from the end)")
    if reading.model == "jordan":
        return _("hidden state (it reads back the previous slot scores)")
    return _("hidden state (the memory carried to the next word)")


def unit_names(reading: Reading) -> list[str]:
    """Each hidden unit's row name: h1 … (one direction), →1 … ←1 … (bidirectional)."""
    h = reading.hidden.shape[1] // reading.directions
    if reading.directions == 1:
        return [f"h{k + 1}" for k in range(h)]
    return [f"→{k + 1}" for k in range(h)] + [f"←{k + 1}" for k in range(h)]

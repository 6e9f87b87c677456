"""Messages from libraries, made fit to show: terminal escapes (ANSI colours and bold, as in
torch's weights_only refusal) and other control characters removed."""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: object) -> str:
    """`text` without terminal escape sequences and control characters (tabs and newlines
    kept)."""
    return _ANSI.sub("", str(text))


class Phrase:
    """Words for the user, kept as a `code` and its `values` so that the app can say them in
    the reader's language; str() is the English `template` filled with the values. A value may
    itself be a Phrase (a place in a file: "line 3 of data.csv"), worded the same way."""

    __slots__ = ("code", "template", "values")

    def __init__(self, code: str, template: str, /, **values: object) -> None:
        self.code, self.template, self.values = code, template, values

    def __str__(self) -> str:
        return self.template.format(**self.values)

    def __repr__(self) -> str:
        return f"Phrase({self.code!r}, {str(self)!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Joined:
    """Several phrases said one after another (`sep` between them), each worded on its own."""

    __slots__ = ("items", "sep")

    def __init__(self, items: list[object], sep: str = "; ") -> None:
        self.items, self.sep = list(items), sep

    def __str__(self) -> str:
        return self.sep.join(str(item) for item in self.items)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class UserError(ValueError):
    """An error whose message is for the user: a `code` (what went wrong) and its `values`
    (the file, the line, the limit), worded by the app in the reader's language
    (app/errors.py); str() is the English message, for logs and tests.

    `UserError("code", "English template {name}", name=...)`; a single argument is a plain
    English message with no code (the app shows it as it is)."""

    def __init__(self, code: str, template: str | None = None, /, **values: object) -> None:
        if template is None:  # a plain message: no code, nothing to translate
            self.phrase = Phrase("", "{message}", message=code)
        else:
            self.phrase = Phrase(code, template, **values)
        super().__init__(str(self.phrase))

    @property
    def code(self) -> str:
        """What went wrong, as a key of the app's table of messages ('' for a plain message)."""
        return self.phrase.code

    @property
    def values(self) -> dict[str, object]:
        """The values the message names (file names, counts, limits, inner phrases)."""
        return self.phrase.values

    @property
    def template(self) -> str:
        """The English message with {placeholders} for the values."""
        return self.phrase.template


class Note(str):
    """A remark for the user that is also its English text (a str: joined, searched and
    compared like one), with the `code` and `values` the app words it by, like a Phrase."""

    def __new__(cls, code: str, template: str, /, **values: object) -> Note:
        note = super().__new__(cls, template.format(**values))
        note.code, note.template, note.values = code, template, values
        return note

    def __reduce__(self):
        return _note, (self.code, self.template, self.values)


def _note(code: str, template: str, values: dict[str, object]) -> Note:
    return Note(code, template, **values)

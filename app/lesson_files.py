"""Lesson files: read and check a lesson (TOML) before anything of it reaches a page.

A lesson is `app/lessons/<id>.toml`:

    title = "The LSTM memory cell"
    section = "§3 · LSTM"

    [[scene]]
    page = "stepper"                      # a lab's url_path (app/labs.py)
    note = "What will the memory be?"     # the teacher's note (markdown)
    state = { seq = "walkthrough", step = 1 }   # the page's own link parameters
    question = { kind = "memory", step = 2 }    # optional: ask before revealing step 2

Every page and parameter must be a known one (app/labs.py keeps each page's link parameters and
question kinds); a file that is not a lesson is refused with a LessonError naming the scene and
the key. Values are only checked for type and length here: the page parses them like any link
(and says which ones it ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tomllib

from i18n import _
from labs import LABS

LESSON_DIR = Path(__file__).resolve().parent / "lessons"
MAX_BYTES = 64 * 1024  # a lecture's lesson is a few pages of text; more is not a lesson
MAX_SCENES = 60  # a lecture hour holds a few dozen scenes; a longer list is a mistake or an attack
MAX_TITLE_CHARS = 120  # a title fits one line of the lesson bar
MAX_NOTE_CHARS = 1500  # a note is read out in a minute and fits under the bar
MAX_VALUE_CHARS = 4000  # one link parameter of a scene (a typed sequence, a sentence)
MAX_STEP = 100_000  # a question's step: longer than any sequence a page steps through
GLOBAL_PARAMS = ("present", "lang")  # link parameters every page understands (presenter
# view, language)
UPLOADED_ID = "uploaded"  # the id an uploaded lesson runs under (no shipped file may take it)
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}", re.ASCII)
# Markdown links and images ([text](url), [text][ref]), autolinks and raw HTML (<a ...>, <img>):
# a note is shown as text, and a link in a lesson from a stranger would be a lure.
_LINK = re.compile(r"\]\s*[(\[]|<\s*[a-zA-Z/!?]|<\s*https?:|&#|&[a-zA-Z]+;")
PAGES = {lab.url_path: lab for lab in LABS}
NEEDS_STEP = ("memory", "forget", "slot", "next")  # question kinds asked about one step


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the scene and the key."""


@dataclass(frozen=True)
class Question:
    """A question asked before a page reveals what happens next."""

    kind: str  # one of the page's Lab.questions
    step: int | None  # 1-based step the question is about (the page stops one before it)


@dataclass(frozen=True)
class Scene:
    """One scene: a page, the link parameters to open it with, a note and maybe a question."""

    page: str  # a Lab.url_path
    state: tuple[tuple[str, str], ...]  # (name, value) link parameters, in file order
    note: str  # teacher's note (markdown for shipped lessons, shown literally for uploads)
    question: Question | None

    @property
    def params(self) -> dict[str, str]:
        """The scene's link parameters as a dict."""
        return dict(self.state)


@dataclass(frozen=True)
class Lesson:
    """A lesson: a title, the lecture section it follows and its scenes (at least one)."""

    id: str  # file name without .toml (UPLOADED_ID for an uploaded file)
    title: str
    section: str
    scenes: tuple[Scene, ...]
    trusted: bool  # shipped with the app: its notes are rendered as markdown


def _text(value, where: str, limit: int, required: bool = True) -> str:
    """A string of at most `limit` characters without links or HTML."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise LessonError(_("{where} must be text in quotes.").format(where=where))
    if len(value) > limit:
        raise LessonError(_("{where} has {chars} characters; at most {limit}.").format(
            where=where, chars=f"{len(value):,}", limit=f"{limit:,}"))
    if _LINK.search(value):
        raise LessonError(_("{where} holds a link or HTML; a lesson's text is shown as written, "
                            "so links and HTML are not allowed.").format(where=where))
    if required and not value.strip():
        raise LessonError(_("{where} is empty.").format(where=where))
    return value


def _value(value, where: str) -> str:
    """A link parameter's value (text, a whole number, a number or true/false) as link text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, str):
        text = value
    else:
        raise LessonError(_("{where} must be text, a number or true/false.").format(where=where))
    if len(text) > MAX_VALUE_CHARS:
        raise LessonError(_("{where} has {chars} characters; at most {limit}.").format(
            where=where, chars=f"{len(text):,}", limit=f"{MAX_VALUE_CHARS:,}"))
    return text


def _keys(table: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise LessonError(_("{where}: unknown key “{key}” (known: {known}).").format(
            where=where, key=unknown[0], known=", ".join(allowed)))


def _question(raw, lab, where: str) -> Question | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise LessonError(_("{where} must be a table, e.g. {example}.").format(
            where=where, example='{ kind = "memory", step = 2 }'))
    _keys(raw, ("kind", "step"), where)
    kind = raw.get("kind")
    if kind not in lab.questions:
        known = ", ".join(lab.questions) or _("none")
        raise LessonError(_("{where}.kind: “{kind}” is not a question the {page} page asks "
                            "(known: {known}).").format(where=where, kind=kind,
                                                        page=_(lab.title), known=known))
    step = raw.get("step")
    bad_step = isinstance(step, bool) or not isinstance(step, int) or not 2 <= step <= MAX_STEP
    if (kind in NEEDS_STEP or step is not None) and bad_step:
        raise LessonError(_("{where}.step must be a whole number 2 … {most} (the step the "
                            "question is about; the page stops one step before it).").format(
            where=where, most=f"{MAX_STEP:,}"))
    return Question(kind=kind, step=step)


def _key(where: str, key: str) -> str:
    """ "scene 2, key “note”": where in the file a problem is."""
    return _("{where}, key “{key}”").format(where=where, key=key)


def _scene(raw, n: int) -> Scene:
    where = _("scene {n}").format(n=n)
    if not isinstance(raw, dict):
        raise LessonError(_("{where} must be a [[scene]] table.").format(where=where))
    _keys(raw, ("page", "note", "state", "question"), where)
    page = raw.get("page")
    if page not in PAGES:
        raise LessonError(_("{where}: “{page}” is not a page (known: {known}).").format(
            where=_key(where, "page"), page=page, known=", ".join(PAGES)))
    lab = PAGES[page]
    state = raw.get("state", {})
    if not isinstance(state, dict):
        raise LessonError(_("{where} must be a table of link parameters.").format(
            where=_key(where, "state")))
    allowed = lab.params + GLOBAL_PARAMS
    pairs = []
    for name, value in state.items():
        if name not in allowed:
            raise LessonError(_("{where}: the {page} page has no link parameter “{name}” "
                                "(known: {known}).").format(
                where=_key(where, f"state.{name}"), page=_(lab.title), name=name,
                known=", ".join(allowed)))
        pairs.append((name, _value(value, _key(where, f"state.{name}"))))
    note = _text(raw.get("note"), _key(where, "note"), MAX_NOTE_CHARS, required=False)
    question = _question(raw.get("question"), lab, _key(where, "question"))
    return Scene(page=page, state=tuple(pairs), note=note, question=question)


def too_big(size: int) -> str:
    """The refusal of a file of `size` bytes (more than MAX_BYTES)."""
    return _("the file has {size} bytes; a lesson is at most {kb} KB.").format(
        size=f"{size:,}", kb=MAX_BYTES // 1024)


def parse(data: bytes, lesson_id: str, trusted: bool = False) -> Lesson:
    """A lesson from the bytes of a TOML file; LessonError saying what is wrong and where."""
    if len(data) > MAX_BYTES:
        raise LessonError(too_big(len(data)))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LessonError(_("the file is not UTF-8 text (byte {byte}).").format(
            byte=err.start + 1)) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonError(_("the file is not valid TOML: {error}.").format(error=err)) from None
    _keys(doc, ("title", "section", "scene"), _("the lesson"))
    title = _text(doc.get("title"), _("key “{key}”").format(key="title"), MAX_TITLE_CHARS)
    section = _text(doc.get("section"), _("key “{key}”").format(key="section"), MAX_TITLE_CHARS,
                    required=False)
    scenes = doc.get("scene")
    if not isinstance(scenes, list) or not scenes:
        raise LessonError(_("the lesson has no scenes: add at least one [[scene]] table."))
    if len(scenes) > MAX_SCENES:
        raise LessonError(_("the lesson has {scenes} scenes; at most {most}.").format(
            scenes=f"{len(scenes):,}", most=MAX_SCENES))
    return Lesson(id=lesson_id, title=title, section=section, trusted=trusted,
                  scenes=tuple(_scene(raw, n) for n, raw in enumerate(scenes, start=1)))


@cache
def shipped() -> dict[str, Lesson]:
    """The lessons shipped in app/lessons/, by id, in file-name order (read once)."""
    lessons = {}
    for path in sorted(LESSON_DIR.glob("*.toml")):
        if ID.fullmatch(path.stem) and path.stem != UPLOADED_ID:
            lessons[path.stem] = parse(path.read_bytes(), path.stem, trusted=True)
    return lessons


def _toml_string(text: str) -> str:
    """`text` as a TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def scene_toml(page: str, params: dict[str, str], note: str = "") -> str:
    """A [[scene]] table that reopens `page` with `params` (for a teacher to paste)."""
    allowed = PAGES[page].params + GLOBAL_PARAMS
    state = ", ".join(f"{name} = {_toml_string(value)}" for name, value in params.items()
                      if name in allowed)
    return (f"[[scene]]\npage = {_toml_string(page)}\nnote = {_toml_string(note)}\n"
            f"state = {{ {state} }}\n")


def extract_lessons(fileobj, keywords, comment_tags, options):
    """Babel extractor (babel.cfg: `[lessons: lessons/*.toml]`): the title, the section and
    every scene's note of a shipped lesson, as (line, None, text, []) in file order, so lesson
    texts are msgids of the same catalog as the code's words."""
    data = fileobj.read()
    doc = tomllib.loads(data.decode("utf-8"))
    lines = data.decode("utf-8").splitlines()
    starts = {key: [n for n, line in enumerate(lines, start=1)
                    if re.match(rf"\s*{key}\s*=", line)] for key in ("title", "section", "note")}
    texts = [("title", doc.get("title")), ("section", doc.get("section"))]
    texts += [("note", scene.get("note")) for scene in doc.get("scene", [])]
    seen = dict.fromkeys(starts, 0)
    for key, text in texts:
        if isinstance(text, str) and text.strip():
            found = starts[key]
            line = found[min(seen[key], len(found) - 1)] if found else 1
            seen[key] += 1
            yield line, None, text, []

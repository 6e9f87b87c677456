"""The app's words in the reader's language: `_()` and `ngettext()` over gettext catalogs.

English is written in the code (the msgids) and in the shipped lessons (app/lessons/*.toml:
titles, sections and notes); the translations live in
app/locales/<ll_CC>/LC_MESSAGES/rnnlab.po, extracted with Babel from the repository's root
(`PYTHONPATH=app pybabel extract -F babel.cfg -o rnnlab.pot app`: app/ on the path for the
lessons' extractor, lesson_files.extract_lessons; then `pybabel update -i rnnlab.pot -d
app/locales -D rnnlab`). A .po is
compiled in memory when the app first needs it (Babel's `read_po` + `write_mo`): there is no .mo
to commit and no compile step to forget.

Every string goes through `_()` whole, with named placeholders filled after translation:
`_("Step {step} of {steps}").format(step=3, steps=8)`, never a sentence glued from pieces a
translator cannot reorder.

The language is the session's: `components.language` reads `?lang=` and the sidebar's switch
into st.session_state[KEY]. `_()` looks it up at call time, so figure builders (pure: no
widgets) can use it too; outside a Streamlit run (tests, scripts) it is English unless
`using(lang)` says otherwise. Anything cached across sessions that holds words (a figure, a
table) must take the language as a cache key.

DESIGN: engine errors are worded by the app, not by the engine. The engine knows nothing of
sessions, languages or catalogs (it imports neither streamlit nor app/), and one cached engine
result can be shown to two readers in two languages in the same process. So an engine error
carries a code and its values (engine.messages.UserError: `UploadError("uploads.reader.empty",
"{filename} is empty: …", filename=…)`; str() stays English), and app/errors.py words it with
`_()` from its table of codes (`errors.say(err)`); an error without a code is shown in English.
Having the engine read the same catalogs would tie it to the UI's language state and to app/'s
files.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from pathlib import Path

LANGUAGES = {"en": "English", "zh-TW": "繁體中文"}  # link value → name in its own language
DEFAULT = "en"
KEY = "i18n.lang"  # session-state key of the session's language
DOMAIN = "rnnlab"
LOCALES = Path(__file__).resolve().parent / "locales"
_CATALOG_DIRS = {"zh-TW": "zh_TW"}  # link value → folder of its catalog
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("i18n_lang", default=None)


@functools.cache
def translations(lang: str):
    """The compiled catalog of `lang` (a gettext translations object); NullTranslations for
    English. Read from the .po once per process."""
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    folder = _CATALOG_DIRS.get(lang)
    po = LOCALES / str(folder) / "LC_MESSAGES" / f"{DOMAIN}.po"
    if folder is None or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=folder, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def current() -> str:
    """The language of this call: `using`'s, else the Streamlit session's, else English."""
    forced = _override.get()
    if forced:
        return forced
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover (streamlit is a requirement of the app)
        return DEFAULT
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return DEFAULT
    try:
        lang = ctx.session_state[KEY]
    except KeyError:
        return DEFAULT
    return lang if lang in LANGUAGES else DEFAULT


@contextlib.contextmanager
def using(lang: str):
    """Words in `lang` inside the block (tests, cached builders that take a language)."""
    token = _override.set(lang)
    try:
        yield
    finally:
        _override.reset(token)


def _(message: str) -> str:
    """`message` in the current language (itself when it has no translation)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for the number `n`, in the current language."""
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks `message` for extraction where it is defined (a constant); `_()` it when shown."""
    return message


def is_chinese() -> bool:
    """Whether the current language writes Chinese (for spacing and punctuation choices)."""
    return current().startswith("zh")


def every_form(message: str) -> set[str]:
    """`message` in every language (to recognise a widget value kept from before a switch)."""
    return {translations(lang).gettext(message) for lang in LANGUAGES}


def same_in_current(value, options: dict[str, str]):
    """The key of `options` (key → English label) whose label in any language is `value`."""
    return next((k for k, label in options.items() if value in every_form(label)), None)

"""Open the app's pages headless with Streamlit's AppTest (shared by tests/test_app*.py)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py")
TIMEOUT = 60  # seconds per script run


def _format_in_the_sessions_language(run):
    """AppTest calls a widget's format_func (a selectbox's, a radio's) from the test's thread,
    after the script's run, where i18n._ cannot see the session's language (a browser never
    does: the script formats the options). Each one is wrapped in the language of the run that
    registered it, so a Chinese page's widgets can be clicked in a test."""
    import functools

    from streamlit.runtime.state.common import TESTING_KEY

    import i18n

    def in_language(func, lang):
        def formatted(value):
            with i18n.using(lang):
                return func(value)
        return formatted

    @functools.wraps(run)
    def wrapped(self, *args, **kwargs):
        result = run(self, *args, **kwargs)
        state = self.session_state
        try:
            lang, saved = state[i18n.KEY], state[TESTING_KEY]  # (`in` does not see the latter)
        except KeyError:
            lang, saved = i18n.DEFAULT, {}
        for key, value in list(saved.items()):
            if callable(value) and lang != i18n.DEFAULT:
                saved[key] = in_language(value, lang)
        return result
    return wrapped


AppTest._run = _format_in_the_sessions_language(AppTest._run)


def run_app(page: str | None = None, *, timeout: float = TIMEOUT, **params: str) -> AppTest:
    """The app, on `page` (e.g. "views/stepper.py"), with URL parameters `params`.

    Fails the test when the script raised.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(params)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """Markdown source as a reader sees it: backslash escapes of punctuation (markup.md) and
    invisible word joiners removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def errors(at: AppTest) -> list[str]:
    """The text of every st.error on the page, as the reader sees it."""
    return [shown(e.value) for e in at.error]


def browser_stepper(at: AppTest) -> dict:
    """The data the browser stepper received (app/components/browser_stepper): the step,
    the window of steps sent ("first", "frames", "lines") and the diagram's pieces."""
    import json

    def walk(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)

    for element in walk(at.main):
        proto = getattr(element, "proto", None)
        text = getattr(proto, "json", "") if proto is not None else ""
        if isinstance(text, str) and '"frames"' in text:
            return json.loads(text)
    raise AssertionError("no browser stepper on the page")


def browser_markdown(html_text: str) -> str:
    """The stepper's HTML (<b>, <i>, <li>) as the markdown it used to be, unescaped."""
    import html

    text = html_text.replace("<li>", "- ").replace("</li>", "\n")
    text = re.sub(r"</?b>", "**", text)
    text = re.sub(r"</?i>", "*", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def step_line(at: AppTest) -> str:
    """The "**Step k of T** · …" line the browser shows at Python's step."""
    data = browser_stepper(at)
    return browser_markdown(data["lines"][data["step"] - 1 - data["first"]])


def step_frame(at: AppTest) -> dict:
    """The current step's frame: its story (HTML) and equations (LaTeX)."""
    data = browser_stepper(at)
    return data["frames"][data["step"] - 1 - data["first"]]


def step_to(at: AppTest, step: int, key: str = "stepper.step") -> AppTest:
    """Put the stepper on `step` (1-based) as the browser tells Python, and rerun."""
    at.session_state[key] = step
    return at.run()

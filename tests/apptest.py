"""Open the app's pages headless with Streamlit's AppTest (shared by tests/test_app*.py)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py")
TIMEOUT = 60  # seconds per script run


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

"""The browser's language is the default when the link says nothing: a Chinese browser opens
繁體中文 (and the link then says lang=zh-TW, so it is shared in the language it was read in), an
English one English; a link's lang= wins over the browser."""

from __future__ import annotations

import re

import pytest
from harness import assert_clean, wait_settled

from components.language import from_locale

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "lang"), [
    ("zh-TW", "zh-TW"), ("zh-Hant-HK", "zh-TW"), ("zh_CN", "zh-TW"), ("ZH", "zh-TW"),
    ("en-US", "en"), ("fr-FR", "en"), ("", "en"), (None, "en"), (42, "en"), ("zhx-foo", "en"),
])
def test_a_browser_locale_maps_to_the_apps_language(locale, lang):
    assert from_locale(locale) == lang


def _open(browser, server, locale: str, query: str = ""):
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.goto(f"{server.url}/{query}")
    wait_settled(page)
    return context, page


def _heading(page) -> str:
    return page.get_by_role("heading", level=3).first.inner_text()


def test_a_chinese_browser_opens_in_chinese_and_the_link_says_so(browser, server):
    context, page = _open(browser, server, "zh-TW")
    try:
        assert page.evaluate("navigator.language") == "zh-TW"
        page.wait_for_function("() => location.search.includes('lang=zh-TW')", timeout=15_000)
        assert "實驗" in _heading(page)  # "Labs"
        assert_clean(page)
    finally:
        context.close()


def test_an_english_browser_opens_in_english(browser, server):
    context, page = _open(browser, server, "en-US")
    try:
        assert _heading(page) == "Labs"
        assert "lang=" not in page.url
        assert_clean(page)
    finally:
        context.close()


def test_the_links_language_wins_over_the_browsers(browser, server):
    context, page = _open(browser, server, "zh-TW", "?lang=en")
    try:
        assert _heading(page) == "Labs"
        assert re.search(r"lang=en\b", page.url)
    finally:
        context.close()

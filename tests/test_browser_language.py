"""The sidebar's language switch in a real browser: it turns the page Chinese (its title and the
navigation) and writes lang=zh-TW into the link; moving to another lab through the navigation
keeps the language, and so does a reload; switching back gives English again."""

from __future__ import annotations

import re

import pytest
from harness import assert_clean, wait_settled

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")
LOAD_MS = 120_000  # a lab's first run on a busy machine


@pytest.fixture
def english_page(browser, server):
    """A laptop-sized page in an English browser (so the browser's language is not Chinese)."""
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def title(page) -> str:
    """The page's title: its first heading."""
    heading = page.locator('[data-testid="stMain"] h1').first
    heading.wait_for(timeout=LOAD_MS)
    return heading.inner_text().strip()


def wait_for_title(page, pattern: str) -> None:
    page.wait_for_function(
        """(pattern) => {
            const h = document.querySelector('[data-testid="stMain"] h1');
            return h && new RegExp(pattern).test(h.innerText);
        }""", arg=pattern, timeout=LOAD_MS)
    wait_settled(page, LOAD_MS)


def switch_to(page, name: str) -> None:
    """Click `name` (English or 繁體中文) in the sidebar's language switch."""
    page.locator('[data-testid="stSidebar"] button').filter(
        has_text=re.compile(f"^{re.escape(name)}$")).click()


def test_the_switch_changes_the_language_and_the_link_and_both_survive(english_page, server):
    page = english_page
    page.goto(f"{server.url}/gradients")
    wait_settled(page, LOAD_MS)
    assert title(page) == "Gradient lab"
    assert "lang=" not in page.url

    switch_to(page, "繁體中文")
    wait_for_title(page, "梯度實驗室")
    page.wait_for_function("() => location.search.includes('lang=zh-TW')", timeout=15_000)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "CTC 實驗室" in nav or len(CJK.findall(nav)) > 10, nav

    # another lab through the sidebar's navigation: still Chinese, still in the link
    page.locator('[data-testid="stSidebarNav"] a[href$="/ctc"]').click()
    page.wait_for_url(re.compile(r"/ctc"), timeout=LOAD_MS)
    wait_for_title(page, "[\u4e00-\u9fff]")
    assert title(page) != "CTC lab" and CJK.search(title(page)), title(page)
    page.wait_for_function("() => location.search.includes('lang=zh-TW')", timeout=15_000)

    # a reload keeps it (the link says lang=zh-TW)
    page.reload()
    wait_settled(page, LOAD_MS)
    wait_for_title(page, "[\u4e00-\u9fff]")
    assert "lang=zh-TW" in page.url
    assert_clean(page)

    switch_to(page, "English")
    wait_for_title(page, "^CTC lab$")
    page.wait_for_function("() => !location.search.includes('lang=zh-TW')", timeout=15_000)
    assert_clean(page)

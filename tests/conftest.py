"""Shared fixtures of the browser tests: one headless Chromium per run, one app server per test
module, a fresh page per test. In CI (CI=true) a missing Chromium is a failure; elsewhere the
browser tests skip and say why."""

from __future__ import annotations

import os

import pytest
from harness import AppServer, chromium_path, launch_browser


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, launched once for the whole run (never downloaded)."""
    if chromium_path() is None:
        message = "Chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    """The real app on a free loopback port, one per test module."""
    with AppServer() as app:
        yield app


@pytest.fixture
def page(browser, server):
    """A fresh browser context at a laptop size; `page.js_errors` collects page errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()

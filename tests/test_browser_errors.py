"""An unexpected error reaches the user as its type and a short message: no traceback, no file
paths, no terminal escapes (client.showErrorDetails = "type" in .streamlit/config.toml)."""

from __future__ import annotations

import pytest
import tomllib
from harness import ROOT, AppServer, wait_settled

pytestmark = pytest.mark.browser

FAILING = '''
import streamlit as st
st.title("A page that fails")
raise ValueError("\\x1b[1mboom\\x1b[0m at /srv/secret/location/model.py line 12")
'''


def test_the_config_hides_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] in ("type", "none")


def test_an_unexpected_error_shows_no_traceback_or_paths(browser, tmp_path):
    script = tmp_path / "failing_page.py"
    script.write_text(FAILING)
    with AppServer(script) as app:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(app.url)
            wait_settled(page)
            page.wait_for_selector('[data-testid="stException"]', timeout=30_000)
            shown = page.inner_text('[data-testid="stApp"]')
        finally:
            context.close()
    assert "ValueError" in shown
    for secret in ("/srv/secret", "Traceback", 'File "', str(tmp_path), "\x1b"):
        assert secret not in shown, (secret, shown)

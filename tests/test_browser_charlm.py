"""The Character LSTM page in the real browser: it loads, steps with Next, and colours the text."""

from __future__ import annotations

import re

import pytest
from harness import wait_settled
from test_browser import assert_clean, browser, open_page, page, server, step_label  # noqa: F401

from engine import charlm

pytestmark = pytest.mark.browser


def test_the_character_lstm_steps_in_the_browser(page, server):  # noqa: F811
    open_page(page, server, "charlm")
    steps = len(charlm.DEFAULT_TEXT)
    assert step_label(page).startswith(f"Step 1 of {steps}")
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_function(
        f"() => document.body.innerText.includes('Step 2 of {steps}')")
    wait_settled(page)
    text = page.locator(".charlm-text")
    assert text.count() == 1
    assert text.locator("span").count() == steps
    assert page.locator(".charlm-text .cur").inner_text() == charlm.DEFAULT_TEXT[1]
    assert page.locator(".charlm-next").count() == 5
    assert_clean(page, server)


def test_too_long_a_text_is_refused_in_the_browser(page, server):  # noqa: F811
    open_page(page, server, "charlm")
    area = page.get_by_role("textbox", name="Text")
    area.fill("y" * (charlm.MAX_CHARS + 5))
    area.press("Control+Enter")
    page.wait_for_selector('[data-testid="stAlert"]')
    wait_settled(page)
    assert "2,000" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert_clean(page, server)


def test_clicking_a_ranked_cell_colours_the_text_by_it(page, server):  # noqa: F811
    ranking = charlm.rank_cells(charlm.read(charlm.shipped_model(), charlm.DEFAULT_TEXT), "c")
    row = ranking.features.index("pos_in_line")
    cell = ranking.names[ranking.top("pos_in_line", 1)[0][0]]
    open_page(page, server, "charlm")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    # the row-selection checkbox of the row: first column, below the 35-px header row
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 * row + 17)
    page.wait_for_function(
        f"() => document.body.innerText.includes('of {cell} after each character')")
    wait_settled(page)
    assert f"{cell} after step 1:" in page.inner_text("body")
    assert_clean(page, server)

"""The attention page in the real browser: it steps with the keyboard and the buttons, the input
boxes carry each step's weights, the matrix fills row by row, and a refused text keeps the date."""

from __future__ import annotations

import re

import pytest
from harness import assert_clean, open_page, step_label, wait_settled

from engine import attention, date_data

pytestmark = pytest.mark.browser


def weights_shown(page) -> list[str]:
    return page.locator(".att-input").first.locator("small").all_inner_texts()


def test_the_attention_page_steps_and_shows_where_each_step_looks(page, server):
    text = date_data.FORMS["cjk"]
    tr = attention.translate(text)
    open_page(page, server, "attention?text=" + text)
    assert step_label(page).startswith("Step 1 of 10")
    assert weights_shown(page) == [f"{100 * w:.0f}%" for w in tr.weights[0]]
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_function("() => document.body.innerText.includes('Step 2 of 10')")
    wait_settled(page)
    assert weights_shown(page) == [f"{100 * w:.0f}%" for w in tr.weights[1]]
    page.keyboard.press("End")
    page.wait_for_function("() => document.body.innerText.includes('Step 10 of 10')")
    wait_settled(page)
    assert "so far 2026-11-02" in step_label(page)
    page.wait_for_url(re.compile(r"step=10"))
    assert page.locator(".att-next").count() == 5
    # the context, the matrix and the accuracy chart are drawn
    page.wait_for_selector(".js-plotly-plot .heatmaplayer")
    assert page.locator(".js-plotly-plot").count() == 3
    page.screenshot(path="/tmp/attention_page.png", full_page=True)
    assert_clean(page, server)


def test_a_refused_text_gets_the_limit_and_the_page_keeps_the_date(page, server):
    open_page(page, server, "attention")
    box = page.get_by_role("textbox", name="A date as people write it")
    box.fill("9" * (attention.MAX_INPUT_CHARS + 1))
    box.press("Enter")
    refusal = page.locator('[data-testid="stAlert"]',
                           has_text=f"at most {attention.MAX_INPUT_CHARS}").first
    refusal.wait_for(timeout=30_000)  # (other alerts may be on the page already)
    wait_settled(page)
    alert = refusal.inner_text()
    assert f"at most {attention.MAX_INPUT_CHARS}" in alert
    assert "Still showing “nov. 2nd, 2026”" in alert
    assert step_label(page).startswith("Step 1 of 10")
    assert_clean(page, server)

"""Every shipped trained model in the real browser: picked by link, stepped with Next."""

from __future__ import annotations

import re

import pytest
from harness import assert_clean, open_page, step_label, wait_settled

from engine import zoo

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("key", list(zoo.SHIPPED))
def test_each_shipped_model_steps_in_the_browser(page, server, key):
    open_page(page, server, f"stepper?model={key}")
    first = step_label(page)
    assert first.startswith("Step 1 of "), first
    total = first.split(" of ")[1].split()[0]
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_function(
        f"() => document.body.innerText.includes('Step 2 of {total}')")
    wait_settled(page)
    page.wait_for_url(re.compile(r"step=2"))
    assert zoo.shipped(key).title in page.inner_text("body")
    assert_clean(page, server)


def test_the_learned_lecture_lstm_is_drawn_next_to_the_hand_wired_one(page, server):
    open_page(page, server, "stepper?model=lecture_learned&step=6")
    page.get_by_role("tab", name=re.compile("Learned vs hand-wired")).click()
    page.wait_for_function("() => document.body.innerText.includes('hand-wired (lecture)')")
    wait_settled(page)
    # the comparison chart beside the step's own diagram (drawn by the browser stepper)
    page.locator(".rnn-diagram svg").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stPlotlyChart"]:visible').count() >= 1
    assert page.locator('[data-testid="stDataFrame"]:visible').count() == 1  # weights
    assert_clean(page, server)

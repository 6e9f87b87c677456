"""The slot-filling lab in the real browser: load it, step with Next, switch the tagger."""

from __future__ import annotations

import re

import pytest
from harness import wait_settled
from test_browser import assert_clean, browser, open_page, page, server  # noqa: F401

pytestmark = pytest.mark.browser


def metric_value(tab, label: str) -> str:
    box = tab.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_the_slot_lab_steps_and_tells_dest_from_origin(page, server):  # noqa: F811
    open_page(page, server, "slots")
    assert metric_value(page, "Word 1 (A)") == "arrive"
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_function("() => document.body.innerText.includes('Word 2 (A)')")
    wait_settled(page)
    assert metric_value(page, "Slot (A)") == "dest"
    assert metric_value(page, "Slot (B)") == "origin"
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 4
    page.get_by_role("radio", name=re.compile("Feed-forward")).click()
    page.wait_for_function("() => document.body.innerText.includes('in both sentences')")
    wait_settled(page)
    assert metric_value(page, "Slot (A)") == metric_value(page, "Slot (B)")
    assert_clean(page, server)

"""The gradient lab in the real browser: a click anywhere on the error surface sets the start."""

from __future__ import annotations

import pytest
from harness import assert_clean, wait_settled

pytestmark = pytest.mark.browser

W_RANGE, B_RANGE = (3.0, 8.0), (-5.0, 0.0)  # the surface's window (engine.gradients.CLIFF_*)


def start_value(page, label: str) -> float:
    return float(page.get_by_label(label, exact=True).input_value())


def test_a_click_on_the_surface_sets_the_start(page, server):
    page.goto(f"{server.url}/gradients")
    wait_settled(page)
    page.get_by_role("tab", name="B · The cliff and clipping").click()
    wait_settled(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(
        has=page.locator(".heatmaplayer")).first
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first.bounding_box()
    assert area is not None
    # a point away from the default start (5.5, -2) and from both trajectories
    w, b = 4.0, -4.0
    x = area["x"] + (w - W_RANGE[0]) / (W_RANGE[1] - W_RANGE[0]) * area["width"]
    y = area["y"] + (B_RANGE[1] - b) / (B_RANGE[1] - B_RANGE[0]) * area["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => [...document.querySelectorAll('input')].some(i => i.value === '4.00')",
        timeout=20_000)
    wait_settled(page)
    assert start_value(page, "start w") == pytest.approx(w, abs=0.07)
    assert start_value(page, "start b") == pytest.approx(b, abs=0.07)
    page.screenshot(path="/tmp/gradients_surface_clicked.png", full_page=False)
    assert_clean(page, server)

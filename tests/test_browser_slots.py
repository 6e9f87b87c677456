"""The slot-filling lab in the real browser: load it, step with Next, switch the tagger."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from harness import assert_clean, open_page, wait_settled

pytestmark = pytest.mark.browser


def metric_value(tab, label: str) -> str:
    box = tab.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_the_slot_lab_steps_and_tells_dest_from_origin(page, server):
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


EVIL = ("[x](https://evil.example)", "<img src=https://evil.example/x.png>")


def wait_text(page, text: str) -> None:
    page.wait_for_function(f"() => document.body.innerText.includes({text!r})")
    wait_settled(page)


def test_a_link_opened_cold_lands_on_its_state_and_a_reload_keeps_it(page, server):
    params = {"a": "leave Boston at 7 pm", "b": "arrive Boston at 7 pm",
              "tagger": "feedforward", "encoding": "trigram", "step": "2"}
    open_page(page, server, "slots?" + urlencode(params))
    for _ in range(2):
        wait_text(page, "Word 2 (A)")
        assert metric_value(page, "Word 2 (A)") == metric_value(page, "Word 2 (B)") == "Boston"
        # no memory: the same word gets the same slot in both sentences
        assert metric_value(page, "Slot (A)") == metric_value(page, "Slot (B)")
        assert page.get_by_role("textbox", name="Sentence A").input_value() == params["a"]
        assert page.get_by_role("radio", name="Word hashing").is_checked()
        page.reload()
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_url(re.compile(r"step=3"))
    assert_clean(page, server)


@pytest.mark.parametrize("evil", EVIL)
def test_typed_and_linked_words_never_become_markup(page, server, evil):
    open_page(page, server, "slots")
    box = page.get_by_role("textbox", name="Sentence B")
    typed = f"leave {evil} {evil}"
    box.fill(typed)
    box.press("Enter")
    wait_text(page, f"(word 1 of {len(typed.split())})")
    page.get_by_role("slider").first.focus()
    page.keyboard.press("End")
    wait_text(page, f"(word {len(typed.split())} of {len(typed.split())})")
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    open_page(page, server, "slots?" + urlencode({"a": f"arrive {evil} now", "b": evil,
                                                  "step": "3"}))
    wait_text(page, "Word 3 (A)")
    assert evil.split()[0] in page.inner_text("body")
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert_clean(page, server)

"""The Character LSTM page in the real browser: it loads, steps with Next, and colours the text."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest
from harness import assert_clean, open_page, step_label, wait_settled

from engine import charlm

pytestmark = pytest.mark.browser


def test_the_character_lstm_steps_in_the_browser(page, server):
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


def test_too_long_a_text_is_refused_in_the_browser(page, server):
    open_page(page, server, "charlm")
    area = page.get_by_role("textbox", name="Text")
    area.fill("y" * (charlm.MAX_CHARS + 5))
    area.press("Control+Enter")
    page.wait_for_selector('[data-testid="stAlert"]')
    wait_settled(page)
    assert "2,000" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert_clean(page, server)


def test_clicking_a_ranked_cell_colours_the_text_by_it(page, server):
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


EVIL = ("[x](https://evil.example)", "<img src=https://evil.example/x.png>")


def ticked(table) -> list[str]:
    """The cell names of the rows ticked in a ranking table (its accessible grid)."""
    return table.evaluate("""t => [...t.querySelectorAll('tr[aria-selected="true"]')].map(
        r => [...r.querySelectorAll('td')].map(d => d.innerText).find(x => /^c[0-9]+$/.test(x)))""")


def wait_ticked(table, want: list[str], timeout: float = 15.0) -> list[str]:
    """The table's ticked cells once they are `want` (the grid redraws its selection a moment
    after the script has finished), or what they are after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (got := ticked(table)) != want and time.monotonic() < deadline:
        table.page.wait_for_timeout(200)
    return got


def wait_text(page, text: str) -> None:
    page.wait_for_function(f"() => document.body.innerText.includes({text!r})")
    wait_settled(page)


def picker_value(page) -> str:
    return page.get_by_role("combobox", name="Colour the text by cell").input_value()


def apply_text(page, text: str) -> None:
    area = page.get_by_role("textbox", name="Text")
    area.fill(text)
    area.press("Control+Enter")
    wait_text(page, f" of {len(text)} · reads")


def test_a_clicked_cell_stays_the_one_chosen_when_the_text_changes(page, server):
    model = charlm.shipped_model()
    ranking = charlm.rank_cells(charlm.read(model, charlm.DEFAULT_TEXT), "c")
    cell = ranking.names[ranking.top("in_quotes", 10)[1][0]]
    new = 'x = "a" + "b"  # (two "strings")\nprint(x, "done")\n'
    listed = [ranking.names[n] for n, _ in
              charlm.rank_cells(charlm.read(model, new), "c").top("in_quotes", 10)]
    open_page(page, server, "charlm")
    best, top = (page.locator('[data-testid="stDataFrame"]').nth(i) for i in (0, 1))
    top.scroll_into_view_if_needed()
    box = top.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 * 1 + 17)  # row 2's checkbox
    wait_text(page, f"of {cell} after each character")
    assert wait_ticked(top, [cell]) == [cell] and wait_ticked(best, []) == []
    assert picker_value(page) == cell
    apply_text(page, new)
    wait_text(page, f"memory of {cell} after each character")
    for name in listed:  # the top ten of the new text are drawn
        top.locator("td").filter(has_text=re.compile(f"^{name}$")).first.wait_for(state="attached")
    # the text stays coloured by the chosen cell, and no table ticks another one
    want = [cell] if cell in listed else []
    assert wait_ticked(top, want) == want and wait_ticked(best, []) == []
    assert picker_value(page) == cell and f"text coloured by {cell}" in page.inner_text("body")
    assert_clean(page, server)


def test_a_link_opened_cold_lands_on_its_state_and_a_reload_keeps_it(page, server):
    text = 'say("hi") and (go)\nnow'
    open_page(page, server, "charlm?" + urlencode(
        {"text": text, "step": 4, "cell": "c173", "series": "h", "feature": "pos_in_line"}))
    for _ in range(2):
        wait_text(page, "output of c173 after each character")
        assert step_label(page).startswith(f"Step 4 of {len(text)}")
        assert picker_value(page) == "c173"
        assert page.locator(".charlm-text .cur").inner_text() == "("
        page.reload()
        wait_settled(page)
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_url(re.compile(r"step=5"))
    assert_clean(page, server)


@pytest.mark.parametrize("evil", EVIL)
def test_link_and_typed_text_never_become_markup(page, server, evil):
    open_page(page, server, "charlm?" + urlencode({"text": evil + " (" + evil + ")",
                                                   "step": 2}))
    wait_text(page, f"Step 2 of {2 * len(evil) + 3}")
    assert page.locator(".charlm-text").inner_text().startswith(evil)
    for step in range(3):
        if step:
            page.get_by_role("button", name=re.compile("Next")).click()
            wait_text(page, f"Step {step + 2} of")
        assert page.locator('a[href*="evil.example"]').count() == 0
        assert page.locator('img[src*="evil.example"]').count() == 0
    apply_text(page, f"{evil}\n{evil}")
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert_clean(page, server)

"""The Character LSTM page in the real browser: it steps in the browser (keys and a click send
no message to the server), colours the text by the chosen cell up to the current character with
the engine's values, draws the model's next-character bars, and keeps the step in the link."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import numpy as np
import pytest
from harness import assert_clean, open_page, step_label, wait_settled

from engine import charlm
from figures.charlm import shade_levels
from figures.charlm_frames import shade_colors

pytestmark = pytest.mark.browser

STEP = "() => document.querySelector('.rnn-stepper').dataset.step"
CURRENT = ".rnn-stepper .rnn-text .cur"
# The drawn bars' characters, likeliest first (the stepper's SVG labels named char-0 ...).
BAR_CHARS = """() => [...document.querySelectorAll('.rnn-diagram g[data-name^="char-"]')]
    .map(g => g.textContent)"""
# Every character's background and class in the coloured text.
SPANS = """() => [...document.querySelectorAll('.rnn-stepper .rnn-text-body span')]
    .map(s => [s.style.background, s.className])"""


def wait_step(page, step: int) -> None:
    page.wait_for_function(f"() => ({STEP})() === '{step}'", timeout=15_000)


def rgba(css: str) -> tuple[float, ...]:
    """A CSS colour as numbers (the browser writes "rgba(37, 99, 235, 0.7)")."""
    return tuple(float(x) for x in re.findall(r"[\d.]+", css))


def test_keys_and_a_click_step_with_no_message_and_the_engines_numbers(page, server):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.emulate_media(reduced_motion="reduce")  # no animation: each step is drawn at once
    text = charlm.DEFAULT_TEXT
    reading = charlm.read(charlm.shipped_model(), text)
    top = charlm.top_k(reading.probs, charlm.ALPHABET, 5)
    open_page(page, server, "charlm")
    assert step_label(page).startswith(f"Step 1 of {len(text)}")
    page.mouse.click(1200, 5)  # nothing focused: keys go to the page
    page.wait_for_timeout(1500)
    sent.clear()
    for k in range(1, 9):
        page.keyboard.press("ArrowRight")
        wait_step(page, k + 1)
        assert page.locator(CURRENT).inner_text() == text[k]
        assert page.evaluate(BAR_CHARS) == [charlm.glyph(c) for c in top.chars[k]]
    page.locator(".rnn-stepper [data-move=next]").click()
    wait_step(page, 10)
    page.wait_for_url(re.compile(r"step=10"))
    assert len(sent) <= 2, sent
    # the text is coloured by the chosen cell (c0) up to the current character, and no further
    values = reading.cells[:, 0].numpy()
    shades = shade_levels(values, np.abs(values).max())
    colours = shade_colors()
    spans = page.evaluate(SPANS)
    assert len(spans) == len(text)
    for k, (background, cls) in enumerate(spans):
        if k > 9:
            assert (background, cls) == ("", "rnn-unread"), k
        elif shades[k]:
            assert rgba(background) == pytest.approx(rgba(colours[shades[k] + 8]), abs=0.01), k
        else:
            assert background == "", k
    assert [cls for _, cls in spans].count("cur") == 1 and spans[9][1] == "cur"
    p = float(reading.probs[9, charlm.indices(text[10])[0]])
    assert f"{p:.1%}" in page.locator(".rnn-diagram").inner_text()
    page.reload()
    wait_settled(page)
    assert step_label(page).startswith(f"Step 10 of {len(text)}")
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


def test_the_longest_text_steps_beyond_the_window_it_was_sent(page, server):
    """2,000 characters: End goes to the last character, outside the 48 steps sent; the
    browser asks Python for the steps around it and draws them."""
    text = "x = (1, 'two')#\n" * (charlm.MAX_CHARS // 16)  # 2,000 characters
    open_page(page, server, "charlm")
    area = page.get_by_role("textbox", name="Text")
    area.fill(text)
    area.press("Control+Enter")
    page.wait_for_function(f"() => document.body.innerText.includes('of {len(text)} · reads')")
    wait_settled(page)
    page.mouse.click(1200, 5)
    page.keyboard.press("End")
    wait_step(page, len(text))
    top = charlm.top_k(charlm.read(charlm.shipped_model(), text).probs, charlm.ALPHABET, 5)
    page.wait_for_function(f"() => ({BAR_CHARS})().join('') === "
                           f"{''.join(charlm.glyph(c) for c in top.chars[-1])!r}",
                           timeout=30_000)
    assert page.locator(CURRENT).inner_text() == "↵"
    page.wait_for_url(re.compile(rf"step={len(text)}"))
    assert_clean(page, server)


def test_clicking_a_ranked_cell_colours_the_text_by_it(page, server):
    ranking = charlm.rank_cells(charlm.read(charlm.shipped_model(), charlm.DEFAULT_TEXT), "c")
    row = ranking.features.index("pos_in_line")
    cell = ranking.names[ranking.top("pos_in_line", 1)[0][0]]
    open_page(page, server, "charlm?step=3")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    # the row-selection checkbox of the row: first column, below the 35-px header row
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 * row + 17)
    page.wait_for_function(
        f"() => document.body.innerText.includes('of {cell} after each character')")
    wait_settled(page)
    assert f"{cell} after step 3:" in page.inner_text("body")  # the step stayed
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
    wait_text(page, f"memory c of {cell} after each character")
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
        wait_text(page, "output h of c173 after each character")
        assert step_label(page).startswith(f"Step 4 of {len(text)}")
        assert picker_value(page) == "c173"
        assert page.locator(CURRENT).inner_text() == "("
        page.reload()
        wait_settled(page)
    page.locator(".rnn-stepper [data-move=next]").click()
    page.wait_for_url(re.compile(r"step=5"))
    assert page.locator(CURRENT).inner_text() == text[4]
    assert_clean(page, server)


@pytest.mark.parametrize("evil", EVIL)
def test_link_and_typed_text_never_become_markup(page, server, evil):
    open_page(page, server, "charlm?" + urlencode({"text": evil + " (" + evil + ")",
                                                   "step": 2}))
    wait_text(page, f"Step 2 of {2 * len(evil) + 3}")
    assert page.locator(".rnn-stepper .rnn-text-body").inner_text().startswith(evil)
    for step in range(3):
        if step:
            page.locator(".rnn-stepper [data-move=next]").click()
            wait_step(page, step + 2)
        assert page.locator('a[href*="evil.example"]').count() == 0
        assert page.locator('img[src*="evil.example"]').count() == 0
    apply_text(page, f"{evil}\n{evil}")
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert_clean(page, server)

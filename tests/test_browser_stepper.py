"""The LSTM step-through steps in the browser: keys, buttons and a swipe move the step with no
message to the server, the diagram shows the lecture's numbers at every step, the link keeps
the step, and the server learns the step before another control is used."""

from __future__ import annotations

import re

import pytest
from harness import assert_clean, open_page, step_label, swipe, wait_settled

from engine import lee

pytestmark = pytest.mark.browser

MEMORY_TEXT = """() => {
  const g = document.querySelector('.rnn-diagram g[data-name="memory-value"]');
  return g ? g.textContent : null;
}"""


def test_eight_steps_send_no_message_and_the_link_keeps_the_step(page, server):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.emulate_media(reduced_motion="reduce")  # no animation: each step is drawn at once
    open_page(page, server, "stepper")
    assert "Step 1 of 9" in step_label(page)
    page.mouse.click(900, 5)  # nothing focused: keys go to the page
    page.wait_for_timeout(1500)
    sent.clear()
    memory = [f"{v:g}" for v in lee.LECTURE_MEMORY.tolist()]
    for k in range(1, 9):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => document.querySelector('.rnn-stepper').dataset.step "
                               f"=== '{k + 1}'")
        # the memory box reads "before → after" with the lecture's numbers
        assert page.evaluate(MEMORY_TEXT) == f"{memory[k - 1]} → {memory[k]}"
    assert "Step 9 of 9" in step_label(page)
    page.wait_for_url(re.compile(r"step=9"))
    assert len(sent) <= 2, sent
    page.reload()
    wait_settled(page)
    assert "Step 9 of 9" in step_label(page)
    assert_clean(page, server)


def test_another_control_hears_the_step_the_browser_is_on(page, server):
    open_page(page, server, "stepper")
    step_label(page)
    page.mouse.click(900, 5)
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.rnn-stepper').dataset.step === '5'")
    page.get_by_role("tab", name=re.compile("Over time")).click()
    wait_settled(page)
    page.locator(".st-key-timeline .js-plotly-plot").first.wait_for(timeout=30_000)
    wait_settled(page)
    # the over-time chart Python drew marks step 5 (meta.step is 0-based)
    assert page.evaluate(
        "() => document.querySelector('.st-key-timeline .js-plotly-plot').layout.meta.step") == 4
    assert "Step 5 of 9" in step_label(page)
    assert_clean(page, server)


def test_a_swipe_on_the_diagram_steps(page, server):
    open_page(page, server, "stepper?step=3")
    assert "Step 3 of 9" in step_label(page)
    swipe(page, ".rnn-diagram", -120)  # to the left: the next step
    page.wait_for_function("() => document.querySelector('.rnn-stepper').dataset.step === '4'")
    swipe(page, ".rnn-diagram", 120)
    swipe(page, ".rnn-diagram", 120)
    page.wait_for_function("() => document.querySelector('.rnn-stepper').dataset.step === '2'")
    swipe(page, ".rnn-diagram", 10)  # too short: no step
    page.wait_for_timeout(300)
    assert "Step 2 of 9" in step_label(page)
    assert_clean(page, server)


STEP = "() => document.querySelector('.rnn-stepper').dataset.step"
PLAY = ".rnn-stepper [data-move=play]"


def test_play_moves_a_step_a_tick_stops_at_the_end_and_a_move_by_hand_pauses(page, server):
    page.emulate_media(reduced_motion="reduce")
    open_page(page, server, "stepper?step=8")
    assert "Step 8 of 9" in step_label(page)
    play = page.locator(PLAY)
    assert page.locator(".rnn-stepper .rnn-speed").input_value() == "1000"  # 1 s a step
    play.click()
    assert play.get_attribute("aria-pressed") == "true" and "Pause" in play.inner_text()
    page.wait_for_function(f"() => ({STEP})() === '9'", timeout=5_000)  # one tick
    page.wait_for_function(f"() => document.querySelector('{PLAY}')"
                           ".getAttribute('aria-pressed') === 'false'", timeout=5_000)
    page.wait_for_timeout(1500)  # stopped at the end: no tick moves it on
    assert page.evaluate(STEP) == "9" and "Play" in play.inner_text()
    play.click()  # from the last step, Play starts over
    assert page.evaluate(STEP) == "1" and play.get_attribute("aria-pressed") == "true"
    page.wait_for_function(f"() => ({STEP})() === '3'", timeout=5_000)  # two ticks
    page.locator(".rnn-stepper [data-move=prev]").click()  # a step by hand pauses
    moved = page.evaluate(STEP)
    assert play.get_attribute("aria-pressed") == "false" and "Play" in play.inner_text()
    page.wait_for_timeout(1500)
    assert page.evaluate(STEP) == moved
    page.mouse.click(900, 5)  # nothing focused: Space goes to the page and plays
    page.keyboard.press("Space")
    page.wait_for_function(f"() => ({STEP})() === String(Number('{moved}') + 1)",
                           timeout=5_000)
    page.keyboard.press("Space")
    assert play.get_attribute("aria-pressed") == "false"
    assert_clean(page, server)


def test_the_steppers_own_words_are_chinese_with_lang_zh_tw(page, server):
    """stepper.js puts the words Python sent in place of stepper.html's English: the buttons,
    their titles, the speeds, the equations' heading, the step line and Play ↔ Pause."""
    page.emulate_media(reduced_motion="reduce")
    open_page(page, server, "stepper?lang=zh-TW&seq=walkthrough&step=4")
    page.locator(".rnn-stepper .rnn-line", has_text="第 4 步，共 5 步").wait_for(timeout=30_000)
    bar = page.locator(".rnn-stepper-bar").inner_text()
    for word in ("開頭", "上一步", "播放", "下一步", "結尾"):
        assert word in bar, bar
    assert not re.search(r"First|Previous|Play|Next|Last", bar), bar
    assert page.locator(".rnn-stepper [data-move=next]").get_attribute("title") == "下一步（→）"
    assert page.locator(".rnn-equations summary").inner_text() == "代入這一步數字的方程式"
    speeds = page.locator(".rnn-speed option").all_inner_texts()
    assert speeds == ["慢 · 2 秒", "每步 1 秒", "快 · 0.5 秒"], speeds
    # the lecture's [1, 0, 1] step: the output gate opens and the memory 7 goes out
    assert page.evaluate(MEMORY_TEXT) == "7 → 7"
    assert "輸出閘" in page.locator(".rnn-stepper .rnn-story").inner_text()
    page.locator(".rnn-stepper [data-move=first]").click()
    page.locator(".rnn-stepper .rnn-line", has_text="第 1 步，共 5 步").wait_for()
    page.locator(".rnn-speed").select_option("2000")  # 2 s a step: no tick before the checks
    play = page.locator(PLAY)
    play.click()
    assert "暫停" in play.inner_text()
    play.click()
    assert "播放" in play.inner_text()
    assert_clean(page, server)

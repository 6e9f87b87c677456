"""The slot-filling lab in the real browser: keys and buttons step both sentences with no
message to the server, the drawing shows the engine's slots at every word, the link keeps the
word, another tagger is one click away, typed words never become markup."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from harness import assert_clean, open_page, swipe, wait_settled

from engine import slots

pytestmark = pytest.mark.browser

STEP = "() => document.querySelector('.st-key-slots-stepper .rnn-stepper')?.dataset.step"
LABEL = """(name) => {
  const g = document.querySelector(`.st-key-slots-stepper .rnn-diagram g[data-name="${name}"]`);
  return g ? g.textContent : null;
}"""


def wait_step(page, step: int) -> None:
    page.wait_for_function(f"() => ({STEP})() === '{step}'", timeout=30_000)


def label(page, name: str) -> str | None:
    return page.evaluate(LABEL, name)


def line(page) -> str:
    return page.locator(".st-key-slots-stepper .rnn-line").first.inner_text()


def test_keys_and_a_click_step_both_sentences_with_no_message_to_the_server(page, server):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.emulate_media(reduced_motion="reduce")  # no animation: each step is drawn at once
    open_page(page, server, "slots")
    wait_step(page, 1)
    a, b = (slots.read(text, "lstm") for text in slots.LECTURE_SENTENCES)
    page.mouse.click(900, 5)  # nothing focused: keys go to the page
    page.wait_for_timeout(1500)
    sent.clear()
    moves = ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "End", "Home", "click",
             "ArrowRight"]
    expected = [2, 3, 4, 3, 5, 1, 2, 3]
    for move, step in zip(moves, expected, strict=True):
        if move == "click":
            page.locator(".st-key-slots-stepper [data-move=next]").click()
        else:
            page.keyboard.press(move)
        wait_step(page, step)
        k = step - 1
        for name, r in (("A", a), ("B", b)):  # the engine's reading, word k
            assert label(page, f"{name}-word") == r.tokens[k]
            assert label(page, f"{name}-slot") == r.tags[k]
            assert label(page, f"{name}-prob") == f"{float(r.probs[k].max()):.2f}"
        assert line(page).startswith(f"Word {step} of 5")
    assert len(sent) <= 2, sent  # 8 steps: at most a message or two, never one a step
    page.wait_for_url(re.compile(r"step=3"))
    assert (label(page, "A-slot"), label(page, "B-slot")) == ("other", "other")
    page.reload()  # the link keeps the word
    wait_settled(page)
    wait_step(page, 3)
    assert "Input vector x of “on”" in page.locator(".st-key-slots-stepper .rnn-story")\
        .first.inner_text()
    assert_clean(page, server)


def test_the_server_hears_the_word_before_the_tagger_changes(page, server):
    open_page(page, server, "slots")
    wait_step(page, 1)
    page.mouse.click(900, 5)
    page.keyboard.press("ArrowRight")
    wait_step(page, 2)
    assert (label(page, "A-slot"), label(page, "B-slot")) == ("dest", "origin")
    page.get_by_role("radio", name=re.compile("Feed-forward")).click()
    page.wait_for_function("() => document.body.innerText.includes('in both sentences')")
    wait_settled(page)
    wait_step(page, 2)  # still on "Taipei", now read by the tagger with no memory
    assert label(page, "A-word") == "Taipei" and label(page, "A-slot") == label(page, "B-slot")
    assert re.search(r"step=2", page.url) and "tagger=feedforward" in page.url
    assert_clean(page, server)


def test_a_swipe_on_the_drawing_steps(page, server):
    open_page(page, server, "slots?step=3")
    wait_step(page, 3)
    swipe(page, ".st-key-slots-stepper .rnn-diagram", -120, 40)
    wait_step(page, 4)
    swipe(page, ".st-key-slots-stepper .rnn-diagram", 120, 40)
    wait_step(page, 3)
    assert_clean(page, server)


def test_a_link_opened_cold_lands_on_its_state_and_a_reload_keeps_it(page, server):
    params = {"a": "leave Boston at 7 pm", "b": "arrive Boston at 7 pm",
              "tagger": "feedforward", "encoding": "trigram", "step": "2"}
    open_page(page, server, "slots?" + urlencode(params))
    for _ in range(2):
        wait_step(page, 2)
        assert label(page, "A-word") == label(page, "B-word") == "Boston"
        # no memory: the same word gets the same slot in both sentences
        assert label(page, "A-slot") == label(page, "B-slot")
        assert page.get_by_role("textbox", name="Sentence A").input_value() == params["a"]
        assert page.get_by_role("radio", name="Word hashing").is_checked()
        page.reload()
        wait_settled(page)
    page.locator(".st-key-slots-stepper [data-move=next]").click()
    page.wait_for_url(re.compile(r"step=3"))
    assert_clean(page, server)


EVIL = ("[x](https://evil.example)", "<img src=https://evil.example/x.png>")


@pytest.mark.parametrize("evil", EVIL)
def test_typed_and_linked_words_never_become_markup(page, server, evil):
    page.emulate_media(reduced_motion="reduce")  # the drawing's numbers are final at once
    open_page(page, server, "slots")
    box = page.get_by_role("textbox", name="Sentence B")
    typed = f"leave {evil} {evil}"
    box.fill(typed)
    box.press("Enter")
    wait_settled(page)
    n = len(typed.split())
    # the drawing of the typed sentence has arrived (the old B had 5 words too)
    page.wait_for_function(f"() => ({LABEL})('B-chipt-1')?.startsWith('<img') || "
                           f"({LABEL})('B-chipt-1')?.startsWith('[x]')", timeout=30_000)
    page.mouse.click(900, 5)
    page.keyboard.press("End")
    wait_step(page, max(n, 5))  # the longer sentence's last word; B stays on its own last
    assert label(page, "B-title") == f"B · word {n} of {n}"
    assert label(page, f"B-chipt-{n - 1}").startswith(evil.split()[-1][:10])
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    linked = f"arrive {evil} now"
    open_page(page, server, "slots?" + urlencode({"a": linked, "b": evil, "step": "3"}))
    wait_step(page, 3)
    assert f"A: “{slots.tokens(linked)[2]}”" in line(page)  # as typed
    assert label(page, "A-chipt-1").startswith(evil.split()[0][:10])
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert_clean(page, server)

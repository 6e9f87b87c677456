"""Lessons in the real browser: a lesson link opened cold in a new browser lands on the scene's
page in its state; PageDown / PageUp (what presenter clickers send) move the lesson; the answer
to a question is not in the page's HTML until someone answers."""

from __future__ import annotations

import os
import re

import pytest
from harness import assert_clean, open_page, wait_settled

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("RNN_LAB_SHOTS")  # a folder to keep screenshots in, when set


def wait_text(page, text: str) -> None:
    page.wait_for_function(f"() => document.body.innerText.includes({text!r})")
    wait_settled(page)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def test_a_lesson_link_opens_cold_and_pagedown_moves_it(page, server):
    open_page(page, server, "?lesson=lstm-memory-cell&scene=4")
    wait_text(page, "scene 4 of 6")
    assert "/stepper" in page.url and "scene=4" in page.url
    wait_text(page, "Step 6 of 9")  # the lecture's table: y = 7 at step 6
    shot(page, "lesson-scene-4")
    page.keyboard.press("PageDown")
    wait_text(page, "scene 5 of 6")
    wait_text(page, "Step 9 of 9")
    page.keyboard.press("PageUp")
    wait_text(page, "scene 4 of 6")
    assert re.search(r"[?&]scene=4", page.url)
    assert_clean(page, server)


def test_the_answer_is_not_in_the_html_until_answered(page, server):
    open_page(page, server, "stepper?lesson=lstm-memory-cell&scene=2")
    wait_text(page, "What is the memory after step 2?")
    shot(page, "lesson-question")
    html = page.content()
    assert "Step 2 of 5" not in html and "input x = [4, 1, 0]" not in html
    page.get_by_role("button", name="7", exact=True).click()
    wait_text(page, "Step 2 of 5")
    assert "from 3 to 7" in page.locator("body").inner_text()
    shot(page, "lesson-answered")
    assert_clean(page, server)


def upload(page, name: str, data: bytes) -> None:
    box = page.locator('[data-testid="stFileUploader"]', has_text="lesson of your own")
    box.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/toml", "buffer": data})
    wait_settled(page)


def test_an_uploaded_lesson_is_checked_then_runs(page, server):
    open_page(page, server)
    evil = (b'title = "Mine"\n[[scene]]\npage = "slots"\n'
            b'note = "[click](https://evil.example)"\n')
    upload(page, "evil.toml", evil)
    wait_text(page, "Not a lesson this app can run")
    alert = page.locator('[data-testid="stAlert"]', has_text="evil.toml").inner_text()
    assert "scene 1" in alert and "note" in alert and "link or HTML" in alert
    assert page.locator('a[href*="evil.example"]').count() == 0
    upload(page, "big.toml", b"#" * (70 * 1024))
    wait_text(page, "a lesson is at most 64 KB")
    good = (b'title = "My *own* lesson"\n[[scene]]\npage = "slots"\nnote = "**not bold**"\n'
            b'[scene.state]\ntagger = "jordan"\nstep = 2\n[[scene]]\npage = "ctc"\n')
    upload(page, "good.toml", good)
    wait_text(page, "2 scenes, checked")
    page.get_by_role("button", name=re.compile("Start your lesson")).click()
    wait_text(page, "scene 1 of 2")
    assert "/slots" in page.url and "tagger=jordan" in page.url
    body = page.locator("body").inner_text()
    assert "My *own* lesson" in body and "**not bold**" in body  # shown as written
    shot(page, "lesson-uploaded")
    page.keyboard.press("PageDown")
    wait_text(page, "scene 2 of 2")
    wait_text(page, "CTC lab")
    assert_clean(page, server)

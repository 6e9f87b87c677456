"""The real app in a real browser: every page renders, the stepper steps, the animation plays.

Runs Debian's Chromium through Playwright against `streamlit run` on a free loopback port. In CI
(CI=true) a missing Chromium is a failure; elsewhere these tests skip and say why.
"""

from __future__ import annotations

import re

import pytest
from harness import AppServer, assert_clean, open_page, step_label, wait_settled

from labs import LABS

pytestmark = pytest.mark.browser


def test_a_link_straight_to_a_lab_on_a_fresh_server_gets_the_whole_app(browser):
    """The first visitor after a restart follows a shared link: router, sidebar and layout run."""
    with AppServer() as fresh:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{fresh.url}/{LABS[0].url_path}?step=2")
        wait_settled(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text(LABS[0].title, exact=True).count() == 1
        assert nav.get_by_text("Home", exact=True).count() == 1
        assert page.get_by_text("RNN Lab follows Hung-yi Lee").count() == 1
        context.close()


@pytest.mark.parametrize("path", [""] + [lab.url_path for lab in LABS])
def test_every_page_renders_without_an_exception(page, server, path):
    open_page(page, server, path)
    assert page.locator('[data-testid="stHeading"]').count() > 0
    assert_clean(page, server)


def test_every_lab_is_in_the_navigation(page, server):
    open_page(page, server)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for lab in LABS:
        assert nav.get_by_text(lab.title, exact=True).count() == 1


def test_next_advances_the_stepper_and_the_url_keeps_the_step(page, server):
    open_page(page, server, "stepper")
    assert "Step 1 of 9" in step_label(page)
    page.get_by_role("button", name=re.compile("Next")).click()
    page.wait_for_function("() => document.body.innerText.includes('Step 2 of 9')")
    wait_settled(page)
    assert "Step 2 of 9" in step_label(page)
    page.wait_for_url(re.compile(r"step=2"))
    page.get_by_role("button", name=re.compile("Previous")).click()
    page.wait_for_function("() => document.body.innerText.includes('Step 1 of 9')")
    assert_clean(page, server)


def test_a_shared_link_lands_on_its_step(page, server):
    open_page(page, server, "stepper?model=lecture&seq=walkthrough&step=2")
    for reload in (False, True):
        if reload:
            page.reload()
            wait_settled(page)
        # the browser stepper paints its step a moment after the script has finished
        page.wait_for_function("() => document.body.innerText.includes('Step 2 of 5')"
                               " && document.body.innerText.includes('input x = [4, 1, 0]')",
                               timeout=30_000)
        assert "Step 2 of 5" in step_label(page)
    assert_clean(page, server)


def test_the_memory_animation_has_a_play_button(page, server):
    open_page(page, server, "stepper")
    page.get_by_role("tab", name=re.compile("Memory animation")).click()
    play = page.locator(".updatemenu-button", has_text=re.compile("Play"))
    play.first.wait_for(state="visible", timeout=15_000)
    play.first.click()
    assert page.locator(".slider-container").count() >= 1
    assert_clean(page, server)


def test_untrained_models_step_in_the_browser(page, server):
    for kind in ("lstm", "gru", "rnn", "jordan"):
        open_page(page, server, f"stepper?model={kind}&hid=6&seq=lecture&step=3")
        assert "Step 3 of 9" in step_label(page)
        assert_clean(page, server)


def test_the_gradient_lab_trains_and_stops_keeping_what_it_learned(page, server):
    open_page(page, server, "gradients")
    page.get_by_role("tab", name=re.compile("D · Training")).click()
    assert page.get_by_text("Shown: the runs shipped with the app").count() == 1
    page.get_by_role("button", name=re.compile("Train")).click()
    stop = page.get_by_role("button", name=re.compile("Stop"))
    stop.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(4000)  # let the first run learn something before stopping it
    stop.click()
    stop.wait_for(state="detached", timeout=60_000)
    wait_settled(page, timeout=60_000)
    assert page.get_by_text("Shown: the runs shipped with the app").count() == 0
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    assert_clean(page, server)


def test_the_ctc_lab_counts_alignments_as_t_changes(page, server):
    open_page(page, server, "ctc")
    metric = page.locator('[data-testid="stMetric"]', has_text="Valid alignments").first
    assert "210" in metric.inner_text()  # 好棒棒 in 8 frames
    frames = page.locator(".st-key-ctc-T input")  # the frames box (a metric says "Frames T" too)
    frames.fill("10")
    frames.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(m => m.innerText.includes('in 10 frames') && m.innerText.includes('924'))")
    wait_settled(page)
    page.get_by_role("button", name="Lecture: 好好好棒棒棒棒").click()
    page.get_by_text("not an alignment of").wait_for(timeout=15_000)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    assert_clean(page, server)


@pytest.mark.parametrize("text", ["[x](https://evil.example)",
                                  "<img src=https://evil.example/x.png>",
                                  '<a href="https://evil.example">go</a> to Taipei'])
def test_link_text_is_shown_as_text_never_as_a_link_or_an_image(page, server, text):
    from urllib.parse import quote

    open_page(page, server, f"stepper?model=slots_lstm&text={quote(text)}")
    assert step_label(page).startswith("Step 1 of ")
    page.get_by_role("tab", name=re.compile("Over time")).click()  # the words label the steps
    wait_settled(page)
    links = page.eval_on_selector_all(
        "a[href], [*|href]", "els => els.map(e => e.getAttribute('href') || "
        "e.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '')")
    assert not [h for h in links if "evil.example" in h]
    images = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    assert not [s for s in images if "evil.example" in s]
    assert_clean(page, server)


def test_every_model_of_the_picker_renders_its_equations(page, server):
    """KaTeX in the page: no model shows an equation's source in red (.katex-error)."""
    from choices import MODELS

    for key in [k for k in MODELS if k != "own"]:
        open_page(page, server, f"stepper?model={key}&step=3")
        page.locator(".katex").first.wait_for(timeout=15_000)
        assert page.locator(".katex-error").count() == 0, key
        assert_clean(page, server)


BOXED = r"""() => {
  // every value drawn inside a box of the cell diagram: its text's box and the shape's box
  const svg = document.querySelector('.rnn-stepper .rnn-diagram svg');
  const shapes = [...svg.querySelectorAll('path')]
    .filter(p => /z\s*$/i.test(p.getAttribute('d') || ''))  // closed outlines: the boxes
    .map(p => p.getBoundingClientRect()).filter(r => r.width > 40 && r.height > 20);
  const out = [];
  for (const t of svg.querySelectorAll('g[data-name] text, g text')) {
    const r = t.getBoundingClientRect();
    const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
    const box = shapes
      .filter(s => s.x < cx && cx < s.x + s.width && s.y < cy && cy < s.y + s.height)
      .sort((a, b) => a.width * a.height - b.width * b.height)[0];
    if (box) out.push({text: t.textContent, text_box: [r.x, r.x + r.width],
                       box: [box.x, box.x + box.width]});
  }
  return out;
}"""


@pytest.mark.parametrize("link", ["model=jordan&hid=1", "model=jordan&hid=4",
                                  "model=jordan&hid=16", "model=slots_jordan"])
def test_the_jordan_diagram_keeps_its_vectors_in_their_boxes(page, server, link):
    open_page(page, server, f"stepper?{link}&step=3")
    page.locator(".rnn-stepper .rnn-diagram svg").first.wait_for(timeout=15_000)
    page.wait_for_timeout(400)  # the step's animation ends
    boxed = page.evaluate(BOXED)
    vectors = [b for b in boxed if b["text"].startswith("[")]
    assert len(vectors) == 2, boxed  # the fed-back y_{t-1} and the output y_t
    for b in boxed:
        assert b["box"][0] <= b["text_box"][0] and b["text_box"][1] <= b["box"][1], b
    # the equations fit their column: nothing is cut off at the right
    for width, scroll in page.eval_on_selector_all(
            ".katex-display", "els => els.map(e => [e.clientWidth, e.scrollWidth])"):
        assert scroll <= width + 3  # KaTeX rounds its em widths: a pixel or two is no cut
    assert_clean(page, server)

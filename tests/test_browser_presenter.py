"""Presenter view in the real browser at a projector's 1280×720 and at 1920×1080: on every
page no exception and no sidebar, the stepping controls, the whole main figure and the step's
story on the screen without scrolling, no figure text under 16 px (18 px at 1920×1080);
Space plays, "?" lists the keys, P leaves; the modebar downloads PNG at 2x and SVG under
names that say what and which step."""

from __future__ import annotations

import re
import struct

import pytest
from harness import assert_clean, wait_settled

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1920, 1080)]
LEAST_TEXT = {1280: 16, 1920: 18}  # px: the smallest figure text on each screen
# page → (the stepping control, the page's main figure(s), the step's story or the words that
# go with the figure): CSS selectors, None where a page has none. Each must be whole on the
# screen without scrolling.
PAGES = {
    "": (None, None, None),
    "stepper": (".rnn-stepper [data-move=next]", [".rnn-stepper .rnn-diagram svg"],
                [".rnn-stepper .rnn-line", ".rnn-stepper .rnn-story"]),
    "slots": (".st-key-slots-stepper [data-move=next]",
              [".st-key-slots-stepper .rnn-diagram svg"], [".st-key-slots-stepper .rnn-line"]),
    "charlm": (".rnn-stepper [data-move=next]",  # the coloured text and the next characters
               [".rnn-stepper .rnn-text", ".rnn-stepper .rnn-diagram svg"],
               [".rnn-stepper .rnn-line"]),
    "gradients": (None, [".st-key-power .js-plotly-plot"],  # y and dy/dw above it
                  ['[data-testid="stMetric"]']),
    "ctc": (None, [".st-key-ctc-align_lattice .js-plotly-plot"],  # the count of alignments
            ['[data-testid="stMetric"]']),
    "attention": (".st-key-attention-step-next button",
                  [".st-key-attention-matrix .js-plotly-plot"],
                  [".st-key-attention-story", ".st-key-swipe-attention-step .att-input"]),
    "embeddings": (None, [".st-key-emb-chart .js-plotly-plot"],  # the picked word, rebuilt
                   ["text=Rebuilt from its code"]),
}
# The smallest text on screen in px: plotly's SVG text, and the browser stepper's SVG diagram,
# which the page may scale (its font size times the drawing's scale on screen).
SMALLEST_TEXT = """() => Math.min(...Array.from(
    document.querySelectorAll('.js-plotly-plot svg.main-svg text'))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize)).concat(Array.from(
    document.querySelectorAll('.rnn-stepper .rnn-diagram svg text'))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => { const m = t.getScreenCTM();
                return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); })))"""
FIGURES = ".js-plotly-plot, .rnn-stepper .rnn-diagram svg"


def css(key: str) -> str:
    """The class Streamlit gives an element with `key` (other characters become "-")."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def boxes(page, selector: str) -> list[dict]:
    """The boxes of every visible element `selector` matches (at least one)."""
    page.locator(selector).first.wait_for(state="visible", timeout=30_000)
    return [e.bounding_box() for e in page.locator(selector).all() if e.is_visible()]


def on_screen(b: dict, width: int, height: int) -> bool:
    return b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width + 1 and \
        b["y"] + b["height"] <= height + 1


@pytest.fixture
def sized(browser, server, request):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page, width, height
    context.close()


def open_presenting(page, server, path: str) -> None:
    page.goto(f"{server.url}/{path}{'&' if '?' in path else '?'}present=1")
    wait_settled(page, 90_000)  # the embeddings map's first run is long on a busy machine
    page.wait_for_function("""() => !document.querySelector(
        '[data-testid="stMain"] [data-testid="stSkeleton"]') &&
        Array.from(document.querySelectorAll('.js-plotly-plot'))
        .every(p => p.querySelector('svg.main-svg text'))""", timeout=30_000)
    page.wait_for_timeout(800)  # charts draw after the script finishes; layout settles
    wait_settled(page)


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_in_presenter_view_fits_the_screen(sized, server, path):
    """No exception, no sidebar or toolbar; the stepping control, the whole main figure (its
    bottom too) and the step's story on the screen as the page opens, with nothing scrolled;
    no figure text under 16 px on a 1280×720 projector, 18 px on 1920×1080."""
    page, width, height = sized
    open_presenting(page, server, path)
    assert_clean(page, server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.count() == 0 or not sidebar.first.is_visible()
    assert not page.locator('[data-testid="stToolbar"]').first.is_visible()
    assert re.search(r"[?&]present=1", page.url)
    assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
                         " + document.documentElement.scrollTop") == 0
    control, figures, story = PAGES[path]
    for selector in [control] * bool(control) + (figures or []) + (story or []):
        for b in boxes(page, selector):
            assert on_screen(b, width, height), (selector, b)
    if figures:  # a main figure is a figure, not a sliver
        assert all(b["height"] >= 0.3 * height for b in boxes(page, figures[0])), figures
    if page.locator(FIGURES).count():
        assert page.evaluate(SMALLEST_TEXT) >= LEAST_TEXT[width], path


@pytest.mark.parametrize("sized", [SIZES[0]], indirect=True, ids=["1280x720"])
def test_space_plays_question_mark_lists_keys_and_p_leaves(sized, server):
    page, _, _ = sized
    open_presenting(page, server, "stepper")
    page.mouse.click(5, 700)  # nothing focused: keys go to the page
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"step=3"), timeout=15_000)  # two ticks of 1 s
    page.keyboard.press("Space")  # pause
    wait_settled(page)
    page.keyboard.press("?")
    dialog = page.locator('[role="dialog"]')
    dialog.wait_for(state="visible", timeout=10_000)
    assert "Play / pause" in dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=10_000)
    page.keyboard.press("P")
    page.wait_for_function("() => !location.search.includes('present=1')", timeout=10_000)
    wait_settled(page)
    assert page.locator('[data-testid="stSidebar"]').first.is_visible()
    assert_clean(page, server)


@pytest.mark.parametrize("sized", [SIZES[0]], indirect=True, ids=["1280x720"])
def test_keys_never_fire_while_typing_in_a_text_box(sized, server):
    page, _, _ = sized
    page.goto(f"{server.url}/charlm")
    wait_settled(page)
    box = page.get_by_role("textbox", name=re.compile("Text"))
    box.click()
    box.press("End")
    for key in ("P", "Space", "?", "ArrowRight"):
        box.press(key)
    page.wait_for_timeout(2500)  # longer than a Play tick
    wait_settled(page)
    assert "present=1" not in page.url and re.search(r"step=1(&|$)", page.url)
    assert page.locator('[role="dialog"]').count() == 0
    assert page.locator('[data-testid="stSidebar"]').first.is_visible()
    assert_clean(page, server)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("sized", [SIZES[0]], indirect=True, ids=["1280x720"])
def test_the_diagram_downloads_as_png_at_2x_and_as_svg_named_by_step(sized, server):
    page, _, _ = sized
    open_presenting(page, server, "stepper?step=4")
    page.locator(".rnn-stepper .rnn-diagram svg").first.wait_for(timeout=30_000)
    with page.expect_download() as png:
        page.locator(".rnn-stepper [data-download=png]").click()
    assert png.value.suggested_filename == "rnn-lab-lstm-cell-step-4.png"
    width, height = png_size(png.value.path().read_bytes())
    drawn = page.evaluate("() => { const v = document.querySelector('.rnn-diagram svg')"
                          ".viewBox.baseVal; return {width: v.width, height: v.height}; }")
    assert (width, height) == (round(drawn["width"] * 2), round(drawn["height"] * 2))
    with page.expect_download() as svg:
        page.locator(".rnn-stepper [data-download=svg]").click()
    assert svg.value.suggested_filename == "rnn-lab-lstm-cell-step-4.svg"
    text = svg.value.path().read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg") and "memory c" in text
    assert_clean(page, server)

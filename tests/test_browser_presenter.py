"""Presenter view in the real browser at a projector's 1280×720 and at 1920×1080: on every
page no exception and no sidebar, the stepping controls and the main figure on the screen
without scrolling, no figure text under 16 px; Space plays, "?" lists the keys, P leaves; the
modebar downloads PNG at 2x and SVG under names that say what and which step."""

from __future__ import annotations

import re
import struct

import pytest
from harness import assert_clean, wait_settled

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1920, 1080)]
# page → (the stepping control that must be on screen or None, the main figure's chart key)
PAGES = {
    "": (None, None),
    "stepper": (".rnn-stepper [data-move=next]", ".rnn-stepper .rnn-diagram svg"),
    "slots": (".st-key-slots-stepper [data-move=next]",
              ".st-key-slots-stepper .rnn-diagram svg"),
    "charlm": (".rnn-stepper [data-move=next]", ".rnn-stepper .rnn-text"),
    "gradients": (None, "power"),
    "ctc": (None, "ctc.align_lattice"),
    "embeddings": (None, "emb.chart"),
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


def box(page, selector: str) -> dict:
    element = page.locator(selector).first
    element.wait_for(state="visible", timeout=30_000)
    return element.bounding_box()


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
    wait_settled(page)
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .every(p => p.querySelector('svg.main-svg text'))""", timeout=30_000)
    page.wait_for_timeout(800)  # charts draw after the script finishes; layout settles
    wait_settled(page)


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_in_presenter_view_fits_the_screen(sized, server, path):
    page, width, height = sized
    open_presenting(page, server, path)
    assert_clean(page, server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.count() == 0 or not sidebar.first.is_visible()
    assert not page.locator('[data-testid="stToolbar"]').first.is_visible()
    assert re.search(r"[?&]present=1", page.url)
    control, figure = PAGES[path]
    if control:
        where = control if control.startswith(".") else css(control) + " button"
        assert on_screen(box(page, where), width, height), control
    if figure:
        b = box(page, figure if figure.startswith(".") else css(figure) + " .js-plotly-plot")
        assert b["y"] < height * 0.7, (figure, b)  # the figure starts on the first screen
        if path == "slots":  # both sentences' drawing fits whole
            assert on_screen(b, width, height), b
        if path in ("stepper", "charlm"):  # the cell diagram, or the coloured text, whole
            assert on_screen(b, width, height), b
        if path == "charlm":  # and the next-character bars beside the text
            assert on_screen(box(page, ".rnn-stepper .rnn-diagram svg"), width, height)
    if page.locator(FIGURES).count():
        assert page.evaluate(SMALLEST_TEXT) >= 16, path


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

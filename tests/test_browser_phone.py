"""Every page on a phone (390×844, portrait, touch, a phone browser's user agent): no
exception, the sidebar closed so it covers nothing, nothing wider than the screen, the main
figure inside the width with text of 12 px and up, no request to any host but the app's own.
The steppers' Next stays on screen while their figure is in view and a tap on it steps; a swipe
to the left across the figure steps on, to the right back, and a scroll up or down does not
step; quick swipes one after another on a stepper drawn in a fragment (the attention lab's)
each step once. The gradient lab's toy figure keeps its labels apart and the CTC lattice's
colour-bar title stays inside the figure. Presenter and lesson links open in the phone
layout."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from harness import wait_settled

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
# page → the main figure (a CSS selector)
PAGES = {
    "": None,
    "stepper": ".rnn-diagram",
    "slots": ".st-key-slots-stepper .rnn-diagram",
    "charlm": ".rnn-stepper .rnn-text",
    "gradients": ".st-key-power",
    "ctc": ".st-key-ctc-align_lattice",
    "embeddings": ".st-key-emb-chart",
    "attention": ".st-key-attention-matrix",
}


def slider(key: str) -> str:
    """JS reading the step from the slider of a stepper_controls stepper keyed `key`."""
    return f"() => +document.querySelector('.st-key-{key} input[type=range]').value"


# page → (its Next button, the figure a swipe steps, JS reading the step, text to open it)
STEPPERS = {
    "stepper": (".rnn-stepper-bar button[data-move=next]", ".rnn-diagram",
                "() => +document.querySelector('.rnn-stepper').dataset.step", None),
    "slots": (".st-key-slots-stepper [data-move=next]", ".st-key-slots-stepper .rnn-diagram",
              "() => +document.querySelector('.st-key-slots-stepper .rnn-stepper').dataset.step",
              None),
    "charlm": (".rnn-stepper-bar button[data-move=next]", ".rnn-stepper .rnn-text",
               "() => +document.querySelector('.rnn-stepper').dataset.step", None),
    "attention": (".st-key-attention-step-next button", ".st-key-attention-matrix",
                  slider("attention-step"), None),
    "ctc?tab=model": (".st-key-ctc-model-alpha_frame-next button",
                      ".st-key-swipe-ctc-model-alpha_frame",
                      slider("ctc-model-alpha_frame"), "α filling the lattice"),
}
TAP_ONLY: set[str] = set()  # steppers that take taps but no swipe (none now)
SMALLEST_TEXT = """(root) => Math.min(...Array.from(
    document.querySelectorAll(root + ' .js-plotly-plot svg.main-svg text'))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize)))"""
LARGEST_TEXT = SMALLEST_TEXT.replace("Math.min", "Math.max")
WIDTHS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return {page: document.documentElement.scrollWidth, main: main.scrollWidth,
            mainClient: main.clientWidth, viewport: window.innerWidth};
}"""


def css(key: str) -> str:
    """The class Streamlit gives an element with `key` (other characters become "-")."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def where(url: str) -> str:
    """The host a request goes to; data: and blob: URLs go nowhere."""
    parts = urlsplit(url)
    return "" if parts.scheme in ("data", "blob") else parts.netloc


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, has_touch=True,
                                  is_mobile=True, user_agent=PHONE_AGENT)
    page = context.new_page()
    page.js_errors = []
    page.hosts = set()
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("request", lambda request: page.hosts.add(where(request.url)))
    yield page
    context.close()


def settle(page) -> None:
    """The script has run and every chart has drawn its text."""
    wait_settled(page)
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .every(p => p.querySelector('svg.main-svg text'))""", timeout=30_000)
    page.wait_for_timeout(600)  # layout settles after the charts draw
    wait_settled(page)


def open_phone(page, server, path: str) -> None:
    page.goto(f"{server.url}/{path}")
    settle(page)


def assert_clean(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert not page.js_errors, page.js_errors


def assert_fits(page) -> None:
    widths = page.evaluate(WIDTHS)
    assert widths["viewport"] == WIDTH
    assert widths["page"] <= WIDTH, widths
    assert widths["main"] <= widths["mainClient"], widths  # nothing runs off the right


def assert_sidebar_covers_nothing(page) -> None:
    """The page's title is what a finger on it touches, not the sidebar."""
    title = page.locator('[data-testid="stMain"] h1').first
    b = title.bounding_box()
    hit = page.evaluate("""([x, y]) => {
        const el = document.elementFromPoint(x, y);
        return !!el && !!el.closest('[data-testid="stMain"]') &&
            !el.closest('[data-testid="stSidebar"]');
    }""", [b["x"] + min(b["width"], 120) / 2, b["y"] + b["height"] / 2])
    assert hit, "the sidebar covers the page's title"
    sidebar = page.locator('[data-testid="stSidebar"]')
    if sidebar.count():
        s = sidebar.first.bounding_box()
        assert s is None or s["x"] + s["width"] <= 0, s


def touch_drag(page, x0: float, y0: float, x1: float, y1: float) -> None:
    """A finger put down at (x0, y0), moved to (x1, y1) in three moves at once, lifted (a
    quick flick, as fast as the browser takes it)."""
    cdp = page.context.new_cdp_session(page)
    events = [("touchStart", x0, y0)] + [
        ("touchMove", x0 + (x1 - x0) * i / 3, y0 + (y1 - y0) * i / 3) for i in (1, 2, 3)]
    for kind, x, y in events:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_fits_a_phone_and_asks_no_other_host(phone, server, path):
    open_phone(phone, server, path)
    assert_clean(phone)
    assert_sidebar_covers_nothing(phone)
    assert_fits(phone)
    figure = PAGES[path]
    if figure:
        element = phone.locator(figure).first
        element.scroll_into_view_if_needed()
        b = element.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= WIDTH + 0.5, (figure, b)
        assert b["width"] >= WIDTH * 0.8, (figure, b)  # it takes the screen's width
    if phone.locator(".js-plotly-plot").count():
        assert phone.evaluate(SMALLEST_TEXT, "body") >= 12
    assert phone.hosts - {""} == {urlsplit(server.url).netloc}, phone.hosts


def wait_step(page, read: str, step: int, timeout: float = 15_000) -> None:
    """The stepper shows `step`, the page has redrawn, and a person's pause has passed."""
    page.wait_for_function(f"() => {{ try {{ return ({read})() === {step}; }} "
                           "catch (e) { return false; } }", timeout=timeout)
    wait_settled(page)
    page.wait_for_timeout(1000)


@pytest.mark.parametrize("path", list(STEPPERS))
def test_next_stays_in_reach_and_a_swipe_on_the_figure_steps(phone, server, path):
    next_selector, area, read, opener = STEPPERS[path]
    open_phone(phone, server, path)
    if opener:
        phone.get_by_text(opener).first.click()
        settle(phone)
    wait_step(phone, read, 1)
    figure = phone.locator(area).first
    figure.scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    # scrolled to the figure, the stepper's Next is still on the screen, finger-sized
    next_button = phone.locator(next_selector).first
    n = next_button.bounding_box()
    assert n["y"] >= 0 and n["y"] + n["height"] <= HEIGHT and n["x"] + n["width"] <= WIDTH, n
    assert n["height"] >= 40, n
    next_button.tap()
    wait_step(phone, read, 2)
    if path in TAP_ONLY:
        assert_fits(phone)
        assert_clean(phone)
        return
    # a swipe to the left steps on, to the right steps back; an up or down scroll does not
    b = figure.bounding_box()
    top, bottom = max(b["y"], n["y"] + n["height"] + 10), min(b["y"] + b["height"], HEIGHT)
    assert bottom - top > 60, b  # some of the figure is under a finger
    y = (top + bottom) / 2
    touch_drag(phone, WIDTH * 0.8, y, WIDTH * 0.2, y + 10)
    wait_step(phone, read, 3)
    touch_drag(phone, WIDTH * 0.25, y, WIDTH * 0.85, y - 8)
    wait_step(phone, read, 2)
    touch_drag(phone, WIDTH * 0.5, y, WIDTH * 0.55, y - 150)
    phone.wait_for_timeout(800)
    wait_settled(phone)
    assert phone.evaluate(read) == 2
    assert_fits(phone)
    assert_clean(phone)


def test_quick_swipes_on_a_fragment_stepper_each_step_once(phone, server):
    """Each swipe waits for the rerun of the one before (phone.js), so none is lost and none
    is counted twice: three flicks in a row, as fast as the browser takes them, move three
    steps; then four back from step 4 stop at the first."""
    next_selector, area, read, _ = STEPPERS["attention"]
    open_phone(phone, server, "attention")
    wait_step(phone, read, 1)
    figure = phone.locator(area).first
    figure.scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    n = phone.locator(next_selector).first.bounding_box()
    b = figure.bounding_box()
    y = (max(b["y"], n["y"] + n["height"] + 10) + min(b["y"] + b["height"], HEIGHT)) / 2
    for _flick in range(3):
        touch_drag(phone, WIDTH * 0.8, y, WIDTH * 0.2, y + 5)
    wait_step(phone, read, 4, timeout=45_000)  # three reruns, one after another
    phone.wait_for_timeout(1500)  # nothing more comes: each flick stepped once
    wait_settled(phone)
    assert phone.evaluate(read) == 4
    for _flick in range(4):
        touch_drag(phone, WIDTH * 0.2, y, WIDTH * 0.8, y - 5)
    wait_step(phone, read, 1, timeout=45_000)
    phone.wait_for_timeout(1500)  # the fourth flick, at the first step, does nothing
    wait_settled(phone)
    assert phone.evaluate(read) == 1
    assert re.search(r"[?&]step=1(&|$)", phone.url) or "step=" not in phone.url
    assert_clean(phone)


def plot_text_boxes(page, selector: str, css_class: str) -> list[dict]:
    """The boxes of the non-empty texts of class `css_class` in the chart in `selector`."""
    return page.evaluate("""([root, cls]) => Array.from(document.querySelectorAll(
        root + ' .js-plotly-plot svg.main-svg .' + cls))
        .filter(t => t.textContent.trim())
        .map(t => { const r = t.getBoundingClientRect();
                    return {x: r.x, y: r.y, right: r.right, bottom: r.bottom,
                            text: t.textContent}; })""", [selector, css_class])


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and \
        b["y"] < a["bottom"]


def test_the_gradient_toy_labels_stay_apart_and_the_lattice_keeps_its_colour_bar_title(
        phone, server):
    open_phone(phone, server, "gradients")
    chart = css("power")
    phone.locator(chart).first.scroll_into_view_if_needed()
    plot = phone.locator(chart + " .js-plotly-plot").first.bounding_box()
    labels = plot_text_boxes(phone, chart, "textpoint text")
    assert len(labels) == 4, labels  # the lecture's ws: 0.01 on the whole axis, 3 zoomed
    for i, a in enumerate(labels):
        assert a["x"] >= plot["x"] - 0.5 and a["right"] <= plot["x"] + plot["width"] + 0.5, a
        assert not any(overlap(a, b) for b in labels[i + 1:]), labels
    # a short lattice: its colour bar's title is shorter than the figure is high
    open_phone(phone, server, "ctc?target=a&T=3")
    chart = css("ctc.align_lattice")
    phone.locator(chart).first.scroll_into_view_if_needed()
    plot = phone.locator(chart + " .js-plotly-plot").first.bounding_box()
    titles = plot_text_boxes(phone, chart, "cbtitle text")
    assert titles, "no colour-bar title"
    top = min(t["y"] for t in titles)
    bottom = max(t["bottom"] for t in titles)
    right = max(t["right"] for t in titles)
    assert top >= plot["y"] and bottom <= plot["y"] + plot["height"], (titles, plot)
    assert right <= plot["x"] + plot["width"] + 0.5, (titles, plot)
    assert_clean(phone)


def largest_text(page, selector: str) -> float:
    """The largest text of the chart in `selector`, once it has drawn."""
    page.wait_for_function(f"(root) => {LARGEST_TEXT}(root) > 0", arg=selector, timeout=30_000)
    return page.evaluate(LARGEST_TEXT, selector)


DIAGRAM_TEXT = """(root) => Math.max(...Array.from(
    document.querySelectorAll(root + ' .rnn-diagram svg text'))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => { const m = t.getScreenCTM();
                return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))"""


def largest_drawn_text(page, selector: str) -> float:
    """The largest text on screen of the browser stepper's drawing in `selector`."""
    page.wait_for_function(f"(root) => {DIAGRAM_TEXT}(root) > 0", arg=selector, timeout=30_000)
    return page.evaluate(DIAGRAM_TEXT, selector)


def test_a_presenter_link_on_a_phone_gets_the_phone_layout(phone, server):
    open_phone(phone, server, "slots")
    ordinary = largest_drawn_text(phone, css("slots-stepper"))
    open_phone(phone, server, "slots?present=1")
    assert_clean(phone)
    assert "present=1" in phone.url  # the link still says so, for the projector it came from
    assert phone.locator(css("presenter-bar")).count() == 0
    assert_sidebar_covers_nothing(phone)
    assert_fits(phone)
    presenting = largest_drawn_text(phone, css("slots-stepper"))
    assert presenting == ordinary  # not presenter view's large type
    assert phone.locator(css("slots-stepper") + " [data-move=next]").first.is_visible()


def test_a_lesson_link_on_a_phone(phone, server):
    open_phone(phone, server, "?lesson=arrive-leave-taipei&scene=1")
    assert "/slots" in phone.url
    assert_clean(phone)
    bar = phone.locator(css("lesson.bar")).first
    bar.wait_for(state="visible", timeout=30_000)
    b = bar.bounding_box()
    assert b["x"] >= 0 and b["x"] + b["width"] <= WIDTH + 0.5, b
    assert_sidebar_covers_nothing(phone)
    assert_fits(phone)
    phone.locator(css("lesson.next") + " button:visible").first.tap()
    settle(phone)
    assert re.search(r"[?&]scene=2", phone.url)
    assert_fits(phone)
    assert_clean(phone)

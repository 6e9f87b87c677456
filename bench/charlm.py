"""The Character LSTM page's stepper in the browser, in headless Chromium against the real app.

Measures:
- key → new step painted (the current character boxed, the bars redrawn), median over 8 steps,
  and the websocket messages the page sends while stepping, on the example text (446
  characters) and on the longest text allowed (engine.charlm.MAX_CHARS, 2,000);
- what a rerun ships for the longest text: the bytes received when the text is submitted, when
  another cell colours it, and when End leaves the window of steps sent (Python sends the steps
  around the new one), and the stepper's data as JSON;
- for context, the time from submitting the 2,000-character text to Next working.

Usage: python bench/charlm.py [--steps 8]
Goals: key → painted ≤ 50 ms (median); ≤ 2 messages for 8 steps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "app"), str(ROOT)]

from harness import CHROMIUM_ARGS, AppServer, chromium_path, wait_settled  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from stepper_browser import DATA, PRESS, Wire  # noqa: E402

from engine import charlm  # noqa: E402

LONGEST = ('print("a (b)", c)  # one line of code\n' * 60)[: charlm.MAX_CHARS]
NEXT_READY = ".rnn-stepper [data-move=next]:not([disabled])"


def steps_line(page, wire: Wire, presses: int) -> str:
    """Press → until painted, `presses` times; the median, the max and the messages sent."""
    page.mouse.click(1200, 5)  # nothing focused: keys go to the page
    page.wait_for_timeout(500)
    sent0 = len(wire.sent)
    times = [page.evaluate(PRESS, "ArrowRight") for _ in range(presses)]
    page.wait_for_timeout(500)
    return (f"key → painted median {statistics.median(times):.1f} ms (max {max(times):.1f}); "
            f"messages for {presses} steps: {len(wire.sent) - sent0}")


def data_line(page) -> str:
    data = page.evaluate(DATA)
    return (f"the stepper's data: {data['chars']:,} characters of JSON for steps "
            f"{data['first'] + 1}-{data['first'] + data['frames']} of {data['steps']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="steps per measurement")
    args = parser.parse_args()
    assert len(LONGEST) == charlm.MAX_CHARS
    if chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    with AppServer(timeout=120) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        wire = Wire(page)
        page.goto(f"{app.url}/charlm")
        page.wait_for_selector(NEXT_READY, timeout=120_000)
        wait_settled(page, timeout=120_000)
        print(f"example text ({len(charlm.DEFAULT_TEXT)} characters): "
              f"{steps_line(page, wire, args.steps)}")
        print(f"  {data_line(page)}")

        area = page.get_by_role("textbox", name="Text")
        area.fill(LONGEST)
        sent0, got0 = wire.mark()
        start = time.perf_counter()
        area.press("Control+Enter")
        page.wait_for_function(f"() => document.body.innerText.includes("
                               f"'of {charlm.MAX_CHARS} · reads')", timeout=120_000, polling=10)
        took = time.perf_counter() - start
        wait_settled(page, timeout=120_000)
        print(f"{charlm.MAX_CHARS:,}-character text: submitted → Next works {took:.2f} s; that "
              f"rerun: {wire.received - got0:,} bytes received, {len(wire.sent) - sent0} sent")
        print(f"  {data_line(page)}")
        print(f"  {steps_line(page, wire, args.steps)}")

        sent0, got0 = wire.mark()
        page.get_by_role("combobox", name="Colour the text by cell").click()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_function("() => !document.body.innerText.includes('text coloured by c0')",
                               timeout=60_000)
        wait_settled(page, timeout=120_000)
        print(f"  another cell (a control's rerun): {wire.received - got0:,} bytes received, "
              f"{len(wire.sent) - sent0} sent")

        sent0, got0 = wire.mark()
        start = time.perf_counter()
        page.evaluate("""() => document.dispatchEvent(
            new KeyboardEvent('keydown', {key: 'End', bubbles: true}))""")
        page.wait_for_function(
            """(n) => { const s = [...window.rnnLabSteppers.values()].find(s => s.root.isConnected);
                        return s.data.first + s.data.frames.length === n; }""",
            arg=charlm.MAX_CHARS, timeout=120_000, polling=10)
        took = time.perf_counter() - start
        wait_settled(page, timeout=120_000)
        print(f"  End (outside the window) → its steps drawn {took:.2f} s; "
              f"{len(wire.sent) - sent0} sent, {wire.received - got0:,} bytes received")
        browser.close()


if __name__ == "__main__":
    main()

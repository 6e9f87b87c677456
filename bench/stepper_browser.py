"""The stepper in the browser: key → new step painted, messages to the server while stepping,
and first visit → Next works, in headless Chromium against the real app.

Usage: python bench/stepper_browser.py [--steps 8]
Goals: key → painted ≤ 50 ms (median); ≤ 2 messages for 8 steps; first visit → Next ≤ 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "app")]

from harness import AppServer, chromium_path, wait_settled  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

# In the page: press → the step's SVG is in the DOM and a frame has been painted.
PRESS = """async () => {
  const root = document.querySelector('.rnn-stepper');
  const before = root.dataset.step;
  const start = performance.now();
  document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
  while (root.dataset.step === before) await new Promise(r => setTimeout(r, 0));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - start;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="steps per measurement")
    args = parser.parse_args()
    args_chromium = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]
    with AppServer() as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=args_chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sent = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda m: sent.append(m)))
        for link, name in [("stepper", "lecture, 9 steps"),
                           ("stepper?seq=random&rs=1", "random rule sequence")]:
            start = time.perf_counter()
            page.goto(f"{app.url}/{link}")
            page.wait_for_selector(".rnn-stepper [data-move=next]:not([disabled])",
                                   timeout=60_000)
            page.wait_for_selector(".rnn-stepper .rnn-diagram svg", timeout=60_000)
            ready = time.perf_counter() - start
            wait_settled(page)
            page.mouse.click(900, 5)
            page.wait_for_timeout(500)
            sent.clear()
            times = [page.evaluate(PRESS) for _ in range(args.steps)]
            page.wait_for_timeout(500)
            print(f"{name}: key → painted median {statistics.median(times):.1f} ms "
                  f"(max {max(times):.1f}); messages for {args.steps} steps: {len(sent)}; "
                  f"first visit → Next works {ready:.2f} s")
        browser.close()


if __name__ == "__main__":
    main()

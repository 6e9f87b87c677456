"""The slot-filling lab's stepper in the browser: key → new word painted (both sentences'
drawing), messages to the server while stepping, first visit → Next works and the size of the
stepper's data, in headless Chromium against the real app (bench/stepper_browser.py's measure).

Sentences: the lecture's two (5 words: 4 steps can be taken) and two of 40 words (the longest
the lab takes, engine.slots.MAX_TOKENS) read by the bidirectional LSTM (48 hidden units).

Usage: python bench/slots_browser.py
Goals: key → painted ≤ 50 ms (median); ≤ 2 messages for 8 steps.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests"), str(ROOT / "app")]

from harness import CHROMIUM_ARGS, AppServer, chromium_path  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from stepper_browser import Wire, measure  # noqa: E402

LONG = " ".join(["arrive Taipei on November 2nd and"] * 6 + ["leave"] * 4)  # 40 words
CASES = [  # (name, link, presses)
    ("slot filling, the lecture's 5 words, LSTM", "slots", 4),
    ("slot filling, 40 words, bidirectional LSTM",
     "slots?" + urlencode({"a": LONG, "b": LONG, "tagger": "bilstm"}), 8),
]


def main() -> None:
    if chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    with AppServer(timeout=120) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for motion in ("no-preference", "reduce"):
            print(f"-- prefers-reduced-motion: {motion}")
            page = browser.new_page(viewport={"width": 1280, "height": 900},
                                    reduced_motion=motion)
            wire = Wire(page)
            for name, link, presses in CASES:
                measure(page, wire, name, link, None, presses, app.url)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()

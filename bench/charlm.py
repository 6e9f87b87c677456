"""Click-to-settled latency of the Character LSTM page on a 500-character text.

Measures, in one run and in headless Chromium:
- the median time from a click on **Next** on the Character LSTM page, reading a 500-character
  text, until the page has settled (the step label shows the next step and Streamlit reports
  the script finished);
- the same measurement on a bare one-button Streamlit app started alongside (the framework's
  own floor), and their ratio;
- for context, the time from submitting the new text to the page having settled (one model
  read, the cell ranking and the first drawing; paid once per text).

Usage: python bench/charlm.py [--clicks N]
Goal: click → settled ≤ 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from common import beside_bare_app, clicks_line, label, time_clicks  # noqa: E402
from harness import wait_settled  # noqa: E402

from engine import charlm  # noqa: E402

TEXT_500 = (charlm.DEFAULT_TEXT + (
    'Finally, "repr(x)" returns a string (a printable one) that would give back "x".\n'
    * 3))[:500]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=9, help="clicks per measurement")
    args = parser.parse_args()
    assert len(TEXT_500) == 500

    with beside_bare_app(args.clicks) as (page, app, bare_times):
        page.goto(f"{app.url}/charlm")
        wait_settled(page)
        area = page.get_by_role("textbox", name="Text")
        area.fill(TEXT_500)
        start = time.perf_counter()
        area.press("Control+Enter")
        page.wait_for_function(
            "() => document.body.innerText.includes('Step 1 of 500')", polling=5)
        wait_settled(page)
        new_text = time.perf_counter() - start
        time_clicks(page, label, 2)  # warm-up
        app_times = time_clicks(page, label, args.clicks)

    bare_median, app_median = statistics.median(bare_times), statistics.median(app_times)
    print(f"bare Streamlit button, click → settled:        {clicks_line(bare_times)}")
    print(f"Character LSTM Next (500 chars), → settled:    {clicks_line(app_times)}")
    print(f"ratio Character LSTM / bare: {app_median / bare_median:.2f}×; "
          f"goal ≤ 0.3 s: {'PASS' if app_median <= 0.3 else 'MISS'}")
    print(f"new 500-character text → settled (once per text): {new_text:.3f} s")


if __name__ == "__main__":
    main()

"""Click-to-settled latency and memory of the real app in headless Chromium.

Measures, in one run:
- the median time from a click on **Next** in the stepper to the page having settled (the step
  label shows the next step and Streamlit reports the script finished), against the same
  measurement on a bare one-button Streamlit app (the framework's own floor) started alongside;
- the app process's peak resident memory after visiting every page.

Usage: python bench/app.py [--clicks N]
Goals: click → settled ≤ 0.3 s; peak RSS ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "app")]

from common import beside_bare_app, clicks_line, label, time_clicks  # noqa: E402
from harness import wait_settled  # noqa: E402

from labs import LABS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=8, help="clicks per measurement")
    args = parser.parse_args()
    with beside_bare_app(args.clicks) as (page, app, bare_times):
        for path in [""] + [lab.url_path for lab in LABS]:
            page.goto(f"{app.url}/{path}")
            wait_settled(page)
        page.goto(f"{app.url}/stepper?seq=random&rs=1")
        wait_settled(page)
        time_clicks(page, label, 2)  # warm-up: caches, first plotly render
        app_times = time_clicks(page, label, min(args.clicks, 9))
        peak = app.peak_rss_bytes()

    bare_median, app_median = statistics.median(bare_times), statistics.median(app_times)
    print(f"bare Streamlit button, click → settled: {clicks_line(bare_times)}")
    print(f"stepper Next, click → settled:          {clicks_line(app_times)}")
    print(f"ratio stepper / bare: {app_median / bare_median:.2f}×; "
          f"goal ≤ 0.3 s: {'PASS' if app_median <= 0.3 else 'MISS'}")
    print(f"app peak RSS after visiting every page: {peak / 2**20:.0f} MiB; "
          f"goal ≤ 1024 MiB: {'PASS' if peak <= 2**30 else 'MISS'}")


if __name__ == "__main__":
    main()

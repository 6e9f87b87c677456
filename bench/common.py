"""Timing helpers shared by the bench scripts.

The scripts run as `python bench/X.py` from the repository root, so Python puts this folder on
sys.path first and `from common import ...` finds this file. The browser helpers at the end need
tests/ on sys.path too (for tests/harness.py) and Playwright.
"""

from __future__ import annotations

import contextlib
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

# A one-button Streamlit app: the framework's own floor for click → settled.
BARE_APP = """
import streamlit as st
if st.button("Next"):
    st.session_state["n"] = st.session_state.get("n", 0) + 1
st.write(f"Count {st.session_state.get('n', 0)}")
"""


def cpu_model() -> str:
    """The CPU's model name (Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def timed_call(fn):
    """(result, seconds) of one call of fn."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def timed(fn) -> float:
    """Seconds one call of fn takes."""
    return timed_call(fn)[1]


def medians(fns, min_repeats: int, budget_s: float, max_repeats: int = 50) -> list[float]:
    """Median seconds per call of each fn, timed alternately after one warm-up call each.

    At least min_repeats rounds; more while under budget_s seconds, up to max_repeats.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    start = time.perf_counter()
    while len(times[0]) < min_repeats or (
            time.perf_counter() - start < budget_s and len(times[0]) < max_repeats):
        for fn, ts in zip(fns, times, strict=True):
            ts.append(timed(fn))
    return [statistics.median(ts) for ts in times]


def label(page) -> str:
    """The step label ("Step i of n", or the bare app's "Count n") on the page now."""
    return page.evaluate(
        """() => [...document.querySelectorAll('p')].map(p => p.innerText)
                 .find(t => /^(Step \\d+ of|Count )/.test(t))"""
    )


def time_clicks(page, label_of, clicks: int) -> list[float]:
    """Seconds from each click on Next until the label shows the new value and the run ended."""
    times = []
    for _ in range(clicks):
        before = label_of(page)
        start = time.perf_counter()
        page.get_by_role("button", name="Next").first.click()
        page.wait_for_function(
            """([before]) => {
                const app = document.querySelector('[data-testid="stApp"]');
                const label = [...document.querySelectorAll('p')]
                    .map(p => p.innerText).find(t => /^(Step \\d+ of|Count )/.test(t));
                return label && label !== before
                    && app.getAttribute('data-test-script-state') === 'notRunning';
            }""",
            arg=[before],
            polling=5,
        )
        times.append(time.perf_counter() - start)
    return times


def clicks_line(times: list[float]) -> str:
    """"median 0.123 s (0.120, 0.125, ...)" for a list of click times."""
    return f"median {statistics.median(times):.3f} s ({', '.join(f'{t:.3f}' for t in times)})"


@contextlib.contextmanager
def beside_bare_app(clicks: int):
    """The real app and the bare one-button app served side by side, one headless Chromium page.

    Times `clicks` clicks on the bare app's Next first (after two untimed ones), then yields
    (page, the app's AppServer, the bare app's times); the browser is closed afterwards.
    """
    from harness import AppServer, chromium_path, launch_browser, wait_settled
    from playwright.sync_api import sync_playwright

    if chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_APP)
        with AppServer() as app, AppServer(bare_script) as bare, sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            page.goto(bare.url)
            wait_settled(page)
            time_clicks(page, label, 2)  # warm-up
            bare_times = time_clicks(page, label, clicks)
            yield page, app, bare_times
            browser.close()

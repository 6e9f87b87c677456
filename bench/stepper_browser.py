"""The stepper in the browser: key → new step painted, messages to the server while stepping,
first visit → Next works, and what a rerun ships, in headless Chromium against the real app;
at 9, 1,000 and 10,000 steps. Then a student of the classroom scenario (bench/load.py) in a
real browser: 30 steps, then a model switch, with every message the page sends decoded.

Sequences: the lecture's 9 steps (first visit of a link), and uploaded CSVs (3 inputs) of
1,000 steps (untrained LSTM, 256 cells) and 10,000 steps. A 256-cell LSTM cannot be stepped
through 10,000 steps: its trace would record 25.6 million numbers, past the stepper's budget
(engine.trace.MAX_RECORDED, 10 million), so the 10,000-step cases are the largest LSTM the
budget takes (100 cells) and a 256-unit Elman RNN.

Usage: python bench/stepper_browser.py [--steps 8] [--quick]
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

from harness import CHROMIUM_ARGS, AppServer, chromium_path, wait_settled  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402

# In the page: press → the step's SVG is in the DOM and a frame has been painted.
PRESS = """async (key) => {
  const root = document.querySelector('.rnn-stepper');
  const before = root.dataset.step;
  const start = performance.now();
  document.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
  while (root.dataset.step === before) await new Promise(r => setTimeout(r, 0));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - start;
}"""
# The stepper's data as the page holds it: its size as JSON, its window, the steps.
DATA = """() => {
  const s = [...(window.rnnLabSteppers || new Map()).values()].find(s => s.root.isConnected);
  if (!s) return null;
  return {chars: JSON.stringify(s.data).length, first: s.data.first,
          frames: s.data.frames.length, steps: s.data.steps, step: s.step + 1};
}"""
NEXT_READY = ".rnn-stepper [data-move=next]:not([disabled])"
CASES = [  # (name, link, steps of the uploaded CSV or None)
    ("lecture, 9 steps", "stepper", None),
    ("1,000 steps, LSTM 256 cells", "stepper?model=lstm&in=3&hid=256", 1_000),
    ("10,000 steps, LSTM 100 cells", "stepper?model=lstm&in=3&hid=100", 10_000),
    ("10,000 steps, Elman RNN 256 units", "stepper?model=rnn&in=3&hid=256", 10_000),
]


def csv_of(steps: int) -> bytes:
    rows = [f"{t % 5},{t % 2},{int(t % 7 == 0)}" for t in range(steps)]
    return ("x1,x2,x3\n" + "\n".join(rows) + "\n").encode()


class Wire:
    """The page's websocket messages: what it sent and the bytes it received."""

    def __init__(self, page):
        self.sent: list[bytes] = []
        self.received = 0
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        if "/_stcore/stream" not in ws.url:
            return
        ws.on("framesent", lambda m: self.sent.append(m if isinstance(m, bytes) else b""))
        ws.on("framereceived", self._received)

    def _received(self, m) -> None:
        self.received += len(m)

    def mark(self) -> tuple[int, int]:
        return len(self.sent), self.received


def describe(raw: bytes) -> str:
    """One BackMsg the page sent, in words."""
    msg = BackMsg()
    try:
        msg.ParseFromString(raw)
    except Exception:  # noqa: BLE001 (a frame that is not a BackMsg)
        return f"{len(raw)} bytes, not a BackMsg"
    kind = msg.WhichOneof("type")
    if kind != "rerun_script":
        return kind or "empty"
    states = msg.rerun_script.widget_states.widgets
    json_states = [w.json_value for w in states if w.WhichOneof("value") == "json_value"
                   and '"step"' in w.json_value]
    triggers = [w.id.rsplit("-", 1)[-1] for w in states
                if w.WhichOneof("value") in ("trigger_value", "json_trigger_value")]
    return (f"rerun_script ({len(states)} widget states; the stepper's state "
            f"{', '.join(json_states) or 'not sent'}"
            + (f"; triggers {triggers}" if triggers else "") + ")")


def upload(page, steps: int) -> float:
    """Upload a CSV of `steps` steps through the sequence uploader; seconds until Next works
    on its step 1."""
    page.get_by_text("Upload a sequence file").click()
    box = '[data-testid="stExpander"]:has-text("Upload a sequence file") input[type=file]'
    start = time.perf_counter()
    page.locator(box).set_input_files(
        {"name": f"seq{steps}.csv", "mimeType": "text/csv", "buffer": csv_of(steps)})
    page.wait_for_function(
        """(n) => { const s = document.querySelector('.rnn-stepper');
                    const d = [...(window.rnnLabSteppers || new Map()).values()]
                        .find(s => s.root.isConnected);
                    return s && d && d.data.steps === n && s.dataset.step === '1'
                        && s.querySelector('[data-move=next]:not([disabled])'); }""",
        arg=steps, timeout=300_000, polling=20)
    return time.perf_counter() - start


def measure(page, wire: Wire, name: str, link: str, steps: int | None, presses: int,
            url: str) -> None:
    start = time.perf_counter()
    page.goto(f"{url}/{link}")
    page.wait_for_selector(NEXT_READY, timeout=120_000)
    page.wait_for_selector(".rnn-stepper .rnn-diagram svg", timeout=120_000)
    ready = time.perf_counter() - start
    wait_settled(page, timeout=120_000)
    what = f"first visit → Next works {ready:.2f} s"
    if steps:
        sent0, got0 = wire.mark()
        took = upload(page, steps)
        wait_settled(page, timeout=120_000)
        what = (f"upload → Next works {took:.2f} s (rerun: {wire.received - got0:,} bytes "
                f"received, {len(wire.sent) - sent0} sent)")
    page.mouse.click(900, 5)
    page.wait_for_timeout(500)
    data = page.evaluate(DATA)
    sent0 = len(wire.sent)
    times = [page.evaluate(PRESS, "ArrowRight") for _ in range(presses)]
    page.wait_for_timeout(500)
    sent = len(wire.sent) - sent0
    print(f"{name}: key → painted median {statistics.median(times):.1f} ms (max "
          f"{max(times):.1f}); messages for {presses} steps: {sent}; {what}")
    print(f"  the stepper's data: {data['chars']:,} characters of JSON for steps "
          f"{data['first'] + 1}-{data['first'] + data['frames']} of {data['steps']:,}")
    if steps and steps > 100:  # End: out of the window, so Python sends the steps around it
        sent0, got0 = wire.mark()
        start = time.perf_counter()
        page.evaluate("""() => document.dispatchEvent(
            new KeyboardEvent('keydown', {key: 'End', bubbles: true}))""")
        page.wait_for_function(
            """(n) => document.querySelector('.rnn-stepper').dataset.step === String(n)""",
            arg=steps, timeout=120_000, polling=10)
        took = time.perf_counter() - start
        wait_settled(page, timeout=120_000)
        data = page.evaluate(DATA)
        print(f"  End (outside the window) → last step painted {took:.2f} s; "
              f"{len(wire.sent) - sent0} sent, {wire.received - got0:,} bytes received; "
              f"data then {data['chars']:,} characters for steps {data['first'] + 1}-"
              f"{data['first'] + data['frames']}")


def student(page, wire: Wire, url: str, steps: int = 30) -> None:
    """A classroom student in Chromium: a 40-step upload, 30 steps, a model switch."""
    page.goto(f"{url}/stepper")
    page.wait_for_selector(NEXT_READY, timeout=120_000)
    wait_settled(page)
    upload(page, 40)
    wait_settled(page)
    page.mouse.click(900, 5)
    page.wait_for_timeout(500)
    sent0 = len(wire.sent)
    for _ in range(steps):
        page.evaluate(PRESS, "ArrowRight")
    page.wait_for_timeout(1000)
    stepping = wire.sent[sent0:]
    print(f"classroom student in Chromium: {steps} steps sent {len(stepping)} messages"
          + "".join(f"\n  {describe(m)}" for m in stepping))
    sent0 = len(wire.sent)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Model").first
    box.click()
    page.get_by_role("option", name="Untrained GRU").click()
    page.wait_for_function(
        """() => document.querySelector('.rnn-stepper .rnn-line')?.innerText.includes('31')""",
        timeout=60_000)
    wait_settled(page)
    page.wait_for_timeout(500)
    switching = wire.sent[sent0:]
    line = page.locator(".rnn-stepper .rnn-line").inner_text()
    print(f"  model switch (pick 'Untrained GRU' in the sidebar): {len(switching)} messages"
          + "".join(f"\n  {describe(m)}" for m in switching) + f"\n  then the page shows: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="steps per measurement")
    parser.add_argument("--quick", action="store_true", help="the 9-step lecture only")
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    with AppServer(timeout=120) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        wire = Wire(page)
        for name, link, steps in CASES[:1] if args.quick else CASES:
            measure(page, wire, name, link, steps, args.steps, app.url)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        student(page, Wire(page), app.url)
        browser.close()


if __name__ == "__main__":
    main()

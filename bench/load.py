"""Many users at once: concurrent users stepping the stepper on one server.

Each user (its own Streamlit session) opens the stepper, uploads its own CSV sequence through
the page's file uploader (user i's has 6 + i steps), then clicks Next (First at the last step)
as soon as the page has settled, for a fixed time. Every label it sees must name its own
sequence's length: a label with another length would be another user's data.

Two kinds of users (--clients):
- ws (default): light websocket clients (bench/ws_client.py) that speak Streamlit's own
  protocol, as the browser's frontend does: a click is a `rerun_script` BackMsg carrying the
  button's trigger and the page's widget states; the upload goes through the file-URL request
  and an HTTP PUT to /_stcore/upload_file. Settled = the run's script_finished has arrived and
  it drew the new "Step k of N" label. They render nothing, so the server's own cost shows.
- browser: headless Chromium (one browser, a context per user) clicking the real page; settled
  = the new label is drawn and the app reports the script is not running. On a small machine
  the browsers compete with the server for the CPU.

Reported: errors (timeouts, exceptions or st.error on the page, JavaScript errors, labels of the
wrong length or step; must be 0), step latency click → settled (p50, p95, max), steps per
second over all users, the server's CPU time per step and its resident memory (largest sample
and peak) — next to the same click timed by one user alone on the same server just before (the
reference for the ratio). In ws mode also the clients' own CPU and the bytes the server sent.

Usage: python bench/load.py [--clients ws|browser] [--users 20] [--seconds 60]
Loopback only (127.0.0.1); every loop is bounded by the deadline and per-step timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from harness import CHROMIUM_ARGS, AppServer, chromium_path  # noqa: E402

UPLOADER = "One row per step"  # the start of the stepper's sequence uploader's label
STEP_TIMEOUT_MS = 120_000  # a step that takes longer counts as an error (2 shared cores)
SETUP_TIMEOUT_MS = 300_000  # opening the page and uploading, per user, under full load
LABEL_JS = """() => [...document.querySelectorAll('p')].map(p => p.innerText)
                    .find(t => /^Step \\d+ of \\d+/.test(t)) || ''"""
SETTLED_JS = """([before]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const label = [...document.querySelectorAll('p')].map(p => p.innerText)
        .find(t => /^Step \\d+ of \\d+/.test(t));
    return label && label !== before
        && app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


def csv_of(steps: int) -> bytes:
    """A CSV sequence of `steps` steps for the lecture's 3-input LSTM."""
    rows = [f"{t % 5},{t % 2},{int(t % 7 == 0)}" for t in range(steps)]
    return ("x1,x2,x3\n" + "\n".join(rows) + "\n").encode()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in bytes (Linux /proc)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, kib = line.split()[:2]
            fields[name] = int(kib) * 1024
    return fields.get("VmRSS:", 0), fields.get("VmHWM:", 0)


class BrowserUser:
    """One browser context stepping its own uploaded sequence."""

    def __init__(self, index: int):
        self.index = index
        self.steps = 6 + index  # T of this user's own sequence
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.context = None
        self.page = None

    async def open(self, browser, url: str) -> None:
        self.context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = self.page = await self.context.new_page()
        page.set_default_timeout(SETUP_TIMEOUT_MS)
        page.on("pageerror", lambda exc: self.errors.append(f"js: {exc}"))
        await page.goto(f"{url}/stepper")
        await page.wait_for_function(SETTLED_JS, arg=[""])
        await page.get_by_text("Upload a sequence file").click()
        box = '[data-testid="stExpander"]:has-text("Upload a sequence file") input[type=file]'
        await page.locator(box).set_input_files(
            {"name": f"user{self.index}.csv", "mimeType": "text/csv",
             "buffer": csv_of(self.steps)})
        await page.wait_for_function(
            f"() => document.body.innerText.includes('Step 1 of {self.steps}')")
        await page.wait_for_function(SETTLED_JS, arg=[""])

    async def step_until(self, deadline: float) -> None:
        page = self.page
        next_button = page.get_by_role("button", name=re.compile("Next"))
        first_button = page.get_by_role("button", name=re.compile("First"))
        while time.monotonic() < deadline:
            before = await page.evaluate(LABEL_JS)
            at_end = before.startswith(f"Step {self.steps} of")
            start = time.perf_counter()
            try:
                await (first_button if at_end else next_button).click(timeout=STEP_TIMEOUT_MS)
                await page.wait_for_function(SETTLED_JS, arg=[before], polling=10,
                                             timeout=STEP_TIMEOUT_MS)
            except Exception as err:  # a timeout or a closed page: counted, then stop
                self.errors.append(f"step: {type(err).__name__}: {str(err)[:120]}")
                return
            self.latencies.append(time.perf_counter() - start)
            label = await page.evaluate(LABEL_JS)
            if not label.startswith("Step ") or f" of {self.steps}" not in label:
                self.errors.append(f"label {label!r} is not this user's {self.steps}-step one")
        if await page.locator('[data-testid="stException"]').count():
            self.errors.append("an exception is shown on the page")

    async def close(self) -> None:
        if self.context is not None:
            await self.context.close()


class WsUser:
    """One websocket session stepping its own uploaded sequence."""

    def __init__(self, index: int):
        self.index = index
        self.steps = 6 + index  # T of this user's own sequence
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.client = None

    async def open(self, url: str) -> None:
        from ws_client import StreamlitClient

        self.client = StreamlitClient(url, "stepper", timeout=SETUP_TIMEOUT_MS / 1000)
        try:
            await self.client.open()
            run = await self.client.upload(UPLOADER, f"user{self.index}.csv",
                                           csv_of(self.steps))
        except Exception as err:
            self.errors.append(f"open: {type(err).__name__}: {str(err)[:120]}")
            return
        self._check(run, 1)
        self.client.timeout = STEP_TIMEOUT_MS / 1000

    def _check(self, run, step: int) -> bool:
        """Count what is wrong with a finished run that should show `step` of this user's
        sequence; True when nothing is."""
        wrong = [f"page: {p}" for p in run.problems]
        if run.status != 0:
            wrong.append(f"script finished with status {run.status}")
        t = step - 1  # the row of csv_of(self.steps) this step reads
        row = f"{t % 5}, {t % 2}, {int(t % 7 == 0)}"
        expected = f"**Step {step} of {self.steps}** · input x = [{row}]"
        if not run.label.startswith(expected):
            wrong.append(f"label {run.label[:60]!r}, expected {expected!r}")
        self.errors.extend(wrong)
        return not wrong

    async def step_until(self, deadline: float) -> None:
        if self.errors:
            return
        client = self.client
        while time.monotonic() < deadline:
            step = int(client.last.label.split()[1])
            at_end = step == self.steps
            start = time.perf_counter()
            try:
                run = await client.click("First" if at_end else "Next")
            except Exception as err:  # a timeout or a closed socket: counted, then stop
                self.errors.append(f"step: {type(err).__name__}: {str(err)[:120]}")
                return
            self.latencies.append(time.perf_counter() - start)
            if not self._check(run, 1 if at_end else step + 1):
                return

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


async def sample_memory(pid: int, stop: asyncio.Event, samples: list[int]) -> None:
    while not stop.is_set():
        samples.append(rss(pid)[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Browsers:
    """Opens BrowserUsers in one headless Chromium (a context each)."""

    async def __aenter__(self) -> Browsers:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self.browser = await self._pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        return self

    async def user(self, index: int, url: str) -> BrowserUser:
        user = BrowserUser(index)
        await user.open(self.browser, url)
        return user

    async def __aexit__(self, *exc) -> None:
        await self.browser.close()
        await self._pw.stop()


class Sockets:
    """Opens WsUsers (nothing shared between them)."""

    async def __aenter__(self) -> Sockets:
        return self

    async def user(self, index: int, url: str) -> WsUser:
        user = WsUser(index)
        await user.open(url)
        return user

    async def __aexit__(self, *exc) -> None:
        pass


async def run(clients: str, users: int, seconds: float) -> None:
    with AppServer() as app:
        async with (Sockets() if clients == "ws" else Browsers()) as kind:
            # reference: one user alone on the same (warm) server
            solo = await kind.user(0, app.url)
            await solo.step_until(time.monotonic() + min(15.0, seconds / 4))
            await solo.close()
            opened, crowd = time.monotonic(), []
            for start in range(0, users, 5):  # open in waves of 5: 2 cores start them
                crowd += await asyncio.gather(*(kind.user(i, app.url)
                                                for i in range(start, min(users, start + 5))))
            opened = time.monotonic() - opened
            stop, samples = asyncio.Event(), []
            sampler = asyncio.create_task(sample_memory(app.process.pid, stop, samples))
            began, cpu0 = time.monotonic(), cpu_seconds(app.process.pid)
            own0, received0 = time.process_time(), received(crowd)
            await asyncio.gather(*(u.step_until(began + seconds) for u in crowd))
            elapsed = time.monotonic() - began
            server_cpu = cpu_seconds(app.process.pid) - cpu0
            own_cpu, bytes_in = time.process_time() - own0, received(crowd) - received0
            stop.set()
            await sampler
            peak = rss(app.process.pid)[1]
            for u in crowd:
                await u.close()

    lat = [t for u in crowd for t in u.latencies]
    errors = [f"user {u.index}: {e}" for u in crowd for e in u.errors]
    errors += [f"alone: {e}" for e in solo.errors]
    what = "websocket clients" if clients == "ws" else "headless-Chromium users"
    print(f"{users} {what}, {seconds:.0f} s of stepping ({opened:.0f} s to open and upload)")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    if not lat or not solo.latencies:
        print("no step settled: nothing to time")
        sys.exit(1)
    solo_p50 = statistics.median(solo.latencies)
    print(f"steps: {len(lat)} in {elapsed:.1f} s = {len(lat) / elapsed:.1f} steps/s over all "
          f"users; per user min {min(len(u.latencies) for u in crowd)}, "
          f"max {max(len(u.latencies) for u in crowd)}")
    print(f"step latency click → settled: p50 {statistics.median(lat):.3f} s, "
          f"p95 {pct(lat, 0.95):.3f} s, max {max(lat):.3f} s")
    print(f"one user alone (same server, just before): p50 {solo_p50:.3f} s over "
          f"{len(solo.latencies)} steps; ratio p50 crowd / alone: "
          f"{statistics.median(lat) / solo_p50:.1f}×")
    rest = ("this process's clients" if clients == "ws"
            else f"the {users} Chromium pages") + " and other work"
    print(f"server CPU while stepping: {server_cpu:.1f} s of {elapsed:.1f} s wall "
          f"({server_cpu / elapsed:.0%} of one core), {1000 * server_cpu / len(lat):.0f} ms "
          f"per step; the rest of the 2 cores went to {rest}")
    if clients == "ws":
        print(f"clients (all {users} in this process): {own_cpu:.1f} s CPU "
              f"({1000 * own_cpu / len(lat):.0f} ms per step); server → clients "
              f"{bytes_in / len(lat) / 1024:.0f} KiB per step, "
              f"{sum(u.client.ref_hits for u in crowd)} messages sent as cache references")
    print(f"server RSS: largest sample {max(samples) / 2**20:.0f} MiB, peak (VmHWM) "
          f"{peak / 2**20:.0f} MiB")
    if errors:
        sys.exit(1)


def received(users) -> int:
    """Bytes the server has sent to websocket users so far (0 for browsers)."""
    return sum(u.client.bytes_in for u in users if getattr(u, "client", None) is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", choices=("ws", "browser"), default="ws",
                        help="websocket clients (default) or headless Chromium pages")
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    parser.add_argument("--seconds", type=float, default=60.0, help="stepping time")
    args = parser.parse_args()
    if args.clients == "browser" and chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    if not 1 <= args.users <= 50 or not 1 <= args.seconds <= 600:
        sys.exit("--users 1..50 and --seconds 1..600")
    asyncio.run(run(args.clients, args.users, args.seconds))


if __name__ == "__main__":
    main()

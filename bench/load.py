"""Many users at once: a classroom on the step-through, or users stepping as fast as they can.

Scenario `classroom` (the default): 60 students (websocket clients, bench/ws_client.py) each
open the LSTM step-through (within the first 10 s, at random), change the sequence once (an
upload of their own CSV, 31-70 steps), step 30 times at one step every 2 s, and switch the
model once (to the untrained GRU), each action 2 s after the last. --interval scales the
time (0.5 for quick runs; the real one is 2 s). Two versions of the page (--mode):
- after: today's browser stepper. A step sends nothing (its steps are in the page: a window of
  48 around the current one); the client checks that the step it moves to is in the window
  Python sent, and tells Python the step only when it leaves it (a rerun with the component's
  state, as stepper.js's setStateValue) and before the model switch (stepper.js tells Python
  the step when another control is touched). Server actions: open, sequence, model switch,
  and those syncs.
- before: the Python stepper, every step a rerun (a click on Next), served from the last
  commit that had it (BEFORE_REV, extracted with `git archive` into a temporary folder).
Every answer must show the student's own sequence ("Step k of N" with its own N and its own
row of inputs). Reported: errors (goal 0), p50/p95 of the server actions (goal p95 ≤ 1.5 s),
server CPU seconds per student and per student-minute (of the nominal lesson: 32 intervals),
peak RSS. --processes N > 1 serves the app from N processes behind nginx
(deploy/serve_class.py); --cpus pins the Streamlit processes (taskset) and puts the clients on
the other cores.

Scenario `stepping` (the earlier one, for the Python stepper, so with --mode before):
concurrent users stepping the stepper on one server.

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

Usage: python bench/load.py [--mode after|before] [--users 60] [--interval 2] [--steps 30]
                            [--processes 1] [--cpus 0]
       python bench/load.py --scenario stepping --mode before [--clients ws|browser]
                            [--users 20] [--seconds 60]
Loopback only (127.0.0.1); every loop is bounded by the deadline and per-step timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench"), str(ROOT / "deploy")]

from harness import CHROMIUM_ARGS, chromium_path  # noqa: E402
from serve_class import Classroom, free_ports  # noqa: E402

BEFORE_REV = "bc30ca2^"  # the last commit whose step-through stepped in Python (a rerun a step)
# ... whose router already imported the phone layout, committed a little later: taken from there
BEFORE_EXTRA = ("d8bf94e", ["app/components/phone.py", "app/components/phone.css",
                            "app/components/phone.js"])
STEPPER = "rnn_lab.stepper"  # the browser stepper's component
NEW_MODEL = "Untrained GRU"  # what each student switches to (input size 3, like the CSV)
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


@contextlib.contextmanager
def serving(mode: str, processes: int = 1, cpus: str | None = None, rev: str | None = None):
    """The app's processes (a Classroom): this working tree, a commit's tree (`rev`), or the
    Python stepper's (mode `before`: BEFORE_REV)."""
    rev = BEFORE_REV if mode == "before" else rev
    with tempfile.TemporaryDirectory(prefix="rnnlab-rev-") as tmp:
        root = ROOT
        if rev:
            archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            if mode == "before":
                extra = subprocess.run(["git", "archive", BEFORE_EXTRA[0], *BEFORE_EXTRA[1]],
                                       cwd=ROOT, check=True, capture_output=True).stdout
                subprocess.run(["tar", "-x", "-C", tmp], input=extra, check=True)
            root = Path(tmp)
        with Classroom(processes, proxy=processes > 1, root=root, cpus=cpus,
                       port=free_ports(1), first_port=free_ports(processes)) as room:
            yield room


async def run(clients: str, users: int, seconds: float) -> None:
    with serving("before") as app:
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
            sampler = asyncio.create_task(sample_memory(app.pids[0], stop, samples))
            began, cpu0 = time.monotonic(), cpu_seconds(app.pids[0])
            own0, received0 = time.process_time(), received(crowd)
            await asyncio.gather(*(u.step_until(began + seconds) for u in crowd))
            elapsed = time.monotonic() - began
            server_cpu = cpu_seconds(app.pids[0]) - cpu0
            own_cpu, bytes_in = time.process_time() - own0, received(crowd) - received0
            stop.set()
            await sampler
            peak = rss(app.pids[0])[1]
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


# --- the classroom scenario ---------------------------------------------------------------------

STEP_LINE = re.compile(r"Step (\d+) of (\d+)\D*?input x = \[([^\]]*)\]")
TAG = re.compile(r"<[^>]+>|\*\*")


def student_csv(index: int) -> tuple[int, bytes]:
    """(steps, CSV) of student `index`'s own sequence: 31-70 steps, its own numbers."""
    steps = 31 + index % 40
    rows = [f"{(t + index) % 5},{t % 2},{int((t + index) % 7 == 0)}" for t in range(steps)]
    return steps, ("x1,x2,x3\n" + "\n".join(rows) + "\n").encode()


def expected_row(index: int, step: int) -> list[float]:
    t = step - 1
    return [float((t + index) % 5), float(t % 2), float((t + index) % 7 == 0)]


class Stop(Exception):
    """A student cannot go on (the error is recorded)."""


class Student:
    """One student of the classroom scenario, over a websocket (bench/ws_client.py)."""

    def __init__(self, index: int, mode: str, steps: int, interval: float):
        self.index, self.mode, self.steps, self.interval = index, mode, steps, interval
        self.length, self.csv = student_csv(index)
        self.actions: list[tuple[str, float]] = []  # (what, seconds) of each server round trip
        self.errors: list[str] = []
        self.client = None
        self.browser_steps = 0  # steps taken in the page, with no message to the server
        self.data_bytes: list[int] = []  # the stepper component's data per rerun (after)

    async def act(self, what: str, call):
        start = time.perf_counter()
        try:
            run = await call
        except Exception as err:  # a timeout, a refused request or a closed socket
            self.errors.append(f"{what}: {type(err).__name__}: {str(err)[:160]}")
            raise Stop from err
        self.actions.append((what, time.perf_counter() - start))
        if self.mode == "after" and STEPPER in run.components:
            self.data_bytes.append(run.component_bytes)
        wrong = [f"{what}: page: {p}" for p in run.problems]
        if run.status != 0:
            wrong.append(f"{what}: script finished with status {run.status}")
        if wrong:
            self.errors.extend(wrong)
            raise Stop
        return run

    def line(self, run, step: int) -> str:
        """The step line the page shows for `step` (1-based) after `run`, or ''."""
        if self.mode == "before":
            return run.label
        data = run.components.get(STEPPER, (None, {}))[1]
        lines, first = data.get("lines") or [], data.get("first", 0)
        frames = data.get("frames") or []
        if not first <= step - 1 < first + min(len(lines), len(frames)):
            return ""  # not in the window the page holds
        return lines[step - 1 - first]

    def check(self, what: str, run, step: int, steps: int | None = None) -> None:
        """The page shows step `step` of this student's sequence (steps: its length)."""
        line = TAG.sub("", self.line(run, step))
        match = STEP_LINE.search(line)
        steps = steps or self.length
        want = expected_row(self.index, step) if steps == self.length else None
        ok = bool(match) and int(match[1]) == step and int(match[2]) == steps
        if ok and want is not None:
            ok = [float(v) for v in match[3].split(",")] == want
        if not ok:
            self.errors.append(f"{what}: line {line[:70]!r}, expected step {step} of {steps}"
                               + (f" reading {want}" if want else ""))
            raise Stop

    def python_step(self, run) -> int:
        """The step the page is on after a run."""
        if self.mode == "before":
            match = STEP_LINE.search(TAG.sub("", run.label))
            return int(match[1]) if match else 0
        return int(run.components.get(STEPPER, (None, {}))[1].get("step", 0))

    async def lesson(self, url: str, start: float, timeout: float) -> None:
        from ws_client import StreamlitClient

        loop = asyncio.get_running_loop()

        async def at(moment: float) -> None:
            await asyncio.sleep(max(0.0, moment - loop.time()))

        await at(start)
        self.client = client = StreamlitClient(url, "stepper", timeout=timeout)
        try:
            run = await self.act("open", client.open())
            self.check("open", run, 1, 9)  # the lecture's 9 steps
            began = loop.time()
            await at(began + self.interval)
            run = await self.act("sequence", client.upload(UPLOADER, f"student{self.index}.csv",
                                                           self.csv))
            self.check("sequence", run, 1)
            step, synced = 1, 1
            for k in range(1, self.steps + 1):
                await at(began + (k + 1) * self.interval)
                step += 1
                if self.mode == "before":
                    run = await self.act("step", client.click("Next"))
                    synced = step
                elif not self.line(run, step):  # out of the window: Python sends more
                    run = await self.act("sync", client.set_component_state(STEPPER,
                                                                            {"step": step}))
                    synced = step
                else:
                    self.browser_steps += 1
                self.check(f"step {step}", run, step)
            await at(began + (self.steps + 2) * self.interval)
            if synced != step:  # touching the model picker first tells Python the step
                run = await self.act("sync", client.set_component_state(STEPPER, {"step": step}))
            run = await self.act("model", client.select("Model", NEW_MODEL))
            self.check("model", run, self.python_step(run))
            if self.python_step(run) != step:
                self.errors.append(f"model: the page went to step {self.python_step(run)}, "
                                   f"not the student's {step}")
        except Stop:
            pass
        finally:
            await client.close()


def process_peaks(pids: list[int]) -> list[int]:
    return [rss(pid)[1] for pid in pids]


async def classroom(mode: str, users: int, steps: int, interval: float, spread: float,
                    processes: int, cpus: str | None, rev: str | None,
                    deadline: float = 900.0) -> None:
    nominal = (steps + 2) * interval  # one student's lesson: sequence, 30 steps, model
    with serving(mode, processes, cpus, rev) as room:
        if cpus:  # the clients keep off the server's cores
            others = set(range(os.cpu_count() or 1)) - {int(c) for c in cpus.split(",")}
            if others:
                os.sched_setaffinity(0, others)
        # warm the caches (the models, the first run of each page part) with one student
        warm = Student(10_000, mode, 2, 0.0)
        await warm.lesson(room.url, 0.0, STEP_TIMEOUT_MS / 1000)
        if warm.errors:
            sys.exit(f"the warm-up student failed: {warm.errors}\n{room.logs()}")
        rng = random.Random(0)
        students = [Student(i, mode, steps, interval) for i in range(users)]
        stop, samples = asyncio.Event(), {pid: [] for pid in room.pids}
        samplers = [asyncio.create_task(sample_memory(pid, stop, samples[pid]))
                    for pid in room.pids]
        cpu0 = sum(cpu_seconds(pid) for pid in room.pids)
        own0, t0 = time.process_time(), asyncio.get_running_loop().time()
        lessons = [asyncio.create_task(s.lesson(room.url, t0 + rng.uniform(0, spread),
                                                STEP_TIMEOUT_MS / 1000)) for s in students]
        _, unfinished = await asyncio.wait(lessons, timeout=deadline)
        for task in unfinished:  # the lesson ran past the deadline: stopped, counted
            task.cancel()
        await asyncio.gather(*lessons, return_exceptions=True)
        for s, task in zip(students, lessons, strict=True):
            if task in unfinished:
                s.errors.append(f"unfinished after {deadline:.0f} s (did {len(s.actions)} "
                                "server actions)")
        elapsed = asyncio.get_running_loop().time() - t0
        server_cpu = sum(cpu_seconds(pid) for pid in room.pids) - cpu0
        own_cpu = time.process_time() - own0
        stop.set()
        await asyncio.gather(*samplers)
        peaks = process_peaks(room.pids)
        placed = {}
        if processes > 1:  # which process each student's session landed on
            log = Path(room.prefix) / "access.log"
            ports = [line.split('"')[-2] for line in log.read_text().splitlines()
                     if "/_stcore/stream" in line] if log.exists() else []
            placed = {port: ports.count(port) for port in sorted(set(ports))}

    actions = [(what, t) for s in students for what, t in s.actions]
    errors = [f"student {s.index}: {e}" for s in students for e in s.errors]
    times = [t for _, t in actions]
    where = (f"{processes} processes behind nginx" if processes > 1 else "one process")
    served = BEFORE_REV if mode == "before" else rev or "the working tree"
    print(f"classroom, {mode} ({served}): {users} students, {steps} steps every {interval:g} s "
          f"(opened within {spread:g} s), {where}"
          + (f", pinned to CPU {cpus}" if cpus else "") + f"; {elapsed:.0f} s in all")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    unfinished = sum(any(e.startswith("unfinished") for e in s.errors) for s in students)
    if unfinished:
        print(f"{unfinished} of {users} students had not finished after {deadline:.0f} s")
    if not times:
        sys.exit(1)
    print(f"server actions: {len(times)} ({len(times) / users:.1f} per student); "
          f"p50 {statistics.median(times):.3f} s, p95 {pct(times, 0.95):.3f} s, "
          f"max {max(times):.3f} s; goal p95 ≤ 1.5 s: "
          f"{'PASS' if pct(times, 0.95) <= 1.5 else 'MISS'}")
    for what in ("open", "sequence", "step", "sync", "model"):
        these = [t for w, t in actions if w == what]
        if these:
            print(f"  {what:8s} {len(these):5d}  p50 {statistics.median(these):.3f} s  "
                  f"p95 {pct(these, 0.95):.3f} s  max {max(these):.3f} s")
    in_page = sum(s.browser_steps for s in students)
    print(f"steps taken in the page without a message: {in_page} of "
          f"{sum(s.browser_steps for s in students) + sum(w == 'step' for w, _ in actions)}")
    per_student = server_cpu / users
    print(f"server CPU: {server_cpu:.1f} s over {elapsed:.0f} s ({server_cpu / elapsed:.0%} of "
          f"one core); {per_student:.2f} s per student, {per_student / (nominal / 60):.2f} s "
          f"per student-minute (a lesson of {nominal:g} s)")
    print(f"clients (all in this process): {own_cpu:.1f} s CPU")
    print("server peak RSS (VmHWM): " + ", ".join(f"{p / 2**20:.0f} MiB" for p in peaks)
          + (f" (sum {sum(peaks) / 2**20:.0f} MiB)" if len(peaks) > 1 else "")
          + "; largest sample " + ", ".join(f"{max(v) / 2**20:.0f} MiB"
                                              for v in samples.values() if v))
    sizes = [b for s in students for b in s.data_bytes]
    if sizes:
        print(f"stepper data per rerun: median {statistics.median(sizes) / 1024:.0f} KiB, "
              f"max {max(sizes) / 1024:.0f} KiB")
    if placed:
        print("websocket sessions per process (nginx's access log): "
              + ", ".join(f"{k}: {v}" for k, v in placed.items()))
    if errors:
        sys.exit(1)



def received(users) -> int:
    """Bytes the server has sent to websocket users so far (0 for browsers)."""
    return sum(u.client.bytes_in for u in users if getattr(u, "client", None) is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("classroom", "stepping"), default="classroom")
    parser.add_argument("--mode", choices=("after", "before"), default="after",
                        help="the browser stepper (after) or the Python stepper (before)")
    parser.add_argument("--users", type=int, default=None,
                        help="students (classroom: 60) or users (stepping: 20)")
    parser.add_argument("--steps", type=int, default=30, help="classroom: steps per student")
    parser.add_argument("--interval", type=float, default=2.0,
                        help="classroom: seconds between a student's actions (real: 2)")
    parser.add_argument("--spread", type=float, default=None,
                        help="classroom: students open within this many seconds (5 intervals)")
    parser.add_argument("--processes", type=int, default=1,
                        help="classroom: Streamlit processes (more than 1: behind nginx)")
    parser.add_argument("--cpus", default=None,
                        help="classroom: pin the Streamlit processes to these CPUs (taskset -c)")
    parser.add_argument("--deadline", type=float, default=900.0,
                        help="classroom: stop lessons still running after this many seconds")
    parser.add_argument("--rev", default=None,
                        help="classroom, after: serve this commit (git archive), not the tree")
    parser.add_argument("--clients", choices=("ws", "browser"), default="ws",
                        help="stepping: websocket clients (default) or headless Chromium pages")
    parser.add_argument("--seconds", type=float, default=60.0, help="stepping: stepping time")
    args = parser.parse_args()
    if args.scenario == "classroom":
        users = args.users or 60
        if not 1 <= users <= 1000 or not 1 <= args.steps <= 200 or not 0 <= args.interval <= 60:
            sys.exit("--users 1..1000, --steps 1..200, --interval 0..60")
        spread = 5 * args.interval if args.spread is None else args.spread
        asyncio.run(classroom(args.mode, users, args.steps, args.interval, spread,
                              args.processes, args.cpus, args.rev, args.deadline))
        return
    users = args.users or 20
    if args.mode != "before":
        sys.exit("the stepping scenario clicks the Python stepper's Next: --mode before")
    if args.clients == "browser" and chromium_path() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    if not 1 <= users <= 50 or not 1 <= args.seconds <= 600:
        sys.exit("--users 1..50 and --seconds 1..600")
    asyncio.run(run(args.clients, users, args.seconds))


if __name__ == "__main__":
    main()

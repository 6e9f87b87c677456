"""Start the real app on a free loopback port and drive it with Debian's headless Chromium.

Shared by the browser tests and `bench/app.py`. Never downloads a browser: Chromium comes from
the system (`/usr/bin/chromium`, or $RNN_LAB_CHROMIUM).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """The system Chromium, or None when it is not installed."""
    explicit = os.environ.get("RNN_LAB_CHROMIUM")
    if explicit and Path(explicit).exists():
        return explicit
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(name).exists():
            return name
    return shutil.which("chromium")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`streamlit run <script>` (default: the app) on 127.0.0.1:<free port>, stopped on exit."""

    def __init__(self, script: Path | str | None = None, timeout: float = 60.0):
        self.script = str(script or ROOT / "app" / "streamlit_app.py")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the server)

    def __enter__(self) -> AppServer:
        command = [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{self.log()}")
            health = f"{self.url}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as reply:
                if reply.status == 200:
                    return self
            time.sleep(0.25)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the app did not start within {self.timeout:.0f} s:\n{self.log()}")

    def peak_rss_bytes(self) -> int:
        """The server process's peak resident memory so far (Linux: VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(kib) * 1024

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-5000:]

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def launch_browser(playwright):
    """Debian's Chromium, headless, with no network chatter."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )


def wait_settled(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script and drawing the result."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning';
        }""",
        timeout=timeout,
    )


def open_page(page, server, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    wait_settled(page)


def assert_clean(page, server=None) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert not page.js_errors, page.js_errors


def step_label(page) -> str:
    """The "Step k of T" line: the browser stepper's, or a page's own markdown line."""
    text = page.locator(".rnn-stepper .rnn-line", has_text=re.compile(r"^Step \d")).or_(
        page.locator('[data-testid="stMarkdownContainer"] p', has_text=re.compile(r"^Step \d")))
    text.first.wait_for(timeout=30_000)
    return text.first.inner_text()


_SWIPE = """([selector, dx, dy]) => {
  const el = document.querySelector(selector);
  const r = el.getBoundingClientRect();
  const x = r.x + r.width / 2, y = r.y + (dy === null ? r.height / 2 : dy);
  const touch = (cx) => new Touch({identifier: 1, target: el, clientX: cx, clientY: y});
  el.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(x)],
    changedTouches: [touch(x)], bubbles: true}));
  el.dispatchEvent(new TouchEvent('touchend', {touches: [],
    changedTouches: [touch(x + dx)], bubbles: true}));
}"""


def swipe(page, selector: str, dx: float, y: float | None = None) -> None:
    """A sideways touch swipe of `dx` px (negative: to the left, the next step) across the
    element `selector`, at `y` px from its top (its middle when None)."""
    page.evaluate(_SWIPE, [selector, dx, y])

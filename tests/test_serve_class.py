"""The class recipe (deploy/serve_class.py + deploy/nginx.conf): two Streamlit processes behind
Debian's nginx, started as a user would start them and stopped with Ctrl-C.

Checks that both processes serve and nginx reaches both (sticky: one cookie, one process), that
a websocket session through the proxy renders the step-through and uploads its own sequence
(the upload's HTTP request must reach the session's process), that a real browser steps it
through the proxy, and that Ctrl-C stops nginx and every process. In CI (CI=true) a missing
nginx is a failure (.ci/run installs it); elsewhere these tests skip and say why.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "deploy"), str(ROOT / "bench")]

from serve_class import free_ports, nginx_path  # noqa: E402
from ws_client import StreamlitClient  # noqa: E402

STEPPER = "rnn_lab.stepper"
START_S = 180  # two cold processes starting together on a small shared machine


def get(url: str, cookie: str | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, reply.headers, reply.read()


def answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


@pytest.fixture(scope="module")
def room():
    """`python deploy/serve_class.py --processes 2` on free loopback ports, in its own process
    group (as a terminal runs it); yields (process, proxy url, upstream urls)."""
    if nginx_path() is None:
        message = "nginx is not installed (apt-get install nginx); the class recipe needs it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    port, first = free_ports(1), free_ports(2)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "serve_class.py"), "--processes", "2",
         "--port", str(port), "--first-port", str(first), "--address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    upstreams = [f"http://127.0.0.1:{first + i}" for i in range(2)]
    deadline = time.monotonic() + START_S
    while not answers(f"{url}/healthz"):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the class recipe did not start"
        time.sleep(0.5)
    yield process, url, upstreams
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_both_processes_serve_and_the_proxy_reaches_both(room):
    process, url, upstreams = room
    for upstream in upstreams:
        assert get(f"{upstream}/_stcore/health")[2] == b"ok"
    reached = {}
    for _ in range(24):  # 24 browsers: each gets a cookie, and nginx hashes it to a process
        status, headers, body = get(f"{url}/_stcore/health")
        assert (status, body) == (200, b"ok")
        cookie = next(c.split(";")[0] for c in headers.get_all("Set-Cookie")
                      if c.startswith("rnnlab_server="))
        again = {get(f"{url}/_stcore/health", cookie)[1]["X-RNN-Lab-Upstream"]
                 for _ in range(3)}
        assert len(again) == 1, f"one cookie reached {again}"  # sticky
        reached[cookie] = again.pop()
    assert set(reached.values()) == {u.removeprefix("http://") for u in upstreams}
    status, _, body = get(f"{url}/stepper")
    assert status == 200 and b'<div id="root">' in body


def test_a_websocket_session_through_the_proxy_renders_and_uploads(room):
    _, url, _ = room

    async def session() -> tuple:
        client = StreamlitClient(url, "stepper", timeout=120)
        try:
            opened = await client.open()
            rows = "\n".join(f"{t % 5},1,0" for t in range(12))
            uploaded = await client.upload("One row per step", "mine.csv",
                                           f"x1,x2,x3\n{rows}\n".encode())
            return opened, uploaded
        finally:
            await client.close()

    # in a thread of its own: Playwright's sync API (the session's Chromium) keeps an event loop
    # running in this one once a browser test has run
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        opened, uploaded = pool.submit(asyncio.run, session()).result()
    for run in opened, uploaded:
        assert run.status == 0 and not run.problems, run.problems
    data = opened.components[STEPPER][1]
    assert data["steps"] == 9 and "Step 1 of 9" in data["lines"][0]
    assert data["frames"][0]["story"]  # the step's story came with it
    data = uploaded.components[STEPPER][1]  # the upload reached this session's process
    assert data["steps"] == 12 and "Step 1 of 12" in data["lines"][0]
    assert "input x = [0, 1, 0]" in data["lines"][0]


def test_a_browser_steps_the_stepper_through_the_proxy(room, browser):
    _, url, _ = room
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda m: sent.append(m)))
    try:
        page.goto(f"{url}/stepper")
        page.wait_for_selector(".rnn-stepper [data-move=next]:not([disabled])", timeout=120_000)
        page.wait_for_selector(".rnn-stepper .rnn-diagram svg", timeout=60_000)
        page.wait_for_timeout(1000)
        before = len(sent)
        page.locator(".rnn-stepper [data-move=next]").click()
        page.wait_for_function("document.querySelector('.rnn-stepper').dataset.step === '2'")
        assert page.locator(".rnn-stepper .rnn-line").inner_text().startswith("Step 2 of 9")
        assert len(sent) == before  # the step came from the page, not through the proxy
        assert not errors, errors
    finally:
        context.close()


def test_ctrl_c_stops_nginx_and_every_process(room):
    process, url, upstreams = room
    spawned = children(process.pid)
    assert len(spawned) == 3  # two Streamlit processes and nginx's master
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    assert process.wait(timeout=30) == 0
    assert "stopped." in process.stdout.read()
    for pid in spawned:
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    for address in [f"{url}/healthz"] + [f"{u}/_stcore/health" for u in upstreams]:
        assert not answers(address), f"{address} still answers"

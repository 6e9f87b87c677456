"""Serve a class: several RNN Lab processes behind Debian's nginx, on one machine.

Starts N Streamlit processes of the app on 127.0.0.1 (ports FIRST_PORT, FIRST_PORT + 1, ...)
and nginx in front of them (deploy/nginx.conf: sticky sessions by cookie, websocket proxying,
long timeouts, /healthz), all as the current user: nginx runs with a temporary prefix for its
pid, logs and temporary files, so no root is needed and no system configuration is touched.
Ctrl-C (or SIGTERM) stops nginx and every process, and removes the temporary folder.

Usage: python deploy/serve_class.py [--processes N] [--port 8640] [--first-port 8610]
                                    [--address 0.0.0.0]
Students open http://THIS-MACHINE:PORT/ . One process per core is the default (a Streamlit
process runs its users' scripts on one core at a time).

Also used by bench/load.py (the classroom scenario through the proxy) and
tests/test_serve_class.py, as `Classroom(...)`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = HERE / "nginx.conf"
START_TIMEOUT_S = 90.0  # a cold Streamlit process imports torch and the app: ~10-20 s here


def nginx_path() -> str | None:
    """Debian's nginx (`apt-get install nginx`), or None when it is not installed."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


def nginx_config(prefix: str, listen: str, ports: list[int]) -> str:
    """deploy/nginx.conf with its fields filled in."""
    servers = "\n".join(f"        server 127.0.0.1:{port};" for port in ports)
    return (TEMPLATE.read_text(encoding="utf-8").replace("@@PREFIX@@", prefix)
            .replace("@@LISTEN@@", listen).replace("@@SERVERS@@", servers))


def free_ports(n: int) -> int:
    """The first of n consecutive TCP ports that nothing listens on now (127.0.0.1)."""
    for _ in range(200):
        first = random.randrange(20_000, 60_000)
        socks = []
        try:
            for port in range(first, first + n):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError(f"no {n} free consecutive ports")


def healthy(url: str, timeout: float = 2.0) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=timeout) as reply:
        return reply.status == 200
    return False


class Classroom:
    """N Streamlit processes of the app (and nginx in front when `proxy`), stopped on exit.

    root: the app's checkout (default: this one). cpus: a `taskset -c` list the Streamlit
    processes are pinned to (e.g. "0"), for measuring what one core holds.
    """

    def __init__(self, processes: int = 2, port: int = 8640, first_port: int = 8610,
                 address: str = "127.0.0.1", root: Path | str = ROOT, proxy: bool = True,
                 cpus: str | None = None):
        self.processes = processes
        self.ports = [first_port + i for i in range(processes)]
        self.port = port
        self.address = address
        self.root = Path(root)
        self.proxy = proxy
        self.cpus = cpus
        self.prefix = ""
        self.apps: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Where students connect: the proxy, or the only process without one."""
        host = "127.0.0.1" if self.address in ("0.0.0.0", "") else self.address
        return f"http://{host}:{self.port}" if self.proxy else self.upstreams[0]

    @property
    def upstreams(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    @property
    def pids(self) -> list[int]:
        """The Streamlit processes' ids."""
        return [app.pid for app in self.apps]

    def __enter__(self) -> Classroom:
        nginx = nginx_path() if self.proxy else None
        if self.proxy and nginx is None:
            raise RuntimeError("nginx is not installed: apt-get install nginx")
        self.prefix = tempfile.mkdtemp(prefix="rnnlab-class-")
        env = dict(os.environ, PYTHONUNBUFFERED="1",
                   # one secret for all: an XSRF cookie set by one process is valid in another
                   STREAMLIT_SERVER_COOKIE_SECRET=secrets.token_hex(32))
        try:
            for port in self.ports:
                command = [
                    sys.executable, "-m", "streamlit", "run",
                    str(self.root / "app" / "streamlit_app.py"),
                    "--server.headless", "true", "--server.address", "127.0.0.1",
                    "--server.port", str(port), "--browser.gatherUsageStats", "false",
                    "--server.fileWatcherType", "none",
                ]
                if self.cpus:
                    command = ["taskset", "-c", self.cpus, *command]
                log = open(Path(self.prefix) / f"streamlit-{port}.log", "wb")  # noqa: SIM115
                self.apps.append(subprocess.Popen(command, cwd=self.root, env=env, stdout=log,
                                                  stderr=subprocess.STDOUT))
                log.close()
            self._wait([f"{url}/_stcore/health" for url in self.upstreams])
            if self.proxy:
                conf = Path(self.prefix) / "nginx.conf"
                conf.write_text(nginx_config(self.prefix, f"{self.address}:{self.port}",
                                             self.ports))
                command = [nginx, "-p", self.prefix, "-c", str(conf), "-g", "daemon off;"]
                check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
                if check.returncode:
                    raise RuntimeError(f"nginx refused the configuration:\n{check.stderr}")
                self.nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
                self._wait([f"{self.url}/healthz"])
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait(self, urls: list[str]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = list(urls)
        while waiting and time.monotonic() < deadline:
            for child in [*self.apps, self.nginx]:
                if child is not None and child.poll() is not None:
                    raise RuntimeError(f"a process exited early:\n{self.logs()}")
            waiting = [url for url in waiting if not healthy(url)]
            if waiting:
                time.sleep(0.25)
        if waiting:
            raise RuntimeError(f"not answering after {START_TIMEOUT_S:.0f} s: {waiting}\n"
                               f"{self.logs()}")

    def logs(self) -> str:
        """The last lines of every process's log (nginx's error log included)."""
        out = []
        for path in sorted(Path(self.prefix).glob("*.log")) if self.prefix else []:
            text = path.read_text(errors="replace")[-2000:]
            out.append(f"--- {path.name}\n{text}")
        return "\n".join(out)

    def __exit__(self, *exc) -> None:
        children = ([self.nginx] if self.nginx else []) + self.apps
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.nginx, self.apps = None, []
        if self.prefix:
            shutil.rmtree(self.prefix, ignore_errors=True)
            self.prefix = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2,
                        help="Streamlit processes (default: one per core)")
    parser.add_argument("--port", type=int, default=8640, help="where nginx listens")
    parser.add_argument("--first-port", type=int, default=8610,
                        help="the first Streamlit process's port on 127.0.0.1")
    parser.add_argument("--address", default="0.0.0.0",
                        help="nginx's address (0.0.0.0: every network interface)")
    args = parser.parse_args()
    if args.processes < 1:
        sys.exit("--processes: at least 1")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    try:
        with Classroom(args.processes, args.port, args.first_port, args.address) as room:
            print(f"RNN Lab: {args.processes} processes ({', '.join(room.upstreams)}) behind "
                  f"nginx at {room.url}/ . Ctrl-C stops them all.", flush=True)
            while not stop:
                if any(child.poll() is not None for child in [*room.apps, room.nginx]):
                    print(f"a process exited: stopping.\n{room.logs()}", file=sys.stderr)
                    sys.exit(1)
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    print("stopped.", flush=True)


if __name__ == "__main__":
    main()

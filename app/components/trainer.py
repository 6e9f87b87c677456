"""Training in the background with a progress bar and a Stop button that keeps what was learned.

The work runs in a thread owned by this session (kept in session state under the given key);
the page polls it, so a click on Stop reruns the page, sets the thread's stop flag, and the
partial result is shown as soon as the thread returns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from errors import say
from i18n import _

Work = Callable[[Callable[..., None], Callable[[], bool]], Any]  # (progress, should_stop)


@dataclass
class Job:
    """One background run: fraction done, a stop flag, and the result or the error."""

    stop: threading.Event = field(default_factory=threading.Event)
    fraction: float = 0.0
    message: str = ""  # what the work last said it is doing
    result: Any = None
    failure: Exception | None = None  # what the work raised, if it did
    thread: threading.Thread | None = None

    @property
    def error(self) -> str | None:
        """What went wrong, in the reader's language (plain text), or None."""
        if self.failure is None:
            return None
        if isinstance(self.failure, ValueError):  # a refusal in words (engine.messages)
            return say(self.failure, markdown=False)
        return f"{type(self.failure).__name__}: {self.failure}"

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


def start(key: str, work: Work) -> None:
    """Start `work(on_progress, should_stop)` in a thread unless one is running under `key`;
    `on_progress(fraction, message="")` reports how far it is."""
    job = st.session_state.get(key)
    if job is not None and job.running:
        return
    job = Job()

    def run() -> None:
        def progress(fraction: float, message: str = "") -> None:
            job.fraction = max(0.0, min(1.0, float(fraction)))
            job.message = message

        try:
            job.result = work(progress, job.stop.is_set)
        except Exception as err:  # shown to the user; the page keeps working
            job.failure = err

    job.thread = threading.Thread(target=run, name=f"rnn-lab-{key}", daemon=True)
    st.session_state[key] = job
    job.thread.start()


def follow(key: str, label: str) -> Job | None:
    """Show progress and a Stop button while the job under `key` runs; return it when done."""
    job: Job | None = st.session_state.get(key)
    if job is None:
        return None
    if job.running:
        stop = st.empty()
        stop.button(_("Stop"), key=f"{key}.stop", on_click=job.stop.set, icon=":material/stop:")
        bar = st.progress(job.fraction, text=label)
        while job.running:
            bar.progress(job.fraction, text=f"{label} {job.fraction:.0%}"
                         + (f" · {job.message}" if job.message else ""))
            time.sleep(0.2)
        bar.empty()
        stop.empty()
    job.thread.join()
    return job

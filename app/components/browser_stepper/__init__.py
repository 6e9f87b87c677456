"""The stepper that runs in the browser: First / Previous / Play / Next / Last, the arrow keys,
Home / End, Space, the slider and a swipe on the diagram move the step with no script rerun.

Python ships the steps of a window around the current one (the cell diagram's pieces, the
story and the equations, built by figures.step_frames); stepper.js draws them in SVG, animates
the numbers and the gates between two steps (none under reduced motion), keeps the step in the
address bar and moves the over-time chart's marker. Python hears the step (this component's
"step" state, copied into the page's step key) only before another control of the page is
used, and when the step leaves the window it was sent: then it sends the steps around it.

The browser parts are real files next to this one: stepper.html / .css / .js, and KaTeX's
released katex.min.js / katex.min.css with its licence under katex/ (its fonts are the ones
Streamlit already serves for st.latex).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from components import presenter
from figures import step_frames
from i18n import _

HERE = Path(__file__).resolve().parent
WINDOW = 48  # steps sent at once around the current one (~5 KB a step of a busy sequence)
PARAM = "step"

_MEDIA = Path(st.__file__).resolve().parent / "static" / "static" / "media"


def _katex_css() -> str:
    """KaTeX's stylesheet with its fonts pointed at the copies Streamlit serves."""
    css = (HERE / "katex" / "katex.min.css").read_text(encoding="utf-8")
    served = {p.name.split(".")[0]: p.name for p in _MEDIA.glob("KaTeX_*.woff2")}

    def font(match: re.Match) -> str:
        name = re.search(r"fonts/(KaTeX_[\w-]+)\.woff2", match[0])
        if name and name[1] in served:
            return f'src:url(/static/media/{served[name[1]]}) format("woff2")'
        return match[0]

    # a line break keeps it inline content (Streamlit reads a one-line string as a file path)
    return "/* KaTeX, fonts served by Streamlit */\n" + re.sub(r"src:url\(fonts/[^}]*", font, css)


_KATEX = st.components.v2.component(
    "rnn_lab.katex",
    css=_katex_css(),
    # KaTeX's UMD build sets window.katex; a component module needs a default export.
    js=(HERE / "katex" / "katex.min.js").read_text(encoding="utf-8")
    + "\nexport default function () { return undefined; }\n",
    isolate_styles=False,
)
_STEPPER = st.components.v2.component(
    "rnn_lab.stepper",
    html=(HERE / "stepper.html").read_text(encoding="utf-8"),
    css=(HERE / "stepper.css").read_text(encoding="utf-8"),
    js=(HERE / "stepper.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def words() -> dict[str, str]:
    """The stepper's own words in the reader's language (stepper.js puts them in place of the
    English of stepper.html; a word missing here stays English)."""
    return {
        "first": _("First"), "prev": _("Previous"), "play": _("Play"), "pause": _("Pause"),
        "next": _("Next"), "last": _("Last"),
        "first_title": _("First step (Home)"), "prev_title": _("Previous step (←)"),
        "play_title": _("Play / pause (Space)"), "next_title": _("Next step (→)"),
        "last_title": _("Last step (End)"),
        "steps": _("Steps"), "step": _("Step"), "speed": _("Speed"),
        "speed_title": _("How fast Play (Space) moves on"),
        "slow": _("Slow · 2 s"), "normal": _("1 s a step"), "fast": _("Fast · 0.5 s"),
        "diagram": _("Memory cell at this step"),
        "png_title": _("Download the diagram as a PNG (2×)"),
        "svg_title": _("Download the diagram as an SVG"),
        "equations": _("Equations with this step's numbers"),
        "loading": _("Loading this step…"),
        "step_of": _("Step {step} of {steps}"),
        "mark": _("step {step}"),
    }


def _window(step: int, steps: int, window: int = WINDOW) -> tuple[int, int]:
    """The 0-based steps first..last-1 (at most `window`) sent around `step` (1-based)."""
    window = max(1, window)
    first = max(0, min(step - 1 - window // 2, steps - window))
    return first, min(steps, first + window)


def _synced(component_key: str, step_key: str, steps: int) -> None:
    """The browser told the step: keep it (a number inside 1..steps only)."""
    state = st.session_state.get(component_key) or {}
    step = state.get("step") if hasattr(state, "get") else None
    if isinstance(step, int) and not isinstance(step, bool) and 1 <= step <= steps:
        st.session_state[step_key] = step


def identity(*parts) -> str:
    """A short id of what is stepped through: the browser keeps its step while it is the same."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def browser_stepper(steps: int, frames: Callable[[int, int], dict],
                    lines: Callable[[int, int], list[str]], *, step_key: str, key: str,
                    ident: str, max_step: int | None = None, note: str = "",
                    timeline: str = "timeline", name: str = "cell",
                    window: int = WINDOW) -> int:
    """Render the stepper for `steps` steps; returns the step Python knows (0-based).

    frames(first, last): figures.step_frames' dict for those 0-based steps; lines(first, last):
    each step's first line as HTML (escaped by the caller). step_key: the session-state key of
    the step (1-based). ident: what is stepped through (`identity`); a new one puts the browser
    on Python's step. max_step: the last step (1-based) the browser may receive (a lesson's
    question waits on the next one). note: a plain-text line under the story. timeline: the
    key of the over-time chart whose marker follows the step. name: the diagram's download
    name ("lstm-cell" → rnn-lab-lstm-cell-step-4.png). window: the most steps sent at once
    (smaller for pages whose steps draw much, so a rerun never ships megabytes).
    """
    shown = max(1, min(steps, max_step)) if max_step is not None else steps
    component_key = f"{key}.browser"
    st.session_state[step_key] = max(1, min(shown, int(st.session_state.get(step_key, 1))))
    step = st.session_state[step_key]
    first, last = _window(step, shown, window)
    drawn = frames(first, last)
    # larger text, thicker lines, colour-blind-safe, as every figure (frames that say
    # "presented" were built in that look already, at their own size: the slot-filling lab's)
    if presenter.is_on() and not drawn.get("presented"):
        drawn = step_frames.presenter(drawn)
    data = drawn | {
        "steps": shown,
        "total": steps,
        "step": step,
        "id": ident,
        "param": PARAM,
        "lines": lines(first, last),
        "note": note,
        "held": ("" if shown == steps else
                 _("The next step waits for the answer to the question below.")),
        "words": words() | drawn.get("words", {}),  # frames may name their own figure
        "timeline": timeline,
        "name": name,
        "present": presenter.is_on(),
    }
    _KATEX(key="rnn-lab-katex", height="content")
    _STEPPER(key=component_key, data=data, default={"step": step},
             on_step_change=lambda: _synced(component_key, step_key, shown))
    return step - 1


def text_line(step: int, steps: int, reads_html: str) -> str:
    """'Step k of T · …' as HTML (`reads_html` already escaped), in the reader's language."""
    return ("<b>" + html.escape(_("Step {step} of {steps}").format(step=step, steps=steps))
            + f"</b> · {reads_html}")


escape = html.escape

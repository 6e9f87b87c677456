"""Predict, then reveal: a lesson scene's question, computed from the engine's own values.

A page asks `pending(page)` whether a question is waiting: until someone answers, the page keeps
what would give the answer away out of the page (the steppers stop one step before the question's
step; other pages leave the verdict out). Each `ask_*` function takes the values the page
already has (from app/resources.py), so edited weights or sentences keep the answer honest, and
draws the question: choices, then right or wrong with one sentence why.

Owns the session-state keys "lesson.answer.<lesson>.<scene>" (the choice made).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import markup
import resources
from components import lesson


@dataclass(frozen=True)
class Pending:
    """A scene's question on this page."""

    key: str  # session key of the answer
    kind: str  # the question's kind (lesson_files.Question.kind)
    step: int | None  # 1-based step it is about

    @property
    def answered(self) -> bool:
        return st.session_state.get(self.key) is not None

    @property
    def max_step(self) -> int | None:
        """The last step (1-based) the page may show: one before the question's, until
        answered; None when nothing is held back."""
        if self.answered or self.step is None:
            return None
        return self.step - 1


def pending(page: str) -> Pending | None:
    """The question of the scene shown on `page` (url_path), answered or not; or None."""
    found = lesson.scene_question(page)
    if found is None:
        return None
    key, question = found
    return Pending(key=key, kind=question.kind, step=question.step)


def max_step(question: Pending | None) -> int | None:
    """The stepper's cap (1-based) while `question` waits; None when there is none."""
    return question.max_step if question is not None else None


def _answer(key: str, choice: str, step_key: str | None, step: int | None) -> None:
    st.session_state[key] = choice
    if step_key is not None and step is not None:
        st.session_state[step_key] = step  # reveal: move on to the step asked about


def ask(question: Pending, prompt: str, choices: list[str], right: set[str], why: str,
        step_key: str | None = None) -> bool:
    """Draw the question; returns True once answered. `right`: the correct choices; `why`: one
    sentence shown after answering. Answering moves `step_key` to the question's step."""
    chosen = st.session_state.get(question.key)
    with st.container(border=True, key=f"{question.key}.box"):
        st.markdown(f":material/quiz: **Predict, then reveal.** {prompt}")
        if chosen is None:
            cols = st.columns(len(choices))
            for k, (col, choice) in enumerate(zip(cols, choices, strict=True)):
                col.button(choice, key=f"{question.key}.choice.{k}", width="stretch",
                           on_click=_answer, args=(question.key, choice, step_key,
                                                   question.step))
            st.caption("The answer is not on the page yet: pick one to reveal it.")
            return False
        verdict = "Right" if chosen in right else "Not quite"
        box = st.success if chosen in right else st.error
        box(f"{verdict}: you picked **{markup.md(chosen)}**. {why}",
            icon=":material/check_circle:" if chosen in right else ":material/cancel:")
        return True


def _fmt(value: float) -> str:
    """A memory value as the lecture writes it: whole numbers plainly, else 2 decimals."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.2f}"


def ask_stepper(question: Pending, trace, step_key: str, unit: int = 0) -> bool:
    """The step-through's questions about step `question.step` of `trace` (engine.trace.Trace):
    "memory": the memory c after the step (choices: the values the trace takes);
    "forget": does the forget gate keep or erase the memory."""
    t = min(question.step, trace.steps) - 1
    if question.kind == "forget" and trace.kind == "lstm":
        f = float(trace.gates["f"][t, unit])
        answer = "keep" if f >= 0.5 else "erase"
        why = (f"At step {t + 1} the forget gate σ(z_f) = {f:.3f}: "
               f"{'open, so the memory is kept' if f >= 0.5 else 'closed, so it erases'}.")
        return ask(question, f"At step {t + 1}, does the forget gate **keep** or **erase** "
                   "the memory?", ["keep", "erase"], {answer}, why, step_key)
    series = trace.cell if trace.cell is not None else trace.hidden
    c = series[:, unit].double().cpu().numpy()
    answer = _fmt(float(c[t]))
    before = _fmt(float(c[t - 1])) if t else "0"
    values = list(dict.fromkeys(_fmt(float(v)) for v in c.tolist()))
    choices = sorted(set(values[:6]) | {answer, before}, key=float)
    why = f"The memory goes from {before} to {answer} at step {t + 1}."
    return ask(question, f"What is the memory after step {t + 1}?", choices, {answer}, why,
               step_key)


def ask_slot(question: Pending, reading, tagger: str, step_key: str) -> bool:
    """Which slot does `tagger` give word `question.step` of sentence B (engine.slots.Reading)."""
    from engine.slot_model import SLOTS

    t = min(question.step, reading.steps) - 1
    word, tag = reading.tokens[t], reading.tags[t]
    p = float(np.max(reading.probs[t]))
    return ask(question, f"Which slot does the **{markup.md(tagger)}** tagger give "
               f"“{markup.md(word)}” (word {t + 1} of sentence B)?", list(SLOTS), {tag},
               f"It gives “{markup.md(word)}” **{tag}** with probability {p:.2f}.", step_key)


def ask_tagger(question: Pending, texts: tuple[str, str], encoding: str) -> bool:
    """Which tagger tells sentence A's slot for a shared word from sentence B's (every shipped
    tagger reads both sentences through resources)."""
    from engine import slots

    differ, same = [], []
    for model, title in slots.MODEL_TITLES.items():
        a, b = (resources.get_slot_reading(text, model, encoding) for text in texts)
        shared = slots.shared_words(a, b)
        (differ if any(x != y for _, x, y in shared) else same).append(title)
    why = (f"{', '.join(differ) or 'No tagger'} give{'s' * (len(differ) == 1)} a shared word "
           f"different slots in A and B; {', '.join(same) or 'none'} cannot.")
    return ask(question, "Which tagger tells **dest** from **origin**: gives the word the "
               "two sentences share different slots?", list(slots.MODEL_TITLES.values()),
               set(differ), why)


def ask_next(question: Pending, text: str, top, step_key: str) -> bool:
    """Which character the character LSTM ranks first after reading character
    `question.step` of `text` (top: engine.charlm.TopK)."""
    from engine.charlm import glyph

    t = min(question.step, len(text)) - 1
    chars = [glyph(c) for c in top.chars[t]]
    first = chars[0]
    choices = sorted(dict.fromkeys(chars), key=str)
    return ask(question, f"After reading “{markup.md(glyph(text[t]))}” (character {t + 1}), "
               "which character does the LSTM rank **first** for the next one?",
               [repr(c) for c in choices], {repr(first)},
               f"It ranks {markup.md(repr(first))} first with probability "
               f"{float(top.probs[t, 0]):.2f}.", step_key)


def ask_valid(question: Pending, check, target: str, T: int) -> bool:
    """Is the typed frame path a valid alignment (check: ctc_controls.PathCheck)."""
    answer = "valid" if check.valid else "not valid"
    return ask(question, f"Is this frame path a valid alignment of “{markup.md(target)}” in "
               f"T = {T} frames?", ["valid", "not valid"], {answer},
               markup.md(check.reason[:1].upper() + check.reason[1:]) + ".")


def ask_power(question: Pending, w: float, steps: int, log_y: float) -> bool:
    """Does y = w^(T−1) vanish, stay near 1 or explode (log_y: log10 of y, exact)."""
    answer = "≈ 0 (vanishes)" if log_y < -1 else "huge (explodes)" if log_y > 1 else "≈ 1"
    return ask(question, f"With w = {w:g}, what is y = w^{steps - 1} after {steps} steps?",
               ["≈ 0 (vanishes)", "≈ 1", "huge (explodes)"], {answer},
               f"log10 y = {log_y:.1f}: the same w is multiplied in {steps - 1} times.")

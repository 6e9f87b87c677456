"""Predict, then reveal: a lesson scene's question, computed from the engine's own values.

A page asks `pending(page)` whether a question is waiting: until someone answers, the page keeps
what would give the answer away out of the page (the steppers stop one step before the question's
step; other pages leave the verdict out). Each `ask_*` function takes the values the page
already has (from app/resources.py), so edited weights or sentences keep the answer honest, and
draws the question: choices, then right or wrong with one sentence why.

Owns the session-state keys "lesson.answer.<lesson>.<scene>" (the choice made).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import markup
import resources
from components import lesson
from i18n import N_, _, ngettext

# Choices that are words: kept as written here, shown through _()
KEEP, ERASE = N_("keep"), N_("erase")
VALID, NOT_VALID = N_("valid"), N_("not valid")
VANISHES, ONE, EXPLODES = N_("≈ 0 (vanishes)"), "≈ 1", N_("huge (explodes)")


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
        step_key: str | None = None, show: Callable[[str], str] = str) -> bool:
    """Draw the question; returns True once answered. `right`: the correct choices; `why`: one
    sentence shown after answering. Answering moves `step_key` to the question's step. `show`:
    a choice as the button says it (`_` for choices that are words; the choice itself is what
    is kept, so a language switch after answering keeps the verdict)."""
    chosen = st.session_state.get(question.key)
    with st.container(border=True, key=f"{question.key}.box"):
        st.markdown(":material/quiz: " + _("**Predict, then reveal.** {prompt}").format(
            prompt=prompt))
        if chosen is None:
            cols = st.columns(len(choices))
            for k, (col, choice) in enumerate(zip(cols, choices, strict=True)):
                col.button(show(choice), key=f"{question.key}.choice.{k}", width="stretch",
                           on_click=_answer, args=(question.key, choice, step_key,
                                                   question.step))
            st.caption(_("The answer is not on the page yet: pick one to reveal it."))
            return False
        verdict = (_("Right: you picked **{choice}**. {why}") if chosen in right else
                   _("Not quite: you picked **{choice}**. {why}"))
        box = st.success if chosen in right else st.error
        box(verdict.format(choice=markup.md(show(chosen)), why=why),
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
        answer = KEEP if f >= 0.5 else ERASE
        why = (_("At step {step} the forget gate σ(z_f) = {f}: open, so the memory is kept.")
               if f >= 0.5 else
               _("At step {step} the forget gate σ(z_f) = {f}: closed, so it erases.")).format(
            step=t + 1, f=f"{f:.3f}")
        return ask(question, _("At step {step}, does the forget gate **keep** or **erase** "
                               "the memory?").format(step=t + 1), [KEEP, ERASE], {answer}, why,
                   step_key, show=_)
    series = trace.cell if trace.cell is not None else trace.hidden
    c = series[:, unit].double().cpu().numpy()
    answer = _fmt(float(c[t]))
    before = _fmt(float(c[t - 1])) if t else "0"
    values = list(dict.fromkeys(_fmt(float(v)) for v in c.tolist()))
    choices = sorted(set(values[:6]) | {answer, before}, key=float)
    why = _("The memory goes from {before} to {after} at step {step}.").format(
        before=before, after=answer, step=t + 1)
    return ask(question, _("What is the memory after step {step}?").format(step=t + 1), choices,
               {answer}, why, step_key)


def ask_slot(question: Pending, reading, tagger: str, step_key: str) -> bool:
    """Which slot does `tagger` give word `question.step` of sentence B (engine.slots.Reading)."""
    from engine.slot_model import SLOTS

    t = min(question.step, reading.steps) - 1
    word, tag = reading.tokens[t], reading.tags[t]
    p = float(np.max(reading.probs[t]))
    return ask(question, _("Which slot does the **{tagger}** tagger give “{word}” (word {n} "
                           "of sentence B)?").format(tagger=markup.md(tagger),
                                                     word=markup.md(word), n=t + 1),
               list(SLOTS), {tag},
               _("It gives “{word}” **{slot}** with probability {p}.").format(
                   word=markup.md(word), slot=tag, p=f"{p:.2f}"), step_key)


def ask_tagger(question: Pending, texts: tuple[str, str], encoding: str) -> bool:
    """Which tagger tells sentence A's slot for a shared word from sentence B's (every shipped
    tagger reads both sentences through resources)."""
    from engine import slots

    differ, same = [], []
    for model, title in slots.MODEL_TITLES.items():
        a, b = (resources.get_slot_reading(text, model, encoding) for text in texts)
        shared = slots.shared_words(a, b)
        (differ if any(x != y for _w, x, y in shared) else same).append(title)
    others = ", ".join(_(t) for t in same) or _("none")
    why = (ngettext("{taggers} gives a shared word different slots in A and B; {others} "
                    "cannot.", "{taggers} give a shared word different slots in A and B; "
                    "{others} cannot.", len(differ)).format(
        taggers=", ".join(_(t) for t in differ), others=others) if differ else
        _("No tagger gives a shared word different slots in A and B; {others} cannot.").format(
            others=others))
    return ask(question, _("Which tagger tells **dest** from **origin**: gives the word the "
                           "two sentences share different slots?"),
               list(slots.MODEL_TITLES.values()), set(differ), why, show=_)


def ask_next(question: Pending, text: str, top, step_key: str) -> bool:
    """Which character the character LSTM ranks first after reading character
    `question.step` of `text` (top: engine.charlm.TopK)."""
    from engine.charlm import glyph

    t = min(question.step, len(text)) - 1
    chars = [glyph(c) for c in top.chars[t]]
    first = chars[0]
    choices = sorted(dict.fromkeys(chars), key=str)
    return ask(question, _("After reading “{char}” (character {n}), which character does the "
                           "LSTM rank **first** for the next one?").format(
                   char=markup.md(glyph(text[t])), n=t + 1),
               [repr(c) for c in choices], {repr(first)},
               _("It ranks {char} first with probability {p}.").format(
                   char=markup.md(repr(first)), p=f"{float(top.probs[t, 0]):.2f}"), step_key)


def ask_valid(question: Pending, check, target: str, T: int) -> bool:
    """Is the typed frame path a valid alignment (check: ctc_controls.PathCheck)."""
    answer = VALID if check.valid else NOT_VALID
    return ask(question, _("Is this frame path a valid alignment of “{target}” in T = {T} "
                           "frames?").format(target=markup.md(target), T=T),
               [VALID, NOT_VALID], {answer},
               markup.md(check.reason[:1].upper() + check.reason[1:]) + _("."), show=_)


def ask_power(question: Pending, w: float, steps: int, log_y: float) -> bool:
    """Does y = w^(T−1) vanish, stay near 1 or explode (log_y: log10 of y, exact)."""
    answer = VANISHES if log_y < -1 else EXPLODES if log_y > 1 else ONE
    return ask(question, _("With w = {w}, what is y = w^{power} after {steps} steps?").format(
                   w=f"{w:g}", power=steps - 1, steps=steps),
               [VANISHES, ONE, EXPLODES], {answer},
               _("log10 y = {log_y}: the same w is multiplied in {n} times.").format(
                   log_y=f"{log_y:.1f}", n=steps - 1), show=_)

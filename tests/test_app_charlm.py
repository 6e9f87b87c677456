"""The Character LSTM page, run headless with Streamlit's AppTest against the shipped model.

The page steps in the browser (components/browser_stepper): these tests read the data the
browser receives (each step's line, the next-character bars as drawing pieces, the cell's value,
and the text's shades) and check its numbers against the engine's own values, and move the step
as the browser tells it to Python."""

from __future__ import annotations

import json

import numpy as np
import pytest
from apptest import browser_markdown, browser_stepper, errors, run_app, step_frame, step_line
from streamlit.testing.v1 import AppTest

import i18n
import resources
from components import charlm_controls as ctl
from components.browser_stepper import WINDOW
from engine import charlm
from figures.charlm import shade_levels
from figures.charlm_frames import decode_shades

PARAMS = ("text", "step", "cell", "series", "feature")
STEP = "charlm.step"
# Values a hand-edited or malicious link may carry; a list is a repeated key (the last counts).
HOSTILE = ["²", "٣", "1" * 40, "-1", "1e309", "nan", "", "x" * 5000, ["2", "²"]]


@pytest.fixture
def at() -> AppTest:
    return run_app("views/charlm.py", timeout=120)


def step_to(at: AppTest, step: int) -> AppTest:
    """The browser tells Python its step (before another control is used) and the page reruns."""
    at.session_state[STEP] = step
    return at.run()


def bars(at: AppTest) -> dict[str, list]:
    """The current step's bars as drawn: the characters, the bar lengths (as a share of their
    track) and the percentages, likeliest first; and the "really" label."""
    data = browser_stepper(at)
    pieces = {p["name"]: p for p in (data["elements"][i] for i in step_frame(at)["d"])
              if "name" in p}
    ranks = range(sum(name.startswith("bar-") for name in pieces))
    return {
        "chars": [browser_markdown(pieces[f"char-{k}"]["text"]) for k in ranks],
        "shares": [(pieces[f"bar-{k}"]["x1"] - pieces[f"bar-{k}"]["x0"])
                   / (pieces[f"track-{k}"]["x1"] - pieces[f"track-{k}"]["x0"]) for k in ranks],
        "percents": [pieces[f"p-{k}"]["text"] for k in ranks],
        "colours": [pieces[f"bar-{k}"]["fillcolor"] for k in ranks],
        "really": [browser_markdown(pieces["really"]["text"])] if "really" in pieces else [],
    }


def story(at: AppTest) -> str:
    return browser_markdown(step_frame(at)["story"])


def legend(at: AppTest) -> str:
    return browser_markdown(browser_stepper(at)["text"]["legend"])


def test_the_page_steps_through_the_default_text(at):
    steps = len(charlm.DEFAULT_TEXT)
    data = browser_stepper(at)
    assert (data["steps"], data["total"], data["step"]) == (steps, steps, 1)
    assert step_line(at) == f"**Step 1 of {steps}** · reads **'T'** · text coloured by c0"
    # a window of steps, not the whole text's: the browser asks for more when it leaves it
    assert (data["first"], len(data["frames"]), len(data["lines"])) == (0, WINDOW, WINDOW)
    assert data["text"]["chars"] == charlm.DEFAULT_TEXT
    assert data["words"]["diagram"] == "The model's next-character guesses at this step"
    step_to(at, 3)
    assert step_line(at).startswith(f"**Step 3 of {steps}** · reads **'e'**")
    step_to(at, 2)
    assert step_line(at).startswith(f"**Step 2 of {steps}**")
    step_to(at, steps)
    data = browser_stepper(at)
    assert step_line(at).startswith(f"**Step {steps} of {steps}** · reads **'↵'**")
    assert data["first"] + len(data["frames"]) == steps and data["first"] <= steps - WINDOW
    assert not bars(at)["really"]  # nothing comes after the last character
    assert at.query_params["step"] == str(steps) and not at.exception


def test_next_character_bars_follow_the_model(at):
    step_to(at, 10)
    reading = resources.get_charlm_reading(charlm.DEFAULT_TEXT)
    top = resources.get_charlm_top(charlm.DEFAULT_TEXT)
    drawn = bars(at)
    assert drawn["chars"] == [charlm.glyph(c) for c in top.chars[9]]
    assert np.allclose(drawn["shares"], top.probs[9], atol=1e-4)
    assert drawn["percents"] == [f"{p:.1%}" for p in top.probs[9]]
    actual = charlm.DEFAULT_TEXT[10]
    p = float(reading.probs[9, charlm.indices(actual)[0]])
    assert drawn["really"] == [f"really {charlm.glyph(actual)!r}: {p:.1%}"]
    # the character that really comes next is the one bar in the memory's colour
    coloured = [c for c, colour in zip(drawn["chars"], drawn["colours"], strict=True)
                if colour != "#94a3b8"]
    assert coloured == ([charlm.glyph(actual)] if charlm.glyph(actual) in drawn["chars"] else [])


def test_choosing_a_cell_colours_the_text_by_it(at):
    values = resources.get_charlm_reading(charlm.DEFAULT_TEXT).cells[:, 7].numpy()
    at.selectbox(key="charlm.cell.picker").set_value(7).run()
    text = browser_stepper(at)["text"]
    assert legend(at).startswith(f"−{np.abs(values).max():.2f} 0 +{np.abs(values).max():.2f} "
                                 "memory c of c7 after each character")
    assert decode_shades(text["shades"]) == shade_levels(values, np.abs(values).max()).tolist()
    assert story(at) == f"memory c of c7 after step 1: **{values[0]:+.3f}**"
    step_to(at, 40)
    assert story(at) == f"memory c of c7 after step 40: **{values[39]:+.3f}**"
    assert "text coloured by c7" in step_line(at)


def test_the_ranking_table_is_the_engines(at):
    ranking = charlm.rank_cells(charlm.read(charlm.shipped_model(), charlm.DEFAULT_TEXT), "c")
    best = at.dataframe[0].value
    assert list(best["feature"]) == [charlm.FEATURE_TITLES[f] for f in ranking.features]
    cell, r = ranking.top("in_quotes", 1)[0]
    assert best.iloc[0]["cell"] == ranking.names[cell]
    assert best.iloc[0]["r"] == pytest.approx(round(r, 3))
    at.selectbox(key="charlm.feature").set_value("pos_in_line").run()
    top = at.dataframe[1].value
    assert list(top["cell"]) == [ranking.names[n] for n, _ in ranking.top("pos_in_line", 10)]


def test_bad_text_gives_an_error_and_keeps_the_text(at):
    at.text_area(key="charlm.text").set_value("").run()
    assert "empty" in errors(at)[0]
    long = "x" * (charlm.MAX_CHARS + 1)
    at.text_area(key="charlm.text").set_value(long).run()
    assert "2,001 characters" in errors(at)[0] and "2,000" in errors(at)[0]
    assert not at.exception
    assert "up to 2,000 characters" in at.text_area(key="charlm.text").label
    assert at.text_area(key="charlm.text").value == long
    # one under the limit is read
    at.text_area(key="charlm.text").set_value(long[:-1]).run()
    assert not at.error and step_line(at).startswith(f"**Step 1 of {charlm.MAX_CHARS}**")


def test_the_longest_text_ships_a_window_and_lands_on_its_step():
    """2,000 characters: the browser gets 48 steps around the linked one and the text's shades
    once (one letter a character), not every step's drawing."""
    text = ("print('a (b) \"c\"')\n" * 110)[: charlm.MAX_CHARS]
    at = run_app("views/charlm.py", timeout=120, text=text, step="1500")
    data = browser_stepper(at)
    assert data["steps"] == charlm.MAX_CHARS and data["step"] == 1500
    assert data["first"] <= 1499 < data["first"] + len(data["frames"])
    assert len(data["frames"]) == WINDOW and len(data["text"]["shades"]) == charlm.MAX_CHARS
    top = resources.get_charlm_top(text)
    assert bars(at)["chars"] == [charlm.glyph(c) for c in top.chars[1499]]
    assert len(json.dumps(data, ensure_ascii=False).encode()) < 120_000


def test_a_text_without_quotes_says_so(at):
    at.text_area(key="charlm.text").set_value("plain words on one line").run()
    assert not at.exception and not at.error
    assert step_line(at).startswith("**Step 1 of 23**")
    features = list(at.dataframe[0].value["feature"])
    assert charlm.FEATURE_TITLES["in_quotes"] not in features
    assert charlm.FEATURE_TITLES["pos_in_word"] in features


def ticked(at: AppTest, table: str) -> list[int]:
    state = at.session_state[table] if table in at.session_state else None  # noqa: SIM401
    return list(state["selection"]["rows"]) if state else []


def test_the_chosen_cell_is_one_truth_for_picker_tables_and_legend(at):
    ranking = charlm.rank_cells(charlm.read(charlm.shipped_model(), charlm.DEFAULT_TEXT), "c")
    quotes = [n for n, _ in ranking.top("in_quotes", 10)]
    best = [ranking.top(f, 1)[0][0] for f in ranking.features if ranking.top(f, 1)]
    # at first: the best quote cell, ticked in both tables
    assert at.selectbox(key="charlm.cell.picker").value == quotes[0]
    assert f"memory c of {ranking.names[quotes[0]]} after" in legend(at)
    assert ticked(at, "charlm.top") == [0] and ticked(at, "charlm.best") == [best.index(quotes[0])]
    # the second quote cell: the top table ticks its row, the best table none
    second = quotes[1]
    at.selectbox(key="charlm.cell.picker").set_value(second).run()
    assert f"memory c of {ranking.names[second]} after" in legend(at)
    assert ticked(at, "charlm.top") == [1]
    assert ticked(at, "charlm.best") == ([best.index(second)] if second in best else [])
    # a new text keeps the chosen cell; the new top ten tick it only where it is listed
    new = 'x = "a" + "b"  # (two "strings")\nprint(x)\n'
    at.text_area(key="charlm.text").set_value(new).run()
    assert not at.exception
    again = charlm.rank_cells(charlm.read(charlm.shipped_model(), new), "c")
    listed = [n for n, _ in again.top("in_quotes", 10)]
    assert at.selectbox(key="charlm.cell.picker").value == second
    assert f"memory c of {again.names[second]} after" in legend(at)
    assert [listed[r] for r in ticked(at, "charlm.top")] == ([second] if second in listed else [])


def test_a_new_cell_or_series_keeps_the_step(at):
    step_to(at, 12)
    at.selectbox(key="charlm.cell.picker").set_value(5).run()
    assert browser_stepper(at)["step"] == 12 and "text coloured by c5" in step_line(at)
    at.segmented_control(key="charlm.series").set_value("h").run()
    values = resources.get_charlm_reading(charlm.DEFAULT_TEXT).hidden[:, 5].numpy()
    assert browser_stepper(at)["step"] == 12
    assert story(at) == f"output h of c5 after step 12: **{values[11]:+.3f}**"
    assert at.query_params["step"] == "12" and at.query_params["series"] == "h"


def test_a_link_lands_on_its_state_and_the_address_follows(at):
    text = 'say("hi") and (go)\nnow'
    params = {"text": text, "step": "4", "cell": "c173", "series": "h",
              "feature": "pos_in_line"}
    linked = run_app("views/charlm.py", timeout=120, **params)
    assert not linked.toast
    assert step_line(linked).startswith(f"**Step 4 of {len(text)}** · reads **'('**")
    assert linked.selectbox(key="charlm.cell.picker").value == 173
    assert linked.segmented_control(key="charlm.series").value == "h"
    assert linked.selectbox(key="charlm.feature").value == "pos_in_line"
    assert "output h of c173 after each character" in legend(linked)
    values = resources.get_charlm_reading(text).hidden[:, 173].numpy()
    assert story(linked) == f"output h of c173 after step 4: **{values[3]:+.3f}**"
    assert dict(linked.query_params) == params
    # a reload (the same link in a new session) lands on the same state
    reloaded = run_app("views/charlm.py", timeout=120, **dict(linked.query_params))
    assert step_line(reloaded) == step_line(linked) and legend(reloaded) == legend(linked)
    step_to(linked, 5)
    assert linked.query_params["step"] == "5"
    # the example text and a text too long for a link stay out of the address
    assert "text" not in at.query_params and at.query_params["cell"] == "c0"
    at.text_area(key="charlm.text").set_value("y" * 301).run()
    assert "text" not in at.query_params and at.query_params["step"] == "1"


def test_a_lesson_question_keeps_the_answer_out_of_the_page():
    """Scene 2 asks what the LSTM ranks first after character 6: until answered, the browser
    gets steps 1 to 5 only (no bars, no shade, no line of step 6)."""
    at = run_app(None, lesson="character-lstm", scene="2")
    top = resources.get_charlm_top(charlm.DEFAULT_TEXT)
    data = browser_stepper(at)
    assert (data["steps"], data["total"], data["step"]) == (5, len(charlm.DEFAULT_TEXT), 5)
    assert data["first"] + len(data["frames"]) == 5 and len(data["lines"]) == 5
    assert len(data["text"]["shades"]) == 5 and "waits for the answer" in data["held"]
    step_to(at, 6)  # a step the browser was not given is not shown either
    assert browser_stepper(at)["step"] == 5
    right = repr(charlm.glyph(top.chars[5][0]))
    next(b for b in at.button if b.label == right).click().run()
    data = browser_stepper(at)
    assert data["steps"] == len(charlm.DEFAULT_TEXT) and data["step"] == 6
    assert bars(at)["chars"][0] == charlm.glyph(top.chars[5][0])


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_link_values_are_ignored_and_named(value):
    at = run_app("views/charlm.py", timeout=120, **dict.fromkeys(PARAMS, value))
    last = value[-1] if isinstance(value, list) else value
    text_ok = bool(last.strip()) and len(last) <= charlm.MAX_CHARS
    expected = [p for p in PARAMS if p != "text" or not text_ok]
    toasts = [t.value for t in at.toast]
    assert len(toasts) == 1 and "Ignored link parameter(s)" in toasts[0]
    named = toasts[0].split(": ", 1)[1].rstrip(".").split(", ")
    assert sorted(named) == sorted(expected)
    text = last if text_ok else charlm.DEFAULT_TEXT
    assert not at.error and step_line(at).startswith(f"**Step 1 of {len(text)}**")
    step_to(at, min(2, len(text)))
    assert not at.exception


def test_the_page_in_chinese():
    at = run_app("views/charlm.py", timeout=120, lang="zh-TW")
    assert at.title[0].value == "字元 LSTM"
    assert "讀入" in step_line(at) and "文字依 c0 上色" in step_line(at)
    assert "下一個字元" in json.dumps(browser_stepper(at)["elements"], ensure_ascii=False)
    with i18n.using("zh-TW"):  # the page words the text's problems itself
        assert "空的" in ctl.text_problem("")
        assert "2,001" in ctl.text_problem("x" * (charlm.MAX_CHARS + 1))
    assert ctl.text_problem("x" * charlm.MAX_CHARS) is None

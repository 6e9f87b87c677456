"""The Character LSTM page, run headless with Streamlit's AppTest against the shipped model."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from apptest import run_app
from streamlit.testing.v1 import AppTest

import markup
from engine import charlm
from figures.charlm import shade_levels

PARAMS = ("text", "step", "cell", "series", "feature")
# Values a hand-edited or malicious link may carry; a list is a repeated key (the last counts).
HOSTILE = ["²", "٣", "1" * 40, "-1", "1e309", "nan", "", "x" * 5000, ["2", "²"]]


@pytest.fixture
def at() -> AppTest:
    return run_app("views/charlm.py", timeout=120)


def step_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Step "))


def coloured_text(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if "charlm-text" in h.proto.body)


def test_the_page_steps_through_the_default_text(at):
    steps = len(charlm.DEFAULT_TEXT)
    assert step_line(at).startswith(f"Step 1 of {steps} · reads **{markup.md(repr('T'))}**")
    at.button(key="charlm.step.next").click().run()
    at.button(key="charlm.step.next").click().run()
    assert step_line(at).startswith(f"Step 3 of {steps} · reads **{markup.md(repr('e'))}**")
    at.button(key="charlm.step.prev").click().run()
    assert step_line(at).startswith("Step 2 of")
    at.button(key="charlm.step.last").click().run()
    assert step_line(at).startswith(f"Step {steps} of {steps}")
    assert not at.exception
    # every character is drawn once, the current one boxed
    body = coloured_text(at)
    assert body.count("<span") == steps + 3  # + the legend's three
    assert body.count(" cur\"") + body.count("\"cur\"") == 1


def test_next_character_bars_follow_the_model(at):
    at.slider(key="charlm.step").set_value(10).run()
    bars = next(h.proto.body for h in at.get("html") if "charlm-next" in h.proto.body)
    model = charlm.shipped_model()
    reading = charlm.read(model, charlm.DEFAULT_TEXT)
    top = charlm.top_k(reading.probs, model.config.alphabet, 5)
    widths = [float(w) for w in re.findall(r"width:([0-9.]+)%;height", bars)]
    assert np.allclose(widths, 100 * top.probs[9], atol=0.051)
    shown = re.findall(r"font-size:17px\">(.*?)</span>", bars)
    assert shown == [html.escape(charlm.glyph(c)) for c in top.chars[9]]
    actual = charlm.DEFAULT_TEXT[10]
    p = float(reading.probs[9, charlm.indices(actual)[0]])
    assert f"{p:.1%})" in bars


def test_choosing_a_cell_colours_the_text_by_it(at):
    model = charlm.shipped_model()
    values = charlm.read(model, charlm.DEFAULT_TEXT).cells[:, 7].numpy()
    at.selectbox(key="charlm.cell.picker").set_value(7).run()
    body = coloured_text(at)
    assert "of c7 after each character" in body
    assert f"+{np.abs(values).max():.2f}" in body
    shades = shade_levels(values, np.abs(values).max())
    classes = re.findall(r'<span(?: class="([^"]*)")?>', body.split('class="charlm-text"')[1])
    drawn = [int(c.split()[0][1:]) * (1 if c[0] == "p" else -1) if c and c[0] in "pm" else 0
             for c in classes[: len(values)]]
    assert drawn == shades.tolist()
    assert "c7 after step 1: **" + f"{values[0]:+.3f}" in " ".join(c.value for c in at.caption)


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
    assert "empty" in at.error[0].value
    long = "x" * (charlm.MAX_CHARS + 1)
    at.text_area(key="charlm.text").set_value(long).run()
    assert "2,000" in at.error[0].value and not at.exception
    assert "up to 2,000 characters" in at.text_area(key="charlm.text").label
    assert at.text_area(key="charlm.text").value == long


def test_a_text_without_quotes_says_so(at):
    at.text_area(key="charlm.text").set_value("plain words on one line").run()
    assert not at.exception and not at.error
    assert step_line(at).startswith("Step 1 of 23")
    features = list(at.dataframe[0].value["feature"])
    assert charlm.FEATURE_TITLES["in_quotes"] not in features
    assert charlm.FEATURE_TITLES["pos_in_word"] in features


def legend(at: AppTest) -> str:
    return re.search(r"&nbsp;(\w+ of [\w ]+) after each character", coloured_text(at)).group(1)


def ticked(at: AppTest, table: str) -> list[int]:
    state = at.session_state[table] if table in at.session_state else None  # noqa: SIM401
    return list(state["selection"]["rows"]) if state else []


def test_the_chosen_cell_is_one_truth_for_picker_tables_and_legend(at):
    ranking = charlm.rank_cells(charlm.read(charlm.shipped_model(), charlm.DEFAULT_TEXT), "c")
    quotes = [n for n, _ in ranking.top("in_quotes", 10)]
    best = [ranking.top(f, 1)[0][0] for f in ranking.features if ranking.top(f, 1)]
    # at first: the best quote cell, ticked in both tables
    assert at.selectbox(key="charlm.cell.picker").value == quotes[0]
    assert legend(at) == f"memory of {ranking.names[quotes[0]]}"
    assert ticked(at, "charlm.top") == [0] and ticked(at, "charlm.best") == [best.index(quotes[0])]
    # the second quote cell: the top table ticks its row, the best table none
    second = quotes[1]
    at.selectbox(key="charlm.cell.picker").set_value(second).run()
    assert legend(at) == f"memory of {ranking.names[second]}"
    assert ticked(at, "charlm.top") == [1]
    assert ticked(at, "charlm.best") == ([best.index(second)] if second in best else [])
    # a new text keeps the chosen cell; the new top ten tick it only where it is listed
    new = 'x = "a" + "b"  # (two "strings")\nprint(x)\n'
    at.text_area(key="charlm.text").set_value(new).run()
    assert not at.exception
    again = charlm.rank_cells(charlm.read(charlm.shipped_model(), new), "c")
    listed = [n for n, _ in again.top("in_quotes", 10)]
    assert at.selectbox(key="charlm.cell.picker").value == second
    assert legend(at) == f"memory of {again.names[second]}"
    assert [listed[r] for r in ticked(at, "charlm.top")] == ([second] if second in listed else [])


def test_a_link_lands_on_its_state_and_the_address_follows(at):
    text = 'say("hi") and (go)\nnow'
    params = {"text": text, "step": "4", "cell": "c173", "series": "h",
              "feature": "pos_in_line"}
    linked = run_app("views/charlm.py", timeout=120, **params)
    assert not linked.toast
    assert step_line(linked).startswith(f"Step 4 of {len(text)} · reads **{markup.md(repr('('))}")
    assert linked.selectbox(key="charlm.cell.picker").value == 173
    assert linked.segmented_control(key="charlm.series").value == "h"
    assert linked.selectbox(key="charlm.feature").value == "pos_in_line"
    assert legend(linked) == "output of c173"
    values = charlm.read(charlm.shipped_model(), text).hidden[:, 173].numpy()
    assert f"c173 after step 4: **{values[3]:+.3f}**" in " ".join(c.value for c in linked.caption)
    assert dict(linked.query_params) == params
    # a reload (the same link in a new session) lands on the same state
    reloaded = run_app("views/charlm.py", timeout=120, **dict(linked.query_params))
    assert step_line(reloaded) == step_line(linked) and legend(reloaded) == "output of c173"
    linked.button(key="charlm.step.next").click().run()
    assert linked.query_params["step"] == "5"
    # the example text and a text too long for a link stay out of the address
    assert "text" not in at.query_params and at.query_params["cell"] == "c0"
    at.text_area(key="charlm.text").set_value("y" * 301).run()
    assert "text" not in at.query_params and at.query_params["step"] == "1"


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
    assert not at.error and step_line(at).startswith(f"Step 1 of {len(text)}")
    at.button(key="charlm.step.next").click().run() if len(text) > 1 else None
    assert not at.exception

"""Presenter view, keys and figure downloads, page by page with AppTest: `?present=1` holds on
every page and across pages, the figures get projector-sized text, thicker lines and the
colour-blind-safe palette, every chart downloads as PNG at 2x under a name that says what and
which step, the Keys dialog lists the page's keys, and Play / Pause steps a stepper. The LSTM
step-through's diagram is the browser stepper's SVG: its data gets the same look here, and its
downloads and Play are checked in Chromium (tests/test_browser_presenter.py,
tests/test_browser_stepper.py)."""

from __future__ import annotations

import json

import pytest
from apptest import browser_stepper, run_app, shown, step_to

PAGES = ["views/home.py", "views/stepper.py", "views/slots.py", "views/charlm.py",
         "views/gradients.py", "views/ctc.py", "views/embeddings.py"]
GATE_COLOURS = {"#16a34a", "#d97706", "#2563eb"}  # the normal look's i, f, o gates


def charts(at) -> list[dict]:
    """Every plotly chart on the page: {"spec": figure JSON, "config": plotly config}."""
    return [{"spec": json.loads(c.proto.spec), "config": json.loads(c.proto.config)}
            for c in at.get("plotly_chart")]


def present(at) -> str | None:
    """The link's `present` value (AppTest keeps a list once the app has written it)."""
    value = at.query_params.get("present")
    return value[-1] if isinstance(value, list) else value


def font_sizes(node, parent: str = ""):
    """Every explicit font size in a figure's JSON (brute walk)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "size" and parent.endswith("font"):
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from font_sizes(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from font_sizes(item, parent)


def line_widths(spec: dict) -> list[float]:
    return [s["line"]["width"] for s in spec["layout"].get("shapes", [])
            if "width" in s.get("line", {})]


@pytest.mark.parametrize("page", [*PAGES, "views/attention.py"])
def test_present_1_opens_every_page_and_stays_in_its_link(page):
    at = run_app(page, present="1")
    assert at.session_state["presenter.on"]
    assert present(at) == "1"
    assert at.button(key="presenter.toggle").label == "Exit presenter view"
    for chart in charts(at):
        sizes = list(font_sizes(chart["spec"]))
        assert sizes and min(sizes) >= 16, (page, sorted(sizes)[:5])
        assert chart["spec"]["layout"]["font"]["size"] >= 16


def test_presenter_view_survives_moving_to_another_page_and_P_turns_it_off():
    at = run_app("views/stepper.py", present="1")
    at.switch_page("views/ctc.py").run()
    assert not at.exception
    assert present(at) == "1"  # the CTC page rewrote its link; present stays
    at.switch_page("views/slots.py").run()
    assert present(at) == "1"
    at.button(key="presenter.toggle").click().run()
    assert not at.session_state["presenter.on"]
    assert "present" not in at.query_params
    assert at.button(key="presenter.toggle").label == "Presenter view"
    at.button(key="presenter.toggle").click().run()
    assert present(at) == "1"


def test_a_present_value_that_is_not_yes_or_no_is_ignored_with_a_toast():
    at = run_app(present="maybe")
    assert "presenter.on" not in at.session_state
    assert any("present" in t.value for t in at.toast)
    assert present(at) is None  # taken out of the link, so the next click does not warn again


def shape_widths(elements: list[dict]) -> list[float]:
    """The line widths of the browser stepper's shapes, in drawing order."""
    return [e["line"]["width"] for e in elements if e["k"] == "s" and "width" in e.get("line", {})]


def test_the_diagram_in_presenter_view_is_larger_thicker_and_colour_blind_safe():
    normal = browser_stepper(run_app("views/stepper.py"))
    present = browser_stepper(run_app("views/stepper.py", present="1"))
    assert not normal["present"] and present["present"]
    assert len(present["elements"]) == len(normal["elements"])
    assert min(font_sizes(normal["elements"])) < 16 <= min(font_sizes(present["elements"]))
    # the drawing grows with its text, so what fitted a box still fits it
    assert present["canvas"]["px"] > normal["canvas"]["px"]
    assert present["canvas"]["px"] / normal["canvas"]["px"] >= (
        min(font_sizes(present["elements"])) / min(font_sizes(normal["elements"])) - 0.01)
    widths = list(zip(shape_widths(present["elements"]), shape_widths(normal["elements"]),
                      strict=True))
    assert widths and all(p > n for p, n in widths)
    text = json.dumps(present["elements"]).lower()
    assert not any(colour in text for colour in GATE_COLOURS)
    assert all(colour in json.dumps(normal["elements"]).lower() for colour in GATE_COLOURS)


def test_every_chart_downloads_at_2x_under_a_name_with_what_and_which_step():
    at = step_to(run_app("views/stepper.py"), 2)
    # the diagram is the browser stepper's SVG: it downloads as PNG (2x) and SVG named
    # rnn-lab-<name>-step-<step> (the files themselves: tests/test_browser_presenter.py)
    data = browser_stepper(at)
    assert f"rnn-lab-{data['name']}-step-{data['step']}" == "rnn-lab-lstm-cell-step-2"
    at.session_state["stepper.tab"] = "Over time"  # the over-time chart, at the same step
    at.run()
    timeline = charts(at)
    assert timeline, "no over-time chart"
    options = timeline[0]["config"]["toImageButtonOptions"]
    assert options == {"format": "png", "scale": 2, "filename": "rnn-lab-lstm-over-time-step-2"}
    for page in PAGES[2:]:
        for chart in charts(run_app(page)):
            options = chart["config"]["toImageButtonOptions"]
            assert options["scale"] == 2 and options["filename"].startswith("rnn-lab-"), page
            assert chart["config"].get("displayModeBar") is not False, page


@pytest.mark.parametrize(("page", "expected"), [
    ("views/stepper.py", ["← / →", "Home / End", "Space", "P", "?"]),
    ("views/embeddings.py", ["P", "?"]),
])
def test_the_keys_dialog_lists_the_keys_of_the_page(page, expected):
    at = run_app(page)
    at.button(key="keys-open").click().run()
    table = next(shown(m.value) for m in at.markdown if "| Key |" in m.value)
    keys = [row.split("|")[1].strip() for row in table.splitlines()[2:]]
    assert keys[:len(expected)] == expected or set(expected) <= set(keys)
    assert ("Space" in keys) == (page == "views/stepper.py")
    assert not {"R", "C"} & set(keys)


def test_play_steps_a_stepper_stops_at_the_end_and_a_move_by_hand_pauses():
    """The attention lab's stepper plays on the server (the LSTM step-through's and the
    character LSTM's Play run in the browser: tests/test_browser_stepper.py,
    tests/test_browser_charlm.py)."""
    at = run_app("views/attention.py")
    at.button(key="attention.step.next").click().run()
    at.button(key="attention.step.play").click().run()
    assert at.session_state["attention.step.playing"]
    assert at.button(key="attention.step.play").label == "Pause"
    at.button(key="attention.step.prev").click().run()  # a step by hand stops playing
    assert at.session_state["attention.step"] == 1
    assert not at.session_state["attention.step.playing"]
    at.button(key="attention.step.last").click().run()
    at.button(key="attention.step.play").click().run()  # from the last step, Play starts over
    assert at.session_state["attention.step"] == 1
    assert at.session_state["attention.step.playing"]
    assert at.selectbox(key="attention.step.speed").value == "normal"


def test_the_attention_stepper_has_play_and_keys():
    """(The slot lab and the character LSTM step in the browser, as the LSTM step-through
    does: their buttons and keys are the browser stepper's, tests/test_browser_slots.py and
    tests/test_browser_charlm.py.)"""
    at = run_app("views/attention.py")
    for name in ("first", "prev", "play", "next", "last"):
        assert at.button(key=f"attention.step.{name}") is not None
    at.button(key="attention.step.next").click().run()
    assert not at.exception
    assert at.session_state["attention.step"] == 2

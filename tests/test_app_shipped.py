"""The stepper with the shipped trained models (engine.zoo): every one can be picked, stepped
and linked to; the learned lecture LSTM is shown next to the hand-wired one."""

from __future__ import annotations

import pytest
import torch
from apptest import step_to
from test_app import run_app, shown, step_text, story

from engine import lee, zoo
from engine.trace import trace

TEXT_MODELS = [key for key, entry in zoo.SHIPPED.items() if entry.reads_text]


def open_tab(at, name: str):
    """Open the stepper tab called `name` and rerun."""
    tabs = at.tabs
    index = [t.label for t in tabs].index(name)
    at.session_state["stepper.tab"] = name
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.tabs[index]


@pytest.mark.parametrize("key", list(zoo.SHIPPED))
def test_every_shipped_model_is_offered_and_steps(key):
    at = run_app("views/stepper.py")
    assert zoo.shipped(key).title in at.selectbox(key="picker.model").options
    at.selectbox(key="picker.model").set_value(key).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["model"] == key
    first = step_text(at)
    assert first.startswith("**Step 1 of ")
    step_to(at, 2)  # as the browser stepper tells Python its step
    assert step_text(at).startswith("**Step 2 of ")
    assert any(zoo.shipped(key).title in c.value for c in at.caption)


def test_a_link_to_the_learned_model_lands_on_it():
    at = run_app("views/stepper.py", model="lecture_learned", step="6")
    assert at.selectbox(key="picker.model").value == "lecture_learned"
    assert step_text(at).startswith("**Step 6 of 9**")


def test_the_learned_cell_outputs_the_lecture_table_at_step_six():
    at = run_app("views/stepper.py", model="lecture_learned", step="6")
    assert step_text(at).startswith("**Step 6 of 9**")
    told = story(at)  # the browser stepper's story of step 6
    learned = trace(lee.learned_lecture_lstm(), lee.LECTURE_SEQUENCE)
    assert f"{learned.outputs[5, 0].item():.2f}"[:3] in told  # y ≈ 7 read from the page
    assert round(learned.outputs[5, 0].item()) == 7


def test_learned_vs_hand_wired_tab_shows_both_cells():
    at = run_app("views/stepper.py", model="lecture_learned")
    tab = open_tab(at, "Learned vs hand-wired")
    frame = tab.dataframe[0].value
    assert set(frame["model"]) == {"hand-wired", "learned"}
    wired = frame[frame["model"] == "hand-wired"].set_index("gate")
    assert wired.loc["forget gate z_f", "x2"] == 100
    learned = frame[frame["model"] == "learned"].set_index("gate")
    weights = lee.lecture_weights(lee.learned_lecture_lstm())
    assert learned.loc["output gate z_o", "x3"] == pytest.approx(weights["o"][2], abs=0.01)
    figures = tab.get("plotly_chart")
    assert len(figures) == 1
    assert '"learned"' in figures[0].proto.spec and "hand-wired (lecture)" in figures[0].proto.spec


@pytest.mark.parametrize("key", TEXT_MODELS)
def test_text_models_read_typed_text_and_keep_it_in_the_link(key):
    at = run_app("views/stepper.py", model=key)
    area = at.text_area(key=f"text.{key}")
    assert area.value == zoo.shipped(key).default_text
    area.set_value("from Boston to Taipei tomorrow").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = zoo.shipped(key).labels("from Boston to Taipei tomorrow")
    assert step_text(at).startswith(f"**Step 1 of {len(labels)}**")
    assert repr(labels[0]) in shown(step_text(at))  # escaped markdown (markup.md)
    assert at.query_params["text"] == "from Boston to Taipei tomorrow"
    area.set_value("   ").run()
    assert not at.exception
    assert "empty" in at.error[0].value
    x = zoo.shipped(key).encode("from Boston to Taipei tomorrow")
    assert x.shape[0] == len(labels)
    assert torch.isfinite(x).all()

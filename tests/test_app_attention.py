"""The attention page, run headless with Streamlit's AppTest against the shipped models."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from apptest import errors, run_app, shown
from streamlit.testing.v1 import AppTest

from engine import attention, date_data

PAGE = "views/attention.py"


@pytest.fixture
def at() -> AppTest:
    return run_app(PAGE, timeout=120)


def step_line(at: AppTest) -> str:
    return shown(next(m.value for m in at.markdown if m.value.startswith("Step ")))


def input_boxes(at: AppTest) -> list[str]:
    """The bodies of the input-character strips (the attention one first, then the plain)."""
    return [h.proto.body for h in at.get("html") if 'class="att-input"' in h.proto.body]


def test_the_page_steps_the_default_date_character_by_character(at):
    assert step_line(at).startswith("Step 1 of 10 · writes **2** (")
    at.button(key="attention.step.next").click().run()
    assert step_line(at).startswith("Step 2 of 10 · writes **0**")
    at.button(key="attention.step.last").click().run()
    assert step_line(at).endswith("so far **2026-11-02**")
    assert at.query_params["step"] == "10"
    assert len(at.get("plotly_chart")) == 3  # context, matrix, accuracy by length
    assert not at.exception


def test_the_input_boxes_carry_this_steps_attention_weights(at):
    tr = attention.translate(date_data.FORMS["abbr_dot_ordinal"])
    for step in (1, 7):
        at.slider(key="attention.step").set_value(step).run()
        drawn = re.findall(r"<small>(\d+)%</small>", input_boxes(at)[0])
        assert drawn == [f"{100 * w:.0f}" for w in tr.weights[step - 1]]
    plain = input_boxes(at)[1]
    assert "%" not in plain and plain.count(" last") == 2  # first and last outlined


def test_picking_a_written_form_translates_it_from_step_one(at):
    at.slider(key="attention.step").set_value(4).run()
    at.pills(key="attention.form").set_value("cjk").run()
    assert at.text_input(key="attention.text").value == "2026年11月2日"
    assert step_line(at).startswith("Step 1 of 10")
    at.button(key="attention.step.last").click().run()
    assert step_line(at).endswith("so far **2026-11-02**")


def test_the_plain_model_is_checked_against_the_date_and_its_wrong_characters_named():
    text = "4/1/1973"  # one the shipped plain model gets wrong
    plain = attention.translate(text, "plain").output
    assert plain != "1973-04-01"
    wrong = [str(i + 1) for i, ch in enumerate(plain) if "1973-04-01"[i] != ch]
    at = run_app(PAGE, timeout=120, text=text)
    captions = [shown(c.value) for c in at.caption]
    assert (f"Checked against the date itself: the plain model's characters "
            f"{', '.join(wrong)} are wrong.") in captions
    outputs = [h.proto.body for h in at.get("html") if "att-output" in h.proto.body]
    assert len(outputs) == 2 and "#b91c1c" not in outputs[0] and "#b91c1c" in outputs[1]


def test_one_character_past_the_limit_gets_the_limit_and_keeps_the_last_date(at):
    at.slider(key="attention.step").set_value(3).run()
    at.text_input(key="attention.text").set_value("1" * (attention.MAX_INPUT_CHARS + 1)).run()
    assert any(f"at most {attention.MAX_INPUT_CHARS}" in e for e in errors(at))
    assert any("Still showing “nov. 2nd, 2026”" in e for e in errors(at))
    assert step_line(at).startswith("Step 1 of 10 · writes **2**")
    at.text_input(key="attention.text").set_value("1" * attention.MAX_INPUT_CHARS).run()
    assert not errors(at)


def test_an_empty_text_gets_a_message_not_a_traceback(at):
    at.text_input(key="attention.text").set_value("   ").run()
    assert any("empty" in e for e in errors(at))
    assert step_line(at).startswith("Step 1 of 10")


def test_a_link_lands_on_its_text_and_step():
    at = run_app(PAGE, timeout=120, text="the 31st of December 1999", step="6")
    assert step_line(at).startswith("Step 6 of 10")
    assert step_line(at).endswith("so far **1999-1**")
    assert at.query_params["text"] == "the 31st of December 1999"


def test_a_step_past_the_decoder_is_ignored_by_name():
    at = run_app(PAGE, timeout=120, step="13")
    assert step_line(at).startswith("Step 1 of 10")
    assert any("step" in t.value for t in at.toast)


def test_typed_markup_is_shown_as_text():
    text = "<b>x</b>[y](https://evil.example)"
    at = run_app(PAGE, timeout=120, text=text)
    for body in input_boxes(at):
        assert re.findall(r"<b>(.*?)</b>", body) == [html.escape(c) for c in text]
    assert "evil" not in " ".join(m.value for m in at.markdown if "](" in m.value)


def test_the_matrix_fills_row_by_row_and_names_only_the_rows_reached():
    from figures.attention import attention_matrix

    tr = attention.translate("Nov 2 2026")
    fig = attention_matrix(tr, 2)
    z = np.array(fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z[:3], tr.weights[:3])
    assert np.isnan(z[3:]).all()
    assert list(fig.layout.yaxis.ticktext) == ["1: 2", "2: 0", "3: 2"] + [
        str(t) for t in range(4, 11)]


def test_an_output_that_is_no_calendar_day_is_called_so():
    text = "February 30, 2026"
    assert not attention.translate(text).is_date
    at = run_app(PAGE, timeout=120, text=text)
    assert any("is not a real calendar day" in shown(w.value) for w in at.warning)
    assert not run_app(PAGE, timeout=120).warning

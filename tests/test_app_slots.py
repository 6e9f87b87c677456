"""The slot-filling lab, run headless with Streamlit's AppTest against the shipped taggers."""

from __future__ import annotations

import pytest
from apptest import run_app
from streamlit.testing.v1 import AppTest

import markup
from engine import slots

PARAMS = ("a", "b", "tagger", "encoding", "step")
# Values a hand-edited or malicious link may carry; a list is a repeated key (the last counts).
HOSTILE = ["²", "٣", "1" * 40, "-1", "1e309", "nan", "", "x" * 5000, ["2", "²"]]


@pytest.fixture
def at() -> AppTest:
    return run_app("views/slots.py", timeout=120)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def tag_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(("**A**", "**B**"))]


def test_the_page_renders_the_lectures_two_sentences(at):
    assert at.title[0].value == "Slot filling"
    assert [t.value for t in at.text_input] == list(slots.LECTURE_SENTENCES)
    assert metric(at, "Word 1 (A)") == "arrive" and metric(at, "Word 1 (B)") == "leave"
    assert len(at.get("plotly_chart")) == 4  # input vector and readings, per sentence
    table = at.dataframe[0].value
    assert list(table["tagger"]) == list(slots.MODEL_TITLES.values())
    assert "lecture's point" in at.caption[0].value


def test_next_changes_the_step_and_the_defaults_differ_for_the_lstm(at):
    at.button(key="slots.next").click().run()
    assert metric(at, "Word 2 (A)") == metric(at, "Word 2 (B)") == "Taipei"
    assert (metric(at, "Slot (A)"), metric(at, "Slot (B)")) == ("dest", "origin")
    assert at.slider(key="slots.step").value == 2
    assert "dest" in at.success[0].value and "origin" in at.success[0].value
    at.button(key="slots.prev").click().run()
    assert metric(at, "Word 1 (A)") == "arrive"


def test_switching_to_feedforward_changes_the_tags_and_states_the_point(at):
    at.slider(key="slots.step").set_value(5).run()
    before = tag_lines(at)
    assert (metric(at, "Slot (A)"), metric(at, "Slot (B)")) == ("arrive_time", "depart_time")
    at.segmented_control(key="slots.model").set_value("feedforward").run()
    assert not at.exception
    after = tag_lines(at)
    assert after != before
    assert metric(at, "Slot (A)") == metric(at, "Slot (B)")  # no memory: same word, same slot
    assert not at.success and "in both sentences" in at.warning[0].value
    expected = slots.tag(slots.LECTURE_SENTENCES[0], "feedforward")
    assert after[0].count("·") == len(expected)
    for word, tag in zip(slots.tokens(slots.LECTURE_SENTENCES[0]), expected, strict=True):
        assert f"{word} · {tag}" in after[0]


def test_word_hashing_shows_the_trigrams_of_the_current_word(at):
    at.radio(key="slots.encoding").set_value("trigram").run()
    at.button(key="slots.next").click().run()
    caption = next(c.value for c in at.caption if c.value.startswith("Input vector x of “Taipei”"))
    for tri in slots.trigrams("Taipei"):
        assert markup.md(tri) in caption
    assert (metric(at, "Slot (A)"), metric(at, "Slot (B)")) == ("dest", "origin")


def test_an_unknown_city_lights_the_other_dimension(at):
    at.text_input(key="slots.a").set_value("arrive Zorbulon on May 3rd").run()
    at.button(key="slots.next").click().run()
    caption = next(c.value for c in at.caption if c.value.startswith("Input vector x of “Zorb"))
    assert "unknown word" in caption and markup.md(slots.OTHER_WORD) in caption
    assert metric(at, "Slot (A)") == "dest"


def test_the_bidirectional_lstm_shows_both_directions(at):
    at.segmented_control(key="slots.model").set_value("bilstm").run()
    assert not at.exception
    assert any("backward units (←)" in c.value for c in at.caption)


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "empty"), ("word " * (slots.MAX_TOKENS + 1), f"at most {slots.MAX_TOKENS}")])
def test_bad_sentences_get_a_clear_error_and_keep_the_text(at, text, message):
    assert any(f"up to {slots.MAX_TOKENS} words" in c.value for c in at.caption)
    at.text_input(key="slots.b").set_value("word " * slots.MAX_TOKENS).run()
    assert not at.error and not at.exception  # the limit itself is fine
    at.text_input(key="slots.b").set_value(text).run()
    assert not at.exception
    assert message in at.error[0].value and at.error[0].value.startswith("Sentence B")
    assert at.text_input(key="slots.b").value == text
    at.text_input(key="slots.b").set_value(slots.LECTURE_SENTENCES[1]).run()
    assert not at.error and metric(at, "Word 1 (B)") == "leave"


def test_a_link_lands_on_its_state_and_the_address_follows(at):
    assert dict(at.query_params) == {"a": slots.LECTURE_SENTENCES[0],
                                     "b": slots.LECTURE_SENTENCES[1], "tagger": "lstm",
                                     "encoding": "onehot", "step": "1"}
    params = {"a": "leave Boston at 7 pm", "b": "arrive Boston at 7 pm",
              "tagger": "jordan", "encoding": "trigram", "step": "2"}
    linked = run_app("views/slots.py", timeout=120, **params)
    assert not linked.toast
    assert [t.value for t in linked.text_input] == [params["a"], params["b"]]
    assert linked.segmented_control(key="slots.model").value == "jordan"
    assert linked.radio(key="slots.encoding").value == "trigram"
    tags = [slots.tag(params[s], "jordan", "trigram")[1] for s in "ab"]
    assert metric(linked, "Word 2 (A)") == metric(linked, "Word 2 (B)") == "Boston"
    assert [metric(linked, "Slot (A)"), metric(linked, "Slot (B)")] == tags
    assert dict(linked.query_params) == params
    # a reload (the same link in a new session) lands on the same state
    reloaded = run_app("views/slots.py", timeout=120, **dict(linked.query_params))
    assert tag_lines(reloaded) == tag_lines(linked)
    linked.button(key="slots.next").click().run()
    assert linked.query_params["step"] == "3"
    linked.text_input(key="slots.a").set_value("   ").run()
    assert linked.query_params["a"] == "   " and "step" not in linked.query_params


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_link_values_are_ignored_and_named(value):
    at = run_app("views/slots.py", timeout=120, **dict.fromkeys(PARAMS, value))
    last = value[-1] if isinstance(value, list) else value
    text_ok = bool(last.strip()) and len(last) <= 300
    expected = [p for p in PARAMS if p not in "ab" or not text_ok]
    toasts = [t.value for t in at.toast]
    assert len(toasts) == 1 and "Ignored link parameter(s)" in toasts[0]
    assert sorted(toasts[0].split(": ", 1)[1].rstrip(".").split(", ")) == sorted(expected)
    texts = [last] * 2 if text_ok else list(slots.LECTURE_SENTENCES)
    assert [t.value for t in at.text_input] == texts
    assert not at.error and metric(at, "Word 1 (A)") == markup.md(slots.tokens(texts[0])[0])
    assert at.segmented_control(key="slots.model").value == "lstm"


def test_typed_words_are_shown_as_typed_never_as_markup(at):
    link = "[x](https://evil.example)"
    at.text_input(key="slots.a").set_value(f"arrive {link} :red[now] **b**").run()
    assert not at.exception
    line = tag_lines(at)[0]
    for word in (link, ":red[now]", "**b**"):
        assert markup.md(word) in line
    assert "](" not in line and "[now]" not in line

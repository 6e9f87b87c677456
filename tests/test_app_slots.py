"""The slot-filling lab, run headless with Streamlit's AppTest against the shipped taggers: the
browser stepper's frames carry the engine's own words, slots and probabilities."""

from __future__ import annotations

import html
import re

import pytest
from apptest import browser_markdown, browser_stepper, run_app, step_to
from streamlit.testing.v1 import AppTest

import markup
from engine import slots

PARAMS = ("a", "b", "tagger", "encoding", "step")
KEY = "slots.step"
# Values a hand-edited or malicious link may carry; a list is a repeated key (the last counts).
HOSTILE = ["²", "٣", "1" * 40, "-1", "1e309", "nan", "", "x" * 5000, ["2", "²"]]


@pytest.fixture
def at() -> AppTest:
    return run_app("views/slots.py", timeout=120)


def plain(text: str) -> str:
    """A drawing label's markup as the reader sees it."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def drawn(at: AppTest, step: int | None = None) -> dict[str, str]:
    """The labels of the browser stepper's drawing at `step` (1-based; Python's step when
    None), by name."""
    data = browser_stepper(at)
    frame = data["frames"][(step or data["step"]) - 1 - data["first"]]
    pieces = [data["elements"][i] for i in frame["d"]]
    return {p["name"]: plain(p["text"]) for p in pieces if p["k"] == "a" and "name" in p}


def story(at: AppTest, step: int | None = None) -> str:
    data = browser_stepper(at)
    return browser_markdown(data["frames"][(step or data["step"]) - 1 - data["first"]]["story"])


def assert_frames_match(at: AppTest, texts, model: str, encoding: str) -> None:
    """Every step sent shows the engine's word, slot and probability for A and B."""
    data = browser_stepper(at)
    readings = [slots.read(text, model, encoding) for text in texts]
    assert data["steps"] == max(r.steps for r in readings)
    for step in range(data["first"] + 1, data["first"] + len(data["frames"]) + 1):
        labels = drawn(at, step)
        for name, r in zip("AB", readings, strict=True):
            k = min(step, r.steps) - 1
            assert labels[f"{name}-word"] == r.tokens[k]
            assert labels[f"{name}-slot"] == r.tags[k]
            assert labels[f"{name}-prob"] == f"{float(r.probs[k].max()):.2f}"
            chips = [labels[f"{name}-chipt-{i}"] for i in range(r.steps)]
            tagged = [f"{w} · {t}" for w, t in zip(r.tokens, r.tags, strict=True)]
            assert chips[:k + 1] == tagged[:k + 1]
            assert chips[k + 1:] == r.tokens[k + 1:]  # not read yet: no slot
            # probabilities of every word read so far, none of the words after
            for j in range(r.steps):
                for s in range(len(slots.SLOTS)):
                    cell = labels.get(f"{name}-pt-{s}-{j}")
                    assert cell == (f"{float(r.probs[j, s]):.2f}" if j <= k else None)


def test_the_page_renders_the_lectures_two_sentences(at):
    assert at.title[0].value == "Slot filling"
    assert [t.value for t in at.text_input] == list(slots.LECTURE_SENTENCES)
    data = browser_stepper(at)
    assert data["step"] == 1 and data["steps"] == 5 and len(data["frames"]) == 5
    assert_frames_match(at, slots.LECTURE_SENTENCES, "lstm", "onehot")
    assert not at.get("plotly_chart")  # the stepper draws both sentences in the browser
    table = at.dataframe[0].value
    assert list(table["tagger"]) == list(slots.MODEL_TITLES.values())
    assert "lecture's point" in at.caption[0].value


def test_a_step_from_the_browser_moves_the_link_and_the_lstm_tells_dest_from_origin(at):
    step_to(at, 2, KEY)
    labels = drawn(at)
    assert labels["A-word"] == labels["B-word"] == "Taipei"
    assert (labels["A-slot"], labels["B-slot"]) == ("dest", "origin")
    assert browser_stepper(at)["step"] == 2 and at.query_params["step"] == "2"
    assert "Word 2 of 5" in browser_markdown(browser_stepper(at)["lines"][1])
    assert "dest" in at.success[0].value and "origin" in at.success[0].value


def test_switching_to_feedforward_changes_the_tags_and_states_the_point(at):
    step_to(at, 5, KEY)
    before = drawn(at)
    assert (before["A-slot"], before["B-slot"]) == ("arrive_time", "depart_time")
    at.segmented_control(key="slots.model").set_value("feedforward").run()
    assert not at.exception
    after = drawn(at)
    assert after["A-slot"] == after["B-slot"]  # no memory: same word, same slot
    assert not at.success and "in both sentences" in at.warning[0].value
    assert_frames_match(at, slots.LECTURE_SENTENCES, "feedforward", "onehot")


def test_word_hashing_shows_the_trigrams_of_the_current_word(at):
    at.radio(key="slots.encoding").set_value("trigram").run()
    step_to(at, 2, KEY)
    text = story(at)
    assert "**A** · Input vector x of “Taipei”: 384 dimensions, 6 trigram buckets" in text
    labels = drawn(at)
    for tri in slots.trigrams("Taipei"):
        assert tri in text and tri in labels.values()  # named above its bar
    assert (labels["A-slot"], labels["B-slot"]) == ("dest", "origin")
    assert_frames_match(at, slots.LECTURE_SENTENCES, "lstm", "trigram")


def test_an_unknown_city_lights_the_other_dimension(at):
    at.text_input(key="slots.a").set_value("arrive Zorbulon on May 3rd").run()
    step_to(at, 2, KEY)
    text = story(at)
    assert "Input vector x of “Zorbulon”" in text and "unknown word" in text
    assert slots.OTHER_WORD in text and slots.OTHER_WORD in drawn(at).values()
    assert drawn(at)["A-slot"] == "dest"


def test_the_bidirectional_lstm_shows_both_directions(at):
    at.segmented_control(key="slots.model").set_value("bilstm").run()
    assert not at.exception
    assert any("backward units (←)" in c.value for c in at.caption)
    labels = drawn(at)
    assert "←1" in labels.values() and "→1" in labels.values()
    assert_frames_match(at, slots.LECTURE_SENTENCES, "bilstm", "onehot")


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "empty"), ("word " * (slots.MAX_TOKENS + 1), f"at most {slots.MAX_TOKENS}")])
def test_bad_sentences_get_a_clear_error_and_keep_the_text(at, text, message):
    assert any(f"up to {slots.MAX_TOKENS} words" in c.value for c in at.caption)
    at.text_input(key="slots.b").set_value("word " * slots.MAX_TOKENS).run()
    assert not at.error and not at.exception  # the limit itself is fine
    assert browser_stepper(at)["steps"] == slots.MAX_TOKENS
    at.text_input(key="slots.b").set_value(text).run()
    assert not at.exception
    assert message in at.error[0].value and at.error[0].value.startswith("Sentence B")
    assert at.text_input(key="slots.b").value == text
    at.text_input(key="slots.b").set_value(slots.LECTURE_SENTENCES[1]).run()
    assert not at.error and drawn(at)["B-word"] == "leave"


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
    labels = drawn(linked)
    assert browser_stepper(linked)["step"] == 2
    assert labels["A-word"] == labels["B-word"] == "Boston"
    assert [labels["A-slot"], labels["B-slot"]] == tags
    assert dict(linked.query_params) == params
    # a reload (the same link in a new session) lands on the same state
    reloaded = run_app("views/slots.py", timeout=120, **dict(linked.query_params))
    assert drawn(reloaded) == labels
    step_to(linked, 3, KEY)
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
    first = slots.tokens(texts[0])[0]
    assert not at.error and first.startswith(drawn(at)["A-word"].rstrip("…"))  # cut to fit
    assert f"A: “{first}”" in browser_markdown(browser_stepper(at)["lines"][0])  # whole
    assert at.segmented_control(key="slots.model").value == "lstm"


def test_typed_words_are_shown_as_typed_never_as_markup(at):
    link, tag = "[x](https://evil.example)", "<img src=x onerror=alert(1)>"
    at.text_input(key="slots.a").set_value(f"arrive {link} :red[now] **b** {tag}").run()
    assert not at.exception
    data = browser_stepper(at)
    step_to(at, 6, KEY)
    chips = [v for k, v in drawn(at).items() if k.startswith("A-chipt-")]
    assert chips[1].startswith(link) and chips[2].startswith(":red[now]")
    raw = [data["elements"][i]["text"] for i in data["frames"][0]["d"]
           if data["elements"][i]["k"] == "a"]
    assert not any("<img" in t for t in raw)  # escaped in every label (&lt;img …)
    assert "<img" not in "".join(data["lines"]) + "".join(f["story"] for f in data["frames"])
    assert markup.md(link) not in "".join(data["lines"])  # HTML, not markdown: as typed


def test_a_lesson_question_keeps_the_answer_out_of_the_page():
    at = run_app(None, lesson="arrive-leave-taipei", scene="1")
    data = browser_stepper(at)
    assert data["steps"] == 1 and len(data["frames"]) == 1 and data["total"] == 5
    assert "Taipei ·" not in str(data)  # no slot of word 2 anywhere in what the browser has
    assert not at.dataframe
    next(b for b in at.button if b.label == "origin").click().run()
    data = browser_stepper(at)
    assert data["steps"] == 5 and data["step"] == 2 and at.dataframe
    labels = drawn(at)
    assert labels["B-word"] == "Taipei" and labels["A-slot"] == labels["B-slot"]


def test_the_page_speaks_chinese_and_keeps_the_slot_names():
    at = run_app("views/slots.py", timeout=120, lang="zh-TW", step="2")
    assert at.title[0].value == "槽位填充"
    labels = drawn(at)
    assert labels["A-slot-label"] == "槽位" and labels["A-slot"] == "dest"
    assert labels["A-probs-title"] == "槽位機率"
    assert "第 2 個詞" in browser_markdown(browser_stepper(at)["lines"][1])
    assert "輸入向量" in story(at) and list(at.dataframe[0].value.columns)[0] == "標註器"
    assert browser_stepper(at)["words"]["diagram"] == "兩個句子在這個詞的情形"  # its own name


def test_long_sentences_ship_a_window_of_words_around_the_linked_one():
    """40 words each: a rerun sends at most SLOT_WINDOW words' drawings (never megabytes), the
    linked word among them, each matching the engine."""
    import json

    from components.slot_controls import SLOT_WINDOW

    a = " ".join(["arrive Taipei on November 2nd and then leave Boston at 7 pm"] * 4)
    a = a.rsplit(" ", 48 - slots.MAX_TOKENS)[0]  # the longest sentence taken: 40 words
    b = a.replace("arrive", "depart")
    at = run_app("views/slots.py", timeout=180, a=a, b=b, step="30", tagger="bilstm")
    data = browser_stepper(at)
    assert data["step"] == 30 and data["steps"] == slots.MAX_TOKENS
    assert len(data["frames"]) == SLOT_WINDOW
    assert data["first"] < 30 <= data["first"] + SLOT_WINDOW
    assert len(json.dumps(data)) < 700_000  # was 1.2 MB with every word sent
    readings = [slots.read(text, "bilstm") for text in (a, b)]
    for step in range(data["first"] + 1, data["first"] + SLOT_WINDOW + 1):
        labels = drawn(at, step)
        for name, r in zip("AB", readings, strict=True):
            assert labels[f"{name}-word"] == r.tokens[step - 1]
            assert labels[f"{name}-slot"] == r.tags[step - 1]
            assert labels[f"{name}-prob"] == f"{float(r.probs[step - 1].max()):.2f}"

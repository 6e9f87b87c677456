"""The app's pages run headless with Streamlit's AppTest: real scripts, widgets and engine."""

from __future__ import annotations

import re

import pytest
from apptest import (
    browser_markdown,
    browser_stepper,
    errors,
    run_app,
    step_frame,
    step_line,
    step_to,
)
from streamlit.testing.v1 import AppTest

from engine import lee
from labs import LABS


def shown(markdown: str) -> str:
    """What escaped markdown (markup.md) shows: the text without its backslash escapes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def step_text(at: AppTest) -> str:
    return step_line(at)


def story(at: AppTest) -> str:
    return browser_markdown(step_frame(at)["story"])


def press(at: AppTest, what: str) -> AppTest:
    """A stepper button as the browser stepper tells Python the step it moved to."""
    data = browser_stepper(at)
    step = {"next": data["step"] + 1, "prev": data["step"] - 1, "first": 1,
            "last": data["steps"]}[what]
    return step_to(at, max(1, min(data["steps"], step)))


def output_in_story(at: AppTest) -> float:
    """The output a the step's story reports."""
    return float(re.search(r"output a = (-?\d+(?:\.\d+)?)", story(at)).group(1))


def test_home_lists_every_lab_with_its_lecture_section():
    at = run_app()
    assert at.title[0].value == "RNN Lab"
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for lab in LABS:
        assert lab.title in text
        assert lab.lecture in text


def test_stepper_opens_on_the_lecture_model_at_step_one():
    at = run_app("views/stepper.py")
    assert at.selectbox(key="picker.model").value == "lecture"
    assert step_text(at).startswith("**Step 1 of 9**")
    assert at.query_params["step"] == "1"
    assert at.query_params["model"] == "lecture"


def test_next_and_previous_change_the_step_and_the_url():
    at = run_app("views/stepper.py")
    press(at, "next")
    assert step_text(at).startswith("**Step 2 of 9**")
    assert at.query_params["step"] == "2"
    press(at, "next")
    press(at, "next")
    assert browser_stepper(at)["step"] == 4
    press(at, "prev")
    assert step_text(at).startswith("**Step 3 of 9**")
    press(at, "last")
    assert step_text(at).startswith("**Step 9 of 9**")
    assert browser_stepper(at)["step"] == browser_stepper(at)["steps"]
    press(at, "first")
    assert step_text(at).startswith("**Step 1 of 9**")
    assert not at.exception


def test_url_state_round_trips():
    at = run_app("views/stepper.py", model="lecture", seq="walkthrough", step="2")
    assert at.selectbox(key="seq.preset").value == "walkthrough"
    assert step_text(at).startswith("**Step 2 of 5** · input x = [4, 1, 0]")
    # the [4, 1, 0] step: memory 3 → 7 (the lecture's image-9)
    assert "Memory** 3 → **7**" in story(at)
    again = run_app("views/stepper.py", **dict(at.query_params))
    assert step_text(again) == step_text(at)


def test_step_past_the_end_of_the_sequence_lands_on_the_last_step():
    at = run_app("views/stepper.py", seq="walkthrough", step="40")
    assert step_text(at).startswith("**Step 5 of 5**")


def test_bad_link_parameters_are_ignored_with_a_message():
    at = run_app("views/stepper.py", model="transformer", step="abc", hid="-3")
    assert at.selectbox(key="picker.model").value == "lecture"
    assert step_text(at).startswith("**Step 1 of 9**")
    assert any("model" in t.value and "step" in t.value for t in at.toast)


def test_the_lecture_table_output_appears_at_step_six():
    at = run_app("views/stepper.py", step="6")
    assert output_in_story(at) == pytest.approx(float(lee.LECTURE_OUTPUTS[5]), abs=0.01)
    equations = step_frame(at)["tex"]
    assert r"&= 7 \cdot 1.000 = 7 \end{aligned}" in equations  # a = h(c')·σ(z_o)


def _story_numbers(at: AppTest) -> tuple[str, str, str]:
    """(memory before, memory after, output a) as the step's story writes them."""
    text = story(at)
    before, after = re.search(r"Memory\*\* (\S+) → \*\*(\S+)\*\*", text).groups()
    return before, after, re.search(r"output a = (\S+?)\.?$", text, re.M).group(1)


@pytest.mark.parametrize(("seq", "memory", "outputs"), [
    ("lecture", lee.LECTURE_MEMORY, lee.LECTURE_OUTPUTS),
    ("walkthrough", lee.LECTURE_WALKTHROUGH_MEMORY, lee.LECTURE_WALKTHROUGH_OUTPUTS),
])
def test_the_lecture_numbers_read_as_the_lecture_writes_them(seq, memory, outputs):
    """Memory and output at every step, digit for digit as in the lecture (7, not 6.999),
    with one sentence saying why the exact value is a hair below."""
    at = run_app("views/stepper.py", seq=seq)
    shown_memory, shown_outputs = [], []
    for step in range(len(memory)):
        before, after, out = _story_numbers(at)
        shown_memory.append(after)
        shown_outputs.append(out)
        if step:
            assert before == shown_memory[-2]  # the memory kept is the memory shown before
        assert "σ(10) = 0.99995" in browser_stepper(at)["note"]
        if step < len(memory) - 1:
            press(at, "next")
    assert shown_memory == [f"{v:g}" for v in memory.tolist()]
    assert shown_outputs == [f"{v:g}" for v in outputs.tolist()]
    assert "6.999" not in " ".join([story(at), step_frame(at)["tex"]])


def test_a_weight_edit_changes_the_output():
    at = run_app("views/stepper.py", step="3")
    assert "Memory** 3 → **3**" in story(at)
    forget = next(b for b in at.button if b.label.startswith("Forget every step"))
    forget.click().run()
    # forget bias −10: the forget gate is closed unless x2 = 1, so memory 3 is erased at step 3
    assert "Memory** 3 → **0" in story(at)
    assert "w" in at.query_params
    reloaded = run_app("views/stepper.py", **dict(at.query_params))
    assert "Memory** 3 → **0" in story(reloaded)
    at.button(key="weights.reset").click().run()
    assert "Memory** 3 → **3**" in story(at)
    assert "w" not in at.query_params


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn", "jordan"])
def test_every_cell_type_can_be_stepped(kind):
    at = run_app("views/stepper.py", model=kind, hid="5", seed="3")
    assert at.selectbox(key="picker.model").value == kind
    press(at, "next")
    assert step_text(at).startswith("**Step 2 of 9**")
    assert step_frame(at)["tex"]
    assert not at.exception


def test_a_model_with_many_units_offers_top_k_units():
    at = run_app("views/stepper.py", model="lstm", hid="32")
    assert not at.multiselect  # the "Over time" tab is drawn only when it is open
    at.session_state["stepper.tab"] = "Over time"
    at.run()
    chosen = at.multiselect(key="view.units.32").value
    assert len(chosen) == 8
    at.multiselect(key="view.units.32").set_value([0, 5]).run()
    assert not at.exception


def test_a_wrong_width_gets_a_clear_message_not_a_traceback():
    at = run_app("views/stepper.py", model="lstm", **{"in": "5"}, seq="lecture")
    assert not at.exception
    assert any("3 inputs per step" in e.value and "reads 5" in e.value for e in at.error)
    next(b for b in at.button if b.label == "Set the input size to 3").click().run()
    assert not at.error
    assert step_text(at).startswith("**Step 1 of 9**")
    assert at.query_params["in"] == "3"


def test_your_own_sequence_from_the_link():
    x = "1~0~0_2~0~0_5~1~0_1~0~1"
    at = run_app("views/stepper.py", seq="custom", x=x, step="4")
    assert step_text(at).startswith("**Step 4 of 4** · input x = [1, 0, 1]")
    assert output_in_story(at) == pytest.approx(5, abs=0.01)
    assert at.query_params["x"] == x


def test_pasted_garbage_gets_a_message_and_keeps_the_sequence():
    at = run_app("views/stepper.py", step="2")
    at.text_area(key="seq.paste").input("3, 1, 0\n4, one, 0").run()
    at.button(key="seq.paste_use").click().run()
    assert any("step 2, x2 is 'one'" in shown(e.value) for e in at.error)
    assert step_text(at).startswith("**Step 2 of 9**")
    at.text_area(key="seq.paste").input("3, 1, 0\n4, 1, 0\n0, 0, 1").run()
    at.button(key="seq.paste_use").click().run()
    assert at.selectbox(key="seq.preset").value == "custom"
    press(at, "last")
    assert output_in_story(at) == pytest.approx(7, abs=0.01)


def test_the_rules_still_hold_on_a_random_preset():
    at = run_app("views/stepper.py", seq="random", rs="5")
    x = lee.random_rule_sequence(12, seed=5)
    y, _ = lee.follow_rules(x)
    outputs = []
    for step in range(12):
        outputs.append(output_in_story(at))
        if step < 11:
            press(at, "next")
    assert outputs == pytest.approx(y.tolist(), abs=0.01)
    assert any(v > 0 for v in y.tolist())


HOSTILE = {  # value → the link parameters that must refuse it (the others read it as valid)
    "²": {"step", "seq", "rs", "x", "w"},  # "²".isdigit() is True, int("²") fails
    "٣": {"step", "seq", "rs", "x", "w"},  # an Arabic-Indic digit
    "1" * 40: {"step", "seq", "rs", "x", "w"},  # x: 1e40 overflows float32
    "-3": {"step", "seq", "rs", "w"},  # x: a one-step sequence of -3
    "1e309": {"step", "seq", "rs", "x", "w"},
    "nan": {"step", "seq", "rs", "x", "w"},
    "": {"step", "seq", "rs", "x", "w", "text"},
    "9" * 5_000: {"step", "seq", "rs", "x", "w", "text"},
    ("2", "3"): {"seq", "w"},  # repeated keys: the last one counts
}


def _ignored(at: AppTest) -> set[str]:
    """The parameter names the "Ignored link parameter(s)" toast lists."""
    names = set()
    for toast in at.toast:
        if "Ignored link parameter" in toast.value:
            names |= set(re.findall(r"[a-z]+", shown(toast.value).split(":", 1)[1]))
    return names


@pytest.mark.parametrize("value", list(HOSTILE), ids=lambda v: repr(v)[:12])
def test_hostile_link_values_are_ignored_by_name_and_the_page_works(value):
    raw = list(value) if isinstance(value, tuple) else value
    numbers = run_app("views/stepper.py", model="lecture",
                      **{name: raw for name in ("step", "seq", "rs", "x", "w")})
    text = run_app("views/stepper.py", model="slots_lstm", step=raw, text=raw)
    for at, names in ((numbers, {"step", "seq", "rs", "x", "w"}), (text, {"step", "text"})):
        assert not at.exception
        assert _ignored(at) == HOSTILE[value] & names
        assert step_text(at).startswith("**Step ")
        assert browser_stepper(at)["steps"] >= 1


def test_a_link_carries_your_own_numbers_exactly_and_the_table_shows_them_as_written():
    x = "0.126~1~0_1.2345678~0~1_-3.5e-07~2~0"
    at = run_app("views/stepper.py", seq="custom", x=x)
    assert at.query_params["x"] == x  # not 1.23457
    table = at.dataframe[0].value  # the input table
    assert table.iloc[0, 0] == 0.126  # not 0.12600000202655792 (float32 → float64)
    assert table.iloc[1, 0] == 1.2345678
    assert table.iloc[2, 0] == -3.5e-07
    assert step_text(at).startswith("**Step 1 of 3** · input x = [0.126, 1, 0]")


def test_the_link_codec_round_trips_every_float32_exactly():
    import numpy as np
    import torch

    from components.sequence_input import decode_link, encode_link

    gen = np.random.default_rng(0)
    edges = [0.0, -0.0, 1.2345678, 3.4e38, 1e-45, 7.0]
    values = np.concatenate([gen.normal(size=300), gen.normal(size=300) * 1e-6,
                             gen.normal(size=300) * 1e20, edges])
    x = torch.tensor(values.astype(np.float32).reshape(-1, 3))
    text = encode_link(x)
    assert "+" not in text and text.isascii()
    assert torch.equal(decode_link(text), x)
    assert encode_link(torch.tensor([[1.2345678, 100.0, -10.0]])) == "1.2345678~100~-10"


def test_the_example_wav_steps_with_a_model_that_reads_it():
    """The lecture's model reads 3 values a step; the example WAV has 40 (log-mel) a step: it
    is offered with a one-click switch, never as a file that fails with this model."""
    from engine import uploads

    name, data = uploads.example(".wav")
    (wav,) = [s for s in uploads.parse(data, name) if s.values is not None][:1]
    at = run_app("views/stepper.py")
    downloads = [d.proto.label for d in at.get("download_button")]
    assert "WAV" not in downloads and "CSV" in downloads  # only files this model reads
    switch = next(b for b in at.button if b.label.startswith("Step example.wav"))
    assert "40 values a step" in switch.label and "untrained LSTM" in switch.label
    switch.click().run()
    assert not at.exception and not at.error
    assert at.query_params["model"] == "lstm" and at.query_params["in"] == "40"
    assert step_text(at).startswith(f"**Step 1 of {wav.steps}**")
    table = at.dataframe[0].value
    assert table.shape == (wav.steps, 40)
    assert table.to_numpy() == pytest.approx(wav.values, abs=1e-6)


def test_the_memory_animation_opens_at_the_current_step():
    import json

    at = run_app("views/stepper.py", step="6")
    at.session_state["stepper.tab"] = "Memory animation"
    at.run()
    assert not at.exception
    (chart,) = [c for c in at.get("plotly_chart") if '"frames"' in c.proto.spec]
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["sliders"][0]["active"] == 5
    current = next(d for d in spec["data"] if d.get("name") == "current")
    assert current["x"] == [6]  # the marker sits on step 6 before ▶ is pressed
    assert current["y"] == pytest.approx([float(lee.LECTURE_MEMORY[5])], abs=1e-3)


def test_a_sequence_past_the_trace_budget_gets_a_message_not_a_traceback():
    """5,000 steps through 256 units × 3 layers, both ways: 77 million numbers to record."""
    from engine.trace import MAX_RECORDED

    x = "_".join(["0~0~0"] * 5_000)
    at = run_app("views/stepper.py", model="lstm", hid="256", layers="3", bi="1", seq="custom",
                 x=x)
    (message,) = [e for e in errors(at) if "too big to step through" in e]
    assert f"at most {MAX_RECORDED:,}" in shown(message)
    assert "5,000 steps" in shown(message)


def test_the_page_refuses_a_trace_one_past_the_budget(monkeypatch):
    import engine.trace as engine_trace

    # the lecture's cell over 9 steps records 9 × (1 output + 9 values of its one unit) = 90
    monkeypatch.setattr(engine_trace, "MAX_RECORDED", 90)
    at = run_app("views/stepper.py", seq="custom", x="_".join(["0.25~1~0"] * 9))
    assert step_text(at).startswith("**Step 1 of 9**") and not errors(at)
    monkeypatch.setattr(engine_trace, "MAX_RECORDED", 89)
    again = run_app("views/stepper.py", seq="custom", x="_".join(["0.5~1~0"] * 9))
    assert not again.exception
    assert any("at most 89" in shown(e) for e in errors(again))

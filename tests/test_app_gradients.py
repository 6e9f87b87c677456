"""The gradient lab page, run headless with Streamlit's AppTest against the real engine."""

from __future__ import annotations

import json
import math
import re

import pytest
from apptest import errors, run_app
from streamlit.testing.v1 import AppTest

SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


@pytest.fixture
def at() -> AppTest:
    return run_app("views/gradients.py", timeout=120)


def number(text: str) -> float:
    """A shown number ("0.5", "2.08·10⁴", "10⁻¹⁹⁹⁸") as log10 of its value."""
    m = re.fullmatch(r"(?:([\d.]+)·)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    if m:
        return math.log10(float(m.group(1) or 1)) + int(m.group(2).translate(SUP))
    return math.log10(float(text))


def metric(at: AppTest, prefix: str) -> float:
    """log10 of a metric's value."""
    return number(next(m.value for m in at.metric if m.label.startswith(prefix)))


def chart(at: AppTest, key: str) -> dict:
    """The plotly figure (JSON) of the chart with this key."""
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if c.proto.id.endswith(key) or key in c.proto.id)


def plain(md: str) -> str:
    """Markdown as the reader sees it (escapes removed)."""
    return re.sub(r"\\(.)", r"\1", md)


def shown_text(at: AppTest) -> str:
    """Every table cell, caption, markdown and metric on the page, as one text."""
    parts = [m.value for m in at.metric] + [plain(c.value) for c in at.caption]
    parts += [plain(m.value) for m in at.markdown]
    for df in at.dataframe:
        parts += [str(v) for v in df.value.to_numpy().ravel()] + list(df.value.columns)
    return "\n".join(parts)


def no_inf_or_nan(text: str) -> bool:
    return not re.search(r"\b(nan|inf|infinity)\b", text, re.IGNORECASE)


def table(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_lecture_toy_gives_the_lectures_numbers(at):
    # w = 1.01 by default: y = 1.01^999 ≈ 2·10^4 (the lecture's "≈ 20000")
    assert metric(at, "y after 1000 steps") == pytest.approx(999 * math.log10(1.01), abs=2.5e-3)
    assert 1.5e4 < 10 ** metric(at, "y after 1000 steps") < 2.5e4
    at.slider(key="grad.w").set_value(0.99).run()
    assert metric(at, "y after 1000 steps") == pytest.approx(999 * math.log10(0.99), abs=2.5e-3)
    at.slider(key="grad.w").set_value(1.0).run()
    assert metric(at, "y after 1000 steps") == pytest.approx(0.0)
    lecture = table(at, "the lecture says")
    assert list(lecture["w"]) == ["1", "1.01", "0.99", "0.01"]


def test_the_toy_shows_the_lectures_four_ws_apart_and_one_number_for_each(at):
    at.slider(key="grad.w").set_value(0.99).run()
    lecture = table(at, "the lecture says").set_index("w")
    exact = lecture["y = w^999 (exactly)"]
    # one number for 0.99^999 everywhere: the metric, the table, the figure's label
    assert number(exact["0.99"]) == pytest.approx(999 * math.log10(0.99), abs=2e-3)
    assert next(m.value for m in at.metric if m.label.startswith("y after")) == exact["0.99"]
    assert lecture["the lecture says"]["0.99"] == "≈0"  # and the lecture's rounding, said apart
    assert number(exact["0.01"]) == pytest.approx(-1998)
    fig = chart(at, "power")
    labels = [t for tr in fig["data"] for t in (tr.get("text") or []) if str(t).startswith("w =")]
    assert any(exact["0.99"] in t for t in labels)
    # a panel where 0.99, 1 and 1.01 lie apart: at least a fifth of its width between them
    lo, hi = fig["layout"]["xaxis2"]["range"]
    assert lo <= 0.99 and hi >= 1.01 and 0.01 / (hi - lo) >= 0.2
    assert no_inf_or_nan(shown_text(at))


def test_clipping_keeps_every_step_short_on_the_cliff(at):
    summary = next(m.value for m in at.markdown if m.value.startswith("- **Without clipping**"))
    assert "With clipping" in summary
    at.number_input(key="grad.w0").set_value(6.0).run()
    assert not at.exception
    assert at.number_input(key="grad.w0").value == 6.0


def test_norms_vanish_for_a_small_radius_and_explode_for_relu_with_a_large_one(at):
    at.slider(key="grad.norm_radius").set_value(0.5).run()
    slopes = table(at, "going back").set_index("model")["going back"]
    assert slopes["tanh RNN"] == "vanishes"
    at.slider(key="grad.norm_radius").set_value(2.5).run()
    slopes = table(at, "going back").set_index("model")["going back"]
    assert slopes["ReLU RNN"] == "explodes"


def test_the_stepper_model_can_be_measured(at):
    at.radio(key="grad.source").set_value("stepper").run()
    assert not at.exception
    assert set(table(at, "going back")["model"]) == {"lecture"}


def test_the_lecture_lstm_reads_as_memory_cut_by_the_forget_gate(at):
    at.radio(key="grad.source").set_value("stepper").run()
    rows = table(at, "going back").set_index("gradient")
    text = shown_text(at)
    assert no_inf_or_nan(text)
    assert "(1 unit)" in text and "1 units" not in text
    # L = h_9 and W_hh = 0: dL/dh_t = 0 before step 9; the memory carries dL/dc_t = 1 back to
    # step 7, whose forget gate sigmoid(100·(−1) + 10) ≈ 8·10⁻⁴⁰ erases it
    assert rows["at t = 1"]["‖∂L/∂h_t‖"] == "0"
    cell = rows["going back"]["‖∂L/∂c_t‖"]
    assert "step 7" in cell and "forget gate" in cell and "stays level" in cell
    assert number(rows["at t = 1"]["‖∂L/∂c_t‖"]) == pytest.approx(
        math.log10(1 / (1 + math.exp(90))), abs=0.01)
    assert "step 9" in rows["going back"]["‖∂L/∂h_t‖"]
    fig = chart(at, "norms_stepper")
    lo, hi = fig["layout"]["yaxis"]["range"]
    zeros = [tr for tr in fig["data"] if tr["name"].endswith("= 0")]
    assert len(zeros) == 1 and len(zeros[0]["x"]) == 8  # h_1 … h_8, drawn, not dropped
    assert lo < zeros[0]["y"][0] < hi and "0" in fig["layout"]["yaxis"]["ticktext"]
    assert lo < -39 and hi > 0 and hi - lo > 30  # 1 and 8·10⁻⁴⁰ both on the axis


def test_large_radius_and_every_slider_at_its_maximum_show_no_inf_or_nan(at):
    at.slider(key="grad.norm_radius").set_value(3.0).run()
    text = shown_text(at)
    assert no_inf_or_nan(text)
    rows = table(at, "going back").set_index("model")
    assert number(rows["at t = 1"]["ReLU RNN"]) > 38  # beyond float32, still a number
    for key in ("grad.norm_T", "grad.norm_H", "grad.norm_radius", "grad.norm_bf"):
        widget = at.slider(key=key) if key != "grad.norm_H" else at.select_slider(key=key)
        widget.set_value(widget.max if key != "grad.norm_H" else 256)
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    text = shown_text(at)
    assert no_inf_or_nan(text)
    assert number(table(at, "going back").set_index("model")["at t = 1"]["ReLU RNN"]) > 308


def test_a_stepper_model_too_big_for_the_budget_gets_a_message(at):
    from choices import ModelChoice
    from engine.gradients import MAX_NORM_WORK

    choice = ModelChoice("lstm", input_size=1, hidden_size=256, num_layers=3,
                         bidirectional=True)
    per_step = 2 * 4 * 256 * (256 + 1) + 2 * (2 * 4 * 256 * (256 + 512))
    steps = MAX_NORM_WORK // per_step + 1  # one step past the budget
    at.session_state["stepper.current"] = (choice, None, tuple((0.0,) for _ in range(steps)))
    at.radio(key="grad.source").set_value("stepper").run()
    assert not at.exception
    assert any("1,000,000,000" in e and "shorter sequence" in e for e in map(plain, errors(at)))


def test_training_runs_four_bounded_runs(at):
    assert any("shipped with the app" in c.value for c in at.caption)
    at.slider(key="grad.train_iters").set_value(50).run()
    at.slider(key="grad.train_T").set_value(20).run()
    at.button(key="grad.train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    runs = table(at, "clipped steps")
    assert len(runs) == 4
    assert set(runs["iterations"]) == {50}
    clipped = runs.set_index("run")["clipped steps"]
    assert clipped["tanh RNN, no clipping"] == "0%"

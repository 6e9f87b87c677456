"""The gradient lab page, run headless with Streamlit's AppTest against the real engine."""

from __future__ import annotations

import pytest
from apptest import run_app
from streamlit.testing.v1 import AppTest


@pytest.fixture
def at() -> AppTest:
    return run_app("views/gradients.py", timeout=120)


def metric(at: AppTest, prefix: str) -> float:
    return float(next(m.value for m in at.metric if m.label.startswith(prefix)))


def table(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_lecture_toy_gives_the_lectures_numbers(at):
    # w = 1.01 by default: y = 1.01^999 ≈ 2·10^4 (the lecture's "≈ 20000")
    assert metric(at, "y after 1000 steps") == pytest.approx(1.01**999, rel=1e-3)
    assert 1.5e4 < metric(at, "y after 1000 steps") < 2.5e4
    at.slider(key="grad.w").set_value(0.99).run()
    assert metric(at, "y after 1000 steps") == pytest.approx(0.99**999, rel=1e-3)
    at.slider(key="grad.w").set_value(1.0).run()
    assert metric(at, "y after 1000 steps") == pytest.approx(1.0)
    lecture = table(at, "w")
    assert list(lecture["w"]) == [1.0, 1.01, 0.99, 0.01]


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
    assert list(table(at, "going back")["model"]) == ["lecture"]


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

"""The step story (figures.story) words every gate by its value, as the diagram does."""

from __future__ import annotations

import torch

from engine import lee
from engine.trace import trace
from figures.story import step_story


def lecture_trace(forget_bias: float):
    """The lecture's LSTM with its forget bias moved, on the 5-step walk-through."""
    weights = dict(lee.LECTURE_WEIGHTS)
    weights["f"] = (*weights["f"][:3], forget_bias)
    with torch.no_grad():
        return trace(lee.lecture_lstm(weights), lee.LECTURE_WALKTHROUGH)


def test_a_partly_open_gate_reads_as_its_share_not_half():
    # step 3 reads x2 = 0, so z_f = bias: sigma(-1.45) = 0.190, a gate a fifth open
    story = step_story(lecture_trace(-1.45), 2)
    forget = next(line for line in story.splitlines() if "Forget gate" in line)
    share = torch.sigmoid(torch.tensor(-1.45)).item()
    assert f"{round(100 * share)}% open" in forget and "half" not in story


def test_open_and_closed_gates_keep_their_words():
    story = step_story(lecture_trace(10.0), 2)  # the lecture's own weights
    assert "**Forget gate** open (1.000): it keeps the memory 7." in story
    assert "**Input gate** closed (0.000)" in story

"""The lecture's hand-wired LSTM reproduces the lecture's numbers."""

import pytest
import torch

from engine.lee import (
    LECTURE_MEMORY,
    LECTURE_OUTPUTS,
    LECTURE_SEQUENCE,
    LECTURE_WALKTHROUGH,
    LECTURE_WALKTHROUGH_MEMORY,
    LECTURE_WALKTHROUGH_OUTPUTS,
    LECTURE_WEIGHTS,
    follow_rules,
    lecture_lstm,
    lecture_weights,
    random_rule_sequence,
)
from engine.trace import trace

# The gates are sigmoid(+-10) or beyond, so "closed" lets EPS through and "open" keeps 1 - EPS.
EPS = float(torch.sigmoid(torch.tensor(-10.0)))  # 4.54e-5


def leak_bound(x: torch.Tensor, memory: torch.Tensor) -> float:
    """How far the sigmoid cell may drift from the exact rules over sequence x.

    A step with x2 = 0 leaks EPS * x1 in through the input gate and EPS * memory out through
    the forget gate; steps with x2 = +-1 use gates at sigmoid(+-90) or beyond, 1 or 0 in float32
    up to 1e-39. A closed output gate shows EPS * memory. Errors add up until a reset; the
    sum over all steps bounds them, plus float32 rounding of values the size of the memory.
    """
    top = float(memory.abs().max())
    per_step = EPS * (x[:, 0].abs() + top)
    return float(per_step.sum()) + EPS * top + 1e-6 * (1 + top) * len(x)


def test_lecture_table():
    y, memory = follow_rules(LECTURE_SEQUENCE)
    assert torch.equal(y, LECTURE_OUTPUTS) and torch.equal(memory, LECTURE_MEMORY)
    tr = trace(lecture_lstm(), LECTURE_SEQUENCE)
    tol = leak_bound(LECTURE_SEQUENCE, LECTURE_MEMORY)
    assert tol < 1e-2
    torch.testing.assert_close(tr.outputs[:, 0], LECTURE_OUTPUTS, atol=tol, rtol=0)
    torch.testing.assert_close(tr.cell[:, 0], LECTURE_MEMORY, atol=tol, rtol=0)
    assert tr.activations == {"gate": "sigmoid", "cell_input": "linear", "cell_output": "linear"}


def test_walkthrough_slides():
    tr = trace(lecture_lstm(), LECTURE_WALKTHROUGH)
    tol = leak_bound(LECTURE_WALKTHROUGH, LECTURE_WALKTHROUGH_MEMORY)
    torch.testing.assert_close(tr.cell[:, 0], LECTURE_WALKTHROUGH_MEMORY, atol=tol, rtol=0)
    torch.testing.assert_close(tr.outputs[:, 0], LECTURE_WALKTHROUGH_OUTPUTS, atol=tol, rtol=0)
    # image-9, the [4, 1, 0] step: z = 4, input and forget gates open, memory 3 -> 7, output
    # gate closed, output ~0
    step = 1
    assert LECTURE_WALKTHROUGH[step].tolist() == [4, 1, 0]
    assert tr.preacts["g"][step, 0] == pytest.approx(4.0, abs=1e-6)
    assert tr.gates["g"][step, 0] == pytest.approx(4.0, abs=1e-6)  # g is linear
    assert tr.gates["i"][step, 0] == pytest.approx(1.0, abs=1e-6)
    assert tr.gates["f"][step, 0] == pytest.approx(1.0, abs=1e-6)
    assert tr.cell[step - 1, 0] == pytest.approx(3.0, abs=tol)
    assert tr.cell[step, 0] == pytest.approx(7.0, abs=tol)
    assert tr.gates["o"][step, 0] == pytest.approx(EPS, rel=1e-4)
    assert tr.outputs[step, 0] == pytest.approx(7 * EPS, abs=tol)


def test_random_rule_sequences_follow_the_rules():
    model = lecture_lstm()
    gen = torch.Generator().manual_seed(0)
    for seed in range(60):
        steps = int(torch.randint(1, 40, (1,), generator=gen))
        x = random_rule_sequence(steps, seed=seed)
        y, memory = follow_rules(x)
        tr = trace(model, x)
        tol = leak_bound(x, memory)
        torch.testing.assert_close(tr.outputs[:, 0], y, atol=tol, rtol=0, msg=f"seed {seed}")
        torch.testing.assert_close(tr.cell[:, 0], memory, atol=tol, rtol=0, msg=f"seed {seed}")


def test_closing_the_forget_gate_forgets_every_step():
    # forget bias -10: sigma(100 x2 - 10) is ~0 unless x2 = 1
    model = lecture_lstm({"f": (0, 100, 0, -10)})
    tr = trace(model, LECTURE_SEQUENCE)
    expect = torch.tensor([0, 3, 0, 4, 0, 0, 0, 6, 0], dtype=torch.float32)
    tol = leak_bound(LECTURE_SEQUENCE, expect)
    torch.testing.assert_close(tr.cell[:, 0], expect, atol=tol, rtol=0)
    torch.testing.assert_close(tr.outputs[:, 0], torch.zeros(9), atol=tol, rtol=0)
    x2_zero = LECTURE_SEQUENCE[:, 1] == 0
    assert (tr.gates["f"][x2_zero, 0] < 1e-4).all()


def test_model_is_the_lecture_cell():
    model = lecture_lstm()
    cfg = model.config
    assert (cfg.input_size, cfg.hidden_size, cfg.num_layers) == (3, 1, 1)
    assert cfg.cell_input_activation == cfg.cell_output_activation == "linear"
    assert torch.count_nonzero(model.weight_hh_l0) == 0
    assert torch.count_nonzero(model.bias_hh_l0) == 0
    # torch rows i, f, g, o hold the lecture's z_i, z_f, z, z_o
    assert model.weight_ih_l0[2].tolist() == [1, 0, 0]
    assert model.bias_ih_l0.tolist() == [-10, 10, 0, -10]
    assert lecture_weights(model) == LECTURE_WEIGHTS
    with torch.no_grad():
        out, _ = model(LECTURE_SEQUENCE)
    torch.testing.assert_close(out, trace(model, LECTURE_SEQUENCE).outputs)
    edited = {"z": (2, 0, 0, 1), "o": (0, 0, 50, -5)}
    back = lecture_weights(lecture_lstm(edited))
    assert back["z"] == (2, 0, 0, 1) and back["o"] == (0, 0, 50, -5)
    assert back["i"] == LECTURE_WEIGHTS["i"]


def test_bad_weights_and_sequences_raise():
    with pytest.raises(ValueError, match="'z', 'i', 'f', 'o'|z, i, f, o"):
        lecture_lstm({"g": (1, 0, 0, 0)})
    with pytest.raises(ValueError, match="4 numbers"):
        lecture_lstm({"z": (1, 0, 0)})
    with pytest.raises(ValueError, match="x2"):
        follow_rules([[1, 2, 0]])
    with pytest.raises(ValueError, match="x3"):
        follow_rules([[1, 0, 0.5]])
    with pytest.raises(ValueError, match=r"\[T, 3\]"):
        follow_rules([[1, 0]])


def test_random_rule_sequence_is_seeded_and_valid():
    a, b = random_rule_sequence(200, seed=3), random_rule_sequence(200, seed=3)
    assert torch.equal(a, b)
    assert not torch.equal(a, random_rule_sequence(200, seed=4))
    assert a.shape == (200, 3) and a.dtype == torch.float32
    assert set(a[:, 1].tolist()) == {-1, 0, 1} and set(a[:, 2].tolist()) == {0, 1}
    assert a[:, 0].min() >= 1 and a[:, 0].max() <= 9
    assert (a[:, 0] == a[:, 0].round()).all()

"""The learned lecture LSTM in pretrained/lecture_learned: it follows the rules on held-out
sequences as its card says, and its gates open and close where the hand-wired ones do."""

import json

import pytest
import torch

from engine import checkpoint, lee, zoo
from engine.trace import trace

TOL = 0.002  # recomputed metrics may differ from the card by float noise and rounding only


@pytest.fixture(scope="module")
def model():
    return lee.learned_lecture_lstm()


@pytest.fixture(scope="module")
def score(model):
    return lee.score_rules(model, lee.heldout_rule_sequences())


def test_it_is_the_lecture_cell():
    model = lee.learned_lecture_lstm()
    assert model.config == lee.lecture_config()
    assert not model.training


def test_metrics_match_the_checkpoint_json(score):
    metrics = checkpoint.read_info(lee.LEARNED_CHECKPOINT).metrics
    assert score.mae == pytest.approx(metrics["heldout_mae"], abs=TOL)
    assert score.output_mae == pytest.approx(metrics["heldout_output_mae"], abs=TOL)
    assert score.exact_rate == pytest.approx(metrics["heldout_exact_rate"], abs=TOL)
    for gate, share in metrics["gate_agreement"].items():
        assert score.gate_agreement[gate] == pytest.approx(share, abs=TOL)


def test_it_follows_the_rules_on_held_out_sequences(score):
    assert score.exact_rate >= 0.99
    assert score.output_mae < 0.1
    assert min(score.gate_agreement.values()) >= 0.99


def test_held_out_seeds_are_never_trained_on():
    from pretrained.lecture_learned import TrainConfig

    cfg = TrainConfig()
    assert cfg.steps * 1_000 <= lee.HELDOUT_SEED
    meta = json.loads(lee.LEARNED_CHECKPOINT.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["data"]["training"]["steps"] == cfg.steps


def test_the_lecture_table(model):
    with torch.no_grad():
        tr = trace(model, lee.LECTURE_SEQUENCE)
    assert torch.equal(tr.outputs[:, 0].round(), lee.LECTURE_OUTPUTS)
    assert torch.allclose(tr.cell[:, 0], lee.LECTURE_MEMORY, atol=0.1)


def test_gates_agree_with_the_hand_wired_cell(model):
    x = torch.cat([lee.LECTURE_SEQUENCE, lee.random_rule_sequence(200, seed=7)])
    with torch.no_grad():
        learned, wired = trace(model, x), trace(lee.lecture_lstm(), x)
    for gate in "ifo":
        assert torch.equal(learned.gates[gate] > 0.5, wired.gates[gate] > 0.5), gate


def test_score_rules_catches_a_model_that_breaks_the_rules():
    broken = lee.lecture_lstm({"f": (0.0, 0.0, 0.0, -10.0)})  # forgets at every step
    score = lee.score_rules(broken, lee.heldout_rule_sequences(count=50))
    assert score.gate_agreement["f"] < 0.5
    assert score.exact_rate < 0.99
    assert lee.score_rules(lee.lecture_lstm(), lee.heldout_rule_sequences(count=50)).exact_rate == 1


def test_the_stepper_can_load_it():
    entry = zoo.shipped("lecture_learned")
    assert not entry.reads_text
    assert entry.load().config == lee.lecture_config()
    with pytest.raises(ValueError, match="lecture_learned"):
        zoo.shipped("no-such-model")

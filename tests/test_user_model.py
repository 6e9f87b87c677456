"""Own checkpoints: a torch.nn.LSTM / GRU / RNN state_dict comes back as the same network."""

import io

import pytest
import torch
from safetensors.torch import save as save_safetensors

from engine.cells import CellConfig, build_model
from engine.checkpoint import CheckpointError, load_user_model, read_user_model
from engine.gradients import hidden_grad_norms
from engine.trace import trace

CASES = [
    (torch.nn.LSTM, dict(input_size=3, hidden_size=5)),
    (torch.nn.LSTM, dict(input_size=2, hidden_size=4, num_layers=2, bidirectional=True)),
    (torch.nn.GRU, dict(input_size=4, hidden_size=3, num_layers=3)),
    (torch.nn.GRU, dict(input_size=1, hidden_size=6, bidirectional=True, bias=False)),
    (torch.nn.RNN, dict(input_size=3, hidden_size=7, num_layers=2)),
    (torch.nn.RNN, dict(input_size=5, hidden_size=2, bias=False)),
]
PREFIXES = ["", "rnn.", "lstm.", "module.", "module.encoder.gru."]


def _save(state, fmt):
    if fmt == "safetensors":
        return save_safetensors({k: v.contiguous() for k, v in state.items()}), "m.safetensors"
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue(), "m.pt"


@pytest.mark.parametrize(("cls", "kw"), CASES)
@pytest.mark.parametrize("fmt", ["safetensors", "torch"])
def test_round_trip_matches_the_original_module(cls, kw, fmt):
    torch.manual_seed(0)
    original = cls(**kw).eval()
    prefix = PREFIXES[(CASES.index((cls, kw)) + (fmt == "torch")) % len(PREFIXES)]
    state = {prefix + k: v for k, v in original.state_dict().items()}
    state["head.weight"] = torch.zeros(2, 3)  # another module beside the recurrent one
    model, info = read_user_model(*_save(state, fmt))
    assert type(model) is cls
    assert (info.input_size, info.hidden_size) == (kw["input_size"], kw["hidden_size"])
    assert info.num_layers == kw.get("num_layers", 1)
    assert info.bidirectional == kw.get("bidirectional", False)
    assert info.bias == kw.get("bias", True)
    assert info.prefix == prefix and info.ignored == ("head.weight",)
    x = torch.randn(9, kw["input_size"])
    with torch.no_grad():
        expected, _ = original(x)
    recorded = trace(model, x)
    torch.testing.assert_close(recorded.hidden, expected, rtol=0, atol=1e-6)
    got = hidden_grad_norms(model, x)
    want = hidden_grad_norms(original, x)
    torch.testing.assert_close(got.hidden, want.hidden, rtol=0, atol=1e-6)
    assert got.steps == 9


def test_gradient_norms_equal_plain_autograd_on_the_original():
    torch.manual_seed(1)
    original = torch.nn.LSTM(3, 4)
    model = load_user_model(*_save({"lstm." + k: v for k, v in original.state_dict().items()},
                                   "safetensors"))
    x = torch.randn(6, 3)
    h0 = torch.zeros(1, 4)
    # reference: step the original one cell at a time and take dL/dh_t by autograd
    cell = torch.nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in original.state_dict().items()})
    h, c, hs = h0[0], torch.zeros(4), []
    for t in range(6):
        h, c = cell(x[t], (h, c))
        h.retain_grad()
        hs.append(h)
    hs[-1].sum().backward()
    reference = torch.stack([hh.grad.norm() for hh in hs])
    torch.testing.assert_close(hidden_grad_norms(model, x).hidden, reference, rtol=1e-5,
                               atol=1e-6)


def test_engine_models_and_nested_torch_checkpoints_load():
    cfg = CellConfig(kind="gru", input_size=3, hidden_size=4, num_layers=2)
    engine_model = build_model(cfg, seed=3)
    model = load_user_model(*_save(engine_model.state_dict(), "safetensors"))
    x = torch.randn(5, 3)
    torch.testing.assert_close(trace(model, x).hidden, trace(engine_model, x).hidden,
                               rtol=0, atol=1e-6)
    original = torch.nn.RNN(2, 3)
    for wrapper in ("state_dict", "model_state_dict", "model"):
        data, name = _save({wrapper: original.state_dict(), "epoch": 3}, "torch")
        assert isinstance(load_user_model(data, name), torch.nn.RNN)


def test_half_and_double_weights_become_float32():
    original = torch.nn.GRU(2, 3)
    for dtype in (torch.float16, torch.float64, torch.bfloat16):
        state = {k: v.to(dtype) for k, v in original.state_dict().items()}
        model = load_user_model(*_save(state, "safetensors"))
        assert all(p.dtype == torch.float32 for p in model.parameters())
        torch.testing.assert_close(model.weight_hh_l0, state["weight_hh_l0"].float())


def test_describe_and_frozen_weights():
    model, info = read_user_model(*_save(torch.nn.LSTM(3, 64, num_layers=2,
                                                       bidirectional=True).state_dict(), "torch"))
    assert info.describe() == "LSTM, 3 inputs, 64 hidden units, 2 layers, bidirectional"
    assert not model.training and not any(p.requires_grad for p in model.parameters())


def test_missing_layer_is_named():
    state = torch.nn.LSTM(3, 4, num_layers=3).state_dict()
    state = {k: v for k, v in state.items() if "_l1" not in k}
    with pytest.raises(CheckpointError, match=r"missing \['bias_hh_l1'"):
        load_user_model(*_save(state, "safetensors"))

"""Engine recurrent models against torch.nn.LSTM / GRU / RNN and hand-written step loops."""

import math

import pytest
import torch

from engine.cells import (
    ACTIVATIONS,
    CELLS,
    CellConfig,
    GRUNet,
    JordanRNN,
    LSTMNet,
    activation,
    build_model,
)

TOL = 1e-5

TORCH_TWINS = {
    "lstm": lambda i, h, **kw: torch.nn.LSTM(i, h, **kw),
    "gru": lambda i, h, **kw: torch.nn.GRU(i, h, **kw),
    "rnn_tanh": lambda i, h, **kw: torch.nn.RNN(i, h, nonlinearity="tanh", **kw),
    "rnn_relu": lambda i, h, **kw: torch.nn.RNN(i, h, nonlinearity="relu", **kw),
}


def engine_config(name: str, i: int, h: int, **kw) -> CellConfig:
    """The engine config matching a TORCH_TWINS entry."""
    if name.startswith("rnn"):
        return CellConfig("rnn", i, h, nonlinearity=name.split("_")[1], **kw)
    return CellConfig(name, i, h, **kw)


def random_pair(name: str, seed: int):
    """A torch module with random sizes and the engine model holding its state_dict."""
    g = torch.Generator().manual_seed(seed)
    i, h = (int(v) for v in torch.randint(1, 9, (2,), generator=g))
    layers = int(torch.randint(1, 4, (1,), generator=g))
    bidir, bias = bool(seed % 2), seed % 3 != 0
    torch.manual_seed(seed)
    ref = TORCH_TWINS[name](i, h, num_layers=layers, bidirectional=bidir, bias=bias)
    model = build_model(engine_config(name, i, h, num_layers=layers, bidirectional=bidir,
                                      bias=bias))
    model.load_state_dict(ref.state_dict())  # strict
    return ref, model


def assert_state_close(a, b):
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            torch.testing.assert_close(x, y, atol=TOL, rtol=0)
    else:
        torch.testing.assert_close(a, b, atol=TOL, rtol=0)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "loop"])
@pytest.mark.parametrize("name", list(TORCH_TWINS))
@pytest.mark.parametrize("seed", range(6))
def test_matches_torch_module(name, seed, fused):
    ref, model = random_pair(name, seed)
    model.prefer_fused = fused
    assert model.fused == fused
    x = torch.randn(13, ref.input_size, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        out, state = model(x)
        ref_out, ref_state = ref(x)
    assert out.shape == ref_out.shape
    torch.testing.assert_close(out, ref_out, atol=TOL, rtol=0)
    assert_state_close(state, ref_state)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "loop"])
@pytest.mark.parametrize("name", ["lstm", "gru", "rnn_tanh"])
def test_batched_input_and_initial_state(name, fused):
    ref, model = random_pair(name, seed=5)  # 2 directions
    model.prefer_fused = fused
    x = torch.randn(9, 4, ref.input_size)
    with torch.no_grad():
        out, state = model(x)
        ref_out, ref_state = ref(x)
        torch.testing.assert_close(out, ref_out, atol=TOL, rtol=0)
        assert_state_close(state, ref_state)
        # a given initial state: the second half started from the first half's final state
        first, mid = ref(x[:4])
        second, end = model(x[4:], mid)
        ref_second, ref_end = ref(x[4:], mid)
    torch.testing.assert_close(second, ref_second, atol=TOL, rtol=0)
    assert_state_close(end, ref_end)


@pytest.mark.parametrize("name", list(TORCH_TWINS))
def test_parameter_names_shapes_and_seeded_init_match_torch(name):
    cfg = engine_config(name, 5, 6, num_layers=2, bidirectional=True)
    torch.manual_seed(42)
    ref = TORCH_TWINS[name](5, 6, num_layers=2, bidirectional=True)
    model = build_model(cfg, seed=42)
    ref_sd, sd = ref.state_dict(), model.state_dict()
    assert list(sd) == list(ref_sd)
    for key in sd:
        assert sd[key].shape == ref_sd[key].shape, key
        # same seed, same draw order as torch's reset_parameters: identical weights
        assert torch.equal(sd[key], ref_sd[key]), key
    bound = 1 / math.sqrt(6)
    assert all(p.abs().max() <= bound for p in model.parameters())


def test_seeded_init_is_reproducible():
    cfg = CellConfig("jordan", 3, 5, num_layers=2, output_size=4)
    a, b, c = build_model(cfg, seed=1), build_model(cfg, seed=1), build_model(cfg, seed=2)
    for key in a.state_dict():
        assert torch.equal(a.state_dict()[key], b.state_dict()[key])
    assert not torch.equal(a.weight_ih_l0, c.weight_ih_l0)
    assert a.config == cfg


def test_unknown_names_raise_listing_valid_ones():
    with pytest.raises(ValueError, match="jordan"):
        CellConfig("elman", 3, 4)
    with pytest.raises(ValueError, match="hard_sigmoid"):
        CellConfig("lstm", 3, 4, gate_activation="softsign")
    with pytest.raises(ValueError, match="sigmoid"):
        activation("swish")
    with pytest.raises(ValueError, match="hidden_size"):
        CellConfig("lstm", 3, 0)
    assert set(CELLS) == {"rnn", "jordan", "gru", "lstm"}
    assert {"sigmoid", "tanh", "relu", "linear", "hard_sigmoid"} <= set(ACTIVATIONS)


def test_wrong_input_width_raises():
    model = build_model(CellConfig("lstm", 3, 4), seed=0)
    with pytest.raises(ValueError, match="3"):
        model(torch.zeros(5, 4))


def test_fused_only_for_torch_activations():
    assert build_model(CellConfig("lstm", 2, 3)).fused
    assert not build_model(CellConfig("lstm", 2, 3, cell_input_activation="linear")).fused
    assert not build_model(CellConfig("gru", 2, 3, gate_activation="hard_sigmoid")).fused
    assert build_model(CellConfig("rnn", 2, 3, nonlinearity="relu")).fused
    assert not build_model(CellConfig("rnn", 2, 3, nonlinearity="linear")).fused
    assert not build_model(CellConfig("jordan", 2, 3)).fused


# --- hand-written references ---------------------------------------------------------------

ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
       "linear": lambda v: v, "hard_sigmoid": lambda v: torch.clamp(v / 6 + 0.5, 0, 1)}


def reference_lstm(sd, x, sig, g_act, h_act, hidden):
    """One-layer LSTM, one step at a time, written out from the equations."""
    h, c, hs, cs = torch.zeros(hidden), torch.zeros(hidden), [], []
    for xt in x:
        z = sd["weight_ih_l0"] @ xt + sd["bias_ih_l0"] + sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
        i, f, g, o = z[:hidden], z[hidden:2 * hidden], z[2 * hidden:3 * hidden], z[3 * hidden:]
        c = ACT[sig](f) * c + ACT[sig](i) * ACT[g_act](g)
        h = ACT[sig](o) * ACT[h_act](c)
        hs.append(h)
        cs.append(c)
    return torch.stack(hs), torch.stack(cs)


@pytest.mark.parametrize("acts", [("sigmoid", "linear", "linear"), ("hard_sigmoid", "relu", "tanh"),
                                  ("sigmoid", "tanh", "linear")])
def test_lstm_custom_activations_match_reference(acts):
    sig, g_act, h_act = acts
    cfg = CellConfig("lstm", 3, 4, gate_activation=sig, cell_input_activation=g_act,
                     cell_output_activation=h_act)
    model = build_model(cfg, seed=7)
    x = torch.randn(12, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out, (h_n, c_n) = model(x)
    ref_h, ref_c = reference_lstm(model.state_dict(), x, sig, g_act, h_act, 4)
    torch.testing.assert_close(out, ref_h, atol=TOL, rtol=0)
    torch.testing.assert_close(c_n[0], ref_c[-1], atol=TOL, rtol=0)


def test_gru_custom_candidate_matches_reference():
    cfg = CellConfig("gru", 2, 3, cell_input_activation="linear", gate_activation="hard_sigmoid")
    model = build_model(cfg, seed=3)
    sd = model.state_dict()
    x = torch.randn(10, 2, generator=torch.Generator().manual_seed(1))
    h, hs = torch.zeros(3), []
    for xt in x:
        gi = sd["weight_ih_l0"] @ xt + sd["bias_ih_l0"]
        gh = sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
        r = ACT["hard_sigmoid"](gi[:3] + gh[:3])
        z = ACT["hard_sigmoid"](gi[3:6] + gh[3:6])
        n = gi[6:] + r * gh[6:]
        h = (1 - z) * n + z * h
        hs.append(h)
    with torch.no_grad():
        out, _ = model(x)
    torch.testing.assert_close(out, torch.stack(hs), atol=TOL, rtol=0)


def reference_jordan(model: JordanRNN, x: torch.Tensor) -> torch.Tensor:
    """Jordan network, one step at a time: each layer feeds its previous output y back."""
    cfg = model.config
    sd = model.state_dict()
    phi = ACT[cfg.nonlinearity]
    inp = x
    for layer in range(cfg.num_layers):
        outs = []
        for sfx in [f"_l{layer}", f"_l{layer}_reverse"][: cfg.num_directions]:
            order = range(len(inp)) if "reverse" not in sfx else range(len(inp) - 1, -1, -1)
            y = torch.zeros(sd[f"weight_ho{sfx}"].shape[0])
            ys = [None] * len(inp)
            for t in order:
                h = phi(sd[f"weight_ih{sfx}"] @ inp[t] + sd[f"bias_ih{sfx}"]
                        + sd[f"weight_hh{sfx}"] @ y + sd[f"bias_hh{sfx}"])
                y = sd[f"weight_ho{sfx}"] @ h + sd[f"bias_ho{sfx}"]
                ys[t] = y
            outs.append(torch.stack(ys))
        inp = torch.cat(outs, dim=1)
    return inp


@pytest.mark.parametrize("layers,bidir,out_size,nonlin", [
    (1, False, None, "tanh"), (2, True, 3, "relu"), (3, False, 2, "sigmoid")])
def test_jordan_matches_reference_loop(layers, bidir, out_size, nonlin):
    cfg = CellConfig("jordan", 4, 5, num_layers=layers, bidirectional=bidir,
                     output_size=out_size, nonlinearity=nonlin)
    model = build_model(cfg, seed=11)
    o = out_size or 5
    assert model.weight_hh_l0.shape == (5, o)  # reads y_{t-1}
    assert model.weight_ho_l0.shape == (o, 5)
    assert model.bias_ho_l0.shape == (o,)
    x = torch.randn(8, 4, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        out, y_n = model(x)
    ref = reference_jordan(model, x)
    assert out.shape == (8, cfg.num_directions * o)
    torch.testing.assert_close(out, ref, atol=TOL, rtol=0)
    assert y_n.shape == (layers * cfg.num_directions, o)
    torch.testing.assert_close(y_n[-cfg.num_directions], ref[-1, :o], atol=TOL, rtol=0)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_readout_is_a_linear_map_of_the_top_layer(kind):
    cfg = CellConfig(kind, 3, 4, num_layers=2, bidirectional=True, output_size=2)
    model = build_model(cfg, seed=5)
    twin = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](
        3, 4, num_layers=2, bidirectional=True)
    twin.load_state_dict({k: v for k, v in model.state_dict().items()
                          if not k.startswith("readout.")})
    x = torch.randn(6, 3)
    with torch.no_grad():
        out, _ = model(x)
        hidden, _ = twin(x)
    assert out.shape == (6, 2)
    torch.testing.assert_close(
        out, hidden @ model.readout.weight.T + model.readout.bias, atol=TOL, rtol=0)


def test_model_classes_by_kind():
    assert CELLS["lstm"] is LSTMNet and CELLS["gru"] is GRUNet and CELLS["jordan"] is JordanRNN
    with pytest.raises(ValueError, match="kind"):
        LSTMNet(CellConfig("gru", 2, 2))


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["lstm", "gru", "rnn_tanh"])
def test_runs_on_the_models_device(name, device):
    ref, model = random_pair(name, seed=1)
    ref, model = ref.to(device), model.to(device)
    x = torch.randn(7, ref.input_size, device=device)
    with torch.no_grad():
        out, _ = model(x)
        ref_out, _ = ref(x)
    assert out.device.type == device
    torch.testing.assert_close(out, ref_out, atol=1e-4, rtol=0)

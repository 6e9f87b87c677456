"""trace() against torch's own modules, the cell equations and hand-written step loops."""

import numpy as np
import pytest
import torch

from engine.cells import CellConfig, build_model
from engine.trace import GATE_NAMES, Trace, affine_scan, trace

TOL = 1e-5
EQ_TOL = 2e-6  # the cell equations, recomputed here from the recorded values

TORCH = {
    "lstm": lambda i, h, **kw: torch.nn.LSTM(i, h, **kw),
    "gru": lambda i, h, **kw: torch.nn.GRU(i, h, **kw),
    "rnn_tanh": lambda i, h, **kw: torch.nn.RNN(i, h, nonlinearity="tanh", **kw),
    "rnn_relu": lambda i, h, **kw: torch.nn.RNN(i, h, nonlinearity="relu", **kw),
}
SHAPES = [  # (layers, bidirectional, bias)
    (1, False, True), (2, True, True), (3, False, False), (2, True, False)]


def make(name, layers, bidir, bias, i=4, h=6, seed=0, **kw):
    torch.manual_seed(seed)
    return TORCH[name](i, h, num_layers=layers, bidirectional=bidir, bias=bias, **kw)


def seq(t, i, seed=1):
    return torch.randn(t, i, generator=torch.Generator().manual_seed(seed))


def single_layer(module, layer):
    """A one-layer copy of `module`'s layer `layer` (same kind, directions and bias)."""
    in_size = module.input_size if layer == 0 else module.hidden_size * (
        2 if module.bidirectional else 1)
    kw = {"bidirectional": module.bidirectional, "bias": module.bias}
    if isinstance(module, torch.nn.RNN):
        kw["nonlinearity"] = module.nonlinearity
    one = type(module)(in_size, module.hidden_size, **kw)
    sd = {k.replace(f"_l{layer}", "_l0"): v for k, v in module.state_dict().items()
          if f"_l{layer}" in k and (k.endswith(f"_l{layer}") or k.endswith("_reverse"))}
    one.load_state_dict(sd)
    return one


def check_detached(tr: Trace):
    tensors = [tr.inputs, tr.hidden, tr.outputs, tr.hidden0, *tr.gates.values(),
               *tr.preacts.values()]
    for per_dir in tr.layers:
        for lt in per_dir:
            tensors += [lt.hidden, lt.hidden0, *lt.gates.values(), *lt.preacts.values()]
            tensors += [t for t in (lt.cell, lt.cell0, lt.output) if t is not None]
    assert all(not t.requires_grad for t in tensors)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(TORCH))
def test_matches_torch_layer_by_layer(name, shape):
    module = make(name, *shape)
    x = seq(15, 4)
    tr = trace(module, x)
    with torch.no_grad():
        ref_out, ref_state = module(x)
    d = 2 if shape[1] else 1
    assert tr.kind == name.split("_")[0]
    assert tr.hidden.shape == (15, d * 6) and tr.outputs.shape == (15, d * 6)
    torch.testing.assert_close(tr.hidden, ref_out, atol=TOL, rtol=0)
    torch.testing.assert_close(tr.outputs, ref_out, atol=TOL, rtol=0)
    assert tr.num_layers == shape[0] and tr.num_directions == d and tr.steps == 15
    # every layer equals torch run one layer at a time
    h_n = ref_state[0] if name == "lstm" else ref_state
    inp = x
    for layer, per_dir in enumerate(tr.layers):
        with torch.no_grad():
            inp, _ = single_layer(module, layer)(inp)
        for k, lt in enumerate(per_dir):
            assert lt.reverse == (k == 1)
            torch.testing.assert_close(lt.hidden, inp[:, k * 6:(k + 1) * 6], atol=TOL, rtol=0)
            last = lt.hidden[0] if lt.reverse else lt.hidden[-1]
            torch.testing.assert_close(last, h_n[layer * d + k], atol=TOL, rtol=0)
            if name == "lstm":
                c_last = lt.cell[0] if lt.reverse else lt.cell[-1]
                torch.testing.assert_close(c_last, ref_state[1][layer * d + k], atol=TOL, rtol=0)
            assert set(lt.gates) == set(GATE_NAMES[tr.kind])
            assert torch.count_nonzero(lt.hidden0) == 0
    check_detached(tr)


def previous(values, initial, reverse):
    """The state each step reads: [initial, v_0 .. v_{T-2}] (reverse: [v_1 .. v_{T-1}, initial])."""
    if reverse:
        return torch.cat([values[1:], initial[None]])
    return torch.cat([initial[None], values[:-1]])


def layer_inputs(tr, x):
    """What each layer read: x, then the previous layer's directions concatenated."""
    out = [x]
    for per_dir in tr.layers[:-1]:
        out.append(torch.cat([lt.hidden for lt in per_dir], dim=1))
    return out


def weights(module, layer, reverse):
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    sd = module.state_dict()
    w_ih, w_hh = sd["weight_ih" + sfx], sd["weight_hh" + sfx]
    zero = torch.zeros(w_ih.shape[0])
    return w_ih, w_hh, sd.get("bias_ih" + sfx, zero), sd.get("bias_hh" + sfx, zero)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_lstm_gates_satisfy_cell_equations(shape):
    module = make("lstm", *shape, seed=3)
    x = seq(20, 4, seed=4) * 2
    tr = trace(module, x)
    for layer, (inp, per_dir) in enumerate(zip(layer_inputs(tr, x), tr.layers, strict=True)):
        for lt in per_dir:
            w_ih, w_hh, b_ih, b_hh = weights(module, layer, lt.reverse)
            h_prev = previous(lt.hidden, lt.hidden0, lt.reverse)
            c_prev = previous(lt.cell, lt.cell0, lt.reverse)
            pre = inp @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
            for j, k in enumerate("ifgo"):
                torch.testing.assert_close(lt.preacts[k], pre[:, j * 6:(j + 1) * 6],
                                           atol=EQ_TOL, rtol=0)
            g = lt.gates
            for k in "ifo":
                torch.testing.assert_close(g[k], torch.sigmoid(lt.preacts[k]), atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(g["g"], torch.tanh(lt.preacts["g"]), atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(lt.cell, g["f"] * c_prev + g["i"] * g["g"],
                                       atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(lt.hidden, g["o"] * torch.tanh(lt.cell), atol=EQ_TOL, rtol=0)
    # top level: last layer, directions side by side
    top = tr.layers[-1]
    torch.testing.assert_close(tr.cell, torch.cat([lt.cell for lt in top], 1))
    for k in "ifgo":
        torch.testing.assert_close(tr.gates[k], torch.cat([lt.gates[k] for lt in top], 1))
        torch.testing.assert_close(tr.preacts[k], torch.cat([lt.preacts[k] for lt in top], 1))
    assert tr.cell0.shape == tr.hidden0.shape == (6 * len(top),)
    assert tr.activations == {"gate": "sigmoid", "cell_input": "tanh", "cell_output": "tanh"}
    assert list(tr.series()) == ["i", "f", "g", "o", "c", "h"]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gru_gates_satisfy_cell_equations(shape):
    module = make("gru", *shape, seed=5)
    x = seq(18, 4, seed=6)
    tr = trace(module, x)
    n = 6
    for layer, (inp, per_dir) in enumerate(zip(layer_inputs(tr, x), tr.layers, strict=True)):
        for lt in per_dir:
            w_ih, w_hh, b_ih, b_hh = weights(module, layer, lt.reverse)
            h_prev = previous(lt.hidden, lt.hidden0, lt.reverse)
            gi, gh = inp @ w_ih.T + b_ih, h_prev @ w_hh.T + b_hh
            r = torch.sigmoid(gi[:, :n] + gh[:, :n])
            z = torch.sigmoid(gi[:, n:2 * n] + gh[:, n:2 * n])
            pre_n = gi[:, 2 * n:] + r * gh[:, 2 * n:]
            close = dict(atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(lt.preacts["r"], gi[:, :n] + gh[:, :n], **close)
            torch.testing.assert_close(lt.preacts["n"], pre_n, **close)
            torch.testing.assert_close(lt.gates["r"], r, **close)
            torch.testing.assert_close(lt.gates["z"], z, **close)
            torch.testing.assert_close(lt.gates["n"], torch.tanh(pre_n), **close)
            g = lt.gates
            torch.testing.assert_close(lt.hidden, (1 - g["z"]) * g["n"] + g["z"] * h_prev, **close)
            assert lt.cell is None and lt.cell0 is None
    assert tr.cell is None and tr.activations == {"gate": "sigmoid", "candidate": "tanh"}


@pytest.mark.parametrize("name", ["rnn_tanh", "rnn_relu"])
def test_rnn_preacts_satisfy_equation(name):
    module = make(name, 2, True, True, seed=7)
    x = seq(12, 4, seed=8)
    tr = trace(module, x)
    phi = torch.tanh if name == "rnn_tanh" else torch.relu
    for layer, (inp, per_dir) in enumerate(zip(layer_inputs(tr, x), tr.layers, strict=True)):
        for lt in per_dir:
            w_ih, w_hh, b_ih, b_hh = weights(module, layer, lt.reverse)
            h_prev = previous(lt.hidden, lt.hidden0, lt.reverse)
            pre = inp @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
            torch.testing.assert_close(lt.preacts["h"], pre, atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(lt.hidden, phi(pre), atol=EQ_TOL, rtol=0)
            assert lt.gates == {}
    assert tr.activations == {"nonlinearity": name.split("_")[1]}


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_lstm_with_projection():
    torch.manual_seed(9)
    module = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    x = seq(10, 3, seed=9)
    tr = trace(module, x)
    with torch.no_grad():
        ref, (h_n, c_n) = module(x)
    torch.testing.assert_close(tr.hidden, ref, atol=TOL, rtol=0)
    assert tr.hidden.shape == (10, 4) and tr.cell.shape == (10, 10)
    sd = module.state_dict()
    for layer, per_dir in enumerate(tr.layers):
        for lt in per_dir:
            w_hr = sd[f"weight_hr_l{layer}" + ("_reverse" if lt.reverse else "")]
            g = lt.gates
            torch.testing.assert_close(lt.hidden, (g["o"] * torch.tanh(lt.cell)) @ w_hr.T,
                                       atol=EQ_TOL, rtol=0)
    torch.testing.assert_close(tr.layers[-1][0].cell[-1], c_n[2], atol=TOL, rtol=0)


def test_grad_mode_does_not_matter_and_results_are_detached():
    module = make("lstm", 2, True, True)
    x = seq(9, 4).requires_grad_()
    with torch.no_grad():
        a = trace(module, x)
    with torch.enable_grad():
        b = trace(module, x)
    check_detached(a)
    check_detached(b)
    for name, value in a.series().items():
        assert torch.equal(value, b.series()[name]), name
    assert all(p.requires_grad for p in module.parameters())


def test_dropout_is_never_applied():
    torch.manual_seed(0)
    module = torch.nn.GRU(4, 5, num_layers=3, dropout=0.9).train()
    x = seq(8, 4)
    tr = trace(module, x)
    with torch.no_grad():
        ref, _ = module.eval()(x)
    torch.testing.assert_close(tr.hidden, ref, atol=TOL, rtol=0)


def test_bad_input_raises_clear_errors():
    module = make("lstm", 1, False, True)
    with pytest.raises(ValueError, match=r"\[T, 4\].*\[5, 3\]"):
        trace(module, torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"\[T, 4\]"):
        trace(module, torch.zeros(5, 1, 4))
    with pytest.raises(ValueError, match=r"\[T, 4\]"):
        trace(module, torch.zeros(4))
    with pytest.raises(ValueError, match="empty"):
        trace(module, torch.zeros(0, 4))
    with pytest.raises(ValueError, match=r"\[T, 3\]"):
        trace(build_model(CellConfig("jordan", 3, 2)), [[1.0, 2.0]])
    with pytest.raises(TypeError, match="LSTMCell"):
        trace(torch.nn.LSTMCell(4, 3), torch.zeros(5, 4))
    with pytest.raises(TypeError, match="Linear"):
        trace(torch.nn.Linear(4, 3), torch.zeros(5, 4))
    with pytest.raises(TypeError, match="model"):
        trace("lstm", torch.zeros(5, 4))


def test_accepts_arrays_lists_and_integers():
    module = make("rnn_tanh", 1, False, True)
    x = np.arange(12).reshape(3, 4)
    tr = trace(module, x)
    with torch.no_grad():
        ref, _ = module(torch.tensor(x, dtype=torch.float32))
    torch.testing.assert_close(tr.hidden, ref, atol=TOL, rtol=0)
    assert tr.inputs.dtype == torch.float32
    torch.testing.assert_close(trace(module, x.tolist()).hidden, ref, atol=TOL, rtol=0)


# --- engine models --------------------------------------------------------------------------

def assert_traces_close(a: Trace, b: Trace, tol=TOL):
    assert a.kind == b.kind and a.activations == b.activations
    for field in ("hidden", "outputs", "hidden0", "cell", "cell0"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            torch.testing.assert_close(x, y, atol=tol, rtol=0, msg=field)
    for la, lb in zip(a.layers, b.layers, strict=True):
        for ta, tb in zip(la, lb, strict=True):
            assert ta.reverse == tb.reverse
            for k in ta.gates:
                torch.testing.assert_close(ta.gates[k], tb.gates[k], atol=tol, rtol=0, msg=k)
            assert set(ta.preacts) == set(tb.preacts)
            for k in ta.preacts:
                torch.testing.assert_close(ta.preacts[k], tb.preacts[k], atol=tol, rtol=0, msg=k)
            if ta.cell is not None:
                torch.testing.assert_close(ta.cell, tb.cell, atol=tol, rtol=0)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_fused_trace_equals_step_loop_trace(kind, shape):
    layers, bidir, bias = shape
    cfg = CellConfig(kind, 3, 5, num_layers=layers, bidirectional=bidir, bias=bias,
                     output_size=2 if layers == 2 else None)
    model = build_model(cfg, seed=layers)
    x = seq(25, 3, seed=2) * 1.5
    fused = trace(model, x)
    model.prefer_fused = False
    loop = trace(model, x)
    assert_traces_close(fused, loop)
    with torch.no_grad():
        out, _ = model(x)
    torch.testing.assert_close(fused.outputs, out, atol=TOL, rtol=0)
    check_detached(fused)
    check_detached(loop)


ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}


def test_custom_activation_lstm_matches_reference_loop():
    cfg = CellConfig("lstm", 2, 3, cell_input_activation="linear", cell_output_activation="relu")
    model = build_model(cfg, seed=4)
    sd = model.state_dict()
    x = seq(11, 2, seed=5)
    tr = trace(model, x)
    h, c = torch.zeros(3), torch.zeros(3)
    for t in range(11):
        z = sd["weight_ih_l0"] @ x[t] + sd["bias_ih_l0"] + sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
        i, f, g, o = torch.sigmoid(z[:3]), torch.sigmoid(z[3:6]), z[6:9], torch.sigmoid(z[9:])
        c = f * c + i * g
        h = o * torch.relu(c)
        for k, v in zip("ifgo", (i, f, g, o), strict=True):
            torch.testing.assert_close(tr.gates[k][t], v, atol=TOL, rtol=0)
        torch.testing.assert_close(tr.preacts["g"][t], z[6:9], atol=TOL, rtol=0)
        torch.testing.assert_close(tr.cell[t], c, atol=TOL, rtol=0)
        torch.testing.assert_close(tr.hidden[t], h, atol=TOL, rtol=0)
    assert tr.activations == {"gate": "sigmoid", "cell_input": "linear", "cell_output": "relu"}


@pytest.mark.parametrize("bidir", [False, True])
def test_jordan_trace_records_hidden_and_fed_back_output(bidir):
    cfg = CellConfig("jordan", 3, 4, num_layers=2, bidirectional=bidir, output_size=2)
    model = build_model(cfg, seed=6)
    x = seq(7, 3, seed=7)
    tr = trace(model, x)
    with torch.no_grad():
        out, _ = model(x)
    d = 2 if bidir else 1
    assert tr.kind == "jordan" and tr.gates == {} and tr.cell is None
    assert tr.hidden.shape == (7, 4 * d) and tr.outputs.shape == (7, 2 * d)
    torch.testing.assert_close(tr.outputs, out, atol=TOL, rtol=0)
    sd = model.state_dict()
    inp = x
    for layer, per_dir in enumerate(tr.layers):
        for lt in per_dir:
            sfx = f"_l{layer}" + ("_reverse" if lt.reverse else "")
            y_prev = previous(lt.output, lt.output0, lt.reverse)
            pre = (inp @ sd["weight_ih" + sfx].T + sd["bias_ih" + sfx]
                   + y_prev @ sd["weight_hh" + sfx].T + sd["bias_hh" + sfx])
            torch.testing.assert_close(lt.preacts["h"], pre, atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(lt.hidden, torch.tanh(pre), atol=EQ_TOL, rtol=0)
            torch.testing.assert_close(
                lt.output, lt.hidden @ sd["weight_ho" + sfx].T + sd["bias_ho" + sfx],
                atol=EQ_TOL, rtol=0)
        inp = torch.cat([lt.output for lt in per_dir], dim=1)
    assert tr.activations == {"nonlinearity": "tanh", "output": "linear"}


# --- the memory scan ------------------------------------------------------------------------

def sequential(a, b, c0, reverse):
    c, out = c0.double(), [None] * len(a)
    order = range(len(a) - 1, -1, -1) if reverse else range(len(a))
    for t in order:
        c = a[t].double() * c + b[t].double()
        out[t] = c
    return torch.stack(out)


@pytest.mark.parametrize("steps", [1, 2, 3, 15, 16, 17, 33, 257, 1000])
@pytest.mark.parametrize("reverse", [False, True])
def test_affine_scan_equals_the_recurrence(steps, reverse):
    g = torch.Generator().manual_seed(steps)
    a = torch.rand(steps, 3, 2, generator=g)
    b = torch.randn(steps, 3, 2, generator=g)
    c0 = torch.randn(3, 2, generator=g)
    got = affine_scan(a, b, c0, reverse=reverse)
    ref = sequential(a, b, c0, reverse)
    torch.testing.assert_close(got.double(), ref, atol=1e-5, rtol=1e-5)
    assert got.shape == a.shape and got.dtype == a.dtype


def test_long_sequence_memory_stays_accurate():
    """4000 steps with forget gates near 1: the memory grows large; the scan must keep up."""
    torch.manual_seed(10)
    module = torch.nn.LSTM(2, 4)
    with torch.no_grad():
        module.bias_ih_l0[4:8] = 6.0  # forget gates ~0.9975: memory accumulates
        module.bias_ih_l0[0:4] = 3.0  # input gates mostly open
    x = seq(4000, 2, seed=11)
    tr = trace(module, x)
    sd = {k: v.double() for k, v in module.state_dict().items()}
    h, c, cs = torch.zeros(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64), []
    pre_x = x.double() @ sd["weight_ih_l0"].T + sd["bias_ih_l0"] + sd["bias_hh_l0"]
    for t in range(4000):
        z = pre_x[t] + sd["weight_hh_l0"] @ h
        i, f, g, o = torch.sigmoid(z[:4]), torch.sigmoid(z[4:8]), torch.tanh(z[8:12]), \
            torch.sigmoid(z[12:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        cs.append(c)
    ref = torch.stack(cs)
    assert ref.abs().max() > 50  # the case worth testing: large memory
    torch.testing.assert_close(tr.cell.double(), ref, atol=1e-3, rtol=1e-5)


def _brute_top(values: list[list[float]], k: int) -> list[int]:
    """The k units (columns) whose values vary most over time (rows), by a plain-Python
    population variance; with one step, by the absolute value."""
    steps, units = len(values), len(values[0])
    score = []
    for u in range(units):
        column = [values[t][u] for t in range(steps)]
        if steps == 1:
            score.append(abs(column[0]))
            continue
        mean = sum(column) / steps
        score.append(sum((v - mean) ** 2 for v in column) / steps)
    ranked = sorted(range(units), key=lambda u: -score[u])
    return sorted(ranked[:max(0, min(k, units))])


@pytest.mark.parametrize("steps", [1, 2, 30])
def test_top_units_are_the_most_varying(steps):
    module = make("lstm", 1, True, True, h=7)
    tr = trace(module, seq(steps, 4))
    assert list(tr.series()) == ["i", "f", "g", "o", "c", "h"]
    for name in ("h", "c", "f"):
        values = tr.series()[name].double().tolist()
        for k in (0, 1, 3, 14, 20):
            assert tr.top_units(k, name) == _brute_top(values, k), (name, k)


def test_series_of_a_gru():
    tr = trace(make("gru", 1, True, True), seq(5, 4))
    assert list(tr.series()) == ["r", "z", "n", "h"]


def _recorded_by_hand(tr: Trace) -> int:
    """Every number the trace holds per step: each layer's and direction's output, memory,
    gates and pre-activations (the initial states and the last layer's copies aside)."""
    count = 0
    for layer in tr.layers:
        for lt in layer:
            parts = [lt.hidden, lt.cell, lt.output, *lt.gates.values(), *lt.preacts.values()]
            count += sum(p.numel() for p in parts if p is not None)
    return count


@pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")
def test_recorded_numbers_count_what_a_trace_records():
    from engine.trace import recorded_numbers

    x = seq(7, 3)
    models = [torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2),
              torch.nn.GRU(3, 4, 2), torch.nn.RNN(3, 4)]
    models += [build_model(CellConfig(kind=k, input_size=3, hidden_size=4, num_layers=2,
                                      bidirectional=True), seed=0)
               for k in ("lstm", "gru", "rnn", "jordan")]
    for model in models:
        assert recorded_numbers(model, 7) == _recorded_by_hand(trace(model, x))


def test_a_trace_one_past_the_budget_is_refused(monkeypatch):
    import engine.trace as engine_trace

    model = build_model(CellConfig(kind="lstm", input_size=3, hidden_size=4), seed=0)
    x = seq(9, 3)
    needed = _recorded_by_hand(trace(model, x))
    monkeypatch.setattr(engine_trace, "MAX_RECORDED", needed)
    assert trace(model, x).steps == 9  # exactly at the budget: fine
    monkeypatch.setattr(engine_trace, "MAX_RECORDED", needed - 1)
    with pytest.raises(ValueError, match=f"at most {needed - 1:,}"):
        trace(model, x)


def test_the_budget_refuses_a_huge_trace_before_running_it():
    """10,000 steps × 256 units × 3 layers, bidirectional: refused at once (no 600 MB run)."""
    import time

    from engine.trace import MAX_RECORDED

    config = CellConfig(kind="lstm", input_size=3, hidden_size=256, num_layers=3,
                        bidirectional=True)
    model = build_model(config, seed=0)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=f"10,000 steps.*at most {MAX_RECORDED:,}"):
        trace(model, torch.zeros(10_000, 3))
    assert time.perf_counter() - start < 1.0


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["lstm", "gru", "rnn_relu"])
def test_trace_runs_on_the_models_device(name, device):
    module = make(name, 2, True, True).to(device)
    x = seq(40, 4)  # on the CPU: trace moves it to the model's device
    tr = trace(module, x)
    assert tr.hidden.device.type == device and tr.inputs.device.type == device
    assert all(v.device.type == device for v in tr.gates.values())
    with torch.no_grad():
        ref, _ = module(x.to(device))
    torch.testing.assert_close(tr.hidden, ref, atol=1e-4, rtol=0)
    config = CellConfig("lstm", 4, 6, cell_input_activation="linear")
    engine = build_model(config, seed=0).to(device)
    assert trace(engine, x).cell.device.type == device

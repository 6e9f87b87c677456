
"""engine.checkpoint: safetensors + JSON round trips, and the errors for files that do not fit."""

import hashlib
import json
import pickle

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from engine.cells import CellConfig, build_model
from engine.checkpoint import CheckpointError, load, paths, read_info, save
from engine.digits import Recogniser, RecogniserConfig

CELL_CONFIGS = [
    CellConfig(kind="lstm", input_size=3, hidden_size=5, num_layers=2, bidirectional=True,
               output_size=4),
    CellConfig(kind="gru", input_size=2, hidden_size=4),
    CellConfig(kind="rnn", input_size=2, hidden_size=3, nonlinearity="relu", bias=False),
    CellConfig(kind="jordan", input_size=2, hidden_size=4, output_size=3),
    CellConfig(kind="lstm", input_size=2, hidden_size=3, cell_input_activation="linear"),
]


def _x(steps, size, seed=0):
    return torch.randn(steps, size, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("config", CELL_CONFIGS, ids=lambda c: c.kind)
def test_cells_round_trip_gives_identical_outputs(tmp_path, config):
    model = build_model(config, seed=3)
    save(model, config, tmp_path / "m")
    again = load(tmp_path / "m")
    assert type(again) is type(model) and again.config == config
    x = _x(7, config.input_size)
    out, _ = model(x)
    out2, _ = again(x)
    assert torch.equal(out, out2)
    for (k, v), (k2, v2) in zip(model.state_dict().items(), again.state_dict().items(),
                                strict=True):
        assert k == k2 and torch.equal(v, v2)


def test_recogniser_round_trip_and_metadata(tmp_path):
    cfg = RecogniserConfig(hidden_size=6, context=1)
    model = Recogniser(cfg, seed=1)
    metrics, data = {"heldout_exact_accuracy": 0.5, "epoch": 2}, {"source": "test", "n": [1, 2]}
    w, j = save(model, cfg, tmp_path / "sub" / "rec.safetensors", metrics=metrics, data=data)
    assert (w.name, j.name) == ("rec.safetensors", "rec.json") and w.exists() and j.exists()
    again = load(tmp_path / "sub" / "rec.json")
    assert isinstance(again, Recogniser) and again.config == cfg and not again.training
    image = np.random.default_rng(0).random((8, 13)).astype(np.float32)
    assert torch.equal(model(image), again(image))
    info = read_info(tmp_path / "sub" / "rec")
    assert info.model_type == "ctc_digits" and info.config == cfg
    assert info.metrics == metrics and info.data == data
    assert info.tensors["rnn.weight_ih_l0"] == [4 * 6, 8 * 3]


def test_paths_accept_a_name_with_or_without_suffix(tmp_path):
    want = (tmp_path / "a.b.safetensors", tmp_path / "a.b.json")
    for name in ("a.b", "a.b.safetensors", "a.b.json"):
        assert paths(tmp_path / name) == want


def test_load_never_unpickles(tmp_path, monkeypatch):
    cfg = CELL_CONFIGS[0]
    model = build_model(cfg, seed=0)
    save(model, cfg, tmp_path / "m")

    def refuse(*args, **kwargs):
        raise AssertionError("unpickling was attempted")

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    load(tmp_path / "m")


@pytest.fixture
def saved(tmp_path):
    """A saved bidirectional LSTM; returns (base path, JSON dict)."""
    cfg = CELL_CONFIGS[0]
    save(build_model(cfg, seed=0), cfg, tmp_path / "m", metrics={"acc": 1.0})
    meta = json.loads((tmp_path / "m.json").read_text())
    return tmp_path / "m", meta


def _rewrite(base, meta):
    base.with_name(base.name + ".json").write_text(json.dumps(meta))


def _refused(base, *fragments):
    with pytest.raises(CheckpointError) as err:
        load(base)
    for fragment in fragments:
        assert fragment in str(err.value)
    return err.value


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


def test_unknown_model_type_lists_the_valid_ones(saved):
    base, meta = saved
    meta["model_type"] = "transformer"
    _rewrite(base, meta)
    _refused(base, "unknown model type 'transformer'", "cells", "ctc_digits")


def test_tampered_config_is_refused_with_the_shapes(saved):
    base, meta = saved
    meta["config"]["hidden_size"] = 6  # the tensor list still says 5
    _rewrite(base, meta)
    _refused(base, "shape mismatch", "weight_hh_l0", "[24, 6]", "[20, 5]")


def test_tampered_tensor_list_is_refused(saved):
    base, meta = saved
    meta["tensors"]["readout.weight"] = [4, 11]
    _rewrite(base, meta)
    _refused(base, "readout.weight", "expected [4, 10]")
    del meta["tensors"]["readout.weight"]
    _rewrite(base, meta)
    _refused(base, "missing ['readout.weight']")


@pytest.mark.parametrize("edit, fragment", [
    (lambda m: m["config"].pop("input_size"), "missing fields ['input_size']"),
    (lambda m: m["config"].update(dropout=0.5), "unknown fields ['dropout']"),
    (lambda m: m["config"].update(kind="lstmx"), "unknown cell kind"),
    (lambda m: m.pop("config"), "'config' missing"),
    (lambda m: m.update(version=99), "unsupported version 99"),
    (lambda m: m.update(format="other"), "not an rnn-lab-checkpoint file"),
])
def test_broken_json_fields_are_refused(saved, edit, fragment):
    base, meta = saved
    edit(meta)
    _rewrite(base, meta)
    _refused(base, fragment)


def test_not_json_and_missing_files(saved, tmp_path):
    base, _ = saved
    base.with_name("m.json").write_text("{not json")
    _refused(base, "not valid JSON")
    _refused(tmp_path / "nothing", "no checkpoint config")
    cfg = CELL_CONFIGS[1]
    save(build_model(cfg), cfg, tmp_path / "w")
    (tmp_path / "w.safetensors").unlink()
    _refused(tmp_path / "w", "no weights file")


def test_changed_weights_are_refused(saved):
    base, _ = saved
    weights = base.with_name("m.safetensors")
    blob = bytearray(weights.read_bytes())
    blob[-1] ^= 0xFF  # flip bits in the last tensor's data
    weights.write_bytes(bytes(blob))
    _refused(base, "SHA-256")


def test_weights_of_another_shape_are_refused_even_with_a_matching_hash(saved):
    base, meta = saved
    weights = base.with_name("m.safetensors")
    cfg = CellConfig(**{**meta["config"], "hidden_size": 6})
    save_file({k: v.contiguous() for k, v in build_model(cfg).state_dict().items()},
              str(weights))
    meta["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    _rewrite(base, meta)
    _refused(base, "m.safetensors", "shape mismatch", "[24, 6]")


def test_save_refuses_a_model_that_does_not_match_its_config(tmp_path):
    model = build_model(CellConfig(kind="gru", input_size=2, hidden_size=4))
    with pytest.raises(CheckpointError, match="does not match"):
        save(model, CellConfig(kind="gru", input_size=3, hidden_size=4), tmp_path / "m")
    with pytest.raises(CheckpointError, match="no checkpoint model type"):
        save(model, {"kind": "gru"}, tmp_path / "m")
    assert not list(tmp_path.iterdir())


def test_save_refuses_metrics_that_are_not_plain_json(tmp_path):
    cfg = CELL_CONFIGS[1]
    with pytest.raises(CheckpointError, match="plain JSON"):
        save(build_model(cfg), cfg, tmp_path / "m", metrics={"loss": float("nan")})
    with pytest.raises(CheckpointError, match="plain JSON"):
        save(build_model(cfg), cfg, tmp_path / "m", data={"x": object()})
    assert not list(tmp_path.iterdir())

"""Each limit of README's "Limits › Files", one past it: the file is refused before the work, with a
message that states the limit."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import save as save_safetensors

from engine import checkpoint, uploads
from engine.checkpoint import CheckpointError
from engine.uploads import UploadError


def npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_a_file_one_byte_over_the_upload_size_is_refused():
    data = b"1\n" * (uploads.MAX_BYTES // 2) + b"1"
    assert len(data) == uploads.MAX_BYTES + 1
    with pytest.raises(UploadError, match=f"{uploads.MAX_BYTES // 2**20} MB"):
        uploads.parse(data, "big.csv")


def test_one_sequence_more_than_a_file_may_hold_is_refused():
    many = json.dumps([[[1.0]]] * (uploads.MAX_SEQUENCES + 1)).encode()
    with pytest.raises(UploadError, match=f"{uploads.MAX_SEQUENCES:,}"):
        uploads.parse(many, "many.json")
    ok = json.dumps([[[1.0]]] * uploads.MAX_SEQUENCES).encode()
    assert len(uploads.parse(ok, "ok.json")) == uploads.MAX_SEQUENCES


def test_one_number_more_than_a_file_may_hold_is_refused():
    per = uploads.MAX_VALUES // 2 // uploads.MAX_FEATURES  # two arrays of half the budget each
    half = np.zeros((per, uploads.MAX_FEATURES), np.float32)
    extra = np.zeros((1, 1), np.float32)
    with pytest.raises(UploadError, match=f"{uploads.MAX_VALUES:,}"):
        uploads.parse(npz({"a": half, "b": half, "c": extra}), "big.npz")


def user_checkpoint(hidden: int, inputs: int, layers: int) -> bytes:
    """A safetensors LSTM state_dict of that size, written tensor by tensor (no module built)."""
    state = {}
    for k in range(layers):
        state[f"weight_ih_l{k}"] = torch.zeros(4 * hidden, inputs if k == 0 else hidden)
        state[f"weight_hh_l{k}"] = torch.zeros(4 * hidden, hidden)
    return save_safetensors(state)


def test_a_model_one_unit_too_wide_is_refused():
    data = user_checkpoint(checkpoint.USER_MAX_SIZE + 1, 1, 1)
    if len(data) > checkpoint.USER_MAX_BYTES:  # too big to upload at all: the byte limit says so
        with pytest.raises(CheckpointError, match="MB"):
            checkpoint.load_user_model(data, "wide.safetensors")
        state = {"weight_ih_l0": torch.zeros(4 * (checkpoint.USER_MAX_SIZE + 1), 1),
                 "weight_hh_l0": torch.zeros(4 * (checkpoint.USER_MAX_SIZE + 1), 1)}
        with pytest.raises(CheckpointError):
            checkpoint.inspect_user_model(state)
    inputs = user_checkpoint(2, checkpoint.USER_MAX_SIZE + 1, 1)
    with pytest.raises(CheckpointError, match=f"{checkpoint.USER_MAX_SIZE}"):
        checkpoint.load_user_model(inputs, "inputs.safetensors")


def test_a_model_one_layer_too_deep_is_refused():
    data = user_checkpoint(1, 1, checkpoint.USER_MAX_LAYERS + 1)
    with pytest.raises(CheckpointError, match=f"{checkpoint.USER_MAX_LAYERS} layers"):
        checkpoint.load_user_model(data, "deep.safetensors")
    ok = user_checkpoint(1, 1, checkpoint.USER_MAX_LAYERS)
    assert checkpoint.load_user_model(ok, "ok.safetensors").num_layers == checkpoint.USER_MAX_LAYERS


def test_a_checkpoint_one_tensor_over_the_count_is_refused():
    state = {f"extra.{i}": torch.zeros(1) for i in range(checkpoint.USER_MAX_TENSORS + 1)}
    with pytest.raises(CheckpointError, match=f"{checkpoint.USER_MAX_TENSORS}"):
        checkpoint.load_user_model(save_safetensors(state), "many.safetensors")


def test_a_safetensors_header_one_byte_over_the_limit_is_refused():
    size = checkpoint.USER_MAX_HEADER + 1
    data = struct.pack("<Q", size) + b"{" + b" " * (size - 2) + b"}" + bytes(16)
    with pytest.raises(CheckpointError, match=f"{checkpoint.USER_MAX_HEADER:,}"):
        checkpoint.load_user_model(data, "header.safetensors")


def test_a_checkpoint_one_byte_over_the_upload_size_is_refused():
    data = b"\0" * (checkpoint.USER_MAX_BYTES + 1)
    with pytest.raises(CheckpointError, match=f"{checkpoint.USER_MAX_BYTES // 2**20} MB"):
        checkpoint.load_user_model(data, "big.safetensors")

"""Checkpoints: weights in safetensors, the config that rebuilds the model in JSON beside it.

A checkpoint called `name` is two files: `name.safetensors` (the state dict, float tensors
by parameter name) and `name.json`:

    {"format": "rnn-lab-checkpoint", "version": 1,
     "model_type": "ctc_digits",                 # a key of MODEL_TYPES
     "config": {...},                            # the model's config dataclass as a dict
     "tensors": {"rnn.weight_ih_l0": [384, 24], ...},   # name -> shape
     "sha256": "...",                            # of name.safetensors
     "metrics": {...}, "data": {...}}            # free-form, for model cards and the app

`load(path)` reads the JSON, rebuilds the model from its config through MODEL_TYPES and fills
it from the safetensors file. Nothing is ever unpickled (no torch.load, no pickle): JSON and
safetensors hold plain data only. Anything that does not fit (unknown model type, a config
field missing or unknown, a tensor missing, extra or of another shape, weights that changed
since the JSON was written) raises `CheckpointError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_bytes
from safetensors.torch import save_file
from torch import nn

from engine.autoencoder import AutoencoderConfig, SeqAutoencoder
from engine.cells import CellConfig, build_model
from engine.charlm_model import CharLM, CharLMConfig
from engine.digits import Recogniser, RecogniserConfig
from engine.slot_model import SlotTagger, SlotTaggerConfig

FORMAT = "rnn-lab-checkpoint"
VERSION = 1
SUFFIXES = (".safetensors", ".json")


class CheckpointError(ValueError):
    """A checkpoint that cannot be written or rebuilt as it stands."""


@dataclass(frozen=True)
class ModelType:
    """How to rebuild one kind of model from its config."""

    config_class: type  # the config dataclass stored in the JSON
    build: Callable[[object], nn.Module]  # config -> a model with the right parameter shapes


# Model kinds a checkpoint may name, by the "model_type" key of its JSON.
MODEL_TYPES: dict[str, ModelType] = {
    "cells": ModelType(CellConfig, build_model),  # engine.cells networks (RNN/Jordan/GRU/LSTM)
    "ctc_digits": ModelType(RecogniserConfig, Recogniser),  # engine.digits CTC recogniser
    "slots": ModelType(SlotTaggerConfig, SlotTagger),  # engine.slots slot-filling taggers
    "seq_autoencoder": ModelType(AutoencoderConfig, SeqAutoencoder),  # engine.autoencoder
    "charlm": ModelType(CharLMConfig, CharLM),  # engine.charlm character-level LSTM LM
}


@dataclass
class CheckpointInfo:
    """A checkpoint's JSON, checked (see the module docstring)."""

    model_type: str  # a key of MODEL_TYPES
    config: object  # the config dataclass instance (CellConfig, RecogniserConfig, ...)
    tensors: dict[str, list[int]]  # parameter name -> shape
    sha256: str  # hex digest of the safetensors file
    metrics: dict  # free-form scores (e.g. held-out accuracy)
    data: dict  # free-form description of the training data
    weights_path: Path  # the safetensors file
    json_path: Path  # the JSON file


def paths(path: str | Path) -> tuple[Path, Path]:
    """(weights, json) file paths for a checkpoint path given with or without a suffix.

    "runs/model", "runs/model.safetensors" and "runs/model.json" all name
    ("runs/model.safetensors", "runs/model.json"); any other suffix is kept as part of the name.
    """
    path = Path(path)
    if path.suffix in SUFFIXES:
        path = path.with_suffix("")
    return path.with_name(path.name + ".safetensors"), path.with_name(path.name + ".json")


def model_type_of(config: object) -> str:
    """The MODEL_TYPES key whose config class `config` is; CheckpointError otherwise."""
    for name, kind in MODEL_TYPES.items():
        if type(config) is kind.config_class:
            return name
    raise CheckpointError(
        f"no checkpoint model type for config {type(config).__name__}; valid configs: "
        + ", ".join(f"{k.config_class.__name__} ({n})" for n, k in MODEL_TYPES.items()))


def _sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shapes(state: dict[str, torch.Tensor]) -> dict[str, list[int]]:
    """Parameter name -> shape as a list."""
    return {k: list(v.shape) for k, v in state.items()}


def _check_tensors(expected: dict[str, list[int]], got: dict[str, list[int]], where: str) -> None:
    """CheckpointError naming missing, unexpected and mis-shaped tensors."""
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(k for k in set(expected) & set(got) if list(expected[k]) != list(got[k]))
    if missing or extra or wrong:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        if wrong:
            parts.append("shape mismatch " + ", ".join(
                f"{k}: expected {list(expected[k])}, got {list(got[k])}" for k in wrong))
        raise CheckpointError(f"{where}: " + "; ".join(parts))


def _build(model_type: str, config: object) -> nn.Module:
    """A fresh model of `model_type` for `config`."""
    try:
        return MODEL_TYPES[model_type].build(config)
    except (TypeError, ValueError) as err:
        raise CheckpointError(
            f"cannot build a {model_type!r} model from its config: {err}") from err


def save(model: nn.Module, config: object, path: str | Path, *, metrics: dict | None = None,
         data: dict | None = None) -> tuple[Path, Path]:
    """Write `model`'s weights and `config` as a checkpoint; returns (weights_path, json_path).

    config: the dataclass that rebuilt the model (CellConfig, RecogniserConfig; see
    MODEL_TYPES); path: with or without suffix (see `paths`); metrics, data: JSON-ready dicts
    stored as they are. Tensors are saved as float32 on the CPU. CheckpointError when config
    has no model type, when the model's parameters do not match a model built from config,
    or when metrics/data are not plain JSON.
    """
    model_type = model_type_of(config)
    state = {k: v.detach().to("cpu", torch.float32).contiguous().clone()
             for k, v in model.state_dict().items()}
    _check_tensors(_shapes(_build(model_type, config).state_dict()), _shapes(state),
                   f"model does not match its {type(config).__name__}")
    weights_path, json_path = paths(path)
    meta = {"format": FORMAT, "version": VERSION, "model_type": model_type,
            "config": asdict(config), "tensors": _shapes(state), "sha256": "",
            "metrics": dict(metrics or {}), "data": dict(data or {})}
    try:
        json.dumps(meta, allow_nan=False)  # fail before writing anything
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"metrics and data must be plain JSON: {err}") from err
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(weights_path), metadata={"format": FORMAT, "model_type": model_type})
    meta["sha256"] = _sha256(weights_path)
    json_path.write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return weights_path, json_path


def read_info(path: str | Path) -> CheckpointInfo:
    """Read and check a checkpoint's JSON (the weights file is not read); see CheckpointInfo."""
    weights_path, json_path = paths(path)
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint config at {json_path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CheckpointError(f"{json_path} is not valid JSON: {err}") from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{json_path} is not an {FORMAT} file")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{json_path}: unsupported version {meta.get('version')!r} "
                              f"(this code reads {VERSION})")
    for key, kind in (("model_type", str), ("config", dict), ("tensors", dict),
                      ("sha256", str), ("metrics", dict), ("data", dict)):
        if not isinstance(meta.get(key), kind):
            raise CheckpointError(f"{json_path}: {key!r} missing or not a {kind.__name__}")
    model_type = meta["model_type"]
    if model_type not in MODEL_TYPES:
        raise CheckpointError(f"{json_path}: unknown model type {model_type!r}; valid: "
                              f"{', '.join(MODEL_TYPES)}")
    config_class = MODEL_TYPES[model_type].config_class
    names = {f.name for f in fields(config_class) if f.init}
    given = set(meta["config"])
    if given != names:
        raise CheckpointError(
            f"{json_path}: config for {config_class.__name__} has "
            + "; ".join(p for p in (
                f"missing fields {sorted(names - given)}" if names - given else "",
                f"unknown fields {sorted(given - names)}" if given - names else "") if p))
    try:
        config = config_class(**meta["config"])
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{json_path}: invalid {config_class.__name__}: {err}") from err
    return CheckpointInfo(model_type=model_type, config=config, tensors=meta["tensors"],
                          sha256=meta["sha256"], metrics=meta["metrics"], data=meta["data"],
                          weights_path=weights_path, json_path=json_path)


def load(path: str | Path) -> nn.Module:
    """Rebuild the model a checkpoint describes, with its weights, in eval mode on the CPU.

    path: with or without suffix (see `paths`). The model is built from the JSON config alone
    (MODEL_TYPES), checked tensor by tensor against the JSON's shapes and the safetensors
    file (its SHA-256 included), then filled strictly. CheckpointError on any mismatch.
    """
    info = read_info(path)
    model = _build(info.model_type, info.config)
    expected = _shapes(model.state_dict())
    _check_tensors(expected, info.tensors, f"{info.json_path}: config and tensor list disagree")
    try:
        blob = info.weights_path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(f"no weights file at {info.weights_path}") from None
    if hashlib.sha256(blob).hexdigest() != info.sha256:
        raise CheckpointError(f"{info.weights_path} does not match the SHA-256 in "
                              f"{info.json_path} (changed since it was saved)")
    try:
        state = load_bytes(blob)
    except (SafetensorError, ValueError) as err:
        raise CheckpointError(f"cannot read {info.weights_path}: {err}") from err
    _check_tensors(expected, _shapes(state), f"{info.weights_path}")
    bad = sorted(k for k, v in state.items() if v.dtype != torch.float32)
    if bad:
        raise CheckpointError(f"{info.weights_path}: tensors {bad} are not float32")
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


# --------------------------------------------------------------------------------------------
# A user's own trained recurrent network: a torch.nn.LSTM / GRU / RNN state_dict, uploaded

USER_MAX_BYTES = 10 * 1024 * 1024  # largest checkpoint file accepted (the upload limit)
USER_MAX_HEADER = 1024 * 1024  # largest safetensors JSON header read
USER_MAX_TENSORS = 512  # most tensors in one uploaded file
USER_MAX_SIZE = 4096  # largest input or hidden size accepted
USER_MAX_LAYERS = 16  # most stacked layers accepted
USER_SUFFIXES = (".safetensors", ".pt", ".pth", ".bin")  # extensions load_user_model reads
# Gate blocks stacked in weight_ih / weight_hh -> the torch module that has them.
USER_KINDS: dict[int, tuple[str, type[nn.Module]]] = {
    4: ("lstm", nn.LSTM), 3: ("gru", nn.GRU), 1: ("rnn", nn.RNN)}
_SAFE_DTYPES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}  # safetensors float dtypes, bytes
EXPORT_HINT = ("Export a torch.nn.LSTM, GRU or RNN with "
               "`from safetensors.torch import save_file; "
               "save_file(model.state_dict(), 'model.safetensors')` "
               "(or `torch.save(model.state_dict(), 'model.pt')`).")


@dataclass(frozen=True)
class UserModelInfo:
    """What `inspect_user_model` found in an uploaded state_dict."""

    kind: str  # "lstm" | "gru" | "rnn"
    input_size: int  # I, features per step the model reads
    hidden_size: int  # H, units per layer and direction
    num_layers: int  # stacked layers
    bidirectional: bool  # a backward direction per layer
    bias: bool  # bias vectors present
    prefix: str  # common name prefix stripped, e.g. "rnn." or "" for a bare module
    ignored: tuple[str, ...]  # tensors outside the recurrent layers (e.g. a readout), not used
    file_format: str  # "safetensors" | "torch"

    def describe(self) -> str:
        """One line for the page, e.g. "LSTM, 3 inputs, 64 hidden units, 2 layers"."""
        layers = f", {self.num_layers} layers" if self.num_layers > 1 else ""
        both = ", bidirectional" if self.bidirectional else ""
        return (f"{self.kind.upper()}, {self.input_size} input{'s' * (self.input_size != 1)}, "
                f"{self.hidden_size} hidden unit{'s' * (self.hidden_size != 1)}{layers}{both}")


def _user_safetensors(data: bytes, filename: str) -> dict[str, torch.Tensor]:
    """A safetensors file's tensors, its header checked before anything is trusted."""
    import math
    import struct

    if len(data) < 8:
        raise CheckpointError(f"{filename} is {len(data)} bytes: too short for a safetensors "
                              f"file (an 8-byte header size, a JSON header, the tensors).")
    (size,) = struct.unpack("<Q", data[:8])
    if size < 2 or size > min(USER_MAX_HEADER, len(data) - 8):
        raise CheckpointError(
            f"{filename}: the header size field says {size:,} bytes, but the file has "
            f"{len(data) - 8:,} bytes after it (and headers up to {USER_MAX_HEADER:,} bytes "
            f"are read); this is not a safetensors file, or it is corrupt. {EXPORT_HINT}")
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CheckpointError(f"{filename}: the safetensors header is not valid JSON; the file "
                              f"is corrupt or not safetensors. {EXPORT_HINT}") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{filename}: the safetensors header is not a JSON object.")
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    if not entries:
        raise CheckpointError(f"{filename} holds no tensors; expected the state_dict of a "
                              f"torch.nn.LSTM, GRU or RNN. {EXPORT_HINT}")
    if len(entries) > USER_MAX_TENSORS:
        raise CheckpointError(f"{filename} holds {len(entries):,} tensors; at most "
                              f"{USER_MAX_TENSORS} are read.")
    body = len(data) - 8 - size
    for name, entry in entries.items():
        ok = (isinstance(entry, dict) and isinstance(entry.get("shape"), list)
              and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 2**31
                      for n in entry["shape"])
              and isinstance(entry.get("data_offsets"), list) and len(entry["data_offsets"]) == 2
              and all(isinstance(n, int) and not isinstance(n, bool)
                      for n in entry["data_offsets"]))
        if not ok:
            raise CheckpointError(f"{filename}: tensor {name!r} has a malformed header entry "
                                  f"{str(entry)[:120]}; expected dtype, shape and data_offsets.")
        dtype = entry.get("dtype")
        if dtype not in _SAFE_DTYPES:
            raise CheckpointError(f"{filename}: tensor {name!r} has dtype {dtype!r}; expected "
                                  f"floating-point weights ({', '.join(_SAFE_DTYPES)}).")
        start, stop = entry["data_offsets"]
        need = math.prod(entry["shape"]) * _SAFE_DTYPES[dtype]
        if not 0 <= start <= stop <= body or stop - start != need:
            raise CheckpointError(
                f"{filename}: tensor {name!r} (shape {entry['shape']}, {dtype}) needs {need:,} "
                f"bytes but its offsets [{start}, {stop}] point outside the {body:,} bytes of "
                f"data or disagree with its size; the file is corrupt.")
    try:
        return load_bytes(data)
    except (SafetensorError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"{filename} could not be read as safetensors: {err}") from None


def _user_torch(data: bytes, filename: str) -> dict[str, torch.Tensor]:
    """A torch.save'd state_dict, loaded with weights_only=True after its zip was checked."""
    import io
    import zipfile

    if not data.startswith(b"PK\x03\x04"):
        raise CheckpointError(
            f"{filename} is not a torch.save zip file (the format torch has written since "
            f"1.6); older or other pickle files are never loaded. {EXPORT_HINT}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise CheckpointError(f"{filename} is a broken torch.save file: {err}") from None
    if len(members) > USER_MAX_TENSORS + 16:
        raise CheckpointError(f"{filename} holds {len(members):,} records; at most "
                              f"{USER_MAX_TENSORS + 16} are read.")
    for info in members:
        if info.compress_type != zipfile.ZIP_STORED or info.file_size > USER_MAX_BYTES:
            raise CheckpointError(
                f"{filename}: record {info.filename!r} is compressed or {info.file_size:,} "
                f"bytes; torch.save writes uncompressed records of the file's own size, so "
                f"this file was not written by torch.save.")
    if not any(m.filename.endswith("data.pkl") for m in members):
        raise CheckpointError(f"{filename} is a zip file but not a torch.save file (no "
                              f"data.pkl record). {EXPORT_HINT}")
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:  # torch.load raises many kinds on a refused or corrupt file
        first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise CheckpointError(
            f"{filename} could not be loaded as plain weights (torch.load with "
            f"weights_only=True refused it: {first}). Only tensors in dicts are read, "
            f"never other Python objects. {EXPORT_HINT}") from None
    if isinstance(state, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
                break
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise CheckpointError(f"{filename} holds {type(state).__name__}, not a state_dict "
                              f"(a dict of tensor names to tensors). {EXPORT_HINT}")
    return dict(state)


_RECURRENT_NAME = r"^(?P<prefix>.*?)(?P<what>weight|bias)_(?P<part>ih|hh|hr)_l(?P<layer>\d+)" \
                  r"(?P<reverse>_reverse)?$"


def inspect_user_model(state: dict[str, torch.Tensor], file_format: str = "safetensors",
                       filename: str = "the checkpoint") -> UserModelInfo:
    """The architecture a torch.nn.LSTM / GRU / RNN state_dict describes, from names and shapes.

    Names are torch's (`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`,
    `_reverse` for the backward direction), optionally under one common prefix ("rnn.",
    "module.lstm.", ...); tensors outside that prefix's recurrent layers are ignored (listed).
    CheckpointError (what was found, what was expected) for anything inconsistent.
    """
    import re

    pattern = re.compile(_RECURRENT_NAME)
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for name, tensor in state.items():
        match = pattern.match(name)
        if match:
            groups.setdefault(match["prefix"], {})[name[len(match["prefix"]):]] = tensor
    if not groups:
        shown = ", ".join(sorted(state)[:6]) + (", ..." if len(state) > 6 else "")
        raise CheckpointError(
            f"{filename}: found tensors [{shown}] but none named like a torch.nn.LSTM / GRU / "
            f"RNN layer; expected weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (optionally "
            f"under a prefix such as 'rnn.'). {EXPORT_HINT}")
    if len(groups) > 1:
        raise CheckpointError(
            f"{filename}: found recurrent layers under several prefixes "
            f"({', '.join(repr(p) for p in sorted(groups))}); expected one recurrent module.")
    prefix, layers = next(iter(groups.items()))
    ignored = tuple(sorted(k for k in state if not (k.startswith(prefix)
                                                    and k[len(prefix):] in layers)))
    if any(k.startswith("weight_hr") for k in layers):
        raise CheckpointError(f"{filename}: an LSTM with proj_size (weight_hr_l0) was found; "
                              f"LSTMs without a projection are supported.")
    for name, tensor in layers.items():
        if not tensor.is_floating_point():
            raise CheckpointError(f"{filename}: {prefix}{name} has dtype {tensor.dtype}; "
                                  f"expected floating-point weights.")
    hh = layers.get("weight_hh_l0")
    ih = layers.get("weight_ih_l0")
    if hh is None or ih is None or hh.dim() != 2 or ih.dim() != 2:
        raise CheckpointError(
            f"{filename}: {prefix}weight_ih_l0 and {prefix}weight_hh_l0 must be 2-D matrices; "
            f"found {'missing' if ih is None else list(ih.shape)} and "
            f"{'missing' if hh is None else list(hh.shape)}.")
    rows, hidden = hh.shape
    if hidden < 1 or rows % hidden or rows // hidden not in USER_KINDS:
        raise CheckpointError(
            f"{filename}: {prefix}weight_hh_l0 has shape {list(hh.shape)}; expected "
            f"[G*H, H] with G = 4 (LSTM), 3 (GRU) or 1 (RNN).")
    kind = USER_KINDS[rows // hidden][0]
    num_layers = 1 + max(int(re.search(r"_l(\d+)", k)[1]) for k in layers)
    bidirectional = any(k.endswith("_reverse") for k in layers)
    bias = "bias_ih_l0" in layers
    input_size = int(ih.shape[1])
    if hidden > USER_MAX_SIZE or input_size > USER_MAX_SIZE or num_layers > USER_MAX_LAYERS:
        raise CheckpointError(
            f"{filename}: {num_layers} layers of {hidden} units reading {input_size} inputs; "
            f"at most {USER_MAX_LAYERS} layers and sizes up to {USER_MAX_SIZE} are accepted.")
    dirs = 2 if bidirectional else 1
    expected: dict[str, list[int]] = {}
    for layer in range(num_layers):
        for sfx in ("", "_reverse")[:dirs]:
            s = f"_l{layer}{sfx}"
            expected[f"weight_ih{s}"] = [rows, input_size if layer == 0 else dirs * hidden]
            expected[f"weight_hh{s}"] = [rows, hidden]
            if bias:
                expected[f"bias_ih{s}"] = [rows]
                expected[f"bias_hh{s}"] = [rows]
    what = (f"a {kind.upper()} with {hidden} hidden units, {num_layers} layer"
            f"{'s' * (num_layers > 1)}{', bidirectional' if bidirectional else ''}"
            f"{'' if bias else ', no bias'}")
    try:
        _check_tensors(expected, _shapes(layers), f"{filename}: for {what}, found")
    except CheckpointError as err:
        raise CheckpointError(f"{err} (names{' after the prefix ' + repr(prefix) if prefix else ''}"
                              f" and shapes of torch.nn.{kind.upper()}'s state_dict)") from None
    for name, tensor in layers.items():
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{filename}: {prefix}{name} contains NaN or Inf; the "
                                  f"weights must be finite numbers.")
    return UserModelInfo(kind=kind, input_size=input_size, hidden_size=int(hidden),
                         num_layers=num_layers, bidirectional=bidirectional, bias=bias,
                         prefix=prefix, ignored=ignored, file_format=file_format)


def read_user_model(data: bytes, filename: str) -> tuple[nn.Module, UserModelInfo]:
    """(model, what was found) for an uploaded checkpoint; see `load_user_model`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CheckpointError(f"expected the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    suffix = Path(str(filename or "")).suffix.lower()
    if suffix not in USER_SUFFIXES:
        raise CheckpointError(
            f"{filename or 'The file'} has {repr(suffix) if suffix else 'no extension'}; "
            f"checkpoints are read from {', '.join(USER_SUFFIXES)} files. {EXPORT_HINT}")
    if not data:
        raise CheckpointError(f"{filename} is empty. {EXPORT_HINT}")
    if len(data) > USER_MAX_BYTES:
        raise CheckpointError(f"{filename} is {len(data) / 2**20:.1f} MB; checkpoints up to "
                              f"{USER_MAX_BYTES // 2**20} MB are accepted.")
    if suffix == ".safetensors":
        state, file_format = _user_safetensors(data, filename), "safetensors"
    else:
        state, file_format = _user_torch(data, filename), "torch"
    info = inspect_user_model(state, file_format, filename)
    module_class = dict(USER_KINDS.values())[info.kind]
    model = module_class(info.input_size, info.hidden_size, num_layers=info.num_layers,
                         bias=info.bias, bidirectional=info.bidirectional)
    model.load_state_dict({k: state[info.prefix + k].to(torch.float32)
                           for k in model.state_dict()}, strict=True)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, info


def load_user_model(data: bytes, filename: str) -> nn.Module:
    """An uploaded recurrent network -> a `torch.nn.LSTM` / `GRU` / `RNN` in eval mode (CPU).

    data: a safetensors file (`save_file(model.state_dict(), "model.safetensors")`) or a
    `torch.save(model.state_dict(), "model.pt")` zip, read with `torch.load(weights_only=True)`
    (nothing else is ever unpickled); filename picks the reader (.safetensors, or .pt/.pth/.bin).
    The architecture (kind, input size, hidden size, layers, directions, bias) is inferred from
    the names and shapes (`inspect_user_model`); a plain RNN is read as tanh. The model goes
    straight into `engine.trace.trace` and `engine.gradients.hidden_grad_norms`.
    CheckpointError saying what was found and what was expected for anything else.
    """
    return read_user_model(data, filename)[0]

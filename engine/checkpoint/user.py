"""A user's own trained recurrent network: the state_dict of a torch.nn.LSTM / GRU / RNN,
uploaded. Untrusted: never unpickled (safetensors, or torch.load with weights_only=True after
the zip was checked), every size checked against the USER_MAX_* limits before it is used, and
every message cleaned of terminal escapes (torch's refusals carry ANSI bold).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_bytes
from torch import nn

from engine.checkpoint.errors import CheckpointError
from engine.checkpoint.store import _check_tensors, _shapes
from engine.messages import Phrase, clean

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
_HINT = Phrase("checkpoint.user.export_hint",
               "Export a torch.nn.LSTM, GRU or RNN with `from safetensors.torch import "
               "save_file; save_file(model.state_dict(), 'model.safetensors')` (or "
               "`torch.save(model.state_dict(), 'model.pt')`).")
EXPORT_HINT = str(_HINT)  # how to save a model this reads, in words
_MISSING = Phrase("checkpoint.user.missing", "missing")


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
        raise CheckpointError("checkpoint.user.bytes_too_short_safetensors",
                              "{filename} is {size} bytes: too short for a safetensors file "
                              "(an 8-byte header size, a JSON header, the tensors).",
                              filename=filename, size=len(data))
    (size,) = struct.unpack("<Q", data[:8])
    if size < 2 or size > min(USER_MAX_HEADER, len(data) - 8):
        raise CheckpointError(
            "checkpoint.user.header_size",
            "{filename}: the header size field says {size:,} bytes, but the file has {body:,} "
            "bytes after it (and headers up to {limit:,} bytes are read); this is not a "
            "safetensors file, or it is corrupt. {export_hint}",
            filename=filename, size=size, body=len(data) - 8, limit=USER_MAX_HEADER,
            export_hint=_HINT)
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CheckpointError("checkpoint.user.safetensors_header_valid_json",
                              "{filename}: the safetensors header is not valid JSON; the file "
                              "is corrupt or not safetensors. {export_hint}",
                              filename=filename, export_hint=_HINT) from None
    if not isinstance(header, dict):
        raise CheckpointError("checkpoint.user.safetensors_header_json_object",
                              "{filename}: the safetensors header is not a JSON object.",
                              filename=filename)
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    if not entries:
        raise CheckpointError("checkpoint.user.holds_tensors_expected_state",
                              "{filename} holds no tensors; expected the state_dict of a "
                              "torch.nn.LSTM, GRU or RNN. {export_hint}",
                              filename=filename, export_hint=_HINT)
    if len(entries) > USER_MAX_TENSORS:
        raise CheckpointError("checkpoint.user.holds_tensors_most_read",
                              "{filename} holds {tensors:,} tensors; at most "
                              "{limit} are read.",
                              filename=filename, tensors=len(entries),
                              limit=USER_MAX_TENSORS)
    body = len(data) - 8 - size
    for name, entry in entries.items():
        ok = (isinstance(entry, dict) and isinstance(entry.get("shape"), list)
              and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 2**31
                      for n in entry["shape"])
              and isinstance(entry.get("data_offsets"), list) and len(entry["data_offsets"]) == 2
              and all(isinstance(n, int) and not isinstance(n, bool)
                      for n in entry["data_offsets"]))
        if not ok:
            raise CheckpointError("checkpoint.user.tensor_malformed_header_entry",
                                  "{filename}: tensor {name!r} has a malformed header entry "
                                  "{entry}; expected dtype, shape and data_offsets.",
                                  filename=filename, name=name, entry=str(entry)[:120])
        dtype = entry.get("dtype")
        if dtype not in _SAFE_DTYPES:
            raise CheckpointError("checkpoint.user.tensor_dtype_expected_floating",
                                  "{filename}: tensor {name!r} has dtype {dtype!r}; expected "
                                  "floating-point weights ({dtypes}).",
                                  filename=filename, name=name, dtype=dtype,
                                  dtypes=", ".join(_SAFE_DTYPES))
        start, stop = entry["data_offsets"]
        need = math.prod(entry["shape"]) * _SAFE_DTYPES[dtype]
        if not 0 <= start <= stop <= body or stop - start != need:
            raise CheckpointError(
                "checkpoint.user.tensor_shape_needs_bytes",
                "{filename}: tensor {name!r} (shape {shape}, {dtype}) needs {need:,} bytes but "
                "its offsets [{start}, {stop}] point outside the {body:,} bytes of data or "
                "disagree with its size; the file is corrupt.",
                filename=filename, name=name, shape=entry["shape"], dtype=dtype, need=need,
                start=start, stop=stop, body=body)
    try:
        return load_bytes(data)
    except (SafetensorError, ValueError, RuntimeError) as err:
        raise CheckpointError(
            "checkpoint.user.could_read_safetensors",
            "{filename} could not be read as safetensors: {err}",
            filename=filename, err=clean(err)) from None


def _user_torch(data: bytes, filename: str) -> dict[str, torch.Tensor]:
    """A torch.save'd state_dict, loaded with weights_only=True after its zip was checked."""
    import io
    import zipfile

    if not data.startswith(b"PK\x03\x04"):
        raise CheckpointError(
            "checkpoint.user.torch_save_zip_file",
            "{filename} is not a torch.save zip file (the format torch has written since 1.6); "
            "older or other pickle files are never loaded. {export_hint}",
            filename=filename, export_hint=_HINT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise CheckpointError("checkpoint.user.broken_torch_save_file",
                              "{filename} is a broken torch.save file: {err}",
                              filename=filename, err=clean(err)) from None
    if len(members) > USER_MAX_TENSORS + 16:
        raise CheckpointError("checkpoint.user.holds_records_most_read",
                              "{filename} holds {records:,} records; at most "
                              "{limit} are read.",
                              filename=filename, records=len(members),
                              limit=USER_MAX_TENSORS + 16)
    for info in members:
        if info.compress_type != zipfile.ZIP_STORED or info.file_size > USER_MAX_BYTES:
            raise CheckpointError(
                "checkpoint.user.record_compressed_bytes_torch",
                "{filename}: record {record!r} is compressed or {size:,} bytes; "
                "torch.save writes uncompressed records of the file's own size, so this file "
                "was not written by torch.save.",
                filename=filename, record=info.filename, size=info.file_size)
    if not any(m.filename.endswith("data.pkl") for m in members):
        raise CheckpointError("checkpoint.user.zip_file_torch_save",
                              "{filename} is a zip file but not a torch.save file (no data.pkl "
                              "record). {export_hint}",
                              filename=filename, export_hint=_HINT)
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:  # torch.load raises many kinds on a refused or corrupt file
        text = clean(err).strip()
        first = text.splitlines()[0][:300] if text else type(err).__name__
        raise CheckpointError(
            "checkpoint.user.could_loaded_plain_weights",
            "{filename} could not be loaded as plain weights (torch.load with weights_only=True "
            "refused it: {first}). Only tensors in dicts are read, never other Python objects. "
            "{export_hint}",
            filename=filename, first=first, export_hint=_HINT) from None
    if isinstance(state, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
                break
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise CheckpointError("checkpoint.user.holds_state_dict_dict",
                              "{filename} holds {kind}, not a state_dict (a dict of tensor "
                              "names to tensors). {export_hint}",
                              filename=filename, kind=type(state).__name__,
                              export_hint=_HINT)
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
            "checkpoint.user.found_tensors_none_named",
            "{filename}: found tensors [{shown}] but none named like a torch.nn.LSTM / GRU / "
            "RNN layer; expected weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (optionally "
            "under a prefix such as 'rnn.'). {export_hint}",
            filename=filename, shown=shown, export_hint=_HINT)
    if len(groups) > 1:
        raise CheckpointError(
            "checkpoint.user.found_recurrent_layers_under",
            "{filename}: found recurrent layers under several prefixes ({prefixes}); expected "
            "one recurrent module.",
            filename=filename, prefixes=", ".join(repr(p) for p in sorted(groups)))
    prefix, layers = next(iter(groups.items()))
    ignored = tuple(sorted(k for k in state if not (k.startswith(prefix)
                                                    and k[len(prefix):] in layers)))
    if any(k.startswith("weight_hr") for k in layers):
        raise CheckpointError("checkpoint.user.lstm_proj_size_weight",
                              "{filename}: an LSTM with proj_size (weight_hr_l0) was found; "
                              "LSTMs without a projection are supported.",
                              filename=filename)
    for name, tensor in layers.items():
        if not tensor.is_floating_point():
            raise CheckpointError("checkpoint.user.dtype_expected_floating_point",
                                  "{filename}: {prefix}{name} has dtype {dtype}; expected "
                                  "floating-point weights.",
                                  filename=filename, prefix=prefix, name=name, dtype=tensor.dtype)
    hh = layers.get("weight_hh_l0")
    ih = layers.get("weight_ih_l0")
    if hh is None or ih is None or hh.dim() != 2 or ih.dim() != 2:
        raise CheckpointError(
            "checkpoint.user.weight_ih_l_weight",
            "{filename}: {prefix}weight_ih_l0 and {prefix}weight_hh_l0 must be 2-D matrices; "
            "found {ih} and {hh}.",
            filename=filename, prefix=prefix,
            ih=_MISSING if ih is None else list(ih.shape),
            hh=_MISSING if hh is None else list(hh.shape))
    rows, hidden = hh.shape
    if hidden < 1 or rows % hidden or rows // hidden not in USER_KINDS:
        raise CheckpointError(
            "checkpoint.user.weight_hh_l_shape",
            "{filename}: {prefix}weight_hh_l0 has shape {shape}; expected [G*H, H] with G = 4 "
            "(LSTM), 3 (GRU) or 1 (RNN).",
            filename=filename, prefix=prefix, shape=list(hh.shape))
    kind = USER_KINDS[rows // hidden][0]
    num_layers = 1 + max(int(re.search(r"_l(\d+)", k)[1]) for k in layers)
    bidirectional = any(k.endswith("_reverse") for k in layers)
    bias = "bias_ih_l0" in layers
    input_size = int(ih.shape[1])
    if hidden > USER_MAX_SIZE or input_size > USER_MAX_SIZE or num_layers > USER_MAX_LAYERS:
        raise CheckpointError(
            "checkpoint.user.layers_units_reading_inputs",
            "{filename}: {num_layers} layers of {hidden} units reading {input_size} inputs; at "
            "most {max_layers} layers and sizes up to {max_size} are accepted.",
            filename=filename, num_layers=num_layers, hidden=hidden, input_size=input_size,
            max_layers=USER_MAX_LAYERS, max_size=USER_MAX_SIZE)
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
    layers_said = (Phrase("checkpoint.user.one_layer", "1 layer") if num_layers == 1 else
                   Phrase("checkpoint.user.layers", "{count} layers", count=num_layers))
    what = Phrase("checkpoint.user.model_found",
                  "a {kind} with {hidden} hidden units, {layers}{bidirectional}{bias}",
                  kind=kind.upper(), hidden=hidden, layers=layers_said,
                  bidirectional=Phrase("checkpoint.user.bidirectional", ", bidirectional")
                  if bidirectional else "",
                  bias="" if bias else Phrase("checkpoint.user.no_bias", ", no bias"))
    try:
        _check_tensors(expected, _shapes(layers), Phrase(
            "checkpoint.user.for_model", "{filename}: for {what}, found", filename=filename,
            what=what))
    except CheckpointError as err:
        if prefix:
            raise CheckpointError("checkpoint.user.layout_after_prefix",
                                  "{err} (names after the prefix {prefix!r} and shapes of "
                                  "torch.nn.{kind}'s state_dict)",
                                  err=err.phrase, prefix=prefix, kind=kind.upper()) from None
        raise CheckpointError("checkpoint.user.layout",
                              "{err} (names and shapes of torch.nn.{kind}'s state_dict)",
                              err=err.phrase, kind=kind.upper()) from None
    for name, tensor in layers.items():
        if not torch.isfinite(tensor).all():
            raise CheckpointError("checkpoint.user.contains_nan_inf_weights",
                                  "{filename}: {prefix}{name} contains NaN or Inf; the weights "
                                  "must be finite numbers.",
                                  filename=filename, prefix=prefix, name=name)
    return UserModelInfo(kind=kind, input_size=input_size, hidden_size=int(hidden),
                         num_layers=num_layers, bidirectional=bidirectional, bias=bias,
                         prefix=prefix, ignored=ignored, file_format=file_format)


def read_user_model(data: bytes, filename: str) -> tuple[nn.Module, UserModelInfo]:
    """(model, what was found) for an uploaded checkpoint; see `load_user_model`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CheckpointError("checkpoint.user.expected_file_s_bytes",
                              "expected the file's bytes, got {kind}",
                              kind=type(data).__name__)
    data = bytes(data)
    suffix = Path(str(filename or "")).suffix.lower()
    if suffix not in USER_SUFFIXES:
        name = filename or Phrase("uploads.place.the_file", "The file")
        if suffix:
            raise CheckpointError(
                "checkpoint.user.wrong_extension",
                "{filename} has {suffix!r}; checkpoints are read from {suffixes} files. "
                "{export_hint}",
                filename=name, suffix=suffix, suffixes=", ".join(USER_SUFFIXES),
                export_hint=_HINT)
        raise CheckpointError(
            "checkpoint.user.no_extension",
            "{filename} has no extension; checkpoints are read from {suffixes} files. "
            "{export_hint}",
            filename=name, suffixes=", ".join(USER_SUFFIXES), export_hint=_HINT)
    if not data:
        raise CheckpointError("checkpoint.user.empty",
                              "{filename} is empty. {export_hint}",
                              filename=filename, export_hint=_HINT)
    if len(data) > USER_MAX_BYTES:
        raise CheckpointError("checkpoint.user.mb_checkpoints_up_mb",
                              "{filename} is {size:.1f} MB; checkpoints up to "
                              "{limit} MB are accepted.",
                              filename=filename, size=len(data) / 2**20,
                              limit=USER_MAX_BYTES // 2**20)
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

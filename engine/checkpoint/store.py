"""The shipped checkpoints: weights in safetensors, the config that rebuilds the model in JSON
beside it. Trusted files (written by `save` from pretrained/); uploads go through
engine.checkpoint.user.

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

from engine.attention_model import DateTranslator, TranslatorConfig
from engine.autoencoder import AutoencoderConfig, SeqAutoencoder
from engine.cells import CellConfig, build_model
from engine.charlm_model import CharLM, CharLMConfig
from engine.checkpoint.errors import CheckpointError
from engine.digits import Recogniser, RecogniserConfig
from engine.messages import Joined, Phrase
from engine.slot_model import SlotTagger, SlotTaggerConfig

FORMAT = "rnn-lab-checkpoint"
VERSION = 1
SUFFIXES = (".safetensors", ".json")


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
    "date_translator": ModelType(TranslatorConfig, DateTranslator),  # engine.attention
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


def _check_tensors(expected: dict[str, list[int]], got: dict[str, list[int]],
                   where: str | Phrase) -> None:
    """CheckpointError naming missing, unexpected and mis-shaped tensors."""
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(k for k in set(expected) & set(got) if list(expected[k]) != list(got[k]))
    if missing or extra or wrong:
        parts: list[Phrase] = []
        if missing:
            parts.append(Phrase("checkpoint.tensors.missing", "missing {names}", names=missing))
        if extra:
            parts.append(Phrase("checkpoint.tensors.unexpected", "unexpected {names}",
                                names=extra))
        if wrong:
            parts.append(Phrase("checkpoint.tensors.mismatches", "shape mismatch {mismatches}",
                                mismatches=Joined([Phrase(
                                    "checkpoint.tensors.mismatch",
                                    "{name}: expected {expected}, got {got}", name=k,
                                    expected=list(expected[k]), got=list(got[k]))
                                    for k in wrong], ", ")))
        raise CheckpointError("checkpoint.tensors.disagree", "{where}: {problems}",
                              where=where, problems=Joined(parts))


def _build(model_type: str, config: object) -> nn.Module:
    """A fresh model of `model_type` for `config`."""
    try:
        return MODEL_TYPES[model_type].build(config)
    except (TypeError, ValueError) as err:
        raise CheckpointError(
            "checkpoint.store.cannot_build_model_config",
            "cannot build a {model_type!r} model from its config: {err}",
            model_type=model_type, err=err) from err


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
        raise CheckpointError("checkpoint.store.metrics_data_must_plain",
                              "metrics and data must be plain JSON: {err}",
                              err=err) from err
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
        raise CheckpointError("checkpoint.store.checkpoint_config",
                              "no checkpoint config at {json_path}",
                              json_path=json_path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CheckpointError("checkpoint.store.valid_json",
                              "{json_path} is not valid JSON: {err}",
                              json_path=json_path, err=err) from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError("checkpoint.store.file",
                              "{json_path} is not an {format} file",
                              json_path=json_path, format=FORMAT)
    if meta.get("version") != VERSION:
        raise CheckpointError("checkpoint.store.unsupported_version_this_code",
                              "{json_path}: unsupported version {meta!r} (this code reads "
                              "{version})",
                              json_path=json_path, meta=meta.get('version'), version=VERSION)
    for key, kind in (("model_type", str), ("config", dict), ("tensors", dict),
                      ("sha256", str), ("metrics", dict), ("data", dict)):
        if not isinstance(meta.get(key), kind):
            raise CheckpointError("checkpoint.store.missing",
                                  "{json_path}: {key!r} missing or not a {kind}",
                                  json_path=json_path, key=key, kind=kind.__name__)
    model_type = meta["model_type"]
    if model_type not in MODEL_TYPES:
        raise CheckpointError("checkpoint.store.unknown_model_type_valid",
                              "{json_path}: unknown model type {model_type!r}; valid: {value}",
                              json_path=json_path, model_type=model_type,
                              value=', '.join(MODEL_TYPES))
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
        raise CheckpointError("checkpoint.store.invalid",
                              "{json_path}: invalid {kind}: {err}",
                              json_path=json_path, kind=config_class.__name__, err=err) from err
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
    _check_tensors(expected, info.tensors, Phrase(
        "checkpoint.store.tensor_list", "{json_path}: config and tensor list disagree",
        json_path=info.json_path))
    try:
        blob = info.weights_path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError("checkpoint.store.weights_file",
                              "no weights file at {weights_path}",
                              weights_path=info.weights_path) from None
    if hashlib.sha256(blob).hexdigest() != info.sha256:
        raise CheckpointError("checkpoint.store.does_match_sha_changed",
                              "{weights_path} does not match the SHA-256 in {json_path} "
                              "(changed since it was saved)",
                              weights_path=info.weights_path, json_path=info.json_path)
    try:
        state = load_bytes(blob)
    except (SafetensorError, ValueError) as err:
        raise CheckpointError("checkpoint.store.cannot_read",
                              "cannot read {weights_path}: {err}",
                              weights_path=info.weights_path, err=err) from err
    _check_tensors(expected, _shapes(state), str(info.weights_path))
    bad = sorted(k for k, v in state.items() if v.dtype != torch.float32)
    if bad:
        raise CheckpointError("checkpoint.store.tensors_float",
                              "{weights_path}: tensors {bad} are not float32",
                              weights_path=info.weights_path, bad=bad)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model

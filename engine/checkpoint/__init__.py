"""Checkpoints: the shipped ones (trusted, engine.checkpoint.store) and a user's own uploaded
recurrent network (untrusted, engine.checkpoint.user), with one error type
(engine.checkpoint.errors.CheckpointError). Every public name is re-exported here:
`engine.checkpoint.load`, `save`, `read_info`, `load_user_model`, `CheckpointError`, ...
"""

from engine.checkpoint.errors import CheckpointError
from engine.checkpoint.store import (
    FORMAT,
    MODEL_TYPES,
    SUFFIXES,
    VERSION,
    CheckpointInfo,
    ModelType,
    load,
    model_type_of,
    paths,
    read_info,
    save,
)
from engine.checkpoint.user import (
    EXPORT_HINT,
    USER_KINDS,
    USER_MAX_BYTES,
    USER_MAX_HEADER,
    USER_MAX_LAYERS,
    USER_MAX_SIZE,
    USER_MAX_TENSORS,
    USER_SUFFIXES,
    UserModelInfo,
    inspect_user_model,
    load_user_model,
    read_user_model,
)

__all__ = [
    "FORMAT", "MODEL_TYPES", "SUFFIXES", "VERSION", "CheckpointError", "CheckpointInfo",
    "ModelType", "load", "model_type_of", "paths", "read_info", "save",
    "EXPORT_HINT", "USER_KINDS", "USER_MAX_BYTES", "USER_MAX_HEADER", "USER_MAX_LAYERS",
    "USER_MAX_SIZE", "USER_MAX_TENSORS", "USER_SUFFIXES", "UserModelInfo",
    "inspect_user_model", "load_user_model", "read_user_model",
]

"""Weight editor for the lecture's LSTM: 4 rows (z, z_i, z_f, z_o) × (x1, x2, x3, bias).

Owns the session-state keys under "weights." and the URL parameter w (only when edited).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from components import url_params as up
from components.sequence_input import as_written, decode_link, encode_link
from engine import lee
from i18n import N_, _

ROWS = {  # translated where shown
    "z": N_("z · cell input"),
    "i": N_("z_i · input gate"),
    "f": N_("z_f · forget gate"),
    "o": N_("z_o · output gate"),
}
COLUMNS = ["x1", "x2", "x3", "bias"]
KEY = "weights.values"  # tuple of 4 tuples of 4 floats, in ROWS order
_VERSION = "weights.version"
EXPERIMENTS = {  # button label (translated where shown) → rows replaced
    N_("Forget every step (forget bias −10)"): {"f": (0.0, 100.0, 0.0, -10.0)},
    N_("Always output (output bias +10)"): {"o": (0.0, 0.0, 100.0, 10.0)},
    N_("Add every input (input bias +10)"): {"i": (0.0, 100.0, 0.0, 10.0)},
}

Weights = tuple[tuple[float, float, float, float], ...]


def lecture_weights() -> Weights:
    """The lecture's hand-set weights, in ROWS order."""
    return tuple(tuple(float(v) for v in lee.LECTURE_WEIGHTS[name]) for name in ROWS)


def as_dict(weights: Weights) -> dict[str, tuple[float, float, float, float]]:
    """Weights in the shape `engine.lee.lecture_lstm` takes."""
    return dict(zip(ROWS, weights, strict=True))


def load_url(params) -> list[str]:
    """Seed the weights from the URL's w parameter; returns invalid names."""
    if "w" not in params:
        return []
    table = decode_link(up.get(params, "w"), width=4)
    if table is None or table.shape[0] != 4:
        return ["w"]
    st.session_state[KEY] = tuple(tuple(row) for row in as_written(table))
    return []


def url_params(weights: Weights) -> dict[str, str]:
    """The URL parameter that reproduces `weights` (nothing for the lecture's own)."""
    if weights == lecture_weights():
        return {}
    return {"w": encode_link(torch.tensor(weights))}


def _set(weights: Weights) -> None:
    st.session_state[KEY] = weights
    st.session_state[_VERSION] = st.session_state.get(_VERSION, 0) + 1


def _apply(change: dict[str, tuple[float, ...]]) -> None:
    """Button callback: the lecture's weights with the rows in `change` replaced."""
    table = dict(as_dict(lecture_weights()), **change)
    _set(tuple(tuple(table[name]) for name in ROWS))


def current_weights() -> Weights:
    """The weights in use (the lecture's until edited)."""
    return st.session_state.get(KEY, lecture_weights())


def weight_editor() -> Weights:
    """Render the editable table and experiment buttons; returns the weights to use."""
    st.session_state.setdefault(KEY, lecture_weights())
    weights = st.session_state[KEY]
    frame = pd.DataFrame(as_written(torch.tensor(weights)),
                         index=[_(row) for row in ROWS.values()], columns=COLUMNS, dtype=float)
    st.caption(_(
        "Each gate's pre-activation is w1·x1 + w2·x2 + w3·x3 + bias. The lecture's values: "
        "z = x1, z_i = 100·x2 − 10, z_f = 100·x2 + 10, z_o = 100·x3 − 10."
    ))
    edited = st.data_editor(
        frame, key=f"weights.editor.{st.session_state.get(_VERSION, 0)}",
        column_config={c: st.column_config.NumberColumn(c, format="%g", required=True)
                       for c in COLUMNS},
        width="content",
    )
    buttons = st.columns(len(EXPERIMENTS) + 1)
    buttons[0].button(
        _("Lecture's weights"), key="weights.reset", icon=":material/restart_alt:",
        on_click=_set, args=(lecture_weights(),), width="stretch",
    )
    for column, (label, change) in zip(buttons[1:], EXPERIMENTS.items(), strict=True):
        column.button(_(label), key=f"weights.{next(iter(change))}", on_click=_apply,
                      args=(change,), width="stretch")
    if edited.isna().any().any():
        st.warning(_("Every weight needs a number; empty cells keep their previous value."))
        edited = edited.fillna(frame)
    return tuple(tuple(float(v) for v in row) for row in edited.values.tolist())

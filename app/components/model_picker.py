"""Model picker: the lecture's hand-wired LSTM, a shipped trained model (engine.zoo) or an
untrained LSTM/GRU/Elman/Jordan network.

Owns the session-state keys under "picker." and the URL parameters model, in, hid, layers, bi,
act and seed.
"""

from __future__ import annotations

import streamlit as st

import resources
from choices import LECTURE, MODELS, ModelChoice, model_name
from components import upload
from components import url_params as up
from engine import zoo
from engine.trace import describe_model
from i18n import _

UNTRAINED = ("lstm", "gru", "rnn", "jordan")
NONLINEARITIES = {"tanh": "tanh", "relu": "ReLU"}
LIMITS = {"in": (1, 64), "hid": (1, 256), "layers": (1, 3), "seed": (0, 2**31 - 1)}
DEFAULTS = {
    "model": "lecture", "in": 3, "hid": 4, "layers": 1, "bi": False, "act": "tanh", "seed": 0,
}
KEYS = {name: f"picker.{name}" for name in DEFAULTS}




def cell_kind(choice: ModelChoice) -> str:
    """The cell kind ("lstm", "gru", "rnn", "jordan") the choice steps."""
    if choice.is_lecture:
        return "lstm"
    if choice.is_own:
        return choice.cell
    if choice.is_shipped:
        return describe_model(resources.get_shipped_model(choice.kind)).kind
    return choice.kind


def shipped_choice(key: str) -> ModelChoice:
    """The choice of the shipped model `key`, sized like the model itself."""
    size = _shipped_sizes(key)
    return ModelChoice(key, input_size=size[0], hidden_size=size[1])


def _shipped_sizes(key: str) -> tuple[int, int]:
    """(input size, hidden size) of a shipped model, read from its config."""
    spec = describe_model(resources.get_shipped_model(key))
    return spec.input_size, spec.hidden_size


def _parse(name: str, raw: str | None):
    """A URL value for `name` as its Python value, or None if it is not valid."""
    if name == "model":
        return up.choice_value(raw, MODELS)
    if name == "act":
        return up.choice_value(raw, NONLINEARITIES)
    if name == "bi":
        return up.bool_value(raw)
    return up.int_value(raw, *LIMITS[name])


def load_url(params) -> list[str]:
    """Seed the picker's state from URL parameters; returns the names that were not valid."""
    bad = []
    for name, key in KEYS.items():
        raw = up.get(params, name)
        if raw is None:
            continue
        value = _parse(name, raw)
        if value is None:
            bad.append(name)
        else:
            st.session_state[key] = value
    return bad


def url_params(choice: ModelChoice) -> dict[str, str]:
    """The URL parameters that reproduce `choice`."""
    if choice.is_own:  # the file cannot travel in a link: it asks for an upload instead
        return {"model": "own"}
    if choice.is_lecture or choice.is_shipped:
        return {"model": choice.kind}
    params = {"model": choice.kind, "in": choice.input_size, "hid": choice.hidden_size}
    params |= {"layers": choice.num_layers, "bi": int(choice.bidirectional), "seed": choice.seed}
    if choice.kind in ("rnn", "jordan"):
        params["act"] = choice.nonlinearity
    return {k: str(v) for k, v in params.items()}


def model_picker() -> ModelChoice:
    """Render the picker (call inside the sidebar or a column) and return the choice."""
    for name, key in KEYS.items():
        st.session_state.setdefault(key, DEFAULTS[name])
    kind = st.selectbox(
        _("Model"), list(MODELS), format_func=model_name, key=KEYS["model"],
        persist_state="session",
        help=_("The lecture's LSTM has hand-set weights that implement its add/reset/output "
               "rules. Trained models were trained on a task and ship with the app (see "
               "pretrained/). Untrained networks have random weights: every cell type can be "
               "stepped."),
    )
    if kind == "lecture":
        st.caption(_("One memory cell, inputs x1, x2, x3; linear g and h, sigmoid gates (§3)."))
        return LECTURE
    if kind in zoo.SHIPPED:
        return shipped_choice(kind)
    if kind == "own":
        return _own_choice()
    left, right = st.columns(2)
    input_size = left.number_input(
        _("Input size"), *LIMITS["in"], key=KEYS["in"], persist_state="session"
    )
    hidden_size = right.number_input(
        _("Hidden units"), *LIMITS["hid"], key=KEYS["hid"], persist_state="session"
    )
    layers = left.number_input(
        _("Layers"), *LIMITS["layers"], key=KEYS["layers"], persist_state="session"
    )
    seed = right.number_input(_("Seed"), *LIMITS["seed"], key=KEYS["seed"],
                              persist_state="session")
    nonlinearity = "tanh"
    if kind in ("rnn", "jordan"):
        nonlinearity = st.segmented_control(
            _("Activation"), list(NONLINEARITIES), format_func=NONLINEARITIES.get,
            key=KEYS["act"], persist_state="session",
        ) or "tanh"
    bidirectional = st.toggle(_("Bidirectional"), key=KEYS["bi"], persist_state="session")
    return ModelChoice(
        kind, int(input_size), int(hidden_size), int(layers), bool(bidirectional), nonlinearity,
        int(seed),
    )


def _own_choice() -> ModelChoice:
    """The uploaded model as a choice, or the lecture's LSTM until one loads."""
    own = upload.model_upload("upload.stepper_model", _("Upload your trained LSTM, GRU or RNN"))
    if own is None:
        st.caption(_("Until a model is uploaded, the lecture's LSTM is shown."))
        return LECTURE
    st.caption(_("This page's link keeps the sequence and the step but never the model file: "
                 "whoever opens it is asked to upload the model."))
    info = own.info
    return ModelChoice("own", info.input_size, info.hidden_size, info.num_layers,
                       info.bidirectional, digest=own.digest, cell=info.kind)

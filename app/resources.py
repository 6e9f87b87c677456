"""The only place with Streamlit caches: models, traces and the figures built from them.

Keys are plain hashable values (a frozen ModelChoice, weight tuples, the sequence as nested
tuples), so the same model and sequence are computed once per process.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
import torch

from components.model_picker import ModelChoice
from engine import cells, lee
from engine.trace import Trace, trace
from figures.animation import animation_html, memory_animation

Weights = tuple[tuple[float, ...], ...] | None
Steps = tuple[tuple[float, ...], ...]


@st.cache_resource(max_entries=32, show_spinner=False)
def get_model(choice: ModelChoice, weights: Weights = None) -> torch.nn.Module:
    """The model for a picker choice (the lecture's with `weights`, or a seeded untrained one)."""
    if choice.is_lecture:
        names = ("z", "i", "f", "o")
        return lee.lecture_lstm(dict(zip(names, weights, strict=True)) if weights else None)
    config = cells.CellConfig(
        kind=choice.kind,
        input_size=choice.input_size,
        hidden_size=choice.hidden_size,
        num_layers=choice.num_layers,
        bidirectional=choice.bidirectional,
        nonlinearity=choice.nonlinearity,
    )
    return cells.build_model(config, seed=choice.seed)


@st.cache_resource(max_entries=128, show_spinner=False)
def get_trace(choice: ModelChoice, weights: Weights, steps: Steps) -> Trace:
    """Every recorded value of the model reading `steps` ([T][I] nested tuples)."""
    model = get_model(choice, weights)
    with torch.no_grad():
        return trace(model, torch.tensor(steps, dtype=torch.float32))


@st.cache_resource(max_entries=32, show_spinner=False)
def get_animation(choice: ModelChoice, weights: Weights, steps: Steps) -> tuple[go.Figure, str]:
    """The memory animation figure and the same animation as a self-contained HTML page."""
    figure = memory_animation(get_trace(choice, weights, steps))
    return figure, animation_html(figure)


def steps_key(x: torch.Tensor) -> Steps:
    """A [T, I] tensor as nested tuples, for use as a cache key."""
    return tuple(tuple(row) for row in x.tolist())

"""The only place with Streamlit caches: models, traces and the figures built from them.

Keys are plain hashable values (a frozen ModelChoice, weight tuples, the sequence as nested
tuples), so the same model and sequence are computed once per process.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

from choices import DIGITS, ModelChoice, run_label
from engine import cells, ctc, gradients, lee, zoo
from engine.trace import Trace, trace
from figures.animation import animation_html, memory_animation
from figures.ctc import alpha_animation, reachable_nodes
from figures.step_frames import step_frames
from figures.timeline import state_heatmaps, state_lines

DEFAULT_RUNS = Path(__file__).resolve().parents[1] / "pretrained" / "gradient_runs.json"
Weights = tuple[tuple[float, ...], ...] | None
# A sequence as a cache key: [T][I] nested tuples of numbers, or ("text", the text) for a shipped
# model that reads text (see `sequence_tensor`).
Steps = tuple[tuple[float, ...], ...] | tuple[str, str]


@st.cache_resource(max_entries=32, show_spinner=False)
def get_model(choice: ModelChoice, weights: Weights = None) -> torch.nn.Module:
    """The model for a picker choice (the lecture's with `weights`, or a seeded untrained one)."""
    if choice.is_lecture:
        names = ("z", "i", "f", "o")
        return lee.lecture_lstm(dict(zip(names, weights, strict=True)) if weights else None)
    if choice.is_shipped:
        return get_shipped_model(choice.kind)
    if choice.is_own:  # uploaded: keyed by its SHA-256 (components.upload)
        return own_model(choice.digest)
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
        return trace(model, sequence_tensor(choice, steps))


@st.cache_data(max_entries=64, show_spinner=False)
def get_step_frames(choice: ModelChoice, weights: Weights, steps: Steps, unit: int, layer: int,
                    direction: int, first: int, last: int, lang: str = "en") -> dict:
    """Steps first..last-1 of the trace as the browser stepper draws them (figures.step_frames),
    their words in `lang` (a cache key)."""
    import i18n

    with i18n.using(lang):
        return step_frames(get_trace(choice, weights, steps), first, last, unit, layer,
                           direction)


@st.cache_resource(max_entries=16, show_spinner=False)
def get_shipped_model(key: str) -> torch.nn.Module:
    """A shipped trained model (engine.zoo), loaded once per process and never changed."""
    return zoo.shipped(key).load()


@st.cache_data(max_entries=64, show_spinner=False)
def get_step_labels(key: str, text: str) -> list[str]:
    """What each step of a text model reads: its token or character."""
    return zoo.shipped(key).labels(text)


def sequence_tensor(choice: ModelChoice, steps: Steps) -> torch.Tensor:
    """The input [T, I] a cache key stands for: the numbers, or the shipped model's encoding."""
    if len(steps) == 2 and steps[0] == "text" and isinstance(steps[1], str):
        return zoo.shipped(choice.kind).encode(steps[1])
    return torch.tensor(steps, dtype=torch.float32)


@st.cache_resource(max_entries=32, show_spinner=False)
def get_animation(choice: ModelChoice, weights: Weights, steps: Steps, lang: str = "en"
                  ) -> tuple[go.Figure, str]:
    """The memory animation figure and the same animation as a self-contained HTML page, their
    words in `lang` (a cache key)."""
    import i18n

    with i18n.using(lang):
        figure = memory_animation(get_trace(choice, weights, steps))
        return figure, animation_html(figure)


@st.cache_resource(max_entries=32, show_spinner=False)
def get_timeline(choice: ModelChoice, weights: Weights, steps: Steps,
                 units: tuple[int, ...] | None,
                 labels: tuple[str, ...] | list[str] | None = None, lang: str = "en"
                 ) -> go.Figure:
    """Gates, memory and hidden values over time (lines for ≤ 4 units, else heatmaps), marked at
    step 1, its words in `lang` (a cache key); pages move the marker with
    `figures.timeline.move_step` (never change this one)."""
    import i18n

    trace = get_trace(choice, weights, steps)
    build = state_lines if trace.hidden.shape[1] <= 4 else state_heatmaps
    with i18n.using(lang):
        return build(trace, 0, list(units) if units else None,
                     step_labels=list(labels) if labels else None)


@st.cache_data(show_spinner=False)
def get_weight_comparison(lang: str = "en") -> pd.DataFrame:
    """The learned lecture LSTM's input weights and biases next to the hand-set ones, its words
    in `lang` (a cache key)."""
    import i18n
    from i18n import _

    learned = lee.lecture_weights(get_shipped_model("lecture_learned"))
    with i18n.using(lang):
        names = {"z": _("cell input z"), "i": _("input gate z_i"), "f": _("forget gate z_f"),
                 "o": _("output gate z_o")}
        hand_wired, trained = _("hand-wired"), _("learned")
        gate_column, model_column = _("gate"), _("model")
    rows = []
    for gate, title in names.items():
        for model, weights in ((hand_wired, lee.LECTURE_WEIGHTS[gate]), (trained,
                                                                         learned[gate])):
            rows.append({gate_column: title, model_column: model,
                         **{k: round(v, 2) for k, v in zip(("x1", "x2", "x3", "bias"), weights,
                                                           strict=True)}})
    return pd.DataFrame(rows)


def steps_key(x: torch.Tensor) -> Steps:
    """A [T, I] tensor as nested tuples, for use as a cache key."""
    return tuple(tuple(row) for row in x.tolist())


# -- gradient lab ----------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def get_error_surface(points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ws, bs, loss [ws, bs]) of Pascanu's one-unit network on the default window."""
    ws, bs = gradients.default_window(points)
    return ws, bs, gradients.error_surface(ws, bs)


@st.cache_resource(max_entries=32, show_spinner=False)
def get_norm_comparison(steps: int, hidden: int, radius: float, forget_bias: float,
                        seed: int) -> dict[str, gradients.GradNorms]:
    """‖∂L/∂h_t‖ of a tanh RNN, a ReLU RNN, a GRU and an LSTM on one seeded input."""
    return gradients.compare_grad_norms(steps, hidden, radius, forget_bias, seed)


@st.cache_resource(max_entries=32, show_spinner=False)
def get_model_norms(choice: ModelChoice, weights: Weights, steps: Steps) -> gradients.GradNorms:
    """‖∂L/∂h_t‖ of the stepper's model on the stepper's sequence."""
    model = get_model(choice, weights)
    return gradients.hidden_grad_norms(model, sequence_tensor(choice, steps))


@st.cache_resource(show_spinner=False)
def get_default_runs() -> dict[str, gradients.TrainingRun]:
    """The training runs shipped with the app (pretrained/gradient_runs.json), by label."""
    data = json.loads(DEFAULT_RUNS.read_text())
    runs = [gradients.TrainingRun.from_dict(run) for run in data["runs"].values()]
    return {run_label(r.settings["kind"], r.settings["clip"]): r for r in runs}


# -- CTC lab ---------------------------------------------------------------------------------

CTC_SNAPSHOTS = Path(__file__).resolve().parents[1] / "pretrained" / "ctc_digits"


@st.cache_resource(max_entries=64, show_spinner=False)
def get_ctc_structure(frames: int, target: tuple[int, ...], num_classes: int) -> ctc.Lattice:
    """The lattice of `target` over `frames` frames under uniform per-frame probabilities.

    Every alignment is then equally likely, so the occupancy of a node is the share of the
    alignments that pass through it. ValueError (the engine's message) when T is too short.
    """
    uniform = np.full((frames, num_classes), -np.log(num_classes))
    return ctc.lattice(uniform, list(target))


@st.cache_data(max_entries=64, show_spinner=False)
def get_alignment_page(frames: int, target: tuple[int, ...], start: int,
                       stop: int) -> list[list[int]]:
    """Alignments start..stop-1 (state sequences [T]) in the engine's order; ValueError past
    ctc.MAX_LISTED_ALIGNMENTS."""
    ctc.check_listed(stop)
    return list(itertools.islice(ctc.alignments(frames, list(target), as_states=True),
                                 start, stop))


@st.cache_resource(max_entries=4, show_spinner=False)
def get_own_lattice(key: str, _log_probs: np.ndarray, target: tuple[int, ...]) -> ctc.Lattice:
    """The lattice of your own posteriors `_log_probs` [T, C] (keyed by the SHA-256 of their
    bytes) and target; ValueError (the engine's message) when it cannot be built."""
    return ctc.lattice(_log_probs, list(target))


@st.cache_resource(max_entries=16, show_spinner=False)
def get_strip_check(sha256: str, _data: bytes) -> object | None:
    """Why an uploaded PNG (keyed by its SHA-256) is not a digit strip, or None when it looks
    like one (engine.digits.check_strip on the picture at full size): the engine's phrase
    (engine.messages.Phrase, worded by app/errors.py in the reader's language), or its text."""
    from engine import digits
    from engine.messages import UserError

    try:
        digits.check_strip(digits.png_pixels(_data))
    except UserError as problem:
        return problem.phrase
    except ValueError as problem:
        return str(problem)
    return None


# The recogniser's modules (engine.digits, engine.checkpoint) are imported by the functions
# that use them, so the other tabs never load them.


@st.cache_resource(show_spinner=False)
def get_ctc_snapshots() -> dict[int, dict]:
    """The shipped recogniser snapshots (pretrained/ctc_digits/): epoch → their metrics."""
    paths = sorted(CTC_SNAPSHOTS.glob("epoch_*.json"))
    if not paths:
        return {}
    from engine import checkpoint

    out = {}
    for path in paths:
        info = checkpoint.read_info(path)
        out[int(info.metrics.get("epoch", path.stem.split("_")[-1]))] = info.metrics | {
            "path": str(path)}
    return out


@st.cache_resource(max_entries=8, show_spinner=False)
def get_recogniser(epoch: int) -> torch.nn.Module:
    """The shipped recogniser snapshot after `epoch` epochs."""
    from engine import checkpoint

    return checkpoint.load(get_ctc_snapshots()[epoch]["path"])


@st.cache_resource(max_entries=64, show_spinner=False)
def get_strip(numbers: tuple[int, ...] | None, seed: int):
    """A strip of held-out ("test") scans writing `numbers` (None: random digits), seeded:
    an engine.digits.Strip."""
    from engine import digits

    return digits.make_strip(list(numbers) if numbers else None, seed, split="test")


@st.cache_resource(max_entries=64, show_spinner=False)
def get_strip_reading(epoch: int, numbers: tuple[int, ...], seed: int
                      ) -> tuple[np.ndarray, ctc.Lattice]:
    """The recogniser's log-probabilities [T, 11] for a strip and its lattice for the digits."""
    strip = get_strip(numbers, seed)
    with torch.no_grad():
        log_probs = get_recogniser(epoch)(strip.image).double().numpy()
    return log_probs, ctc.lattice(log_probs, strip.ctc_labels)


@st.cache_resource(max_entries=16, show_spinner=False)
def get_strip_animation(epoch: int, numbers: tuple[int, ...], seed: int,
                        lang: str = "en") -> go.Figure:
    """α filling the strip's lattice, frame by frame (a browser-side animation), its words in
    `lang` (a cache key: two readers may read it in two languages)."""
    import i18n

    _, lat = get_strip_reading(epoch, numbers, seed)
    structure = get_ctc_structure(lat.num_frames, tuple(lat.target), lat.log_probs.shape[1])
    with i18n.using(lang):
        return alpha_animation(lat, DIGITS, reachable_nodes(structure))


# -- slot-filling lab ------------------------------------------------------------------------


@st.cache_resource(max_entries=64, show_spinner=False)
def get_slot_reading(sentence: str, model: str, encoding: str):
    """The shipped tagger `model` (with `encoding`) reading `sentence`: engine.slots.Reading."""
    from engine import slots

    return slots.read(sentence, model, encoding)


@st.cache_data(max_entries=64, show_spinner=False)
def get_slot_frames(texts: tuple[str, str], model: str, encoding: str, look: str, first: int,
                    last: int, lang: str = "en") -> dict:
    """Words first..last-1 of both sentences as the browser stepper draws them
    (figures.slot_frames, `look`: wide, present or phone), their words in `lang` (a cache
    key)."""
    import i18n
    from figures.slot_frames import slot_frames

    a, b = (get_slot_reading(text, model, encoding) for text in texts)
    with i18n.using(lang):
        return slot_frames(a, b, first, last, look)


@st.cache_data(max_entries=32, show_spinner=False)
def get_slot_table(sentences: tuple[str, ...], encoding: str) -> pd.DataFrame:
    """Every shipped tagger's slots for each sentence (one row per tagger)."""
    from engine import slots

    rows = []
    for model, title in slots.MODEL_TITLES.items():
        row = {"tagger": title}
        for name, sentence in zip("AB", sentences, strict=False):
            tags = get_slot_reading(sentence, model, encoding).tags
            row[f"sentence {name}"] = " · ".join(tags)
        rows.append(row)
    return pd.DataFrame(rows)


# -- character LSTM lab ----------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_charlm():
    """The shipped character-level LSTM language model (engine.charlm.CharLM)."""
    from engine import charlm

    return charlm.shipped_model()


@st.cache_data(show_spinner=False)
def get_charlm_metrics() -> dict:
    """The shipped character LSTM's metrics (held-out bits per character, ...)."""
    from engine import charlm, checkpoint

    return checkpoint.read_info(charlm.CHECKPOINT).metrics


@st.cache_resource(max_entries=16, show_spinner=False)
def get_charlm_reading(text: str):
    """Every cell value and next-character distribution over `text` (engine.charlm.Reading);
    ValueError (the engine's message) for an empty or too long text."""
    from engine import charlm

    return charlm.read(get_charlm(), text)


@st.cache_resource(max_entries=16, show_spinner=False)
def get_charlm_top(text: str, k: int = 5):
    """The k likeliest next characters after every character of `text` (engine.charlm.TopK)."""
    from engine import charlm

    return charlm.top_k(get_charlm_reading(text).probs, get_charlm().config.alphabet, k)


@st.cache_resource(max_entries=32, show_spinner=False)
def get_charlm_ranking(text: str, series: str):
    """Every cell's correlation with every feature over `text` (engine.charlm.CellRanking)."""
    from engine import charlm

    return charlm.rank_cells(get_charlm_reading(text), series)


# -- your own files (components.upload): keyed by the SHA-256 of their bytes ----------------
# `_data` is not hashed by Streamlit: `sha256` stands for it, so one user's file is found only
# by someone holding the same bytes. Parsed sequences are copied per call (cache_data); models
# are shared and never changed (eval mode, no gradients on their weights).


@st.cache_data(max_entries=64, show_spinner=False)
def get_uploaded_sequences(sha256: str, filename: str, _data: bytes,
                           fill: str | None = None) -> list:
    """engine.uploads.parse of an uploaded file (a list of Sequence); UploadError otherwise.
    fill: None, or "interpolate" to fill a table's missing cells."""
    from engine import uploads

    return uploads.parse(_data, filename, fill=fill)


@st.cache_resource(max_entries=16, show_spinner=False)
def get_user_model(sha256: str, filename: str, _data: bytes):
    """(model, UserModelInfo) of an uploaded checkpoint (engine.checkpoint.read_user_model)."""
    from engine import checkpoint

    return checkpoint.read_user_model(_data, filename)


_USER_MODELS = "resources.user_models"  # digest -> (file name, bytes), this session's checkpoints
MAX_KEPT_MODELS = 4  # uploaded checkpoints kept per session (a reload or a link finds them)


def keep_user_model(sha256: str, name: str, data: bytes) -> None:
    """Remember an uploaded checkpoint's bytes for this browser session (newest last)."""
    kept = st.session_state.setdefault(_USER_MODELS, {})
    kept.pop(sha256, None)
    kept[sha256] = (name, data)
    while len(kept) > MAX_KEPT_MODELS:
        kept.pop(next(iter(kept)))


def own_model(sha256: str) -> torch.nn.Module:
    """The torch module of a checkpoint this session uploaded (from the cache, or its bytes);
    CheckpointError when this session holds no such file."""
    from engine.checkpoint import CheckpointError

    kept = st.session_state.get(_USER_MODELS, {})
    if sha256 not in kept:
        raise CheckpointError("that uploaded model is no longer here; upload it again.")
    name, data = kept[sha256]
    return get_user_model(sha256, name, data)[0]


@st.cache_data(show_spinner=False)
def get_example_file(ext: str) -> tuple[str, bytes]:
    """(name, bytes) of the example file of a format (engine.uploads.example)."""
    from engine import uploads

    return uploads.example(ext)


@st.cache_resource(max_entries=32, show_spinner=False)
def get_user_norms(model_sha256: str, sequence_key: tuple, _x: np.ndarray
                   ) -> gradients.GradNorms:
    """‖∂L/∂h_t‖ of an uploaded model (by its SHA-256, loaded by this session) on a sequence
    `_x` [T, I] that `sequence_key` names (a file's SHA-256 and index, or a noise seed)."""
    model = own_model(model_sha256)
    return gradients.hidden_grad_norms(model, torch.as_tensor(_x, dtype=torch.float32))


@st.cache_resource(max_entries=16, show_spinner=False)
def get_own_strip_reading(epoch: int, sha256: str, _image: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """The shipped recogniser's log-probabilities [T, 11] for an uploaded strip image [8, W]
    (keyed by the file's SHA-256), and the image."""
    with torch.no_grad():
        log_probs = get_recogniser(epoch)(_image).double().numpy()
    return log_probs, _image


# -- sequence embeddings (engine.embeddings, engine.projection) ------------------------------


@st.cache_resource(show_spinner=False)
def get_projection_warmup():
    """engine.projection.WarmUp of a background thread compiling UMAP's numba code (started
    once per process, the first time any page asks)."""
    import threading

    from engine import projection

    state = projection.WarmUp(message="starting")
    threading.Thread(target=projection.warm_up, args=(state,), daemon=True,
                     name="umap-warm-up").start()
    return state


@st.cache_resource(max_entries=4, show_spinner=False)
def get_embedding_set(name: str):
    """A shipped embedding set (engine.embeddings.EmbeddingSet), loaded once per process."""
    from engine import embeddings

    return embeddings.load_set(name)


@st.cache_resource(show_spinner=False)
def _embedding_maps() -> tuple[dict, object]:
    """(maps made in this process by (set name or codes' SHA-256, method, params), the lock
    every read and write of it holds): a bounded store shared by every session; a map in it
    is never changed once made."""
    import threading

    return {}, threading.Lock()


def get_embedding_map(name: str, method: str, params: tuple, progress=None, own=None):
    """engine.projection.Projection of a set's codes: the set's own map when `params` (sorted
    (key, value) pairs) are the ones it was made with, else a new one (seed 0), made once per
    process. `own`: a set this session trained (engine.embeddings.train_own) instead of the
    shipped set `name`; its maps are keyed by the SHA-256 of its codes. `progress(fraction,
    message)` hears a new map's progress (it is called outside any cached function, so it may
    draw)."""
    import hashlib

    from engine import projection

    s = own if own is not None else get_embedding_set(name)
    made_with = s.maps.get(method)
    wanted = dict(params)
    if made_with is not None and all(made_with.params.get(k) == v for k, v in wanted.items()):
        return made_with
    maps, lock = _embedding_maps()
    key = (name, method, params)
    if own is not None:
        key = (hashlib.sha256(own.codes.tobytes()).hexdigest(), method, params)
    with lock:
        found = maps.get(key)
    if found is not None:
        return found
    made = projection.project(s.codes, method, seed=0, progress=progress, **wanted)
    with lock:
        while len(maps) >= 12:  # keep the newest few
            maps.pop(next(iter(maps)))
        return maps.setdefault(key, made)


@st.cache_data(max_entries=64, show_spinner=False)
def get_placed_words(name: str, method: str, params: tuple, words: tuple[str, ...]):
    """(codes [M, C], positions [M, 2], reconstructions [M]) of new words in a frozen map."""
    from engine import embeddings

    return embeddings.place_words(get_embedding_set(name), method, list(words),
                                  get_embedding_map(name, method, params))


@st.cache_data(max_entries=64, show_spinner=False)
def get_rebuilt_frames(name: str, index: int):
    """(original [T, F], reconstruction [T, F]) of recording `index` of a spoken-word set."""
    from engine import embeddings

    return embeddings.rebuild_frames(get_embedding_set(name), index)


@st.cache_data(max_entries=16, show_spinner=False)
def get_placed_recording(name: str, method: str, params: tuple, sha256: str, _data: bytes):
    """(frames [T, F], position [1, 2], rebuilt frames [T, F]) of an uploaded WAV of one spoken
    word (keyed by the SHA-256 of its bytes), placed into a spoken-word set's frozen map."""
    from engine import embeddings

    return embeddings.place_recording(get_embedding_set(name), _data,
                                      get_embedding_map(name, method, params))


@st.cache_data(max_entries=16, show_spinner=False)
def get_own_placement(codes_sha256: str, method: str, params: tuple, file_sha256: str,
                      window: int, _s, _sequences: list, _proj):
    """engine.embeddings.place_own of an uploaded file (keyed by the SHA-256 of its bytes) into
    the map (method, params) of a set this session trained (keyed by the SHA-256 of its
    codes)."""
    from engine import embeddings

    return embeddings.place_own(_s, _sequences, _proj, window)


@st.cache_data(show_spinner=False)
def get_own_examples() -> dict[str, bytes]:
    """Ready-to-train example files for the embeddings page (engine.embeddings.own_examples)."""
    from engine import embeddings

    return embeddings.own_examples()


# -- attention lab ------------------------------------------------------------------------------


@st.cache_resource(max_entries=2, show_spinner=False)
def get_date_translator(name: str):
    """A shipped date translator of the attention lab (engine.attention.MODELS), loaded once."""
    from engine import attention

    return attention.shipped_model(name)


@st.cache_data(max_entries=2, show_spinner=False)
def get_attention_metrics(name: str) -> dict:
    """The held-out scores stored with a shipped date translator."""
    from engine import attention

    return attention.shipped_metrics(name)


@st.cache_resource(max_entries=64, show_spinner=False)
def get_translation(text: str, name: str):
    """engine.attention.translate of `text` by the shipped model `name`, every step recorded
    (ValueError for an empty or too long text is not cached)."""
    from engine import attention

    return attention.translate(text, get_date_translator(name))

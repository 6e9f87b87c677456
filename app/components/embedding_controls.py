"""Widgets of the embeddings page. Owns the session-state keys under "emb."."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

import markup
import resources
from components import own_embeddings, upload, url_params
from engine import embeddings, projection

DEFAULT_ACTIVE = ("umap", tuple(sorted({k: v for k, v in projection.UMAP_DEFAULTS.items()}
                                       .items())))
MAX_TYPED = 2_000  # characters in the words box (a word list is uploaded instead)
WARM_WAIT_S = 180.0  # longest wait for UMAP's background compilation before giving up


def map_controls() -> tuple[str, tuple]:
    """Method and parameters of the map shown; a new map is made only on "Recompute map"."""
    st.session_state.setdefault("emb.active", DEFAULT_ACTIVE)
    with st.expander("Map: UMAP or PCA, and its parameters", expanded=False):
        cols = st.columns([1.2, 1, 1, 1, 1])
        method = cols[0].radio("Method", ("umap", "pca"), key="emb.method", horizontal=True,
                               format_func=str.upper)
        umap = method == "umap"
        k = cols[1].slider("n_neighbors", 2, projection.MAX_NEIGHBOURS, 15, key="emb.k",
                           disabled=not umap,
                           help="How many neighbours each point's local structure uses.")
        d = cols[2].slider("min_dist", 0.0, 0.99, 0.1, step=0.01, key="emb.min_dist",
                           disabled=not umap, help="How tightly points may pack together.")
        metric = cols[3].selectbox("metric", projection.METRICS, key="emb.metric",
                                   disabled=not umap)
        cols[4].write("")
        if cols[4].button("Recompute map", key="emb.recompute", type="primary"):
            params = (("metric", metric), ("min_dist", float(d)), ("n_epochs", 200),
                      ("n_neighbors", int(k))) if umap else ()
            st.session_state["emb.active"] = (method, params)
    return st.session_state["emb.active"]


def compute_map(name: str, active: tuple[str, tuple], warm: projection.WarmUp,
                own: embeddings.EmbeddingSet | None = None):
    """The map for `active`, waiting (with progress) for UMAP's warm-up first if needed.
    `own`: a set this session trained, instead of the shipped set `name`."""
    method, params = active
    if own is not None and method == "umap" and dict(params).get(
            "n_neighbors", projection.UMAP_DEFAULTS["n_neighbors"]) >= len(own.codes):
        st.info(f"UMAP needs more points than n_neighbors; with {len(own.codes)} sequences the "
                "map is PCA.", icon=":material/info:")
        active = method, params = ("pca", ())
    if (active == DEFAULT_ACTIVE and own is None) or method == "pca":
        return resources.get_embedding_map(name, method, params, own=own)
    if not warm.ready:
        bar = st.progress(warm.fraction, text=f"Preparing UMAP: {warm.message}")
        start = time.monotonic()
        while not warm.done.is_set() and time.monotonic() - start < WARM_WAIT_S:
            time.sleep(0.3)
            bar.progress(warm.fraction, text=f"Preparing UMAP: {warm.message}")
        bar.empty()
        if not warm.ready:
            st.error(f"UMAP is not available ({markup.md(warm.error or 'still compiling')}); "
                     "showing PCA.")
            st.session_state["emb.active"] = ("pca", ())
            return resources.get_embedding_map(name, "pca", (), own=own)
    bar = st.progress(0.0, text="Recomputing the map")
    try:
        proj = resources.get_embedding_map(
            name, method, params, progress=lambda f, m: bar.progress(min(f, 1.0), text=m),
            own=own)
    except ValueError as exc:
        bar.empty()
        st.error(f"Could not make that map: {markup.md(exc)}")
        st.session_state["emb.active"] = DEFAULT_ACTIVE if own is None else ("pca", ())
        return resources.get_embedding_map(name, *st.session_state["emb.active"], own=own)
    bar.empty()
    return proj


def view_controls(s: embeddings.EmbeddingSet) -> tuple[str, str, str, object]:
    """(colour-by, search text, new words typed ("" for a spoken or own set), and what was
    uploaded to place: a word list (upload.Uploaded or None) for the words set, WAV files (a
    list) for the spoken set, a file of sequences (upload.Uploaded or None) for an own set)."""
    left, mid, right = st.columns([1, 1.3, 1.7])
    own = s.name == own_embeddings.OWN  # its choices change with each training
    colour = left.selectbox("Colour by", list(s.meta), key=f"emb.colour.{s.name}"
                            + (f".{'|'.join(s.meta)}" if own else ""))
    query = mid.text_input("Search and highlight", key="emb.search", placeholder="e.g. ing",
                           help="Points whose label contains this text are ringed on the map.")
    if own:
        with right:
            return colour, query.strip().lower(), "", own_embeddings.place_controls(s)
    if s.mode != "tokens":
        wavs = right.file_uploader(
            "Place your own recordings of one word each (WAV)", type=["wav"], key="emb.wav",
            accept_multiple_files=True,
            help="Any sample rate, mono or stereo, integer PCM. Each is resampled, trimmed, "
                 "turned into log-mel frames like the shipped recordings, encoded and placed. "
                 f"Up to {embeddings.MAX_RECORDINGS} at once, each at most "
                 f"{embeddings.MAX_RECORDING_S:g} s long.")
        return colour, query.strip().lower(), "", wavs
    typed = right.text_input("Place your own words", key="emb.new", placeholder="e.g. "
                             "cat cats running", max_chars=MAX_TYPED,
                             help="Encoded by the trained encoder and placed into the map "
                                  "without moving the other points. Letters a–z only, at "
                                  f"most {s.model.config.max_len} a word and "
                                  f"{embeddings.MAX_PLACED} words at once.")
    loaded = st.session_state.get("emb.words.file")  # the list's name shows on the button
    with right.popover(f"Word list: {markup.md(loaded.name)}" if loaded
                       else "…or upload a word list",
                       icon=":material/upload_file:"):
        words = upload.sequence_upload(
            "emb.words", "A word list (TXT: one word per line or separated by spaces; JSON)",
            (".txt", ".json"))
        upload.examples((".txt",), "emb.words", inline=True)
    return colour, query.strip().lower(), typed, words


def words_of(typed: str, uploaded) -> list[str]:
    """The words to place: those typed, then those of an uploaded word list, lower-cased, each
    once."""
    text = typed
    if uploaded is not None:
        text += " " + " ".join(" ".join(q.tokens) for q in uploaded.sequences
                               if q.tokens is not None)
    return embeddings.parse_words(text)


def placed_words(s: embeddings.EmbeddingSet, method: str, params: tuple, typed: str,
                 uploaded) -> tuple[list[str], object, dict | None]:
    """(words placed, their map positions [M, 2], the table under the map) for the words typed
    and uploaded. Beyond MAX_PLACED, or words the model cannot read (too long, other letters),
    are named in a warning and left out; the others are placed."""
    words = words_of(typed, uploaded)
    if not words:
        return [], None, None
    limit = embeddings.MAX_PLACED
    if len(words) > limit:
        st.warning(f"{len(words):,} words: the first {limit:,} are placed (at most {limit:,} "
                   "at once).", icon=":material/warning:")
        words = words[:limit]
    words, skipped = embeddings.split_placeable(s.model, words)
    if skipped:
        (st.warning if words else st.error)(
            markup.md(f"Not placed: {embeddings.skipped_text(skipped)}.")
            + (" The other words are." if words else ""), icon=":material/warning:")
    if not words:
        return [], None, None
    codes, coords, rebuilt = resources.get_placed_words(s.name, method, params, tuple(words))
    table = {"word": words, "rebuilt from its code": rebuilt,
             "exact": [a == b for a, b in zip(words, rebuilt, strict=True)],
             "nearest known word": [s.words[embeddings.neighbours(s.codes, c, 1)[0][0]]
                                    for c in codes]}
    return words, coords, table


def placed_recordings(name: str, method: str, params: tuple, wavs: list) -> list:
    """[(file name, (frames, position [1, 2], rebuilt))] of the uploaded recordings that
    could be placed (at most MAX_RECORDINGS; each one that cannot gets an st.error)."""
    limit = embeddings.MAX_RECORDINGS
    if len(wavs) > limit:
        st.warning(f"{len(wavs)} recordings: the first {limit} are placed (at most {limit} at "
                   "once).", icon=":material/warning:")
    recordings = []
    for wav in wavs[:limit]:
        data = wav.getvalue()
        try:
            recordings.append((wav.name, resources.get_placed_recording(
                name, method, params, upload.digest(data), data)))
        except ValueError as exc:
            st.error(f"Could not place {markup.md(wav.name)}: {markup.md(exc)}",
                     icon=":material/error:")
    return recordings


def search(labels: list[str], query: str) -> list[int]:
    """Indices of the points whose label contains `query` (none for an empty query)."""
    return [i for i, w in enumerate(labels) if query and query in w.lower()]


_LOADED = "emb.url_loaded"
_LINK = "emb.link"  # the link's colour and word, until the set's choices are known
MAX_LINK_LABEL = 200  # characters of a word or recording label in a link


def load_url(params) -> None:
    """On a session's first run of the page, seed the data set, search text and typed words
    from the link (colour and word wait for `apply_link`); names invalid parameters."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    parsed = {
        "data": ("emb.set", url_params.choice_value(url_params.get(params, "data"),
                                                     embeddings.available())),
        "search": ("emb.search", url_params.text_value(url_params.get(params, "search"),
                                                        MAX_TYPED)),
        "words": ("emb.new", url_params.text_value(url_params.get(params, "words"), MAX_TYPED)),
    }
    for key, value in parsed.values():
        if value is not None:
            st.session_state[key] = value
    st.session_state[_LINK] = {name: url_params.get(params, name) for name in ("colour", "word")
                               if name in params}
    url_params.warn_ignored(name for name, (_, value) in parsed.items()
                            if name in params and value is None)


def apply_link(s: embeddings.EmbeddingSet) -> None:
    """The link's colour and word, once the set `s` is known (ignored ones are named)."""
    pending = st.session_state.pop(_LINK, None) or {}
    bad = []
    if "colour" in pending:
        colour = url_params.choice_value(pending["colour"], s.meta)
        if colour is None:
            bad.append("colour")
        else:
            st.session_state[f"emb.colour.{s.name}"] = colour
    if "word" in pending:
        word = url_params.text_value(pending["word"], MAX_LINK_LABEL)
        if word is None or word not in s.labels:
            bad.append("word")
        else:
            st.session_state[pick_key(s.name)] = s.labels.index(word)
    url_params.warn_ignored(bad)


def link_params(s: embeddings.EmbeddingSet, colour: str, i: int) -> dict[str, str]:
    """The URL parameters that reproduce the page (none for a set trained here)."""
    if s.name == own_embeddings.OWN:
        return {}
    params = {"data": s.name, "colour": colour, "word": s.labels[i]}
    for name, key in (("search", "emb.search"), ("words", "emb.new")):
        if st.session_state.get(key):
            params[name] = st.session_state[key]
    return params


def pick_key(name: str) -> str:
    """Session-state key of the point picked in set `name`."""
    return f"emb.pick.{name}"


def take_selection() -> None:
    """Chart selection → the point picker (a click on a point picks it)."""
    event = st.session_state.get("emb.chart")
    points = (event or {}).get("selection", {}).get("points", [])
    for p in points:
        index = p.get("customdata")
        if isinstance(index, list):
            index = index[0] if index else None
        if isinstance(index, int):
            st.session_state[pick_key(st.session_state["emb.set"])] = index
            return


def point_picker(name: str, labels: list[str]) -> int:
    """Index of the point looked at (a click on the map picks it too)."""
    key = pick_key(name)
    if not 0 <= st.session_state.get(key, -1) < len(labels):
        st.session_state[key] = 0
    return st.selectbox("Look at a point (or click one on the map)", range(len(labels)),
                        format_func=labels.__getitem__, key=key)


def set_picker() -> str:
    """Which set to look at: a shipped one, or the user's own (own_embeddings.OWN)."""
    sets = {**embeddings.available(), own_embeddings.OWN: own_embeddings.LABEL}
    return st.radio("Data", list(sets), format_func=sets.__getitem__, key="emb.set",
                    horizontal=True)


def neighbour_table(s: embeddings.EmbeddingSet, i: int, coords, k: int = 10) -> pd.DataFrame:
    """The k nearest codes to word i: word, cosine similarity, distance on the map."""
    idx, sims = embeddings.neighbours(s.codes, s.codes[i], k, exclude=i)
    dist = ((coords[idx] - coords[i]) ** 2).sum(1) ** 0.5
    table = {"sequence" if s.name == own_embeddings.OWN and s.mode != "tokens" else "word":
             [s.words[j] for j in idx]}
    if "voice" in s.meta:
        table["voice"] = [s.meta["voice"][j].split(" · ")[0] for j in idx]
    table["cosine"] = sims.round(3)
    table["map distance"] = dist.round(2)
    return pd.DataFrame(table)

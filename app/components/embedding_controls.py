"""Widgets of the embeddings page. Owns the session-state keys under "emb."."""

from __future__ import annotations

import re
import time

import pandas as pd
import streamlit as st

import markup
import resources
from components import own_embeddings, upload, url_params
from engine import embeddings, projection
from errors import say
from i18n import N_, _, ngettext

DEFAULT_ACTIVE = ("umap", tuple(sorted({k: v for k, v in projection.UMAP_DEFAULTS.items()}
                                       .items())))
MAX_TYPED = 2_000  # characters in the words box (a word list is uploaded instead)
WARM_WAIT_S = 180.0  # longest wait for UMAP's background compilation before giving up
# The engine's names, as the page says them (the engine's own are English).
SET_NAMES = {"text": N_("English words (letters)"), "audio": N_("Spoken words (log-mel frames)")}
META_NAMES = {"first letter": N_("first letter"), "last letter": N_("last letter"),
              "suffix": N_("suffix"), "length": N_("length"), "split": N_("split"),
              "voice": N_("voice"), "plural": N_("plural"), "frames": N_("frames"),
              "word": N_("word"), "group": N_("group")}
WORD_VALUES = {"split": (N_("train"), N_("held out"), N_("held-out voice")),
               "plural": (N_("singular"), N_("plural"))}
COLUMNS = {"word": N_("word"), "sequence": N_("sequence"), "voice": N_("voice"),
           "cosine": N_("cosine"), "map distance": N_("map distance"), "steps": N_("steps"),
           "rebuilt from its code": N_("rebuilt from its code"), "exact": N_("exact"),
           "nearest known word": N_("nearest known word"),
           "nearest trained sequence": N_("nearest trained sequence")}
# What UMAP's warm-up and a new map are doing (engine.projection's messages), in words.
STAGES = {"not started": N_("not started"),
          "importing umap-learn (compiles numba code)":
              N_("importing umap-learn (compiles numba code)"),
          "compiling the layout optimiser": N_("compiling the layout optimiser"),
          "compiling placement": N_("compiling placement"), "ready": N_("ready"),
          "failed": N_("failed"), "PCA": "PCA", "loading UMAP": N_("loading UMAP"),
          "scoring trustworthiness": N_("scoring trustworthiness"), "done": N_("done")}
_NEIGHBOURS = re.compile(r"exact (\d+) nearest neighbours of ([\d,]+) points")
_LAYOUT = re.compile(r"laying out ([\d,]+) points \((\d+) epochs\)")


def stage(message: str) -> str:
    """An engine progress message (engine.projection) in the reader's language."""
    if message in STAGES:
        return _(STAGES[message])
    if found := _NEIGHBOURS.fullmatch(message):
        return _("exact {k} nearest neighbours of {n} points").format(k=found[1], n=found[2])
    if found := _LAYOUT.fullmatch(message):
        return _("laying out {n} points ({epochs} epochs)").format(n=found[1], epochs=found[2])
    return message


def meta_name(key: str) -> str:
    """A colour-by choice (a metadata key of the set) in the reader's language."""
    return _(META_NAMES[key]) if key in META_NAMES else key


def colour_values(s: embeddings.EmbeddingSet, key: str) -> list:
    """The values of metadata `key` for every point, the engine's words (train / held out,
    singular / plural) in the reader's language; others (letters, file names) as they are."""
    values = s.meta[key]
    words = WORD_VALUES.get(key, ())
    return [_(v) if v in words else v for v in values] if words else values


def table_in_words(table) -> pd.DataFrame:
    """A table (dict or DataFrame) with its column names in the reader's language."""
    return pd.DataFrame(table).rename(columns=lambda c: _(COLUMNS[c]) if c in COLUMNS else c)


def map_title(method: str, settings: dict) -> str:
    """The map's title: its method and, for UMAP, its parameters (their names are code)."""
    if method != "umap":
        return method.upper()
    return (f"UMAP · n_neighbors {settings.get('n_neighbors', 15)}, min_dist "
            f"{settings.get('min_dist', 0.1)}, {settings.get('metric', 'euclidean')}")


def map_caption(s: embeddings.EmbeddingSet, hits: int, query: str) -> str:
    """The line under the map: how many points, what to do with them, the search's matches."""
    n = len(s.labels)
    if s.mode == "tokens":
        text = ngettext("{n} word: hover for the sequence, click a point to pick it, scroll to "
                        "zoom.", "{n} words: hover for the sequence, click a point to pick it, "
                        "scroll to zoom.", n)
    elif s.name == own_embeddings.OWN:
        text = ngettext("{n} sequence: hover for the sequence, click a point to pick it, "
                        "scroll to zoom.", "{n} sequences: hover for the sequence, click a "
                        "point to pick it, scroll to zoom.", n)
    else:
        text = ngettext("{n} spoken word: hover for the sequence, click a point to pick it, "
                        "scroll to zoom.", "{n} spoken words: hover for the sequence, click a "
                        "point to pick it, scroll to zoom.", n)
    text = text.format(n=f"{n:,}")
    if query:
        text = _("{sentence} {then}").format(sentence=text, then=ngettext(
            "{n} contains “{query}” (ringed).", "{n} contain “{query}” (ringed).", hits).format(
            n=f"{hits:,}", query=markup.md(query)))
    return text


def rebuilt_line(rebuilt: str, exact: bool, held_out: bool) -> str:
    """ "Rebuilt from its code: **cats** (exact) · seen in training"."""
    return _("Rebuilt from its code: **{word}** ({verdict}) · {split}").format(
        word=markup.md(rebuilt), verdict=_(":green[exact]") if exact else _(":red[differs]"),
        split=_("held out from training") if held_out else _("seen in training"))


def skipped_text(model, skipped: list[tuple[str, str]], most: int = 10) -> str:
    """The words a words model cannot read, each with why ("café (é is not among its letters
    (a–z))"), for the first `most`: the engine's reasons (engine.embeddings.unplaceable) in
    the reader's language."""
    c = model.config
    parts = []
    for word, _why in skipped[:most]:
        bad = sorted({ch for ch in word if ch not in c.alphabet})
        letters = "a–z" if c.alphabet == "abcdefghijklmnopqrstuvwxyz" else _("the ones it learned")
        if not word:
            reason = _("empty")
        elif len(word) > c.max_len:
            reason = _("longer than {n} letters").format(n=c.max_len)
        else:
            reason = ngettext("{chars} is not among its letters ({letters})",
                              "{chars} are not among its letters ({letters})", len(bad)).format(
                chars=", ".join(bad), letters=letters)
        parts.append(_("{word} ({reason})").format(word=word, reason=reason))
    text = _(", ").join(parts)
    if len(skipped) > most:
        text = _("{words} and {n} more").format(words=text, n=f"{len(skipped) - most:,}")
    return text


def map_controls() -> tuple[str, tuple]:
    """Method and parameters of the map shown; a new map is made only on "Recompute map"."""
    st.session_state.setdefault("emb.active", DEFAULT_ACTIVE)
    with st.expander(_("Map: UMAP or PCA, and its parameters"), expanded=False):
        cols = st.columns([1.2, 1, 1, 1, 1])
        method = cols[0].radio(_("Method"), ("umap", "pca"), key="emb.method", horizontal=True,
                               format_func=str.upper)
        umap = method == "umap"
        k = cols[1].slider("n_neighbors", 2, projection.MAX_NEIGHBOURS, 15, key="emb.k",
                           disabled=not umap,
                           help=_("How many neighbours each point's local structure uses."))
        d = cols[2].slider("min_dist", 0.0, 0.99, 0.1, step=0.01, key="emb.min_dist",
                           disabled=not umap, help=_("How tightly points may pack together."))
        metric = cols[3].selectbox("metric", projection.METRICS, key="emb.metric",
                                   disabled=not umap)
        cols[4].write("")
        if cols[4].button(_("Recompute map"), key="emb.recompute", type="primary"):
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
        st.info(_("UMAP needs more points than n_neighbors; with {n} sequences the map is "
                  "PCA.").format(n=len(own.codes)), icon=":material/info:")
        active = method, params = ("pca", ())
    if (active == DEFAULT_ACTIVE and own is None) or method == "pca":
        return resources.get_embedding_map(name, method, params, own=own)
    if not warm.ready:
        preparing = _("Preparing UMAP: {stage}")
        bar = st.progress(warm.fraction, text=preparing.format(stage=stage(warm.message)))
        start = time.monotonic()
        while not warm.done.is_set() and time.monotonic() - start < WARM_WAIT_S:
            time.sleep(0.3)
            bar.progress(warm.fraction, text=preparing.format(stage=stage(warm.message)))
        bar.empty()
        if not warm.ready:
            st.error(_("UMAP is not available ({reason}); showing PCA.").format(
                reason=markup.md(warm.error or _("still compiling"))))
            st.session_state["emb.active"] = ("pca", ())
            return resources.get_embedding_map(name, "pca", (), own=own)
    bar = st.progress(0.0, text=_("Recomputing the map"))
    try:
        proj = resources.get_embedding_map(
            name, method, params,
            progress=lambda f, m: bar.progress(min(f, 1.0), text=stage(m)), own=own)
    except ValueError as exc:
        bar.empty()
        st.error(_("Could not make that map: {reason}").format(reason=say(exc)))
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
    colour = left.selectbox(_("Colour by"), list(s.meta), key=f"emb.colour.{s.name}"
                            + (f".{'|'.join(s.meta)}" if own else ""), format_func=meta_name)
    query = mid.text_input(_("Search and highlight"), key="emb.search",
                           placeholder=_("e.g. ing"),
                           help=_("Points whose label contains this text are ringed on the "
                                  "map."))
    if own:
        with right:
            return colour, query.strip().lower(), "", own_embeddings.place_controls(s)
    if s.mode != "tokens":
        wavs = right.file_uploader(
            _("Place your own recordings of one word each (WAV)"), type=["wav"], key="emb.wav",
            accept_multiple_files=True,
            help=_("Any sample rate, mono or stereo, integer PCM. Each is resampled, trimmed, "
                   "turned into log-mel frames like the shipped recordings, encoded and placed. "
                   "Up to {most} at once, each at most {seconds} s long.").format(
                most=embeddings.MAX_RECORDINGS, seconds=f"{embeddings.MAX_RECORDING_S:g}"))
        return colour, query.strip().lower(), "", wavs
    typed = right.text_input(_("Place your own words"), key="emb.new",
                             placeholder=_("e.g. cat cats running"), max_chars=MAX_TYPED,
                             help=_("Encoded by the trained encoder and placed into the map "
                                    "without moving the other points. Letters a–z only, at "
                                    "most {letters} a word and {words} words at once.").format(
                                 letters=s.model.config.max_len, words=embeddings.MAX_PLACED))
    loaded = st.session_state.get("emb.words.file")  # the list's name shows on the button
    with right.popover(_("Word list: {name}").format(name=markup.md(loaded.name)) if loaded
                       else _("…or upload a word list"),
                       icon=":material/upload_file:"):
        words = upload.sequence_upload(
            "emb.words", _("A word list (TXT: one word per line or separated by spaces; JSON)"),
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
        st.warning(_("{n} words: the first {limit} are placed (at most {limit} at "
                     "once).").format(n=f"{len(words):,}", limit=f"{limit:,}"),
                   icon=":material/warning:")
        words = words[:limit]
    words, skipped = embeddings.split_placeable(s.model, words)
    if skipped:
        text = markup.md(_("Not placed: {words}.").format(words=skipped_text(s.model, skipped)))
        (st.warning if words else st.error)(
            _("{sentence} {then}").format(sentence=text, then=_("The other words are."))
            if words else text, icon=":material/warning:")
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
        st.warning(_("{n} recordings: the first {limit} are placed (at most {limit} at "
                     "once).").format(n=len(wavs), limit=limit), icon=":material/warning:")
    recordings = []
    for wav in wavs[:limit]:
        data = wav.getvalue()
        try:
            recordings.append((wav.name, resources.get_placed_recording(
                name, method, params, upload.digest(data), data)))
        except ValueError as exc:
            st.error(_("Could not place {name}: {reason}").format(
                name=markup.md(wav.name), reason=say(exc)), icon=":material/error:")
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
    return st.selectbox(_("Look at a point (or click one on the map)"), range(len(labels)),
                        format_func=labels.__getitem__, key=key)


def set_picker() -> str:
    """Which set to look at: a shipped one, or the user's own (own_embeddings.OWN)."""
    sets = {**embeddings.available(), own_embeddings.OWN: own_embeddings.LABEL}
    return st.radio(_("Data"), list(sets), key="emb.set", horizontal=True,
                    format_func=lambda k: _(SET_NAMES.get(k, sets[k])))


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
    return table_in_words(table)

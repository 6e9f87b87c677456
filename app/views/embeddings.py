"""Sequence embeddings: an RNN autoencoder squeezes each word into one vector; see them in 2-D."""

import hashlib

import numpy as np
import streamlit as st

import resources
from components import embedding_controls as ctl
from components import own_embeddings
from engine import embeddings
from figures.embeddings import embedding_figure, frames_figure

st.title("Sequence embeddings")
st.caption(
    "Lecture §6: an RNN encoder reads a whole sequence into one fixed-size vector, and a decoder "
    "must rebuild the sequence from that vector alone. Nobody tells the vector what to mean, yet "
    "similar sequences end up close. Each point is one sequence's 64-number code, drawn in 2-D: "
    "English words read letter by letter, or spoken words read as log-mel frames (Audio "
    "Word2Vec), six synthetic voices saying the same 240 words."
)
warm = resources.get_projection_warmup()  # compiles UMAP in the background, off this request
name = ctl.set_picker()
own = name == own_embeddings.OWN
s = own_embeddings.trained_set() if own else resources.get_embedding_set(name)
if s is None:
    st.stop()
ctl.map_controls()
proj = ctl.compute_map(name, st.session_state["emb.active"], warm, s if own else None)
method, params = proj.method, tuple(sorted((k, v) for k, v in proj.params.items()
                                           if k != "seed"))
colour, query, typed, upload = ctl.view_controls(s)

new_words, new_coords, recordings, placed_table = [], None, [], None
if own:
    if upload is not None:
        new_words, new_coords, placed_table = own_embeddings.placed(s, upload, proj)
elif s.mode != "tokens":
    for wav in upload:
        try:
            data = wav.getvalue()
            recordings.append((wav.name, resources.get_placed_recording(
                name, method, params, hashlib.sha256(data).hexdigest(), data)))
        except ValueError as exc:
            st.error(f"Could not place {wav.name}: {exc}")
    if recordings:
        new_words = [n for n, _ in recordings]
        new_coords = np.concatenate([r[1] for _, r in recordings])
elif typed.strip() or upload is not None:
    new_words = ctl.words_of(typed, upload)
    try:
        codes, new_coords, rebuilt = resources.get_placed_words(name, method, params,
                                                                tuple(new_words))
    except ValueError as exc:
        st.error(f"Could not place those words: {exc}")
        new_words, new_coords = [], None

hits = ctl.search(s.labels, query)
chart, side = st.columns([2.2, 1])
with side:
    i = ctl.point_picker(name, s.labels)
settings = dict(params)
fig = embedding_figure(
    proj.coords, s.labels, s.meta[colour], colour, highlight=hits, selected=i,
    new_coords=new_coords, new_words=new_words,
    new_name="your words" if s.mode == "tokens" else "your recordings" if recordings
    else "your sequences",
    title=method.upper() + (f" · n_neighbors {settings.get('n_neighbors', 15)}, min_dist "
                            f"{settings.get('min_dist', 0.1)}, "
                            f"{settings.get('metric', 'euclidean')}" if method == "umap" else ""))
with chart:
    st.plotly_chart(fig, key="emb.chart", on_select=ctl.take_selection,
                    selection_mode="points", config={"scrollZoom": True})
    noun = "words" if s.mode == "tokens" else "sequences" if own else "spoken words"
    st.caption(f"{len(s.labels):,} {noun}: hover for the sequence, click a point to pick it, "
               "scroll to zoom." + (f" {len(hits):,} contain “{query}” (ringed)." if query else ""))

with side:
    word = s.words[i]
    if s.mode == "tokens":
        rebuilt_word = (own_embeddings.rebuilt_word(s, word) if own else
                        resources.get_placed_words(name, method, params, (word,))[2][0])
        verdict = ":green[exact]" if rebuilt_word == word else ":red[differs]"
        st.markdown(f"Rebuilt from its code: **{rebuilt_word}** ({verdict}) · "
                    f"{'held out from' if s.heldout[i] else 'seen in'} training",
                    help="The decoder's greedy spelling from this word's code alone. Held-out "
                         "words were never shown to the autoencoder while it learned.")
    st.markdown(f"**Nearest codes to “{s.labels[i]}”** (cosine similarity in code space)")
    st.dataframe(ctl.neighbour_table(s, i, proj.coords), hide_index=True, height=300,
                 width="stretch")
    m1, m2 = st.columns(2)
    m1.metric("Trustworthiness", f"{proj.trustworthiness:.3f}",
              help="scikit-learn's trustworthiness (k = 5): 1.0 when every point's neighbours "
                   f"on the map are also its neighbours in code space. Scored on "
                   f"{proj.trust_points:,} points.")
    if own:
        own_embeddings.fit_metric(m2, s)
    elif s.mode == "tokens":
        m2.metric("Held-out words rebuilt", f"{s.metrics['heldout_exact']:.1%}",
                  help="Words never seen in training that the decoder spells back exactly.")
    else:
        m2.metric("Same-word NN", f"{s.metrics['nn_same_word']:.1%}",
                  help="How often a recording's nearest code is the same word in another voice "
                       f"(chance: {s.metrics['nn_chance']:.1%}).")
    if not warm.ready:
        st.caption(f"UMAP is being prepared in the background ({warm.fraction:.0%}: "
                   f"{warm.message}); the {'PCA' if own else 'shipped'} maps are ready now.")

if s.mode != "tokens":
    original, rebuilt_frames = (embeddings.rebuild_frames(s, i) if own else
                                resources.get_rebuilt_frames(name, i))
    st.plotly_chart(frames_figure(original, rebuilt_frames, f"“{s.labels[i]}”", own=own),
                    key="emb.frames")
    if recordings:
        shown = 0
        if len(recordings) > 1:
            shown = st.columns([1, 2])[0].selectbox(
                "Your recording", range(len(recordings)), key="emb.wav_pick",
                format_func=lambda k: recordings[k][0])
        wav_name, (frames, _, rebuilt_wav) = recordings[shown]
        st.plotly_chart(frames_figure(frames, rebuilt_wav, f"your recording: {wav_name}"),
                        key="emb.own_frames")
    if not own:
        st.caption(f"Word→plural offsets point the same way: mean cosine "
                   f"{s.metrics['plural_offset_cosine']:.2f} between word→plural offset "
                   f"vectors, {s.metrics['random_offset_cosine']:.2f} between random "
                   "word→word offsets.")
if placed_table is not None:
    st.markdown(f"**{upload.name}**, placed into the frozen map (red diamonds): encoded, then "
                "decoded back from the code.")
    st.dataframe(placed_table, hide_index=True, width="content")
elif new_words and new_coords is not None and not recordings:
    st.markdown("**Your words**, placed into the frozen map (red diamonds): encoded, then "
                "decoded back from the code.")
    st.table({"word": new_words, "rebuilt from its code": rebuilt,
              "exact": [a == b for a, b in zip(new_words, rebuilt, strict=True)],
              "nearest known word": [s.words[embeddings.neighbours(s.codes, c, 1)[0][0]]
                                     for c in codes]})

"""Sequence embeddings: an RNN autoencoder squeezes each word into one vector; see them in 2-D."""

import streamlit as st

import resources
from components import embedding_controls as ctl
from engine import embeddings
from figures.embeddings import embedding_figure

st.title("Sequence embeddings")
st.caption(
    "Lecture §6: an RNN encoder reads a whole sequence into one fixed-size vector, and a decoder "
    "must rebuild the sequence from that vector alone. Nobody tells the vector what to mean, yet "
    "words that are spelled alike end up close. Here a GRU autoencoder has read thousands of "
    "English words letter by letter; each point is one word's 64-number code, drawn in 2-D."
)
warm = resources.get_projection_warmup()  # compiles UMAP in the background, off this request
name = "text"
s = resources.get_embedding_set(name)
active = ctl.map_controls()
proj = ctl.compute_map(name, active, warm)
method, params = st.session_state["emb.active"]
colour, query, typed = ctl.view_controls()

new_words, new_coords = [], None
if typed.strip():
    new_words = embeddings.parse_words(typed)
    try:
        codes, new_coords, rebuilt = resources.get_placed_words(name, method, params,
                                                                tuple(new_words))
    except ValueError as exc:
        st.error(f"Could not place those words: {exc}")
        new_words, new_coords = [], None

meta = embeddings.metadata(s.words, s.heldout)
hits = ctl.search(s.words, query)
chart, side = st.columns([2.2, 1])
with side:
    i = ctl.word_picker(s.words)
fig = embedding_figure(
    proj.coords, s.words, meta[colour], colour, highlight=hits, selected=i,
    new_coords=new_coords, new_words=new_words,
    title=f"{len(s.words):,} words · {method.upper()}"
    + (f" · n_neighbors {dict(params).get('n_neighbors', 15)}, min_dist "
       f"{dict(params).get('min_dist', 0.1)}, {dict(params).get('metric', 'euclidean')}"
       if method == "umap" else ""))
with chart:
    st.plotly_chart(fig, key="emb.chart", on_select=ctl.take_selection,
                    selection_mode="points", config={"scrollZoom": True})
    if query:
        st.caption(f"{len(hits):,} words contain “{query}” (ringed).")

with side:
    word = s.words[i]
    rebuilt_word = resources.get_placed_words(name, method, params, (word,))[2][0]
    a, b = st.columns(2)
    a.metric("Reconstruction", rebuilt_word, "exact" if rebuilt_word == word else "differs",
             delta_color="normal" if rebuilt_word == word else "inverse",
             help="The decoder's greedy guess from this word's code alone.")
    b.metric("Seen in training", "no" if s.heldout[i] else "yes",
             help="Held-out words were never shown to the autoencoder while it learned.")
    st.markdown(f"**Nearest codes to “{word}”** (cosine similarity in the 64-D code space)")
    st.dataframe(ctl.neighbour_table(s, i, proj.coords), hide_index=True, height=300)
    m1, m2 = st.columns(2)
    m1.metric("Trustworthiness", f"{proj.trustworthiness:.3f}",
              help="scikit-learn's trustworthiness (k = 5): 1.0 when every point's neighbours "
                   f"on the map are also its neighbours in code space. Scored on "
                   f"{proj.trust_points:,} points.")
    m2.metric("Held-out words rebuilt", f"{s.metrics.get('heldout_exact', float('nan')):.1%}",
              help="Words never seen in training that the decoder spells back exactly.")
    if not warm.ready:
        st.caption(f"UMAP is being prepared in the background ({warm.fraction:.0%}: "
                   f"{warm.message}); the shipped maps are ready now.")

if new_words and new_coords is not None:
    st.markdown("**Your words**, placed into the frozen map (red diamonds): encoded, then "
                "decoded back from the code.")
    st.table({"word": new_words, "rebuilt from its code": rebuilt,
                  "exact": [a == b for a, b in zip(new_words, rebuilt, strict=True)],
                  "nearest known word": [s.words[embeddings.neighbours(s.codes, c, 1)[0][0]]
                                         for c in codes]})

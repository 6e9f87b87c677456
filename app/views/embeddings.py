"""Sequence embeddings: an RNN autoencoder squeezes each word into one vector; see them in 2-D."""

import numpy as np
import streamlit as st

import markup
import resources
from components import embedding_controls as ctl
from components import lesson, own_embeddings, presenter
from engine import embeddings
from figures.embeddings import embedding_figure, frames_figure
from i18n import _

presenter.title(_("Sequence embeddings"), _(
    "Lecture §6: an RNN encoder reads a whole sequence into one fixed-size vector, and a decoder "
    "must rebuild the sequence from that vector alone. Nobody tells the vector what to mean, yet "
    "similar sequences end up close. Each point is one sequence's 64-number code, drawn in 2-D: "
    "English words read letter by letter, or spoken words read as log-mel frames (Audio "
    "Word2Vec), six synthetic voices saying the same 240 words."
))
warm = resources.get_projection_warmup()  # compiles UMAP in the background, off this request
ctl.load_url(st.query_params)
inputs = presenter.inputs(_("Data, map and colours"))  # folded away in presenter view
with inputs:
    name = ctl.set_picker()
own = name == own_embeddings.OWN
s = own_embeddings.trained_set() if own else resources.get_embedding_set(name)
if s is None:
    st.stop()
ctl.apply_link(s)
with inputs:
    ctl.map_controls()
proj = ctl.compute_map(name, st.session_state["emb.active"], warm, s if own else None)
method, params = proj.method, tuple(sorted((k, v) for k, v in proj.params.items()
                                           if k != "seed"))
with inputs:
    colour, query, typed, upload = ctl.view_controls(s)

new_words, new_coords, recordings, placed_table = [], None, [], None
if own:
    if upload is not None:
        new_words, new_coords, placed_table = own_embeddings.placed(s, upload, proj)
elif s.mode != "tokens":
    recordings = ctl.placed_recordings(name, method, params, upload)
    if recordings:
        new_words = [wav for wav, _placed in recordings]
        new_coords = np.concatenate([placed[1] for _wav, placed in recordings])
elif typed.strip() or upload is not None:
    new_words, new_coords, placed_table = ctl.placed_words(s, method, params, typed, upload)

hits = ctl.search(s.labels, query)
chart, side = st.columns([2.2, 1])
with side:
    i = ctl.point_picker(name, s.labels)
fig = embedding_figure(
    proj.coords, s.labels, ctl.colour_values(s, colour), ctl.meta_name(colour), highlight=hits,
    selected=i, new_coords=new_coords, new_words=new_words,
    new_name=_("your words") if s.mode == "tokens" else _("your recordings") if recordings
    else _("your sequences"), title=ctl.map_title(method, dict(params)))
with chart:
    presenter.chart(fig, f"embeddings-{method}-map", key="emb.chart", on_select=ctl.take_selection,
                    selection_mode="points", config={"scrollZoom": True}, fit=True)
    st.caption(ctl.map_caption(s, len(hits), query))
    m1, m2 = st.columns(2)  # beside each other under the map: wide enough for their labels
    m1.metric(_("Trustworthiness"), f"{proj.trustworthiness:.3f}",
              help=_("scikit-learn's trustworthiness (k = 5): 1.0 when every point's neighbours "
                     "on the map are also its neighbours in code space. Scored on {n} "
                     "points.").format(n=f"{proj.trust_points:,}"))
    if own:
        own_embeddings.fit_metric(m2, s)
    elif s.mode == "tokens":
        m2.metric(_("Held-out words rebuilt"), f"{s.metrics['heldout_exact']:.1%}",
                  help=_("Words never seen in training that the decoder spells back exactly."))
    else:
        m2.metric(_("Same-word NN"), f"{s.metrics['nn_same_word']:.1%}",
                  help=_("How often a recording's nearest code is the same word in another "
                         "voice (chance: {chance}).").format(
                      chance=f"{s.metrics['nn_chance']:.1%}"))

with side:
    word = s.words[i]
    if s.mode == "tokens":
        rebuilt_word = (own_embeddings.rebuilt_word(s, word) if own else
                        resources.get_placed_words(name, method, params, (word,))[2][0])
        st.markdown(ctl.rebuilt_line(rebuilt_word, rebuilt_word == word, bool(s.heldout[i])),
                    help=_("The decoder's greedy spelling from this word's code alone. "
                           "Held-out words were never shown to the autoencoder while it "
                           "learned."))
    st.markdown(_("**Nearest codes to “{word}”** (cosine similarity in code space)").format(
        word=markup.md(s.labels[i])))
    table = ctl.neighbour_table(s, i, proj.coords)
    st.dataframe(table, hide_index=True, height=35 * (len(table) + 1) + 3, width="stretch")
    if not warm.ready:
        st.caption((_("UMAP is being prepared in the background ({percent}: {stage}); the PCA "
                      "maps are ready now.") if own else
                    _("UMAP is being prepared in the background ({percent}: {stage}); the "
                      "shipped maps are ready now.")).format(
            percent=f"{warm.fraction:.0%}", stage=ctl.stage(warm.message)))

if s.mode != "tokens":
    original, rebuilt_frames = (embeddings.rebuild_frames(s, i) if own else
                                resources.get_rebuilt_frames(name, i))
    presenter.chart(frames_figure(original, rebuilt_frames, _("“{word}”").format(word=s.labels[i]),
                                  own=own),
                    "embeddings-rebuilt-frames", key="emb.frames")
    if recordings:
        shown = 0
        if len(recordings) > 1:
            shown = st.columns([1, 2])[0].selectbox(
                _("Your recording"), range(len(recordings)), key="emb.wav_pick",
                format_func=lambda k: recordings[k][0])
        wav_name, (frames, _xy, rebuilt_wav) = recordings[shown]
        presenter.chart(frames_figure(frames, rebuilt_wav, _("your recording: {name}").format(
            name=wav_name)), "embeddings-your-recording", key="emb.own_frames")
    if not own:
        st.caption(_("Word→plural offsets point the same way: mean cosine {plural} between "
                     "word→plural offset vectors, {random} between random word→word "
                     "offsets.").format(plural=f"{s.metrics['plural_offset_cosine']:.2f}",
                                        random=f"{s.metrics['random_offset_cosine']:.2f}"))
if placed_table is not None:
    st.markdown(_("**{name}**, placed into the frozen map (red diamonds): encoded, then decoded "
                   "back from the code.").format(name=markup.md(upload.name)) if own else
                 _("**Your words**, placed into the frozen map (red diamonds): encoded, then "
                   "decoded back from the code."))
    st.dataframe(ctl.table_in_words(placed_table), hide_index=True, width="content")

st.query_params.from_dict(ctl.link_params(s, colour, i))
lesson.from_here("embeddings")

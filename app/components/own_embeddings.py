"""Your own sequences on the embeddings page: upload files, train a new autoencoder on them in
the background (progress bar, Stop keeps what was learned), then look at its map like a shipped
set and place more sequences into it.

Owns the session-state keys under "emb.own.". The trained set lives in this session's state
only (never in a shared cache), so no other user can see it.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

import markup
import resources
from components import trainer, upload
from engine import autoencoder as ae
from engine import embeddings
from engine.uploads import UploadError

OWN = "own"  # the set picker's value for this set
LABEL = "Your sequences (upload and train)"
FORMATS = (".txt", *upload.NUMERIC)  # words, or numbers (tables, arrays, sound)
JOB = "emb.own.job"  # the background training run
EXAMPLE = "emb.own.example"  # the name of the ready example in use while nothing is uploaded
SET = "emb.own.set"  # (the last set that trained, what it was trained on)
READY_HELP = {"waves.npz": "120 waves, 40 steps each: sine, square and sawtooth of random "
                           "frequency. Colour the map by group to see whether the codes tell "
                           "the shapes apart.",
              "words.txt": f"{embeddings.OWN_WORDS_EXAMPLE:,} English words, one per line. "
                           f"{embeddings.HELDOUT_FRACTION:.0%} are held out: with the default "
                           "settings, the decoder spells most of those back from their codes "
                           "alone, words it never saw."}
_E, _S = embeddings.OWN_LIMITS["epochs"], embeddings.OWN_LIMITS["max_seconds"]
LIMITS = {"epochs": (5, _E[1], embeddings.OwnSettings.epochs),  # (least, most, default)
          "seconds": (10, int(_S[1]), int(embeddings.OwnSettings.max_seconds))}
CODE_SIZES = tuple(n for n in (2, 4, 8, 16, 32, 64, 128)
                   if n <= embeddings.OWN_LIMITS["code_size"][1])
HIDDEN_SIZES = tuple(n for n in (16, 32, 64, 128, 256)
                     if n <= embeddings.OWN_LIMITS["hidden_size"][1])


def _settings(data: embeddings.OwnData | None) -> embeddings.OwnSettings:
    """The training controls."""
    c = st.columns([1, 1.1, 1.1, 1.3, 1.3])
    kind = c[0].radio("Cell", ae.KINDS, key="emb.own.kind", horizontal=True,
                      format_func=str.upper)
    code = c[1].select_slider("Code size", CODE_SIZES, embeddings.OwnSettings.code_size,
                              key="emb.own.code",
                              help="How many numbers each sequence is squeezed into.")
    hidden = c[2].select_slider("Hidden size", HIDDEN_SIZES, embeddings.OwnSettings.hidden_size,
                                key="emb.own.hidden",
                                help="Width of the encoder's and decoder's hidden state.")
    lo, hi, default = LIMITS["epochs"]
    epochs = c[3].slider("Epochs (at most)", lo, hi, default, step=5, key="emb.own.epochs")
    lo, hi, default = LIMITS["seconds"]
    seconds = c[4].slider("Time limit (s)", lo, hi, default, step=10, key="emb.own.seconds",
                          help="Training stops here (or when you press Stop) and keeps what "
                               "it has learned.")
    return embeddings.OwnSettings(kind=kind, hidden_size=hidden, code_size=code, epochs=epochs,
                                  max_seconds=float(seconds))


def _window(sequences: list) -> int:
    """Window length for numbers (0: whole sequences), offered when any are numbers."""
    if not sequences or sequences[0].values is None:
        return 0
    longest = max(q.steps for q in sequences)
    return int(st.columns([1, 1.6])[0].number_input(
        "Window length in steps (0: whole sequences)", 0,
        embeddings.OWN_MAX_STEPS, 0 if longest <= embeddings.OWN_MAX_STEPS else 50,
        key="emb.own.window",
        help="One long recording or time series becomes many short sequences, each one a "
             f"point on the map. Sequences longer than {embeddings.OWN_MAX_STEPS} steps must be "
             "cut."))


def _describe(data: embeddings.OwnData, files: list) -> str:
    """One line on what will be trained on."""
    n, lengths = len(data.items), data.lengths
    held = n >= embeddings.OWN_HELDOUT_FROM
    what = (f"**{n:,} different words** ({len(data.alphabet)} characters)"
            if data.mode == "tokens" else
            f"**{n:,} sequences** of {data.width} number{'s' * (data.width != 1)} per step")
    span = f"{min(lengths)}–{max(lengths)}" if min(lengths) < max(lengths) else f"{lengths[0]}"
    return (f"{what}, {span} steps long, from {len(files)} "
            f"file{'s' * (len(files) != 1)}."
            + (f" {embeddings.HELDOUT_FRACTION:.0%} are held out to test the autoencoder on "
               "sequences it never saw." if held else
               f" (With {embeddings.OWN_HELDOUT_FROM} or more, some would be held out to test "
               "it.)"))


def _work(data: embeddings.OwnData, settings: embeddings.OwnSettings):
    """The background work for trainer.start."""
    def work(on_progress, should_stop):
        return embeddings.train_own(data, settings, progress=on_progress,
                                    should_stop=should_stop)
    return work


def _use(name: str) -> None:
    """Button callback: train on the ready example `name` until files are uploaded."""
    st.session_state[EXAMPLE] = name


def _example(name: str, data: bytes) -> upload.Uploaded:
    """A shipped example file, read like an upload."""
    sha = upload.digest(data)
    return upload.Uploaded(name, sha, tuple(resources.get_uploaded_sequences(sha, name, data)))


def trained_set() -> embeddings.EmbeddingSet | None:
    """Upload, train, and the set that trained last in this session (None before the first)."""
    st.markdown(
        "Upload sequences of your own (several files at once, or one file holding many) and "
        "train a new autoencoder on them here. **Words** (a text file, one word per line or "
        "separated by spaces) are read letter by letter; **numbers** (tables, arrays, sound) "
        "step by step, each feature normalised. Every sequence becomes one code vector, a "
        "point on the map.")
    ready = resources.get_own_examples()
    top = st.columns([1.6, 1])
    with top[0]:
        files = upload.sequences_upload_many(
            "emb.own", f"Your sequences ({upload.named(FORMATS)})", FORMATS)
    if files:
        st.session_state.pop(EXAMPLE, None)  # your own files replace the example
    with top[1]:
        st.caption("Nothing of your own at hand? Try a ready-to-train example here, or "
                   "download it to see the format:")
        for name, data in ready.items():
            use, get = st.columns([1.4, 1])
            use.button(f"Use {name}", key=f"emb.own.use.{name}", icon=":material/science:",
                       width="stretch", help=READY_HELP.get(name), on_click=_use, args=(name,),
                       type="primary" if st.session_state.get(EXAMPLE) == name else "secondary")
            get.download_button("Download", data, file_name=name, key=f"emb.own.ready.{name}",
                                icon=":material/download:", width="stretch")
        upload.examples(FORMATS, "emb.own")
    if not files and st.session_state.get(EXAMPLE) in ready:
        files = [_example(st.session_state[EXAMPLE], ready[st.session_state[EXAMPLE]])]
        st.info(f"Using the example **{markup.md(files[0].name)}**. Upload files of your own "
                "to use them instead.", icon=":material/science:")
    sequences = [q for f in files for q in f.sequences]
    data = None
    if sequences:
        try:
            data = embeddings.own_data(sequences, _window(sequences))
        except ValueError as err:
            st.error(f"Cannot train on these files: {markup.md(err)}.", icon=":material/error:")
    if data is not None:
        st.markdown(_describe(data, files))
        for note in data.notes:
            st.caption(markup.md(note))
    settings = _settings(data)
    if st.button("Train autoencoder", key="emb.own.train", type="primary",
                 icon=":material/play_arrow:", disabled=data is None,
                 help=None if data is not None else "Upload sequences first."):
        names = ", ".join(f.name for f in files)
        trainer.start(JOB, _work(data, settings))
        st.session_state["emb.own.training_on"] = names
    job = trainer.follow(JOB, "Training the autoencoder")
    if job is not None and job.error:
        st.error(f"Training failed: {markup.md(job.error)}", icon=":material/error:")
    elif job is not None and job.result is not None:
        st.session_state[SET] = (job.result, st.session_state.get("emb.own.training_on", ""))
        st.session_state[JOB] = None  # taken; a failed later run keeps this set
    if SET not in st.session_state:
        if data is None and not sequences:
            st.info("Upload sequences to train on, or download an example above to see the "
                    "format.", icon=":material/upload_file:")
        return None
    s, names = st.session_state[SET]
    _summary(s, names)
    return s


def _summary(s: embeddings.EmbeddingSet, names: str) -> None:
    """What training did: epochs, time, reconstruction quality, the loss curve."""
    m = s.metrics
    stopped = " (stopped early; what it learned is kept)" if m["stopped"] else ""
    fit = "words rebuilt exactly" if s.mode == "tokens" else "reconstruction R²"
    held = (f", held-out {fit} **{_fmt(s, m['heldout_fit'])}** on {m['heldout_count']}"
            if m["heldout_count"] else "")
    st.success(f"Trained on {markup.md(names)}: {m['epochs']} epochs in "
               f"{m['seconds']:.1f} s{stopped}. "
               f"Training {fit} **{_fmt(s, m['train_fit'])}** on {m['train_count']}{held}.",
               icon=":material/check_circle:")
    with st.expander("Training loss per epoch"):
        st.line_chart(pd.DataFrame({"loss": m["losses"]},
                                   index=pd.RangeIndex(1, len(m["losses"]) + 1, name="epoch")),
                      height=200)


def _fmt(s: embeddings.EmbeddingSet, value: float) -> str:
    """A fit score: a share of words, or an R²."""
    return f"{value:.1%}" if s.mode == "tokens" else f"{value:.3f}"


def fit_metric(column, s: embeddings.EmbeddingSet) -> None:
    """The set's reconstruction score, held-out when there is a held-out part."""
    m = s.metrics
    key = "heldout_fit" if m["heldout_count"] else "train_fit"
    part = "Held-out" if m["heldout_count"] else "Training"
    if s.mode == "tokens":
        column.metric(f"{part} words rebuilt", _fmt(s, m[key]),
                      help="Words the decoder spells back exactly from their code alone.")
    else:
        column.metric(f"{part} R²", _fmt(s, m[key]),
                      help="1 − squared reconstruction error / squared deviation from each "
                           "feature's mean: 1 is perfect, 0 no better than the mean.")


def place_controls(s: embeddings.EmbeddingSet):
    """The uploaded file of new sequences to place into the map (an upload.Uploaded), or None."""
    return upload.sequence_upload(
        "emb.own.place", "Place new sequences into this map",
        (".txt", ".json") if s.mode == "tokens" else FORMATS[1:],
        help="Encoded by your trained encoder and placed without moving the other points.")


def placed(s: embeddings.EmbeddingSet, uploaded, proj):
    """(labels, positions [M, 2], table) of the uploaded sequences placed into the map, or
    ([], None, None) after an st.error."""
    window = st.session_state.get("emb.own.window", 0) if s.mode == "frames" else 0
    params = tuple(sorted(proj.params.items()))
    try:
        labels, codes, coords, originals, rebuilt = resources.get_own_placement(
            hashlib.sha256(s.codes.tobytes()).hexdigest(), proj.method, params,
            uploaded.digest, window, s, list(uploaded.sequences), proj)
    except (ValueError, UploadError) as err:
        st.error(f"Could not place {markup.md(uploaded.name)}: {markup.md(err)}.",
                 icon=":material/error:")
        return [], None, None
    nearest = [s.labels[embeddings.neighbours(s.codes, c, 1)[0][0]] for c in codes]
    if s.mode == "tokens":
        table = {"word": labels, "rebuilt from its code": rebuilt,
                 "exact": [a == b for a, b in zip(originals, rebuilt, strict=True)]}
    else:
        table = {"sequence": labels, "steps": [len(x) for x in originals],
                 "R²": [round(1 - float(((a - b) ** 2).sum()) / max(float((a**2).sum()), 1e-12),
                              3) for a, b in zip(originals, rebuilt, strict=True)]}
    table["nearest trained sequence"] = nearest
    return labels, coords, pd.DataFrame(table)


def rebuilt_word(s: embeddings.EmbeddingSet, word: str) -> str:
    """The decoder's greedy spelling of a word from its code."""
    return ae.reconstruct(s.model, [word])[0]

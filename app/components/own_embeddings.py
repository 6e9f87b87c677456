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
from errors import say
from i18n import N_, _, ngettext

OWN = "own"  # the set picker's value for this set
LABEL = N_("Your sequences (upload and train)")
FORMATS = (".txt", *upload.NUMERIC)  # words, or numbers (tables, arrays, sound)
JOB = "emb.own.job"  # the background training run
EXAMPLE = "emb.own.example"  # the name of the ready example in use while nothing is uploaded
SET = "emb.own.set"  # (the last set that trained, what it was trained on)
READY_HELP = {"waves.npz": N_("120 waves, 40 steps each: sine, square and sawtooth of random "
                              "frequency. Colour the map by group to see whether the codes tell "
                              "the shapes apart."),
              "words.txt": N_("{n} English words, one per line. {held} are held out: with the "
                              "default settings, the decoder spells most of those back from "
                              "their codes alone, words it never saw.")}
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
    kind = c[0].radio(_("Cell"), ae.KINDS, key="emb.own.kind", horizontal=True,
                      format_func=str.upper)
    code = c[1].select_slider(_("Code size"), CODE_SIZES, embeddings.OwnSettings.code_size,
                              key="emb.own.code",
                              help=_("How many numbers each sequence is squeezed into."))
    hidden = c[2].select_slider(_("Hidden size"), HIDDEN_SIZES,
                                embeddings.OwnSettings.hidden_size, key="emb.own.hidden",
                                help=_("Width of the encoder's and decoder's hidden state."))
    lo, hi, default = LIMITS["epochs"]
    epochs = c[3].slider(_("Epochs (at most)"), lo, hi, default, step=5, key="emb.own.epochs")
    lo, hi, default = LIMITS["seconds"]
    seconds = c[4].slider(_("Time limit (s)"), lo, hi, default, step=10, key="emb.own.seconds",
                          help=_("Training stops here (or when you press Stop) and keeps what "
                                 "it has learned."))
    return embeddings.OwnSettings(kind=kind, hidden_size=hidden, code_size=code, epochs=epochs,
                                  max_seconds=float(seconds))


def _window(sequences: list) -> int:
    """Window length for numbers (0: whole sequences), offered when any are numbers."""
    if not sequences or sequences[0].values is None:
        return 0
    longest = max(q.steps for q in sequences)
    return int(st.columns([1, 1.6])[0].number_input(
        _("Window length in steps (0: whole sequences)"), 0,
        embeddings.OWN_MAX_STEPS, 0 if longest <= embeddings.OWN_MAX_STEPS else 50,
        key="emb.own.window",
        help=_("One long recording or time series becomes many short sequences, each one a "
               "point on the map. Sequences longer than {most} steps must be cut.").format(
            most=embeddings.OWN_MAX_STEPS)))


def _describe(data: embeddings.OwnData, files: list) -> str:
    """One line on what will be trained on."""
    n, lengths = len(data.items), data.lengths
    held = n >= embeddings.OWN_HELDOUT_FROM
    span = f"{min(lengths)}–{max(lengths)}" if min(lengths) < max(lengths) else f"{lengths[0]}"
    if data.mode == "tokens":
        what = ngettext("**{n} different words** ({chars} characters), {span} steps long, from "
                        "{files} file.", "**{n} different words** ({chars} characters), {span} "
                        "steps long, from {files} files.", len(files))
    else:
        what = ngettext("**{n} sequences** of {numbers}, {span} steps long, from {files} "
                        "file.", "**{n} sequences** of {numbers}, {span} steps long, from "
                        "{files} files.", len(files))
    numbers = ngettext("{width} number per step", "{width} numbers per step", data.width)
    what = what.format(n=f"{n:,}", chars=len(data.alphabet), span=span, files=len(files),
                       numbers=numbers.format(width=data.width))
    return _("{sentence} {then}").format(sentence=what, then=(
        _("{share} are held out to test the autoencoder on sequences it never saw.").format(
            share=f"{embeddings.HELDOUT_FRACTION:.0%}") if held else
        _("(With {n} or more, some would be held out to test it.)").format(
            n=embeddings.OWN_HELDOUT_FROM)))


def _ready_help(name: str) -> str | None:
    """The help of a ready example's button."""
    if name not in READY_HELP:
        return None
    return _(READY_HELP[name]).format(n=f"{embeddings.OWN_WORDS_EXAMPLE:,}",
                                      held=f"{embeddings.HELDOUT_FRACTION:.0%}")


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
    st.markdown(_(
        "Upload sequences of your own (several files at once, or one file holding many) and "
        "train a new autoencoder on them here. **Words** (a text file, one word per line or "
        "separated by spaces) are read letter by letter; **numbers** (tables, arrays, sound) "
        "step by step, each feature normalised. Every sequence becomes one code vector, a "
        "point on the map."))
    ready = resources.get_own_examples()
    top = st.columns([1.6, 1])
    with top[0]:
        files = upload.sequences_upload_many(
            "emb.own", _("Your sequences ({formats})").format(formats=upload.named(FORMATS)),
            FORMATS)
    if files:
        st.session_state.pop(EXAMPLE, None)  # your own files replace the example
    with top[1]:
        st.caption(_("Nothing of your own at hand? Try a ready-to-train example here, or "
                     "download it to see the format:"))
        for name, data in ready.items():
            use, get = st.columns([1.4, 1])
            use.button(_("Use {name}").format(name=name), key=f"emb.own.use.{name}",
                       icon=":material/science:", width="stretch", help=_ready_help(name),
                       on_click=_use, args=(name,),
                       type="primary" if st.session_state.get(EXAMPLE) == name else "secondary")
            get.download_button(_("Download"), data, file_name=name,
                                key=f"emb.own.ready.{name}",
                                icon=":material/download:", width="stretch")
        upload.examples(FORMATS, "emb.own")
    if not files and st.session_state.get(EXAMPLE) in ready:
        files = [_example(st.session_state[EXAMPLE], ready[st.session_state[EXAMPLE]])]
        st.info(_("Using the example **{name}**. Upload files of your own to use them "
                  "instead.").format(name=markup.md(files[0].name)), icon=":material/science:")
    sequences = [q for f in files for q in f.sequences]
    data = None
    if sequences:
        try:
            data = embeddings.own_data(sequences, _window(sequences))
        except ValueError as err:
            st.error(_("Cannot train on these files: {reason}.").format(reason=say(err)),
                     icon=":material/error:")
    if data is not None:
        st.markdown(_describe(data, files))
        for note in data.notes:
            st.caption(markup.md(note))
    settings = _settings(data)
    if st.button(_("Train autoencoder"), key="emb.own.train", type="primary",
                 icon=":material/play_arrow:", disabled=data is None,
                 help=None if data is not None else _("Upload sequences first.")):
        names = ", ".join(f.name for f in files)
        trainer.start(JOB, _work(data, settings))
        st.session_state["emb.own.training_on"] = names
    job = trainer.follow(JOB, _("Training the autoencoder"))
    if job is not None and job.error:
        st.error(_("Training failed: {reason}").format(reason=markup.md(job.error)),
                 icon=":material/error:")
    elif job is not None and job.result is not None:
        st.session_state[SET] = (job.result, st.session_state.get("emb.own.training_on", ""))
        st.session_state[JOB] = None  # taken; a failed later run keeps this set
    if SET not in st.session_state:
        if data is None and not sequences:
            st.info(_("Upload sequences to train on, or download an example above to see the "
                      "format."), icon=":material/upload_file:")
        return None
    s, names = st.session_state[SET]
    _summary(s, names)
    return s


def _summary(s: embeddings.EmbeddingSet, names: str) -> None:
    """What training did: epochs, time, reconstruction quality, the loss curve."""
    m = s.metrics
    trained = (_("Trained on {names}: {epochs} epochs in {seconds} s (stopped early; what it "
                 "learned is kept).") if m["stopped"] else
               _("Trained on {names}: {epochs} epochs in {seconds} s.")).format(
        names=markup.md(names), epochs=m["epochs"], seconds=f"{m['seconds']:.1f}")
    if s.mode == "tokens":
        fit = (_("Training words rebuilt exactly **{train}** on {n}, held-out **{held}** on "
                 "{held_n}.") if m["heldout_count"] else
               _("Training words rebuilt exactly **{train}** on {n}."))
    else:
        fit = (_("Training reconstruction R² **{train}** on {n}, held-out **{held}** on "
                 "{held_n}.") if m["heldout_count"] else
               _("Training reconstruction R² **{train}** on {n}."))
    fit = fit.format(train=_fmt(s, m["train_fit"]), n=m["train_count"],
                     held=_fmt(s, m["heldout_fit"]) if m["heldout_count"] else "",
                     held_n=m["heldout_count"])
    st.success(_("{sentence} {then}").format(sentence=trained, then=fit),
               icon=":material/check_circle:")
    with st.expander(_("Training loss per epoch")):
        st.line_chart(pd.DataFrame({_("loss"): m["losses"]},
                                   index=pd.RangeIndex(1, len(m["losses"]) + 1,
                                                       name=_("epoch"))), height=200)


def _fmt(s: embeddings.EmbeddingSet, value: float) -> str:
    """A fit score: a share of words, or an R²."""
    return f"{value:.1%}" if s.mode == "tokens" else f"{value:.3f}"


def fit_metric(column, s: embeddings.EmbeddingSet) -> None:
    """The set's reconstruction score, held-out when there is a held-out part."""
    m = s.metrics
    key = "heldout_fit" if m["heldout_count"] else "train_fit"
    held = bool(m["heldout_count"])
    if s.mode == "tokens":
        column.metric(_("Held-out words rebuilt") if held else _("Training words rebuilt"),
                      _fmt(s, m[key]),
                      help=_("Words the decoder spells back exactly from their code alone."))
    else:
        column.metric(_("Held-out R²") if held else _("Training R²"), _fmt(s, m[key]),
                      help=_("1 − squared reconstruction error / squared deviation from each "
                             "feature's mean: 1 is perfect, 0 no better than the mean."))


def place_controls(s: embeddings.EmbeddingSet):
    """The uploaded file of new sequences to place into the map (an upload.Uploaded), or None."""
    return upload.sequence_upload(
        "emb.own.place", _("Place new sequences into this map"),
        (".txt", ".json") if s.mode == "tokens" else FORMATS[1:],
        help=_("Encoded by your trained encoder and placed without moving the other points."))


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
        st.error(_("Could not place {name}: {reason}.").format(
            name=markup.md(uploaded.name), reason=say(err)), icon=":material/error:")
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

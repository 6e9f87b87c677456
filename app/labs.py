"""The labs the app has: one entry per page, used by the router and by the home page's cards."""

from __future__ import annotations

from dataclasses import dataclass

from i18n import N_


@dataclass(frozen=True)
class Lab:
    """One lab page."""

    page: str  # page file, relative to app/ (app/views/: a folder named pages/ would switch
    # Streamlit to its older file-based navigation for links that land on a lab directly)
    url_path: str  # path in the browser's address bar
    title: str  # name in the navigation and on the card (English; shown through i18n._)
    icon: str  # Streamlit material icon
    lecture: str  # the lecture section it brings to life
    summary: str  # one or two sentences for the home page's card
    params: tuple[str, ...] = ()  # every URL parameter the page reads from its link
    questions: tuple[str, ...] = ()  # the kinds of lesson question the page can ask


LABS: list[Lab] = [
    Lab(
        page="views/slots.py",
        url_path="slots",
        title=N_("Slot filling"),
        icon=":material/flight_takeoff:",
        lecture=N_("§1 · Slot filling and word encodings"),
        summary=N_(
            "Tag “arrive Taipei on November 2nd” and “leave Taipei on November 2nd” word by "
            "word with a feed-forward, Elman, Jordan, LSTM or bidirectional LSTM tagger, in "
            "1-of-N or word-hashing encoding: only the ones with memory tell dest from origin."
        ),
        params=("a", "b", "tagger", "encoding", "step"),
        questions=("slot", "tagger"),
    ),
    Lab(
        page="views/stepper.py",
        url_path="stepper",
        title=N_("LSTM step-through"),
        icon=":material/memory:",
        lecture=N_("§2–§3 · Recurrent networks and the LSTM memory cell"),
        summary=N_(
            "Step an LSTM, GRU, Elman or Jordan network token by token. Watch the input, forget "
            "and output gates open and close, the memory cell add and reset, and edit the "
            "lecture's hand-set weights to see what each one does."
        ),
        params=("model", "in", "hid", "layers", "bi", "act", "seed", "seq", "rs", "x", "text",
                "step", "w"),
        questions=("memory", "forget"),
    ),
    Lab(
        page="views/charlm.py",
        url_path="charlm",
        title=N_("Character LSTM"),
        icon=":material/text_fields:",
        lecture=N_("§3 · LSTM"),
        summary=N_(
            "A 256-cell LSTM trained on Python's language reference reads your text one "
            "character at a time: its top-5 guesses for the next character, the text coloured "
            "by any cell, and the cells that track quotes, parentheses and line position."
        ),
        params=("text", "step", "cell", "series", "feature"),
        questions=("next",),
    ),
    Lab(
        page="views/gradients.py",
        url_path="gradients",
        title=N_("Gradient lab"),
        icon=":material/trending_up:",
        lecture=N_("§4 · Why RNNs are hard to train"),
        summary=N_(
            "The lecture's y = w⁹⁹⁹, Pascanu's cliff in the error surface with and without "
            "gradient clipping, gradient norms vanishing and exploding over time, and live "
            "training of a tanh RNN against an LSTM."
        ),
        params=("tab", "w", "T", "w0", "b0", "lr", "clip", "steps", "source", "nT", "hidden",
                "radius", "bf", "nseed"),
        questions=("power",),
    ),
    Lab(
        page="views/ctc.py",
        url_path="ctc",
        title=N_("CTC lab"),
        icon=":material/graphic_eq:",
        lecture=N_("§5 · Many-to-many and CTC"),
        summary=N_(
            "Every way of inserting φ that collapses to 好棒棒, counted and listed on the CTC "
            "lattice; a trained recogniser reading handwritten digit strips as α, β and "
            "peaky posteriors; or your own per-frame posteriors."
        ),
        params=("tab", "target", "T", "path", "epoch", "digits", "seed", "beam"),
        questions=("valid",),
    ),
    Lab(
        page="views/embeddings.py",
        url_path="embeddings",
        title=N_("Sequence embeddings"),
        icon=":material/scatter_plot:",
        lecture=N_("§6 · Sequence to sequence"),
        summary=N_(
            "A GRU autoencoder squeezes each English word into one 64-number code and spells it "
            "back from that code alone. See thousands of codes on a UMAP or PCA map, find a "
            "word's nearest codes, and place words of your own into the frozen map."
        ),
        params=("data", "colour", "word", "search", "words"),
    ),
    Lab(
        page="views/attention.py",
        url_path="attention",
        title=N_("Attention"),
        icon=":material/visibility:",
        lecture=N_("§7 · Attention and memory with read heads"),
        summary=N_(
            "Turn “nov. 2nd, 2026” or “2026年11月2日” into 2026-11-02 one character at a time: "
            "see where the attention decoder looks at every step, the attention matrix fill "
            "row by row, and where the plain decoder, squeezed through one vector, goes wrong."
        ),
        params=("text", "step"),
    ),
]

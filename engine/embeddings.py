"""Shipped sequence-embedding sets: a trained autoencoder, the codes of its sequences, their maps.

A set lives in pretrained/embeddings/ as `<name>_autoencoder.*` (engine.checkpoint),
`<name>_codes.npz` (`words` [N], `codes` [N, C], `heldout` [N]) and `<name>_<method>.*`
(engine.projection maps). This module loads one and answers what the embeddings page asks:
metadata to colour by, nearest neighbours in code space, new words encoded and placed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from engine import audio, checkpoint, projection
from engine import autoencoder as ae

DIR = Path(__file__).resolve().parents[1] / "pretrained" / "embeddings"
SETS = {"text": "English words (letters)", "audio": "Spoken words (log-mel frames)"}
AUDIO_RATE = 22050  # Hz: espeak-ng's output rate, at which the spoken-word features were made
AUDIO_HOP_MS = 20.0  # frame hop of the spoken-word features
SUFFIXES = ("s", "es", "ed", "ing", "ly", "er", "ion", "ness", "able", "y")
MAX_PLACED = 500  # words placed into a map at once: each is a labelled point and a table row
MAX_RECORDINGS = 10  # recordings placed at once: each is resampled, featurised and rebuilt
MAX_RECORDING_S = 3.0  # longest recording placed (after trimming silence): one spoken word


@dataclass
class EmbeddingSet:
    """One shipped set: words [N], codes [N, C] float32, heldout [N] bool, the model, its maps."""

    name: str
    words: list[str]
    codes: np.ndarray
    heldout: np.ndarray
    model: ae.SeqAutoencoder
    maps: dict[str, projection.Projection]  # method -> the shipped map of all N codes
    metrics: dict = field(default_factory=dict)  # from the checkpoint (held-out exact rate, ...)
    labels: list[str] = field(default_factory=list)  # hover text per point [N]
    meta: dict[str, list] = field(default_factory=dict)  # values to colour by, each [N]
    frames: list[np.ndarray] | None = None  # audio: normalised log-mel frames [T_i, F] each
    norm: tuple[np.ndarray, np.ndarray] | None = None  # audio: per-band (mean [F], std [F])

    @property
    def mode(self) -> str:
        """"tokens" (words as letters) or "frames" (spoken words)."""
        return self.model.config.mode


def available() -> dict[str, str]:
    """The SETS whose files are shipped."""
    return {k: v for k, v in SETS.items() if (DIR / f"{k}_codes.npz").exists()}


def load_set(name: str, directory: Path = DIR) -> EmbeddingSet:
    """The shipped set `name` (a key of SETS); ValueError for an unknown name."""
    if name not in SETS:
        raise ValueError(f"unknown embedding set {name!r}; valid: {', '.join(SETS)}")
    info = checkpoint.read_info(directory / f"{name}_autoencoder")
    model = checkpoint.load(directory / f"{name}_autoencoder")
    with np.load(directory / f"{name}_codes.npz", allow_pickle=False) as z:
        words, codes, held = [str(w) for w in z["words"]], z["codes"], z["heldout"]
        voice = z.get("voice", None)
    maps = {m: projection.load(directory / f"{name}_{m}") for m in projection.METHODS
            if (directory / f"{name}_{m}.npz").exists()}
    s = EmbeddingSet(name, words, codes.astype(np.float32), held.astype(bool), model, maps,
                     info.metrics)
    if model.config.mode == "tokens":
        s.labels, s.meta = words, metadata(words, s.heldout)
        return s
    names = info.data["voices"]
    mean = np.asarray(info.data["normalisation_mean"], np.float32)
    std = np.asarray(info.data["normalisation_std"], np.float32)
    with np.load(directory / f"{name}_features.npz", allow_pickle=False) as z:
        frames, lengths = z["frames"].astype(np.float32), z["lengths"]
    s.norm = (mean, std)
    s.frames = [(f - mean) / std for f in np.split(frames, np.cumsum(lengths)[:-1])]
    s.labels = [f"{w} · {names[v]}" for w, v in zip(words, voice, strict=True)]
    plural = set(words)
    s.meta = {"voice": [names[v] for v in voice],
              "plural": ["plural" if w.endswith("s") and w[:-1] in plural else "singular"
                         for w in words],
              "first letter": [w[0] for w in words], "frames": [len(f) for f in s.frames],
              "split": ["held-out voice" if h else "train" for h in s.heldout], "word": words}
    return s


def suffix(word: str) -> str:
    """The longest of SUFFIXES the word ends with (keeping ≥ 3 letters before it), else "—"."""
    for s in sorted(SUFFIXES, key=len, reverse=True):
        if word.endswith(s) and len(word) - len(s) >= 3:
            return "-" + s
    return "—"


def metadata(words: list[str], heldout: np.ndarray | None = None) -> dict[str, list]:
    """Per-word values to colour a map by: length, first letter, last letter, suffix, split."""
    meta = {"first letter": [w[0] for w in words], "last letter": [w[-1] for w in words],
            "suffix": [suffix(w) for w in words], "length": [len(w) for w in words]}
    if heldout is not None:
        meta["split"] = ["held out" if h else "train" for h in heldout]
    return meta


def neighbours(codes: np.ndarray, query: np.ndarray, k: int = 10,
               exclude: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(indices [k], cosine similarities [k]) of the codes nearest to query [C], best first."""
    unit = codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)
    q = query / max(float(np.linalg.norm(query)), 1e-12)
    sims = unit @ q
    if exclude is not None:
        sims[exclude] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return order, sims[order]


def parse_words(text: str) -> list[str]:
    """Words typed by a user: split on spaces and commas, lower-cased, duplicates dropped."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen.setdefault(part.strip().lower(), None)
    return [w for w in seen if w]


def rebuild_frames(s: EmbeddingSet, i: int) -> tuple[np.ndarray, np.ndarray]:
    """(original [T, F], reconstruction [T, F]) of recording i of a frames set."""
    return s.frames[i], ae.reconstruct(s.model, [s.frames[i]])[0]


def place_recording(s: EmbeddingSet, data: bytes, proj: projection.Projection):
    """(frames [T, F], map position [1, 2], rebuilt frames [T, F]) of a WAV recording of one
    spoken word, made the way the shipped features were (resampled to AUDIO_RATE, silence
    trimmed, log-mel with a 20 ms hop, normalised). ValueError for a file that is not a WAV or
    too short."""
    samples, rate = audio.read_wav(data)
    samples = audio.trim_silence(audio.resample(samples, rate, AUDIO_RATE), AUDIO_RATE)
    if len(samples) < AUDIO_RATE // 10:
        raise ValueError("the recording is shorter than 0.1 s after trimming silence")
    if len(samples) > AUDIO_RATE * MAX_RECORDING_S:
        raise ValueError(f"the recording is {len(samples) / AUDIO_RATE:.1f} s long after "
                         f"trimming silence; at most {MAX_RECORDING_S:g} s are placed: upload "
                         "one spoken word")
    mean, std = s.norm
    frames = (audio.log_mel(samples, AUDIO_RATE, hop_ms=AUDIO_HOP_MS) - mean) / std
    code = ae.encode(s.model, [frames])
    return frames, projection.place(proj, code), ae.reconstruct(s.model, [frames])[0]


def unplaceable(model: ae.SeqAutoencoder, word: str) -> str | None:
    """Why a words model cannot read `word` ("longer than 12 letters", "é is not one of its
    letters"), or None when it can."""
    c = model.config
    if not word:
        return "empty"
    if len(word) > c.max_len:
        return f"longer than {c.max_len} letters"
    bad = "".join(sorted({ch for ch in word if ch not in c.alphabet}))
    if bad:
        letters = "a–z" if c.alphabet == "abcdefghijklmnopqrstuvwxyz" else "the ones it learned"
        return (f"{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not among its letters "
                f"({letters})")
    return None


def split_placeable(model: ae.SeqAutoencoder,
                    words: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """(the words the model can read, [(word, why not)] for the others), each in order."""
    ok, skipped = [], []
    for w in words:
        why = unplaceable(model, w)
        if why is None:
            ok.append(w)
        else:
            skipped.append((w, why))
    return ok, skipped


def skipped_text(skipped: list[tuple[str, str]], most: int = 10) -> str:
    """ "qwertyuiopasdfgh (longer than 12 letters), café (é is not …)" for the first `most`."""
    text = ", ".join(f"{w} ({why})" for w, why in skipped[:most])
    return text + (f" and {len(skipped) - most:,} more" if len(skipped) > most else "")


def check_placed_count(n: int, what: str = "words") -> None:
    """ValueError when more than MAX_PLACED are to be placed at once."""
    if n > MAX_PLACED:
        raise ValueError(f"{n:,} {what} to place; at most {MAX_PLACED:,} are placed at once: "
                         "place fewer")


def place_words(s: EmbeddingSet, method: str, words: list[str],
                proj: projection.Projection | None = None):
    """(codes [M, C], map positions [M, 2], reconstructions [M]) of new words in a frozen map.

    ValueError for more than MAX_PLACED words, or (from the autoencoder) a character outside
    its alphabet or a word too long: split_placeable first to leave those out.
    """
    check_placed_count(len(words))
    codes = ae.encode(s.model, words)
    coords = projection.place(proj or s.maps[method], codes)
    return codes, coords, ae.decode(s.model, codes)


# -- your own sequences: a new autoencoder trained on them, then mapped ------------------------

OWN_MIN = 8  # fewest sequences an autoencoder is trained on
OWN_MAX = 5_000  # most sequences trained on (or placed) at once: the time limit does the rest
OWN_MAX_STEPS = 500  # longest sequence trained on whole; longer ones must be cut into windows
OWN_MAX_WORD = 40  # longest word read letter by letter
OWN_MAX_VALUES = 4_000_000  # most numbers (steps x features, all sequences) trained on at once
OWN_WORDS_EXAMPLE = 3_000  # words in the ready example: enough that codes spell new words too
BIG_BATCH_FROM = 1_000  # from this many training sequences, batches of 128 (else 32): about as
# many updates per second, four times the sequences
REBUILD_CHUNK = 256  # sequences decoded together when scoring or placing (bounds memory)
OWN_HELDOUT_FROM = 20  # with at least this many sequences, HELDOUT_FRACTION are held out
HELDOUT_FRACTION = 0.15
_PUNCTUATION = ".,;:!?\"'()[]{}«»“”‘’"


OWN_LIMITS = {  # (least, most) of each training setting a user sizes, with why
    "hidden_size": (2, 256),  # wider is slower than a laptop CPU trains in minutes
    "code_size": (1, 128),  # a code longer than this is no squeeze for words or short series
    "epochs": (1, 200),  # the time limit ends training first on any upload big enough to need
    "max_seconds": (1.0, 600.0),  # a training run holds one CPU core; 10 minutes at most
}


@dataclass
class OwnSettings:
    """How to train an autoencoder on a user's sequences (the page's controls). Each number
    must lie in OWN_LIMITS (ValueError naming the limit otherwise)."""

    kind: str = "gru"  # encoder and decoder cell: "gru" or "lstm"
    hidden_size: int = 128  # width of the encoder's and decoder's hidden state
    code_size: int = 64  # length of the code each sequence becomes
    epochs: int = 25  # passes over the training sequences (upper bound)
    max_seconds: float = 120.0  # training stops after this much wall time, keeping what it has
    window: int = 0  # numbers: cut every sequence into windows of this many steps (0: whole)
    seed: int = 0  # initial weights, shuffling and the held-out split

    def __post_init__(self) -> None:
        if self.kind not in ae.KINDS:
            raise ValueError(f"unknown cell {self.kind!r}; valid: {', '.join(ae.KINDS)}")
        for name, (lo, hi) in OWN_LIMITS.items():
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise ValueError(f"{name.replace('_', ' ').replace('max seconds', 'time limit')}"
                                 f" must be between {lo:g} and {hi:g}, got {value:g}")


@dataclass
class OwnData:
    """A user's sequences made ready for an autoencoder.

    mode: "tokens" (words, read letter by letter) or "frames" (numbers [T_i, F]). items: the
    words, or the frames normalised per feature. labels [N]: each one's name. sources [N]: the
    file or array each came from ("sine[3]" → "sine"). norm: frames: (mean [F], std [F]) used
    to normalise. alphabet: tokens: every character used. notes: what was left out, and why.
    """

    mode: str
    items: list
    labels: list[str]
    sources: list[str]
    norm: tuple[np.ndarray, np.ndarray] | None = None
    alphabet: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Numbers per step (frames), or 1 (tokens)."""
        return int(self.items[0].shape[1]) if self.mode == "frames" else 1

    @property
    def lengths(self) -> list[int]:
        """Steps of each sequence [N]."""
        return [len(x) for x in self.items]


def _words_of(tokens: list[str]) -> list[str]:
    """The words of a text sequence: each token, or the whole text when it is read letter by
    letter (every token one character); surrounding punctuation removed."""
    if all(len(t) == 1 for t in tokens):
        tokens = ["".join(tokens)]
    return [w for w in (t.strip(_PUNCTUATION) for t in tokens) if w and not w.isspace()]


def _group(name: str) -> str:
    """The name a sequence shares with its siblings: "sine[3]" → "sine"."""
    return re.sub(r"\[\d+\]$", "", name) or name


def own_examples(seed: int = 0) -> dict[str, bytes]:
    """Ready-to-train example files {name: bytes}: "waves.npz" (arrays sine, square and
    sawtooth, each [40, 40, 1]: 40 steps of one wave each, of random frequency; a good code
    tells the shapes apart) and "words.txt" (OWN_WORDS_EXAMPLE English words of the shipped
    words set, one per line)."""
    import io

    rng = np.random.default_rng(seed)
    cycles = (rng.uniform(0.03, 0.08, (3, 40, 1)) * np.arange(40)[None, None, :]) % 1.0
    shapes = {"sine": np.sin(2 * np.pi * cycles), "square": np.where(cycles < 0.5, 1.0, -1.0),
              "sawtooth": 2 * cycles - 1}
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: v[i][..., None].astype(np.float32)
                                for i, (k, v) in enumerate(shapes.items())})
    files = {"waves.npz": buf.getvalue()}
    path = DIR / "text_codes.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            words = [str(w) for w in z["words"]]
        pick = sorted(np.random.default_rng(seed).choice(len(words), OWN_WORDS_EXAMPLE,
                                                         replace=False))
        files["words.txt"] = ("\n".join(words[i] for i in pick) + "\n").encode()
    return files


@contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread in the calling thread while inside (torch's OpenMP setting belongs
    to the thread that sets it): a small RNN's batches are too small to share between cores,
    and on a busy CPU two threads wait on each other (5-10x slower here)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _windows(values: np.ndarray, size: int) -> list[tuple[int, np.ndarray]]:
    """(start, window) pieces of `size` steps; a last piece shorter than half a window is
    dropped (unless it is the only one)."""
    pieces = [(t, values[t : t + size]) for t in range(0, len(values), size)]
    if len(pieces) > 1 and len(pieces[-1][1]) < max(2, size // 2):
        pieces.pop()
    return pieces


def own_data(sequences: list, window: int = 0) -> OwnData:
    """Sequences read by engine.uploads.parse (each with `.name` and `.values` [T, F] or
    `.tokens`) → OwnData. Text gives words; numbers give frames, optionally cut into windows of
    `window` steps, normalised per feature over all steps.

    ValueError, in words a student understands, for: text mixed with numbers, numbers of
    different widths, too few or too many sequences, a sequence too long to train on whole.
    """
    if not sequences:
        raise ValueError("no sequences: upload at least one file")
    text = [s for s in sequences if s.values is None]
    if text and len(text) != len(sequences):
        raise ValueError(f"the files mix text ({text[0].name}) with numbers "
                         f"({next(s.name for s in sequences if s.values is not None)}); an "
                         f"autoencoder reads one kind: upload only words or only numbers")
    if text:
        return _own_words(text)
    return _own_frames(sequences, window)


def _count_check(n: int, what: str, hint: str) -> None:
    """ValueError when n is outside OWN_MIN … OWN_MAX."""
    if n < OWN_MIN:
        what = what if n != 1 else what.removesuffix("s")
        raise ValueError(f"found {n} {what}; an autoencoder needs at least {OWN_MIN} to learn "
                         f"from: {hint}")
    if n > OWN_MAX:
        raise ValueError(f"found {n:,} {what}; at most {OWN_MAX:,} are trained on at once: "
                         f"upload fewer")


def _own_words(text: list) -> OwnData:
    seen: dict[str, str] = {}
    too_long: list[str] = []
    for s in text:
        for w in _words_of(s.tokens):
            if len(w) > OWN_MAX_WORD:
                too_long.append(w)
            else:
                seen.setdefault(w, _group(s.name))
    words = list(seen)
    notes = []
    if len(words) > OWN_MAX:
        notes.append(f"the first {OWN_MAX:,} of {len(words):,} different words are used")
        words = words[:OWN_MAX]
    _count_check(len(words), "different words", "upload a longer word list (one word per line "
                 "or separated by spaces)")
    if too_long:
        notes.append(f"{len(too_long)} word{'s' * (len(too_long) != 1)} longer than "
                     f"{OWN_MAX_WORD} characters left out (e.g. {too_long[0][:20]}…)")
    alphabet = "".join(sorted({ch for w in words for ch in w}))
    return OwnData("tokens", words, words, [seen[w] for w in words], alphabet=alphabet,
                   notes=notes)


def _own_frames(sequences: list, window: int) -> OwnData:
    width = sequences[0].features
    for s in sequences[1:]:
        if s.features != width:
            raise ValueError(f"{sequences[0].name} has {width} feature{'s' * (width != 1)} per "
                             f"step but {s.name} has {s.features}; every sequence must have "
                             f"the same number of columns")
    if window < 0 or window > OWN_MAX_STEPS or window == 1:
        raise ValueError(f"window length must be 0 (whole sequences) or 2 … {OWN_MAX_STEPS}, "
                         f"got {window}")
    total = sum(s.steps for s in sequences) * width
    if total > OWN_MAX_VALUES:
        raise ValueError(f"the files hold {total:,} numbers; at most {OWN_MAX_VALUES:,} are "
                         f"trained on at once: upload fewer or shorter sequences")
    items, labels, sources = [], [], []
    for s in sequences:
        values = np.asarray(s.values, dtype=np.float32)
        if window:
            for t, piece in _windows(values, window):
                items.append(piece)
                labels.append(f"{s.name} [{t}–{t + len(piece) - 1}]")
                sources.append(_group(s.name))
        else:
            if len(values) > OWN_MAX_STEPS:
                raise ValueError(f"{s.name} has {len(values):,} steps; sequences up to "
                                 f"{OWN_MAX_STEPS} steps are trained on whole: choose a window "
                                 f"length to cut it into pieces")
            items.append(values)
            labels.append(s.name)
            sources.append(_group(s.name))
    _count_check(len(items), "sequences", "upload more files, one file with several "
                 "sequences (an NPY [N, T, F], an NPZ or a JSON list), or cut long sequences "
                 "into windows")
    stacked = np.concatenate(items)
    mean = stacked.mean(0).astype(np.float32)
    std = stacked.std(0).astype(np.float32)
    std[std < 1e-6] = 1.0  # a constant feature stays constant (and centred)
    items = [((x - mean) / std).astype(np.float32) for x in items]
    return OwnData("frames", items, labels, sources, norm=(mean, std))


def _own_split(n: int, seed: int) -> np.ndarray:
    """Held-out mask [n]: a seeded HELDOUT_FRACTION of the sequences, none below
    OWN_HELDOUT_FROM."""
    held = np.zeros(n, bool)
    if n >= OWN_HELDOUT_FROM:
        pick = np.random.default_rng(seed).choice(n, max(1, round(n * HELDOUT_FRACTION)),
                                                  replace=False)
        held[pick] = True
    return held


def rebuild(model: ae.SeqAutoencoder, frames: list[np.ndarray]) -> list[np.ndarray]:
    """ae.reconstruct of frame arrays, REBUILD_CHUNK sequences at a time."""
    return [r for i in range(0, len(frames), REBUILD_CHUNK)
            for r in ae.reconstruct(model, frames[i : i + REBUILD_CHUNK])]


def frame_fit(model: ae.SeqAutoencoder, frames: list[np.ndarray]) -> float:
    """R² of the frames' reconstructions: 1 − squared error / squared deviation from each
    feature's mean (0 = no better than the mean; the frames must be normalised, mean 0)."""
    if not frames:
        return float("nan")
    rebuilt = rebuild(model, frames)
    err = sum(float(((a - b) ** 2).sum()) for a, b in zip(frames, rebuilt, strict=True))
    total = sum(float((a**2).sum()) for a in frames)
    return 1.0 - err / max(total, 1e-12)


def train_own(data: OwnData, settings: OwnSettings | None = None,
              progress: Callable[[float, str], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> EmbeddingSet:
    """A new autoencoder trained on `data`, and the set of its codes with a PCA map.

    The held-out sequences (see _own_split) are encoded and mapped but never trained on.
    `progress(fraction, message)` hears each epoch; `should_stop()` ends training early (what
    was learned is kept). metrics: reconstruction of training and held-out sequences (exact
    rate for words, R² for numbers), losses per epoch, epochs, stopped, seconds.
    """
    settings = settings or OwnSettings()
    if data.mode == "tokens":
        config = ae.AutoencoderConfig(kind=settings.kind, mode="tokens", alphabet=data.alphabet,
                                      embed_size=16, hidden_size=settings.hidden_size,
                                      code_size=settings.code_size,
                                      max_len=max(len(w) for w in data.items) + 2)
    else:
        config = ae.AutoencoderConfig(kind=settings.kind, mode="frames", input_size=data.width,
                                      hidden_size=settings.hidden_size,
                                      code_size=settings.code_size)
    held = _own_split(len(data.items), settings.seed)
    train_items = [x for x, h in zip(data.items, held, strict=True) if not h]
    test_items = [x for x, h in zip(data.items, held, strict=True) if h]
    model = ae.build(config, seed=settings.seed)
    start = time.perf_counter()

    def heard(epoch: int, loss: float) -> None:
        if progress:
            done = max(epoch / settings.epochs,
                       (time.perf_counter() - start) / settings.max_seconds)
            progress(min(done, 1.0), f"epoch {epoch}, loss {loss:.4f}")

    big = len(train_items) >= BIG_BATCH_FROM
    with one_thread():
        result = ae.train(model, train_items,
                          ae.TrainConfig(epochs=settings.epochs, batch_size=128 if big else 32,
                                         lr=5e-3 if big else 3e-3,
                                         max_seconds=settings.max_seconds, seed=settings.seed),
                          progress=heard, should_stop=should_stop)
    codes = ae.encode(model, data.items)
    if data.mode == "tokens":
        fit = {"train_fit": ae.exact_rate(model, train_items),
               "heldout_fit": ae.exact_rate(model, test_items)}
        meta = metadata(data.items, held if held.any() else None)
    else:
        fit = {"train_fit": frame_fit(model, train_items),
               "heldout_fit": frame_fit(model, test_items)}
        meta = {}
        if held.any():
            meta["split"] = ["held out" if h else "train" for h in held]
        if len(set(data.lengths)) > 1 or not meta:
            meta["length"] = data.lengths
    if len(set(data.sources)) > 1:
        meta = {"group": list(data.sources), **meta}
    maps = {"pca": projection.project(codes, "pca")} if len(codes) >= 3 else {}
    metrics = {**fit, "losses": list(result.losses), "epochs": result.epochs,
               "stopped": result.stopped, "seconds": result.seconds,
               "train_count": len(train_items), "heldout_count": len(test_items)}
    return EmbeddingSet("own", list(data.labels), codes, held, model, maps, metrics,
                        labels=list(data.labels), meta=meta,
                        frames=data.items if data.mode == "frames" else None, norm=data.norm)


def place_own(s: EmbeddingSet, sequences: list, proj: projection.Projection, window: int = 0):
    """(labels [M], codes [M, C], positions [M, 2], originals [M], rebuilt [M]) of new
    sequences placed into the frozen map of a set trained by train_own: words encoded as they
    are (those the model cannot read, see split_placeable, left out), numbers normalised with
    the set's own mean and std. ValueError for sequences of another kind or width, more than
    MAX_PLACED words, or no word the model can read."""
    if not sequences:
        raise ValueError("no sequences to place")
    if s.mode == "tokens":
        if any(q.values is not None for q in sequences):
            raise ValueError("this map was trained on words; upload words (a text file)")
        words = list(dict.fromkeys(w for q in sequences for w in _words_of(q.tokens)))
        check_placed_count(len(words))
        words, skipped = split_placeable(s.model, words)
        if not words:
            raise ValueError("none of its words can be placed: " + skipped_text(skipped))
        codes = ae.encode(s.model, words)
        return words, codes, projection.place(proj, codes), words, ae.decode(s.model, codes)
    if any(q.values is None for q in sequences):
        raise ValueError("this map was trained on numbers; upload numbers (CSV, NPY, JSON…)")
    mean, std = s.norm
    width = len(mean)
    labels, frames = [], []
    for q in sequences:
        if q.features != width:
            raise ValueError(f"{q.name} has {q.features} feature{'s' * (q.features != 1)} per "
                             f"step; the map was trained on {width}")
        values = np.asarray(q.values, dtype=np.float32)
        pieces = _windows(values, window) if window else [(0, values)]
        for t, piece in pieces:
            if len(piece) > OWN_MAX_STEPS:
                raise ValueError(f"{q.name} has {len(piece):,} steps; at most {OWN_MAX_STEPS} "
                                 f"are placed whole")
            labels.append(f"{q.name} [{t}–{t + len(piece) - 1}]" if window else q.name)
            frames.append(((piece - mean) / std).astype(np.float32))
    if len(frames) > OWN_MAX or sum(f.size for f in frames) > OWN_MAX_VALUES:
        raise ValueError(f"{len(frames):,} sequences of {sum(f.size for f in frames):,} numbers;"
                         f" at most {OWN_MAX:,} sequences and {OWN_MAX_VALUES:,} numbers are "
                         "placed at once")
    codes = ae.encode(s.model, frames)
    return labels, codes, projection.place(proj, codes), frames, rebuild(s.model, frames)

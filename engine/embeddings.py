"""Shipped sequence-embedding sets: a trained autoencoder, the codes of its sequences, their maps.

A set lives in pretrained/embeddings/ as `<name>_autoencoder.*` (engine.checkpoint),
`<name>_codes.npz` (`words` [N], `codes` [N, C], `heldout` [N]) and `<name>_<method>.*`
(engine.projection maps). This module loads one and answers what the embeddings page asks:
metadata to colour by, nearest neighbours in code space, new words encoded and placed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine import audio, checkpoint, projection
from engine import autoencoder as ae

DIR = Path(__file__).resolve().parents[1] / "pretrained" / "embeddings"
SETS = {"text": "English words (letters)", "audio": "Spoken words (log-mel frames)"}
AUDIO_RATE = 22050  # Hz: espeak-ng's output rate, at which the spoken-word features were made
AUDIO_HOP_MS = 20.0  # frame hop of the spoken-word features
SUFFIXES = ("s", "es", "ed", "ing", "ly", "er", "ion", "ness", "able", "y")


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
    if len(samples) > AUDIO_RATE * 3:
        raise ValueError("the recording is longer than 3 s after trimming silence: "
                         "upload one spoken word")
    mean, std = s.norm
    frames = (audio.log_mel(samples, AUDIO_RATE, hop_ms=AUDIO_HOP_MS) - mean) / std
    code = ae.encode(s.model, [frames])
    return frames, projection.place(proj, code), ae.reconstruct(s.model, [frames])[0]


def place_words(s: EmbeddingSet, method: str, words: list[str],
                proj: projection.Projection | None = None):
    """(codes [M, C], map positions [M, 2], reconstructions [M]) of new words in a frozen map.

    ValueError (from the autoencoder) for a character outside its alphabet or a word too long.
    """
    codes = ae.encode(s.model, words)
    coords = projection.place(proj or s.maps[method], codes)
    return codes, coords, ae.decode(s.model, codes)

"""Audio Word2Vec on synthetic speech: spoken words → log-mel frames → a frames autoencoder.

    python pretrained/audio_words.py              # from the shipped features
    python pretrained/audio_words.py --synthesize # first re-synthesize them (needs espeak-ng:
                                                  # apt-get install espeak-ng)

Seeded and CPU-only. `--synthesize` speaks 120 word/plural pairs from embeddings/words.txt
(240 words) in 6 voice settings (espeak-ng voice, speed in words per minute, pitch 0–99),
trims silence and turns each recording into log-mel frames (engine.audio, 40 bands, 25 ms
window, 20 ms hop), written to `embeddings/audio_features.npz` (no audio, no espeak-ng ships).
Then it trains a frames autoencoder (engine.autoencoder, mode "frames") on five of the six
settings (the sixth is held out), and writes into pretrained/embeddings/:
`audio_autoencoder.*`, `audio_codes.npz`, `audio_umap.*`, `audio_pca.*`, with the metrics of
the card: how often a recording's nearest code is the same word in another voice, and the
cosine between word→plural offset vectors against random word→word offsets.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine import audio, checkpoint, projection  # noqa: E402
from engine import autoencoder as ae  # noqa: E402

OUT = ROOT / "pretrained" / "embeddings"
SEED = 0
N_PAIRS = 120
# (voice, words per minute, pitch): six speakers; the last one is held out from training
VOICES = (("en-us+m3", 170, 45), ("en-us+f2", 150, 70), ("en-gb", 185, 40),
          ("en-gb-scotland+f3", 160, 60), ("en-029+m1", 140, 35), ("en-gb-x-rp+f4", 175, 55))
HELDOUT_VOICE = 5
HOP_MS = 20.0
MODEL = ae.AutoencoderConfig(kind="gru", mode="frames", input_size=audio.N_MELS,
                             hidden_size=128, code_size=64, bidirectional=True)
TRAIN = ae.TrainConfig(epochs=60, batch_size=32, lr=3e-3, clip=1.0, seed=SEED,
                       max_seconds=1e9)


def pick_pairs() -> list[tuple[str, str]]:
    """N_PAIRS (word, word + "s") pairs of 3–6-letter words from the text set, seeded."""
    words = [line.split("\t")[0] for line in (OUT / "words.txt").read_text().splitlines()]
    have = set(words)
    base = [w for w in words if 3 <= len(w) <= 6 and w + "s" in have and not w.endswith("s")]
    rng = np.random.default_rng(SEED)
    return [(str(w), str(w) + "s") for w in sorted(rng.choice(base, N_PAIRS, replace=False))]


def speak(word: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    """log-mel frames [T, 40] of espeak-ng saying `word`, leading/trailing silence trimmed."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w",
                        f.name, word], check=True, capture_output=True)
        samples, rate = audio.read_wav(Path(f.name).read_bytes())
    return audio.log_mel(audio.trim_silence(samples, rate), rate, hop_ms=HOP_MS)


def synthesize() -> None:
    """Write embeddings/audio_features.npz from espeak-ng."""
    pairs = pick_pairs()
    words = [w for pair in pairs for w in pair]
    rows, feats = [], []
    for v, (voice, speed, pitch) in enumerate(VOICES):
        for w in words:
            feats.append(speak(w, voice, speed, pitch).astype(np.float16))
            rows.append((w, v))
    lengths = np.array([len(f) for f in feats])
    np.savez_compressed(
        OUT / "audio_features.npz", frames=np.concatenate(feats), lengths=lengths,
        words=np.array([w for w, _ in rows]), voice=np.array([v for _, v in rows]),
        voices=np.array([f"{n} · {s} wpm · pitch {p}" for n, s, p in VOICES]))
    print(f"synthesized {len(rows)} recordings, {lengths.sum()} frames")


def load_features() -> tuple[list[np.ndarray], np.ndarray, np.ndarray, list[str]]:
    """(frames per recording [T_i, 40] float32, words [N], voice index [N], voice names)."""
    with np.load(OUT / "audio_features.npz", allow_pickle=False) as z:
        frames, lengths = z["frames"].astype(np.float32), z["lengths"]
        words, voice, names = z["words"], z["voice"], [str(n) for n in z["voices"]]
    seqs = np.split(frames, np.cumsum(lengths)[:-1])
    return seqs, words, voice, names


def nearest_same_word(codes: np.ndarray, words: np.ndarray, rows: np.ndarray) -> float:
    """Fraction of `rows` whose nearest other code (cosine) is the same word."""
    unit = codes / np.linalg.norm(codes, axis=1, keepdims=True)
    sims = unit[rows] @ unit.T
    sims[np.arange(len(rows)), rows] = -np.inf
    return float(np.mean(words[sims.argmax(1)] == words[rows]))


def offset_cosines(codes: np.ndarray, words: np.ndarray, voice: np.ndarray,
                   seed: int = SEED) -> tuple[float, float]:
    """(mean cosine between word→plural offsets, mean cosine between random-pair offsets),
    over pairs of offsets within the same voice."""
    index = {(str(w), int(v)): i for i, (w, v) in enumerate(zip(words, voice, strict=True))}
    rng = np.random.default_rng(seed)
    plural, rand = [], []
    for v in np.unique(voice):
        singles = sorted(str(w) for w in words[voice == v] if str(w) + "s" in set(words))
        off = np.array([codes[index[(w + "s", v)]] - codes[index[(w, v)]] for w in singles])
        others = rng.permutation(len(singles))
        roff = np.array([codes[index[(singles[o] + "s", v)]] - codes[index[(w, v)]]
                         for w, o in zip(singles, others, strict=True)])
        for group, out in ((off, plural), (roff, rand)):
            u = group / np.linalg.norm(group, axis=1, keepdims=True)
            c = u @ u.T
            out.append(c[np.triu_indices(len(u), 1)].mean())
    return float(np.mean(plural)), float(np.mean(rand))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthesize", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.synthesize:
        synthesize()
    seqs, words, voice, names = load_features()
    mean = np.concatenate(seqs).mean(0)
    std = np.concatenate(seqs).std(0) + 1e-6
    norm = [(s - mean) / std for s in seqs]
    train_rows = [i for i in range(len(norm)) if voice[i] != HELDOUT_VOICE]
    start = time.perf_counter()
    model = ae.build(MODEL, seed=SEED)
    result = ae.train(model, [norm[i] for i in train_rows], TRAIN,
                      progress=lambda e, loss: print(f"epoch {e:3d} loss {loss:.4f} "
                                                     f"{time.perf_counter() - start:6.1f} s"))
    codes = ae.encode(model, norm)
    rec = ae.reconstruct(model, norm)
    mse = float(np.mean([np.mean((r - s) ** 2) for r, s in zip(rec, norm, strict=True)]))
    held_rows = np.flatnonzero(voice == HELDOUT_VOICE)
    nn_all = nearest_same_word(codes, words, np.arange(len(words)))
    nn_held = nearest_same_word(codes, words, held_rows)
    cos_plural, cos_random = offset_cosines(codes, words, voice)
    metrics = {"nn_same_word": nn_all, "nn_same_word_heldout_voice": nn_held,
               "nn_chance": (len(VOICES) - 1) / (len(words) - 1),
               "plural_offset_cosine": cos_plural, "random_offset_cosine": cos_random,
               "reconstruction_mse": mse, "final_loss": result.losses[-1],
               "epochs": result.epochs, "train_seconds": round(result.seconds, 1)}
    print(json.dumps(metrics, indent=1))
    data = {"source": "English words from embeddings/words.txt spoken by espeak-ng 1.51 in "
                      "six voice settings; log-mel frames from engine.audio (20 ms hop)",
            "voices": names, "heldout_voice": names[HELDOUT_VOICE],
            "recordings": len(words), "normalisation_mean": mean.tolist(),
            "normalisation_std": std.tolist(), "train_config": vars(TRAIN)}
    checkpoint.save(model, MODEL, OUT / "audio_autoencoder", metrics=metrics, data=data)
    np.savez_compressed(OUT / "audio_codes.npz", words=words, codes=codes,
                        heldout=voice == HELDOUT_VOICE, voice=voice)
    for method in projection.METHODS:
        p = projection.project(codes, method, seed=SEED)
        projection.save(p, OUT / f"audio_{method}")
        print(f"{method}: trustworthiness {p.trustworthiness:.3f}")
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

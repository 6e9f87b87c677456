"""Train the text sequence autoencoder on English words and ship its codes and 2-D maps.

    python pretrained/embeddings.py              # uses the shipped word list
    python pretrained/embeddings.py --from-dict  # re-draws the word list from
                                                 # /usr/share/dict/words (Debian wamerican)

Seeded and CPU-only. Writes into pretrained/embeddings/:
- `words.txt`: the words used, one per line as `word<TAB>train|heldout` (drawn once from
  SCOWL's American English list, see WORDS_SOURCE.md; re-drawn only with --from-dict);
- `text_autoencoder.{safetensors,json}`: the engine.autoencoder checkpoint, with the held-out
  exact reconstruction rate in its metrics;
- `text_codes.npz`: `words` [N] (unicode), `codes` [N, code_size] float32, `heldout` [N] bool;
- `text_umap.{npz,json}`, `text_pca.{npz,json}`: engine.projection maps of all N codes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from engine import autoencoder as ae  # noqa: E402
from engine import checkpoint, projection  # noqa: E402

OUT_DIR = ROOT / "pretrained" / "embeddings"
DICT = Path("/usr/share/dict/words")
SEED = 0
N_BASE = 2600  # base words drawn (each brings its plural when the list has it)
N_WORDS = 6000  # words in all
HELDOUT = 0.1  # fraction of words never trained on
MIN_LEN, MAX_LEN = 3, 10  # word lengths kept
MODEL = ae.AutoencoderConfig(kind="gru", mode="tokens", embed_size=32, hidden_size=160,
                             code_size=64, bidirectional=True, max_len=MAX_LEN + 2)
TRAIN = ae.TrainConfig(epochs=36, batch_size=64, lr=3e-3, clip=1.0, seed=SEED,
                       max_seconds=1e9)


def draw_words(seed: int = SEED) -> list[tuple[str, bool]]:
    """(word, held out?) pairs from /usr/share/dict/words: base words and their plurals."""
    import re

    pattern = re.compile(f"[a-z]{{{MIN_LEN},{MAX_LEN}}}")
    words = sorted({w.strip() for w in DICT.read_text().splitlines()
                    if pattern.fullmatch(w.strip())})
    have = set(words)
    rng = np.random.default_rng(seed)
    base = [w for w in words if not w.endswith("s") and (w + "s" in have or w + "es" in have)]
    chosen: list[str] = []
    for w in rng.permutation(base)[:N_BASE]:
        chosen.append(str(w))
        chosen.append(str(w) + "s" if str(w) + "s" in have else str(w) + "es")
    rest = [w for w in rng.permutation(words) if w not in set(chosen)]
    chosen += [str(w) for w in rest[: N_WORDS - len(chosen)]]
    chosen = sorted(set(chosen))
    held = rng.random(len(chosen)) < HELDOUT
    return [(w, bool(h)) for w, h in zip(chosen, held, strict=True)]


def read_words(path: Path) -> list[tuple[str, bool]]:
    """(word, held out?) pairs from words.txt."""
    out = []
    for line in path.read_text().splitlines():
        word, split = line.split("\t")
        out.append((word, split == "heldout"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-dict", action="store_true",
                        help="re-draw words.txt from /usr/share/dict/words")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    words_path = OUT_DIR / "words.txt"
    if args.from_dict:
        pairs = draw_words()
        words_path.write_text("".join(f"{w}\t{'heldout' if h else 'train'}\n"
                                      for w, h in pairs))
    pairs = read_words(words_path)
    words = [w for w, _ in pairs]
    held = np.array([h for _, h in pairs])
    train_words = [w for w, h in pairs if not h]
    test_words = [w for w, h in pairs if h]
    print(f"{len(words)} words: {len(train_words)} train, {len(test_words)} held out")

    start = time.perf_counter()
    model = ae.build(MODEL, seed=SEED)
    result = ae.train(model, train_words, TRAIN,
                      progress=lambda e, loss: print(f"epoch {e:3d}  loss {loss:.4f}  "
                                                     f"{time.perf_counter() - start:6.1f} s"))
    exact_train = ae.exact_rate(model, train_words)
    exact_held = ae.exact_rate(model, test_words)
    print(f"exact reconstruction: train {exact_train:.3f}, held out {exact_held:.3f}")
    metrics = {"heldout_exact": exact_held, "train_exact": exact_train,
               "final_loss": result.losses[-1], "epochs": result.epochs,
               "train_seconds": round(result.seconds, 1)}
    data = {"source": "SCOWL American English word list (Debian wamerican 2020.12.07-2), "
                      "see pretrained/embeddings/WORDS_SOURCE.md and WORDS_LICENSE",
            "words": len(words), "train": len(train_words), "heldout": len(test_words),
            "train_config": asdict(TRAIN)}
    checkpoint.save(model, MODEL, OUT_DIR / "text_autoencoder", metrics=metrics, data=data)

    codes = ae.encode(model, words)
    np.savez_compressed(OUT_DIR / "text_codes.npz", words=np.array(words), codes=codes,
                        heldout=held)
    maps = {}
    for method in projection.METHODS:
        p = projection.project(codes, method, seed=SEED)
        projection.save(p, OUT_DIR / f"text_{method}")
        maps[method] = round(p.trustworthiness, 4)
        print(f"{method}: trustworthiness {p.trustworthiness:.3f} ({p.seconds:.1f} s)")
    print(json.dumps({**metrics, "trustworthiness": maps}))
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

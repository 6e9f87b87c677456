"""A character-level LSTM language model and the tools to look inside it.

After Karpathy, Johnson & Fei-Fei (2015), "Visualizing and understanding recurrent networks"
(arXiv:1506.02078): an LSTM reads English text one character at a time and predicts the next
one; some of its memory cells turn out to track things such as "inside a quotation" or "position
in the line". This module holds

- the alphabet: printable ASCII and the newline (`ALPHABET`); index 0 of every input and output
  vector stands for any other character (shown as `UNKNOWN`);
- `encode` (text -> one-hot [T, V], what the LSTM reads), `decode`, `tokens` (one visible label
  per character);
- `CharLM`: one-hot -> `torch.nn.LSTM` -> linear readout to the V characters. Its recurrent part
  `rnn_as_traceable` is the plain `torch.nn.LSTM`, so `engine.trace.trace` records it;
- `read`: every cell value and the next-character distribution over one text; `top_k`;
- `features` and `rank_cells`: simple per-character features (inside quotes, inside parentheses,
  position in word and line, ...) and every cell's Pearson correlation with each, so a student
  can find "the quote cell";
- the shipped data: Python's language reference text (`load_corpus`, `split_corpus`; built by
  pretrained/charlm.py) and `bits_per_char` to score a model on it.

Shapes: T = characters, B = batch, V = vocabulary (unknown + alphabet), L = layers,
H = units per layer, N = L * H cells, F = features, k = top-k.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from engine import checkpoint
from engine.charlm_model import (  # noqa: F401 (re-exported)
    ALPHABET,
    UNKNOWN,
    CharLM,
    CharLMConfig,
)
from engine.messages import UserError
from engine.trace import Trace, trace

GLYPHS: dict[str, str] = {" ": "␣", "\n": "↵", "\t": "⇥"}  # visible labels of blank characters
MAX_CHARS = 2000  # longest text `read` accepts
CHECKPOINT = Path(__file__).resolve().parents[1] / "pretrained" / "charlm" / "lstm"
CORPUS_PATH = Path(__file__).resolve().parents[1] / "pretrained" / "charlm" / "corpus.txt"
# SHA-256 of the shipped corpus file (UTF-8 bytes); load_corpus refuses any other text.
CORPUS_SHA256 = "7d4525d4bd46addc16efe173f3a62f1175e7b9a1423254530c2c05af9e792d14"
HELDOUT_FRACTION = 0.1  # the corpus's last tenth (cut at a blank line) is held out
EVAL_STREAMS = 32  # bits_per_char reads the text as this many contiguous streams side by side

# Typographic characters of the source text replaced by ASCII when the corpus is built.
ASCII_REPLACEMENTS: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
    "\u2014": "--", "\u2013": "-", "\u00df": "ss", "\u00b0": " degrees", "\u00a0": " ",
}

DEFAULT_TEXT = (
    'The "print" function (a built-in) writes its arguments to the stream "sys.stdout", '
    "separated by spaces (the default separator) and followed by a newline.\n"
    'If the keyword argument "end" is given (for example, "end=\'\'"), it replaces the '
    "newline. Calls such as \"print(len(items), 'items')\" evaluate every argument first; "
    'the result is "None" (not the text that was written).\n'
    "A quotation may (rarely) span lines: \"like\nthis one\" (and then it closes).\n"
)


# -- text <-> vectors -------------------------------------------------------------------------


def _index_map(alphabet: str) -> dict[str, int]:
    return {ch: i + 1 for i, ch in enumerate(alphabet)}


_DEFAULT_INDEX = _index_map(ALPHABET)


def indices(text: str, alphabet: str = ALPHABET) -> Tensor:
    """Vocabulary index of every character [T] (int64); 0 for characters not in `alphabet`."""
    table = _DEFAULT_INDEX if alphabet == ALPHABET else _index_map(alphabet)
    return torch.tensor([table.get(ch, 0) for ch in text], dtype=torch.long)


def encode(text: str, alphabet: str = ALPHABET) -> Tensor:
    """`text` as the one-hot float sequence [T, V] the LSTM reads; ValueError if empty."""
    if not isinstance(text, str) or not text:
        raise UserError("charlm.empty", "the text is empty: type at least one character")
    idx = indices(text, alphabet)
    return nn.functional.one_hot(idx, len(alphabet) + 1).to(torch.float32)


def decode(x, alphabet: str = ALPHABET) -> str:
    """One-hot (or any scores) [T, V] -> text, argmax per step; index 0 -> `UNKNOWN`."""
    chars = UNKNOWN + alphabet
    return "".join(chars[i] for i in torch.as_tensor(x).argmax(dim=-1).tolist())


def glyph(ch: str) -> str:
    """A visible label for one character: ␣ for a space, ↵ for a newline, else itself."""
    return GLYPHS.get(ch, ch)


def tokens(text: str) -> list[str]:
    """One label per character of `text` (blank characters as visible glyphs, see GLYPHS)."""
    return [glyph(ch) for ch in text]


# -- reading a text ---------------------------------------------------------------------------


@dataclass
class Reading:
    """What a CharLM computed while reading one text."""

    text: str  # the text read, T characters
    trace: Trace  # engine.trace of `rnn_as_traceable` over encode(text): every gate and cell
    logits: Tensor  # [T, V] readout after character t: scores of the character t + 1
    probs: Tensor  # [T, V] softmax of logits: the next-character distribution after each step
    cells: Tensor  # [T, N] memory c_t of every cell, layers side by side (N = L * H)
    hidden: Tensor  # [T, N] output h_t of every cell, layers side by side
    alphabet: str  # the model's alphabet (vocabulary index i > 0 is alphabet[i - 1])
    hidden_size: int  # H, units per layer (cell n is unit n % H of layer n // H)

    def series(self, name: str) -> Tensor:
        """[T, N] values of every cell: "c" (memory) or "h" (output)."""
        if name not in ("c", "h"):
            raise ValueError(f"unknown series {name!r}; choose 'c' (memory) or 'h' (output)")
        return self.cells if name == "c" else self.hidden


def read(model: CharLM, text: str) -> Reading:
    """Run the model over `text` (1..MAX_CHARS characters) and record everything; see Reading.

    The values come from `engine.trace.trace(model.rnn_as_traceable, encode(text))`; the
    readout is applied to the last layer's hidden states. ValueError for bad text.
    """
    check_text(text)
    x = encode(text, model.config.alphabet)
    with torch.no_grad():
        tr = trace(model.rnn_as_traceable, x)
        logits = model.readout(tr.hidden)
        probs = torch.softmax(logits, dim=-1)
    layers = [lt[0] for lt in tr.layers]
    return Reading(text=text, trace=tr, logits=logits, probs=probs,
                   cells=torch.cat([lt.cell for lt in layers], dim=1),
                   hidden=torch.cat([lt.hidden for lt in layers], dim=1),
                   alphabet=model.config.alphabet, hidden_size=model.config.hidden_size)


def check_text(text: str) -> None:
    """ValueError with a clear message unless 1 <= len(text) <= MAX_CHARS."""
    if not isinstance(text, str) or not text:
        raise UserError("charlm.empty", "the text is empty: type at least one character")
    if len(text) > MAX_CHARS:
        raise UserError("charlm.too_long",
                        "the text has {count:,} characters; the most this lab reads is "
                        "{limit:,}", count=len(text), limit=MAX_CHARS)


@dataclass
class TopK:
    """The k likeliest next characters after every step."""

    chars: list[list[str]]  # [T][k] the characters (UNKNOWN for index 0), likeliest first
    probs: np.ndarray  # [T, k] their probabilities, sorted descending


def top_k(probs: Tensor, alphabet: str = ALPHABET, k: int = 5) -> TopK:
    """Top-k of a next-character distribution [T, V] (see `Reading.probs`)."""
    k = max(1, min(int(k), probs.shape[-1]))
    values, idx = torch.topk(probs, k, dim=-1)
    chars = UNKNOWN + alphabet
    return TopK(chars=[[chars[i] for i in row] for row in idx.tolist()],
                probs=values.double().numpy())


def cell_name(n: int, hidden_size: int, num_layers: int) -> str:
    """A short name for cell n: "c37", or "L2 c37" for a stacked model."""
    layer, unit = divmod(int(n), hidden_size)
    return f"c{unit}" if num_layers == 1 else f"L{layer + 1} c{unit}"


# -- features and cell ranking ----------------------------------------------------------------

# Simple per-character features, by name: what each measures after reading character t.
FEATURES: dict[str, str] = {
    "in_quotes": 'inside "double quotes" (the opening quote counts, the closing one does not)',
    "in_parens": "inside parentheses (depth > 0 after the character)",
    "paren_depth": "parenthesis nesting depth",
    "pos_in_word": "position in the current word (1, 2, 3, ...; 0 outside words)",
    "pos_in_line": "characters since the last newline",
    "after_space": "the character is a space (the next one follows a space)",
    "is_letter": "the character is a letter",
    "is_upper": "the character is an upper-case letter",
}
FEATURE_TITLES: dict[str, str] = {
    "in_quotes": "inside quotes", "in_parens": "inside parentheses",
    "paren_depth": "parenthesis depth", "pos_in_word": "position in word",
    "pos_in_line": "position in line", "after_space": "after a space",
    "is_letter": "letter", "is_upper": "upper case",
}


def features(text: str) -> dict[str, np.ndarray]:
    """Every feature of FEATURES over `text`: name -> float64 array [T]."""
    n = len(text)
    out = {name: np.zeros(n) for name in FEATURES}
    quote, depth, word, line = False, 0, 0, 0
    for t, ch in enumerate(text):
        if ch == '"':
            quote = not quote
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        word = word + 1 if (ch.isalnum() or ch == "_") else 0
        line = 0 if ch == "\n" else line + 1
        out["in_quotes"][t] = quote
        out["in_parens"][t] = depth > 0
        out["paren_depth"][t] = depth
        out["pos_in_word"][t] = word
        out["pos_in_line"][t] = line
        out["after_space"][t] = ch == " "
        out["is_letter"][t] = ch.isalpha()
        out["is_upper"][t] = ch.isupper()
    return out


def correlations(values, feats: dict[str, np.ndarray]) -> np.ndarray:
    """Pearson correlation [F, N] of every column of `values` [T, N] with every feature [T].

    NaN where a feature or a cell is constant over the text (no correlation is defined).
    """
    v = np.asarray(values, dtype=np.float64)
    f = np.stack([np.asarray(a, dtype=np.float64) for a in feats.values()])  # [F, T]
    vc = v - v.mean(axis=0)
    fc = f - f.mean(axis=1, keepdims=True)
    vn = np.sqrt((vc * vc).sum(axis=0))  # [N]
    fn = np.sqrt((fc * fc).sum(axis=1))  # [F]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (fc @ vc) / np.outer(fn, vn)
    tiny = 1e-12
    r[fn <= tiny * max(1.0, np.abs(f).max(initial=0.0)), :] = np.nan
    r[:, vn <= tiny * max(1.0, np.abs(v).max(initial=0.0))] = np.nan
    return np.clip(r, -1.0, 1.0)


@dataclass
class CellRanking:
    """Every cell's correlation with every feature over one text."""

    features: list[str]  # F feature names (keys of FEATURES)
    corr: np.ndarray  # [F, N] Pearson r of each feature with each cell; NaN if undefined
    series: str  # "c" (memory) or "h" (output): which values were correlated
    names: list[str]  # [N] cell names (see cell_name)

    def top(self, feature: str, k: int = 10) -> list[tuple[int, float]]:
        """The k cells with the largest |r| for `feature`: (cell index, r), strongest first."""
        row = self.corr[self.features.index(feature)]
        ok = np.flatnonzero(~np.isnan(row))
        order = ok[np.argsort(-np.abs(row[ok]), kind="stable")]
        return [(int(n), float(row[n])) for n in order[:k]]

    def best(self) -> tuple[str, int, float] | None:
        """(feature, cell, r) of the strongest defined correlation, or None if none is."""
        if np.all(np.isnan(self.corr)):
            return None
        f, n = np.unravel_index(np.nanargmax(np.abs(self.corr)), self.corr.shape)
        return self.features[int(f)], int(n), float(self.corr[f, n])


def rank_cells(reading: Reading, series: str = "c") -> CellRanking:
    """Correlate every cell's `series` ("c" or "h") with every feature of the reading's text."""
    feats = features(reading.text)
    values = reading.series(series).double().numpy()
    layers = values.shape[1] // reading.hidden_size
    return CellRanking(features=list(feats), corr=correlations(values, feats), series=series,
                       names=[cell_name(n, reading.hidden_size, layers)
                              for n in range(values.shape[1])])


# -- data and scoring -------------------------------------------------------------------------


def clean_topics(topics: dict[str, str]) -> str:
    """Python's pydoc topics (pydoc_data.topics.topics) as one ASCII text.

    Topics are joined in the dict's order with a blank line between; reStructuredText heading
    underlines (lines of one repeated * = - ~ ^) are dropped; typographic characters become
    ASCII (ASCII_REPLACEMENTS); tabs become spaces; anything else outside ALPHABET is dropped.
    """
    underline = re.compile(r"([*=\-~^])\1{2,}")
    parts = []
    for body in topics.values():
        lines = [ln.rstrip() for ln in body.replace("\t", "    ").split("\n")
                 if not underline.fullmatch(ln.strip())]
        parts.append("\n".join(lines).strip("\n"))
    text = "\n\n".join(parts) + "\n"
    for src, dst in ASCII_REPLACEMENTS.items():
        text = text.replace(src, dst)
    known = set(ALPHABET)
    return "".join(ch for ch in text if ch in known)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_corpus(path: Path | str = CORPUS_PATH, sha256: str | None = None) -> str:
    """The shipped training text; ValueError unless its SHA-256 is the recorded one."""
    text = Path(path).read_text(encoding="utf-8")
    want = CORPUS_SHA256 if sha256 is None else sha256
    if sha256_text(text) != want:
        raise ValueError(f"{path} is not the corpus the shipped model was trained on "
                         f"(SHA-256 {sha256_text(text)}, expected {want})")
    return text


def split_corpus(text: str, fraction: float = HELDOUT_FRACTION) -> tuple[str, str]:
    """(train, held-out): the held-out part is the last `fraction` of the text, starting at
    the first blank line after that point, so neither part splits a paragraph."""
    cut = int(len(text) * (1 - fraction))
    blank = text.find("\n\n", cut)
    cut = blank + 2 if blank >= 0 else cut
    return text[:cut], text[cut:]


def bits_per_char(model: CharLM, text: str, streams: int = EVAL_STREAMS) -> float:
    """Mean -log2 p(next character) over `text`, read as `streams` contiguous pieces.

    The text is cut into `streams` equal pieces (the remainder is dropped), each read from a
    zero state in one batch; every character after the first of each piece is predicted.
    """
    idx = indices(text, model.config.alphabet)
    length = len(idx) // streams
    if length < 2:
        raise ValueError(f"text too short for {streams} streams")
    idx = idx[: length * streams].view(streams, length).t()  # [T, B]
    x = nn.functional.one_hot(idx, model.config.vocab_size).to(torch.float32)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits, _ = model(x)
        nll = nn.functional.cross_entropy(
            logits[:-1].reshape(-1, logits.shape[-1]), idx[1:].reshape(-1))
    model.train(was_training)
    return float(nll) / math.log(2)


def unigram_bits_per_char(train: str, heldout: str, alphabet: str = ALPHABET) -> float:
    """Bits per character of a unigram model (add-one counts of `train`) on `heldout`."""
    v = len(alphabet) + 1
    counts = np.bincount(indices(train, alphabet).numpy(), minlength=v) + 1.0
    logp = np.log2(counts / counts.sum())
    return float(-logp[indices(heldout, alphabet).numpy()].mean())


# -- the shipped model ------------------------------------------------------------------------


def shipped_model() -> CharLM:
    """The trained model in pretrained/charlm/ (see its card in pretrained/README.md)."""
    return checkpoint.load(CHECKPOINT)


def shipped_lstm() -> nn.LSTM:
    """The shipped model's recurrent part (reads one-hot [T, V]): what the stepper steps."""
    return shipped_model().rnn_as_traceable


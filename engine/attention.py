"""Attention (lecture §7): a decoder that looks back at every encoder state, stepped character by
character, next to the plain encoder–decoder whose decoder sees one fixed vector (§6).

Two shipped models (pretrained/attention/, built by pretrained/attention.py) turn a date as
people write it ("nov. 2nd, 2026", "2026年11月2日", ...; engine.date_data) into its ISO form
("2026-11-02"). The models are engine.attention_model.DateTranslator; this module reads them:

- `translate(text, model)`: greedy decoding that records, for every output character, the
  attention weights over the input characters, the context vector, the decoder state and the
  distribution over the next character (`Translation`);
- `evaluate`: exact-match accuracy on phrases, overall, by input length and by form.

Shapes: T = input characters, U = output characters (the end symbol not counted), V = output
symbols (end + OUTPUT_ALPHABET), H = encoder units per direction, D = decoder units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from engine import checkpoint
from engine.attention_model import (  # noqa: F401 (re-exported)
    ATTENTION,
    END,
    OUTPUT_ALPHABET,
    DateTranslator,
    TranslatorConfig,
    normalise_char,
)
from engine.date_data import Phrase
from engine.messages import UserError

CHECKPOINT_DIR = Path(__file__).resolve().parents[1] / "pretrained" / "attention"
# The shipped models by name: the checkpoint file in CHECKPOINT_DIR.
MODELS: dict[str, str] = {"attention": "attention", "plain": "plain"}
MODEL_TITLES: dict[str, str] = {"attention": "With attention", "plain": "Plain (no attention)"}
# Longest input `translate` reads: the written forms the models learned are at most 27
# characters, and a longer text would only make an attention matrix nobody can read.
MAX_INPUT_CHARS = 40
END_LABEL = "⏹"  # how the end symbol is shown
UNKNOWN_LABEL = "�"  # how a character outside the input alphabet is shown as the model reads it


@dataclass
class Translation:
    """One greedy decoding, recorded step by step."""

    text: str  # the input as read (surrounding blanks removed)
    model: str  # "attention" or "plain" (or "custom" for a model passed in)
    input_tokens: list[str]  # the T input characters, as typed
    known: list[bool]  # [T] whether the model knows each character (else it reads "unknown")
    output_tokens: list[str]  # the U output characters, without the end symbol
    output: str  # "".join(output_tokens)
    ended: bool  # the decoder chose the end symbol within max_output steps
    weights: np.ndarray | None  # [U, T] attention weights (each row sums to 1); None: plain
    contexts: np.ndarray  # [U, 2H] context vector c_t each step read (plain: the last state)
    probs: np.ndarray  # [U, V] distribution over the next symbol at each output step
    encoder_states: np.ndarray  # [T, 2H] h_j, the memory the attention reads
    decoder_states: np.ndarray  # [U, D] s_t after each output step
    symbols: list[str] = field(default_factory=list)  # [V] label of each output symbol

    @property
    def is_date(self) -> bool:
        """Whether the output is a real calendar day in ISO form (YYYY-MM-DD)."""
        return as_date(self.output) is not None

    def top(self, step: int, k: int = 5) -> list[tuple[str, float]]:
        """The k most likely symbols at output step `step` (0-based): (label, probability)."""
        order = np.argsort(-self.probs[step], kind="stable")[:k]
        return [(self.symbols[i], float(self.probs[step, i])) for i in order]


def as_date(iso: str) -> dt.date | None:
    """The day an ISO text YYYY-MM-DD names, or None when it is not one."""
    if len(iso) != 10 or iso[4] != "-" or iso[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


def shipped_model(name: str = "attention") -> DateTranslator:
    """A shipped model by name (see MODELS and its card in pretrained/README.md)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODELS)}")
    return checkpoint.load(CHECKPOINT_DIR / MODELS[name])


def shipped_metrics(name: str = "attention") -> dict:
    """The metrics stored with a shipped model (held-out accuracy, by length and form)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODELS)}")
    return checkpoint.read_info(CHECKPOINT_DIR / MODELS[name]).metrics


def check_text(text: str) -> str:
    """`text` without surrounding blanks; ValueError when empty or too long."""
    if not isinstance(text, str):
        raise ValueError(f"expected text, got {type(text).__name__}")
    text = text.strip()
    if not text:
        raise UserError("attention.empty", "the text is empty: type a date, e.g. “November 2, "
                        "2026”")
    if len(text) > MAX_INPUT_CHARS:
        raise UserError("attention.too_long", "the text has {count:,} characters; the models "
                        "read at most {limit} (a written date is at most 27)",
                        count=len(text), limit=MAX_INPUT_CHARS)
    return text


def symbols(config: TranslatorConfig) -> list[str]:
    """Labels of the V output symbols: the end symbol, then the output alphabet."""
    return [END_LABEL, *config.output_alphabet]


def translate(text: str, model: str | DateTranslator = "attention") -> Translation:
    """Greedy decoding of `text` with a shipped model (by name) or a DateTranslator.

    Unknown characters read as the "unknown" input (never an error); ValueError for an empty
    text or one longer than MAX_INPUT_CHARS, and for an unknown model name.
    """
    text = check_text(text)
    name = model if isinstance(model, str) else "custom"
    net = shipped_model(model) if isinstance(model, str) else model
    net.eval()
    index = net.indices(text)
    x = torch.tensor([index])
    weights, contexts, probs, dec_states, out = [], [], [], [], []
    ended = False
    with torch.no_grad():
        states, summary, keys = net.encode(x)
        s = torch.tanh(net.bridge(summary))
        prev = torch.tensor([net.start])
        for _ in range(net.config.max_output):
            logits, s, a, c = net.step(prev, s, states, summary, keys)
            k = int(logits.argmax(-1))
            if k == END:
                ended = True
                break
            p = torch.softmax(logits, -1)[0]
            probs.append(p.numpy())
            contexts.append(c[0].numpy())
            dec_states.append(s[0].numpy())
            if a is not None:
                weights.append(a[0].numpy())
            out.append(net.config.output_alphabet[k - 1])
            prev = torch.tensor([k])
    width = 2 * net.config.hidden_size
    return Translation(
        text=text, model=name, input_tokens=list(text), known=[i != 0 for i in index],
        output_tokens=out, output="".join(out), ended=ended,
        weights=(np.array(weights).reshape(len(out), len(text)) if net.has_attention else None),
        contexts=np.array(contexts).reshape(len(out), width),
        probs=np.array(probs).reshape(len(out), net.config.output_size),
        encoder_states=states[0].numpy(),
        decoder_states=np.array(dec_states).reshape(len(out), net.config.decoder_size),
        symbols=symbols(net.config))


def decode(indices: list[int], config: TranslatorConfig) -> str:
    """Output indices -> text, up to the first end symbol."""
    out = []
    for k in indices:
        if k == END:
            break
        out.append(config.output_alphabet[k - 1])
    return "".join(out)


@dataclass
class Accuracy:
    """Exact-match accuracy of a model on phrases."""

    correct: int  # phrases translated exactly
    total: int  # phrases
    by_length: dict[int, tuple[int, int]]  # input length -> (correct, total)
    by_form: dict[str, tuple[int, int]]  # form -> (correct, total)
    wrong: list[tuple[str, str, str]]  # (text, expected, got) of the first wrong ones

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def pooled(by_length: dict, low: int, high: int) -> tuple[int, int]:
    """(correct, total) over input lengths low..high of a by-length table (keys int or text)."""
    rows = [v for k, v in by_length.items() if low <= int(k) <= high]
    return sum(c for c, _ in rows), sum(n for _, n in rows)


def evaluate(model: DateTranslator, phrases: list[Phrase], batch: int = 512,
             keep_wrong: int = 20) -> Accuracy:
    """Greedy decoding of every phrase (batched by input length) scored against its ISO form."""
    model.eval()
    groups: dict[int, list[Phrase]] = defaultdict(list)
    for p in phrases:
        groups[len(p.text)].append(p)
    by_length: dict[int, list[int]] = {}
    by_form: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    for length in sorted(groups):
        group = groups[length]
        by_length[length] = [0, 0]
        for start in range(0, len(group), batch):
            part = group[start: start + batch]
            x = torch.tensor([model.indices(p.text) for p in part])
            got = model.greedy(x).tolist()
            for p, g in zip(part, got, strict=True):
                text = decode(g, model.config)
                ok = text == p.iso
                by_length[length][0] += ok
                by_length[length][1] += 1
                by_form[p.form][0] += ok
                by_form[p.form][1] += 1
                if not ok and len(wrong) < keep_wrong:
                    wrong.append((p.text, p.iso, text))
    correct = sum(c for c, _ in by_length.values())
    return Accuracy(correct=correct, total=len(phrases),
                    by_length={k: tuple(v) for k, v in by_length.items()},
                    by_form={k: tuple(v) for k, v in by_form.items()}, wrong=wrong)

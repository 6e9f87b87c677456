"""Handwritten digit strips and a bidirectional-LSTM CTC recogniser that reads them.

The lecture's many-to-many case with a shorter output (/work/shared/lecture/NOTES.md §5): a
strip of handwritten digits is read column by column, one frame per column, and the network
emits a label or the blank φ per frame; CTC (Graves et al., "Connectionist Temporal
Classification", ICML 2006) trains it without saying which columns belong to which digit.

Data: scikit-learn's bundled digits (`sklearn.datasets.load_digits`: 1797 real 8×8 scans, a
copy of the test set of the UCI "Optical Recognition of Handwritten Digits" data set; it ships
inside the scikit-learn package, nothing is downloaded). The scans are split once, by source
image, with a fixed seed (`split_indices`), so strips built from the "test" split never reuse
a scan that training strips use.

CTC labels: blank = 0 and digit d -> d + 1, so C = 11 classes. Shapes: W = strip width in
columns (= T frames), B = batch, C = 11, F = 8 * (2 * context + 1) features per frame.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from engine.cells import CellConfig, LSTMNet, build_model
from engine.ctc import collapse
from engine.messages import UserError

HEIGHT = 8  # pixel rows (and columns) of one scan
BLANK = 0  # CTC blank label
NUM_CLASSES = 11  # blank + digits 0-9 (digit d is label d + 1)
SPLIT_SEED = 1797  # seed of the fixed train/test split of the source scans
TEST_FRACTION = 0.2  # share of each digit's scans held out for testing
HELDOUT_SEED = 2006  # seed of the fixed held-out evaluation strips
HELDOUT_SIZE = 500  # number of held-out evaluation strips
SPLITS = ("train", "test")
MAX_STRIP_DIGITS = 8  # digits in one strip: the recogniser learned strips of 1-6 digits

# What a picture must look like to be read as a digit strip (`check_strip`). Thresholds from
# the shipped strips (ink covers 13-29 % of a strip, mid-tones 11-33 %), the example PNG and a
# 1280 x 800 screenshot of the app's home page (25 lines of text, 3 % ink).
MIN_STRIP_HEIGHT = 8  # pixels: the recogniser reads 8 pixel rows
MAX_STRIP_HEIGHT = 400  # pixels: a strip is one line of digits; taller is a page or screenshot
MIN_STRIP_ASPECT = 0.6  # width / height: narrower than one digit is not a strip
MAX_STRIP_ASPECT = 24.0  # width / height: at most 8 * 24 = 192 frames once scaled to 8 rows
MIN_STRIP_CONTRAST = 0.25  # ink must differ from the paper by this much (of black to white)
MIN_STRIP_INK = 0.02  # share of the picture that is ink: less is blank paper
MAX_STRIP_INK = 0.45  # more is not digits on paper (shipped strips: at most 29 %)
MAX_STRIP_MIDTONES = 0.45  # share of grey between ink and paper: more is a photo or noise
MAX_STRIP_LINES = 2  # separate bands of writing, top to bottom: more is text, not one strip


# --------------------------------------------------------------------------------------------
# Data


@functools.lru_cache(maxsize=1)
def load_scans() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 scans: images [N, 8, 8] float32 in [0, 1] and digit labels [N] int64 (read-only)."""
    from sklearn.datasets import load_digits  # imported here: only data building needs it

    bunch = load_digits()
    images = (np.asarray(bunch.images, dtype=np.float32) / 16.0).clip(0.0, 1.0)
    labels = np.asarray(bunch.target, dtype=np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


@functools.cache
def split_indices(split: str) -> np.ndarray:
    """Sorted source-scan indices [N_split] of "train" or "test" (fixed, seeded, per digit 80/20).

    The split is stratified: for every digit a seeded permutation of its scans puts the first
    round(TEST_FRACTION * n) in "test" and the rest in "train"; the two never share a scan.
    """
    _check_split(split)
    _, labels = load_scans()
    rng = np.random.default_rng(SPLIT_SEED)
    test = []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        idx = idx[rng.permutation(len(idx))]
        test.append(idx[: int(round(TEST_FRACTION * len(idx)))])
    test_idx = np.sort(np.concatenate(test))
    out = test_idx if split == "test" else np.setdiff1d(np.arange(len(labels)), test_idx)
    out.setflags(write=False)
    return out


@functools.cache
def _by_digit(split: str) -> tuple[np.ndarray, ...]:
    """Source indices of `split` per digit 0-9."""
    _, labels = load_scans()
    idx = split_indices(split)
    return tuple(idx[labels[idx] == d] for d in range(10))


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")


@dataclass
class Strip:
    """A strip of handwritten digits side by side.

    Column spans are half-open: digit k covers columns spans[k][0] <= x < spans[k][1].
    """

    image: np.ndarray  # [8, W] float32 in [0, 1]
    labels: list[int]  # the digits, left to right (0-9)
    spans: list[tuple[int, int]]  # [(start, stop)] columns of each digit, left to right
    sources: list[int]  # index into load_scans() of each digit's scan
    shifts: list[int]  # vertical shift of each digit in pixels (+ = down)
    split: str = "train"  # which source split the scans came from

    @property
    def width(self) -> int:
        """W, columns of the strip."""
        return int(self.image.shape[1])

    @property
    def ctc_labels(self) -> list[int]:
        """The CTC target [U]: digit d -> d + 1."""
        return to_ctc(self.labels)


def png_pixels(data: bytes, max_pixels: int = 4_000_000) -> np.ndarray:
    """A PNG's grey levels [H, W] in [0, 1] at full size (transparent pixels count as white
    paper). The size is read from the header first: more than `max_pixels` is a ValueError."""
    import io

    from PIL import Image  # imported here: only uploaded strips need it

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise ValueError(f"the picture is {width} x {height} pixels; at most "
                                 f"{max_pixels:,} pixels are read.")
            img.load()
            gray = img.convert("LA") if img.mode in ("RGBA", "LA", "PA", "P") else img
            if gray.mode == "LA":
                plain = Image.new("LA", gray.size, (255, 255))
                plain.alpha_composite(gray)
                gray = plain
            return np.asarray(gray.convert("L"), dtype=np.float32) / 255.0
    except (OSError, SyntaxError, Image.DecompressionBombError, EOFError) as err:
        raise ValueError(f"the picture cannot be read as a PNG: {err}") from None


@dataclass
class StripCheck:
    """What `check_strip` measured of a picture (all shares are of its pixels)."""

    height: int  # pixels
    width: int  # pixels
    contrast: float  # how far the darkest ink is from the paper, 0-1
    ink: float  # share of pixels at least half-way from paper to ink
    midtones: float  # share of pixels between 15 % and 85 % of the way from paper to ink
    lines: int  # separate bands of rows holding ink, top to bottom


def measure_strip(image: np.ndarray) -> StripCheck:
    """Measure a picture [H, W] of grey levels in [0, 1] (either polarity) for `check_strip`.

    The paper is the median grey level; a pixel's ink is its distance from the paper, relative
    to the 99.5th percentile distance (a few stray pixels do not set the scale).
    """
    image = np.asarray(image, dtype=np.float32)
    height, width = image.shape
    distance = np.abs(image - float(np.median(image)))
    contrast = float(np.percentile(distance, 99.5))
    ink = distance / max(contrast, 1e-6)
    inked = ink > 0.5
    rows = inked.mean(axis=1) > 0.002
    starts = np.diff(np.concatenate([[0], rows.astype(np.int8)])) == 1
    return StripCheck(height=int(height), width=int(width), contrast=contrast,
                      ink=float(inked.mean()),
                      midtones=float(((ink > 0.15) & (ink < 0.85)).mean()),
                      lines=int(starts.sum()))


def check_strip(image: np.ndarray) -> StripCheck:
    """Refuse, with a ValueError saying why, a picture [H, W] (grey levels in [0, 1]) that is
    not a strip of handwritten digits: too small or too tall, too narrow or too wide, blank,
    too much ink or grey (a photo, noise), or several lines of writing (a page, a screenshot).
    Returns what was measured when it looks like a strip."""
    m = measure_strip(image)
    h, w = m.height, m.width
    if h < MIN_STRIP_HEIGHT:
        raise UserError("digits.too_short", "the picture is {w} x {h} pixels: a digit strip "
                        "needs at least {limit} pixel rows.", w=w, h=h, limit=MIN_STRIP_HEIGHT)
    if h > MAX_STRIP_HEIGHT:
        raise UserError("digits.too_tall", "the picture is {w} x {h} pixels, taller than a "
                        "strip of digits ({limit} pixels at most): it looks like a page or a "
                        "screenshot. Crop it to one line of digits, or scale it down.",
                        w=w, h=h, limit=MAX_STRIP_HEIGHT)
    if w / h < MIN_STRIP_ASPECT:
        raise UserError("digits.too_narrow", "the picture is {w} x {h} pixels, narrower than "
                        "one digit: a strip is at least {limit:g} times as wide as it is tall.",
                        w=w, h=h, limit=MIN_STRIP_ASPECT)
    if w / h > MAX_STRIP_ASPECT:
        raise UserError("digits.too_wide", "the picture is {w} x {h} pixels, {ratio:.0f} "
                        "times as wide as it is tall; a strip may be at most {limit:g} times "
                        "as wide ({frames} frames once scaled to {rows} rows). Cut it into "
                        "shorter strips.", w=w, h=h, ratio=w / h, limit=MAX_STRIP_ASPECT,
                        frames=int(HEIGHT * MAX_STRIP_ASPECT), rows=HEIGHT)
    if m.contrast < MIN_STRIP_CONTRAST:
        raise UserError("digits.one_shade", "the picture is almost one shade (contrast "
                        "{contrast:.0%}; at least {limit:.0%} is needed): nothing is written "
                        "on it.", contrast=m.contrast, limit=MIN_STRIP_CONTRAST)
    if m.ink < MIN_STRIP_INK:
        raise UserError("digits.little_ink", "only {ink:.1%} of the picture is ink (at least "
                        "{limit:.0%} is needed): write the digits larger or crop the empty "
                        "paper around them.", ink=m.ink, limit=MIN_STRIP_INK)
    if m.lines > MAX_STRIP_LINES:
        raise UserError("digits.several_lines", "the picture holds {lines} separate lines of "
                        "writing; a digit strip is one line (at most {limit} bands): it looks "
                        "like text or a screenshot.", lines=m.lines, limit=MAX_STRIP_LINES)
    if m.ink > MAX_STRIP_INK:
        raise UserError("digits.much_ink", "{ink:.0%} of the picture is ink (at most "
                        "{limit:.0%}): digits are strokes on plain paper.", ink=m.ink,
                        limit=MAX_STRIP_INK)
    if m.midtones > MAX_STRIP_MIDTONES:
        raise UserError("digits.grey", "{midtones:.0%} of the picture is grey between ink and "
                        "paper (at most {limit:.0%}): it looks like a photo or noise, not "
                        "digits on plain paper.", midtones=m.midtones, limit=MAX_STRIP_MIDTONES)
    return m


def to_ctc(digits) -> list[int]:
    """Digits 0-9 -> CTC labels 1-10 (blank is 0)."""
    return [int(d) + 1 for d in digits]


def from_ctc(labels) -> list[int]:
    """CTC labels 1-10 -> digits 0-9 (blanks dropped)."""
    return [int(c) - 1 for c in labels if int(c) != BLANK]


def _shifted(scan: np.ndarray, shift: int) -> np.ndarray:
    """scan [8, 8] moved `shift` rows down (up if negative), zeros filling in."""
    out = np.zeros_like(scan)
    if shift >= 0:
        out[shift:] = scan[: HEIGHT - shift]
    else:
        out[:shift] = scan[-shift:]
    return out


def distort(scan: np.ndarray, rng: np.random.Generator, strength: float = 1.0,
            max_rotate: float = 12.0, max_scale: float = 0.12, max_shear: float = 0.2,
            max_offset: float = 0.6, max_gamma: float = 0.4) -> np.ndarray:
    """A randomly distorted copy of scan [8, 8] (training augmentation): a small affine map
    (rotation up to max_rotate degrees, scale 1 +- max_scale, shear +- max_shear, sub-pixel
    offset +- max_offset) resampled bilinearly, zeros outside, then a gamma of
    exp(+-max_gamma) on the intensities (thinner or bolder strokes). `strength` scales every
    range (0: the scan unchanged). Values stay in [0, 1].
    """
    max_rotate, max_scale, max_shear, max_offset, max_gamma = (
        strength * v for v in (max_rotate, max_scale, max_shear, max_offset, max_gamma))
    angle = np.deg2rad(rng.uniform(-max_rotate, max_rotate))
    scale = 1.0 + rng.uniform(-max_scale, max_scale, size=2)
    shear = rng.uniform(-max_shear, max_shear)
    cos, sin = np.cos(angle), np.sin(angle)
    forward = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    forward = forward @ np.diag(scale)  # source (row, col) -> output, about the centre
    centre = (HEIGHT - 1) / 2
    rows, cols = np.mgrid[0:HEIGHT, 0:HEIGHT].astype(np.float64) - centre
    offset = rng.uniform(-max_offset, max_offset, size=2)
    out_pts = np.stack([rows.ravel() - offset[0], cols.ravel() - offset[1]])
    r, c = np.linalg.solve(forward, out_pts) + centre  # where each output pixel reads from
    r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
    padded = np.zeros((HEIGHT + 2, HEIGHT + 2), dtype=np.float64)  # zeros beyond the scan
    padded[1:-1, 1:-1] = scan
    out = np.zeros(r.shape)
    for dr in (0, 1):
        for dc in (0, 1):
            rr, cc = r0 + dr, c0 + dc
            w = (1 - np.abs(r - rr)) * (1 - np.abs(c - cc))
            inside = (rr >= -1) & (rr <= HEIGHT) & (cc >= -1) & (cc <= HEIGHT)
            vals = padded[np.clip(rr + 1, 0, HEIGHT + 1), np.clip(cc + 1, 0, HEIGHT + 1)]
            out += np.where(inside, w * vals, 0.0)
    out = out.reshape(HEIGHT, HEIGHT).clip(0.0, 1.0) ** np.exp(rng.uniform(-max_gamma, max_gamma))
    return out.astype(np.float32)


def make_strip(digits: list[int] | None = None, rng: np.random.Generator | int | None = None,
               *, split: str = "train", min_digits: int = 1, max_digits: int = 6,
               max_gap: int = 3, max_shift: int = 1, augment: float = 0.0) -> Strip:
    """Paste scans of `digits` side by side into one strip; see `Strip`.

    digits: the digits to write (0-9); None draws 1 to 6 (min_digits..max_digits) at random.
    rng: a numpy Generator, a seed, or None (fresh entropy). Each digit uses a random scan of
    that digit from `split`; gaps between digits and the margins at both ends are drawn from
    0..max_gap columns, and each scan is shifted vertically by -max_shift..max_shift rows.
    augment: when > 0, pass each scan through `distort` with this strength first (training
    only; evaluation strips are never distorted).
    Returns a Strip with image [8, W], W = 8 * n + sum of gaps and margins.
    """
    _check_split(split)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if digits is None:
        if not 1 <= min_digits <= max_digits:
            raise ValueError(f"need 1 <= min_digits <= max_digits, got {min_digits}, {max_digits}")
        n = int(rng.integers(min_digits, max_digits + 1))
        digits = [int(d) for d in rng.integers(0, 10, size=n)]
    if len(digits) > MAX_STRIP_DIGITS:
        raise ValueError(f"{len(digits)} digits is too many for one strip: at most "
                         f"{MAX_STRIP_DIGITS}.")
    digits = [int(d) for d in digits]
    if not digits or any(not 0 <= d <= 9 for d in digits):
        raise ValueError(f"digits must be a non-empty list of 0-9, got {digits!r}")
    if max_gap < 0 or max_shift < 0 or max_shift >= HEIGHT:
        raise ValueError(f"need max_gap >= 0 and 0 <= max_shift < {HEIGHT}")
    scans, _ = load_scans()
    pool = _by_digit(split)
    n = len(digits)
    gaps = rng.integers(0, max_gap + 1, size=n + 1)  # left margin, n - 1 gaps, right margin
    shifts = [int(s) for s in rng.integers(-max_shift, max_shift + 1, size=n)]
    sources = [int(pool[d][rng.integers(len(pool[d]))]) for d in digits]
    width = HEIGHT * n + int(gaps.sum())
    image = np.zeros((HEIGHT, width), dtype=np.float32)
    spans, x = [], int(gaps[0])
    for k, (src, shift) in enumerate(zip(sources, shifts, strict=True)):
        scan = distort(scans[src], rng, augment) if augment > 0 else scans[src]
        image[:, x: x + HEIGHT] = _shifted(scan, shift)
        spans.append((x, x + HEIGHT))
        x += HEIGHT + int(gaps[k + 1])
    return Strip(image=image, labels=digits, spans=spans, sources=sources, shifts=shifts,
                 split=split)


def make_strips(n: int, rng: np.random.Generator | int | None = None, *,
                split: str = "train", **kwargs) -> list[Strip]:
    """`n` random strips from one generator (kwargs as for `make_strip`)."""
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return [make_strip(None, rng, split=split, **kwargs) for _ in range(n)]


def heldout_strips(n: int = HELDOUT_SIZE, seed: int = HELDOUT_SEED) -> list[Strip]:
    """The fixed held-out evaluation set: `n` strips of 1-6 digits from the "test" scans."""
    return make_strips(n, np.random.default_rng(seed), split="test")


def batch(strips: list[Strip]) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Pad strips for CTC training.

    Returns images [B, 8, W_max] (zero columns on the right), widths [B] (frames per strip),
    targets [sum U] (CTC labels, concatenated) and target lengths [B], all int64 but images.
    """
    widths = torch.tensor([s.width for s in strips], dtype=torch.int64)
    images = torch.zeros(len(strips), HEIGHT, int(widths.max()))
    for b, s in enumerate(strips):
        images[b, :, : s.width] = torch.from_numpy(s.image)
    targets = torch.tensor([c for s in strips for c in s.ctc_labels], dtype=torch.int64)
    lengths = torch.tensor([len(s.labels) for s in strips], dtype=torch.int64)
    return images, widths, targets, lengths


# --------------------------------------------------------------------------------------------
# The recogniser


@dataclass
class RecogniserConfig:
    """Everything needed to rebuild a `Recogniser`."""

    hidden_size: int = 96  # H, LSTM units per direction
    num_layers: int = 1  # stacked bidirectional LSTM layers
    context: int = 3  # neighbouring columns on each side read along with each column
    height: int = HEIGHT  # pixel rows of a strip
    num_classes: int = NUM_CLASSES  # CTC classes, blank (0) included

    def __post_init__(self) -> None:
        for name in ("hidden_size", "num_layers", "height", "num_classes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.context, int) or isinstance(self.context, bool) or self.context < 0:
            raise ValueError(f"context must be a non-negative integer, got {self.context!r}")
        if self.num_classes < 2:
            raise ValueError(f"num_classes must be at least 2 (blank + a label), "
                             f"got {self.num_classes}")

    @property
    def input_size(self) -> int:
        """F, features per frame: the column and its neighbours, height values each."""
        return self.height * (2 * self.context + 1)

    def cell_config(self) -> CellConfig:
        """The bidirectional LSTM (with its readout to C classes) inside the recogniser."""
        return CellConfig(kind="lstm", input_size=self.input_size, hidden_size=self.hidden_size,
                          num_layers=self.num_layers, bidirectional=True,
                          output_size=self.num_classes)

    def to_dict(self) -> dict:
        """The config as a plain JSON-ready dict."""
        return asdict(self)


class Recogniser(nn.Module):
    """Strip columns -> CTC log-posteriors: frames, bidirectional LSTM, linear, log_softmax.

    `rnn` is an `engine.cells` LSTM (bidirectional, readout to C classes), so
    `engine.trace.trace(model.rnn, model.frames(image))` records its gates; the trace's
    `outputs` [T, C] are the logits that `forward` turns into log-probabilities.
    """

    def __init__(self, config: RecogniserConfig | None = None, seed: int | None = None):
        super().__init__()
        self.config = config or RecogniserConfig()
        self.rnn: LSTMNet = build_model(self.config.cell_config(), seed=seed)

    def frames(self, image) -> Tensor:
        """image [8, W] or [B, 8, W] (array or tensor, values in [0, 1]) -> frames [W, F] or
        [W, B, F].

        Frame t holds columns t - context .. t + context (zeros beyond the edges), column by
        column: features [k * height : (k + 1) * height] are column t - context + k.
        """
        cfg = self.config
        param = self.rnn.weight_ih_l0
        x = torch.as_tensor(image, dtype=param.dtype, device=param.device)
        if x.dim() not in (2, 3) or x.shape[-2] != cfg.height or x.shape[-1] < 1:
            raise ValueError(f"expected an image [{cfg.height}, W] or a batch "
                             f"[B, {cfg.height}, W], got {list(x.shape)}")
        batched = x.dim() == 3
        x = x if batched else x.unsqueeze(0)  # [B, 8, W]
        c = cfg.context
        if c:
            x = nn.functional.pad(x, (c, c))
        win = x.unfold(-1, 2 * c + 1, 1)  # [B, 8, W, 2c + 1]
        out = win.permute(2, 0, 3, 1).reshape(win.shape[2], win.shape[0], cfg.input_size)
        return out if batched else out.squeeze(1)

    def forward(self, image) -> Tensor:
        """image [8, W] or [B, 8, W] -> log-probabilities [W, C] or [W, B, C] (C = 11).

        The batched layout [T, B, C] is what `torch.nn.functional.ctc_loss` takes.
        """
        logits, _ = self.rnn(self.frames(image))
        return torch.log_softmax(logits, dim=-1)

    @torch.no_grad()
    def posteriors(self, image) -> np.ndarray:
        """image [8, W] -> frame posteriors [W, C] as probabilities (a numpy array)."""
        return self(image).exp().cpu().numpy()

    @torch.no_grad()
    def recognise(self, image) -> list[int]:
        """image [8, W] -> the digits read (greedy: best class per frame, collapsed)."""
        path = self(image).argmax(dim=-1).tolist()
        return from_ctc(collapse(path))

    @torch.no_grad()
    def recognise_batch(self, images: list) -> list[list[int]]:
        """Greedy readings of several images [8, W_i]; images of equal width share one pass."""
        out: list[list[int] | None] = [None] * len(images)
        groups: dict[int, list[int]] = {}
        for i, img in enumerate(images):
            groups.setdefault(int(np.shape(img)[-1]), []).append(i)
        for idx in groups.values():
            stacked = torch.stack([torch.as_tensor(images[i], dtype=torch.float32) for i in idx])
            paths = self(stacked).argmax(dim=-1).T.tolist()  # [B, W]
            for i, path in zip(idx, paths, strict=True):
                out[i] = from_ctc(collapse(path))
        return out


def edit_distance(a, b) -> int:
    """Levenshtein distance between two label sequences (insertions, deletions, substitutions)."""
    a, b = list(a), list(b)
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


@dataclass
class Evaluation:
    """How well a recogniser reads a set of strips (greedy decoding)."""

    exact_accuracy: float  # share of strips read exactly right
    cer: float  # character error rate: total edit distance / total digits
    loss: float  # mean CTC negative log-likelihood per strip (nats)
    strips: int  # number of strips evaluated
    readings: list[list[int]] = field(default_factory=list, repr=False)  # digits read, per strip

    def to_dict(self) -> dict:
        """The scores as a JSON-ready dict (readings left out)."""
        return {"exact_accuracy": self.exact_accuracy, "cer": self.cer, "loss": self.loss,
                "strips": self.strips}


@torch.no_grad()
def evaluate(model: Recogniser, strips: list[Strip]) -> Evaluation:
    """Score `model` on `strips`: exact-sequence accuracy, CER and CTC loss.

    Strips of equal width run as one batch, so nothing is padded and each reading equals
    `model.recognise(strip.image)`.
    """
    was_training = model.training
    model.eval()
    readings: list[list[int] | None] = [None] * len(strips)
    nll = 0.0
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(strips):
        groups.setdefault(s.width, []).append(i)
    for width, idx in groups.items():
        members = [strips[i] for i in idx]
        images, _, targets, lengths = batch(members)
        log_probs = model(images)  # [W, B, C]
        widths = torch.full((len(idx),), width, dtype=torch.int64)
        nll += float(nn.functional.ctc_loss(log_probs, targets, widths, lengths,
                                            blank=BLANK, reduction="sum", zero_infinity=False))
        for i, path in zip(idx, log_probs.argmax(dim=-1).T.tolist(), strict=True):
            readings[i] = from_ctc(collapse(path))
    model.train(was_training)
    exact = sum(r == s.labels for r, s in zip(readings, strips, strict=True))
    errors = sum(edit_distance(r, s.labels) for r, s in zip(readings, strips, strict=True))
    total = sum(len(s.labels) for s in strips)
    n = max(len(strips), 1)
    return Evaluation(exact_accuracy=exact / n, cer=errors / max(total, 1), loss=nll / n,
                      strips=len(strips), readings=readings)

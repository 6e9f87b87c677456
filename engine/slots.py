"""Slot filling: tag each word of a ticket-booking sentence with its slot (NOTES.md §1–§2).

The lecture's opening example: in "arrive Taipei on November 2nd" Taipei is the destination
and "November 2nd" the arrival time; in "leave Taipei on November 2nd" Taipei is the place of
departure. A tagger that sees one word at a time (feed-forward, no memory) must give "Taipei"
the same slot in both; a recurrent network remembers "arrive" or "leave" and tells them apart.

Pieces:
- a corpus generator: ticket-booking sentences from templates, real city names (Taiwanese
  and world cities, `CITIES`), real calendar dates and times of day, one slot per whitespace
  token (`SLOTS`). Templates and cities are split once into training and held-out parts, so
  the held-out sentences use templates *and* cities training never saw (`make_corpus`).
- two word encodings (`ENCODINGS`): 1-of-N over the training vocabulary with one "other"
  dimension for every unknown word, and word hashing: the word's letter trigrams with word
  boundaries ("#ta", "tai", ..., "ei#") counted into `HASH_DIM` buckets (Huang et al. 2013,
  "Learning deep structured semantic models for web search using clickthrough data").
- taggers (`MODELS`): feed-forward, Elman, Jordan, LSTM and bidirectional LSTM; the recurrent
  ones are `engine.cells` networks with a linear readout to the five slots (Jordan: its
  fed-back output *is* the five slot scores), so `engine.trace.trace` steps them.
- the shipped checkpoints (pretrained/slots/, built by pretrained/slots.py): `tag`, `read`.

Shapes: T = tokens, B = batch, I = input size of the encoding, H = hidden units per
direction, D = directions, S = 5 slots.
"""

from __future__ import annotations

import functools
import string
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from engine.cells import CellConfig, build_model

# The five slots, in the order of the readout's outputs.
SLOTS: tuple[str, ...] = ("other", "dest", "origin", "arrive_time", "depart_time")
# Taggers by name: the engine.cells kind of their recurrent part (None: no memory).
MODELS: dict[str, str | None] = {
    "feedforward": None,
    "elman": "rnn",
    "jordan": "jordan",
    "lstm": "lstm",
    "bilstm": "lstm",
}
MODEL_TITLES: dict[str, str] = {
    "feedforward": "Feed-forward (no memory)",
    "elman": "Elman RNN",
    "jordan": "Jordan RNN",
    "lstm": "LSTM",
    "bilstm": "Bidirectional LSTM",
}
# Word encodings by name.
ENCODINGS: dict[str, str] = {
    "onehot": "1-of-N + “other”",
    "trigram": "word hashing (letter trigrams)",
}
DEFAULT_ENCODING = "onehot"
OTHER_WORD = "<other>"  # the name of the 1-of-N dimension every unknown word lights up
BOUNDARY = "#"  # word-boundary mark of the trigrams
HASH_DIM = 384  # trigram buckets of the word-hashing encoding
MAX_TOKENS = 40  # longest sentence `tag` and `read` accept
SPLIT_SEED = 2  # seed of the fixed held-out split of the cities
HELDOUT_CITY_FRACTION = 0.25  # share of the cities held out
TRAIN_SEED = 11  # seed of the shipped training corpus
TRAIN_SIZE = 6000  # sentences in the shipped training corpus
HELDOUT_SEED = 1001  # seed of the fixed held-out corpus
HELDOUT_SIZE = 1500  # sentences in the held-out corpus
MIN_COUNT = 2  # 1-of-N: words seen fewer times in the training corpus count as "other"
CHECKPOINTS = Path(__file__).resolve().parents[1] / "pretrained" / "slots"
LECTURE_SENTENCES = ("arrive Taipei on November 2nd", "leave Taipei on November 2nd")

# --------------------------------------------------------------------------------------------
# Data: cities, dates, times, templates

TAIWAN_CITIES: tuple[str, ...] = (
    "Taipei", "New Taipei", "Taoyuan", "Taichung", "Tainan", "Kaohsiung", "Keelung", "Hsinchu",
    "Chiayi", "Changhua", "Pingtung", "Yilan", "Hualien", "Taitung", "Miaoli", "Nantou",
    "Douliu", "Magong", "Kinmen", "Nangan", "Banqiao", "Zhongli", "Zhubei", "Toufen",
    "Fengshan", "Yuanlin", "Tamsui", "Lukang", "Puli", "Hengchun", "Jiufen", "Luodong",
    "Sanchong", "Xinzhuang", "Tucheng", "Yonghe", "Zhonghe", "Xindian", "Pingzhen", "Bade",
    "Daxi", "Taishan", "Linkou", "Sanxia", "Yingge", "Fengyuan", "Dali", "Wufeng", "Shalu",
    "Qingshui", "Xinying", "Madou", "Yongkang", "Gangshan", "Qishan", "Meinong", "Donggang",
    "Chaozhou", "Suao", "Jiaoxi", "Fenglin", "Yuli", "Chenggong", "Guanshan", "Huwei",
    "Beigang", "Xiluo", "Puzi", "Taibao", "Zhushan", "Jiji", "Caotun", "Tianzhong", "Erlin",
)
WORLD_CITIES: tuple[str, ...] = (
    "Boston", "New York", "Chicago", "Los Angeles", "San Francisco", "Seattle", "Portland",
    "Denver", "Dallas", "Houston", "Austin", "Atlanta", "Miami", "Orlando", "Tampa",
    "Philadelphia", "Pittsburgh", "Baltimore", "Washington", "Detroit", "Cleveland",
    "Minneapolis", "St Louis", "Kansas City", "Nashville", "Memphis", "New Orleans", "Phoenix",
    "Tucson", "Las Vegas", "Salt Lake City", "San Diego", "San Jose", "Sacramento", "Honolulu",
    "Anchorage", "Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa", "Quebec City",
    "Mexico City", "Guadalajara", "Monterrey", "Cancun", "Havana", "Bogota", "Lima", "Quito",
    "Santiago", "Buenos Aires", "Montevideo", "Sao Paulo", "Rio de Janeiro", "Brasilia",
    "Caracas", "Panama City", "San Juan", "London", "Manchester", "Liverpool", "Edinburgh",
    "Glasgow", "Dublin", "Cork", "Paris", "Lyon", "Marseille", "Nice", "Bordeaux", "Toulouse",
    "Brussels", "Antwerp", "Amsterdam", "Rotterdam", "Utrecht", "Berlin", "Hamburg", "Munich",
    "Frankfurt", "Cologne", "Stuttgart", "Dresden", "Leipzig", "Vienna", "Salzburg", "Zurich",
    "Geneva", "Basel", "Bern", "Milan", "Rome", "Naples", "Venice", "Florence", "Turin",
    "Bologna", "Madrid", "Barcelona", "Valencia", "Seville", "Bilbao", "Malaga", "Lisbon",
    "Porto", "Athens", "Thessaloniki", "Istanbul", "Ankara", "Izmir", "Prague", "Brno",
    "Warsaw", "Krakow", "Gdansk", "Budapest", "Bucharest", "Sofia", "Belgrade", "Zagreb",
    "Ljubljana", "Bratislava", "Copenhagen", "Aarhus", "Stockholm", "Gothenburg", "Oslo",
    "Bergen", "Helsinki", "Tallinn", "Riga", "Vilnius", "Reykjavik", "Moscow",
    "St Petersburg", "Kyiv", "Lviv", "Minsk", "Tbilisi", "Yerevan", "Baku", "Cairo",
    "Alexandria", "Casablanca", "Marrakesh", "Tunis", "Algiers", "Lagos", "Abuja", "Accra",
    "Dakar", "Nairobi", "Mombasa", "Addis Ababa", "Kampala", "Kigali", "Dar es Salaam",
    "Johannesburg", "Cape Town", "Durban", "Pretoria", "Windhoek", "Harare", "Lusaka",
    "Tel Aviv", "Jerusalem", "Amman", "Beirut", "Riyadh", "Jeddah", "Doha", "Dubai",
    "Abu Dhabi", "Muscat", "Kuwait City", "Tehran", "Karachi", "Lahore", "Islamabad",
    "New Delhi", "Mumbai", "Bangalore", "Chennai", "Kolkata", "Hyderabad", "Pune",
    "Ahmedabad", "Jaipur", "Kathmandu", "Dhaka", "Colombo", "Male", "Tashkent", "Almaty",
    "Astana", "Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Chengdu", "Chongqing",
    "Wuhan", "Xian", "Hangzhou", "Nanjing", "Suzhou", "Xiamen", "Fuzhou", "Qingdao",
    "Tianjin", "Harbin", "Dalian", "Kunming", "Hong Kong", "Macau", "Tokyo", "Osaka", "Kyoto",
    "Nagoya", "Sapporo", "Fukuoka", "Sendai", "Hiroshima", "Kobe", "Yokohama", "Naha",
    "Okinawa", "Seoul", "Busan", "Incheon", "Daegu", "Jeju", "Ulaanbaatar", "Manila",
    "Cebu", "Davao", "Hanoi", "Ho Chi Minh City", "Da Nang", "Bangkok", "Chiang Mai",
    "Phuket", "Vientiane", "Phnom Penh", "Yangon", "Kuala Lumpur", "Penang", "Singapore",
    "Jakarta", "Bali", "Surabaya", "Bandung", "Brunei", "Sydney", "Melbourne", "Brisbane",
    "Perth", "Adelaide", "Canberra", "Hobart", "Darwin", "Auckland", "Wellington",
    "Christchurch", "Queenstown", "Fiji", "Guam", "Saipan", "Palau",
)
CITIES: tuple[str, ...] = TAIWAN_CITIES + WORLD_CITIES
# Cities that always stay in the training part (the lecture's sentences use them).
PINNED_TRAIN_CITIES = ("Taipei", "Boston")

MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July",
                           "August", "September", "October", "November", "December")
MONTH_DAYS: tuple[int, ...] = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # leap year
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                             "Saturday", "Sunday")


def ordinal(day: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date(rng: np.random.Generator) -> tuple[list[str], list[bool]]:
    """A calendar date or weekday as tokens and which of them belong to the slot."""
    month = int(rng.integers(12))
    day = int(rng.integers(1, MONTH_DAYS[month] + 1))
    name = MONTHS[month]
    form = int(rng.integers(7))
    if form == 0:
        return [name, ordinal(day)], [True, True]
    if form == 1:
        return [name, str(day)], [True, True]
    if form == 2:
        return ["the", ordinal(day), "of", name], [False, True, True, True]
    if form == 3:
        return [str(day), name], [True, True]
    if form == 4:
        return [name[:3], ordinal(day)], [True, True]
    if form == 5:
        return ["next", WEEKDAYS[int(rng.integers(7))]], [True, True]
    return [WEEKDAYS[int(rng.integers(7))]], [True]


def _time_of_day(rng: np.random.Generator) -> tuple[list[str], list[bool]]:
    """A time of day as tokens and which of them belong to the slot."""
    form = int(rng.integers(8))
    if form == 0:
        part = ("morning", "afternoon", "evening")[int(rng.integers(3))]
        return ["in", "the", part], [False, False, True]
    if form == 1:
        hour = int(rng.integers(1, 13))
        return ["at", str(hour), ("am", "pm")[int(rng.integers(2))]], [False, True, True]
    if form == 2:
        hour, minute = int(rng.integers(0, 24)), int(rng.choice([0, 10, 15, 20, 30, 45, 50]))
        return ["at", f"{hour}:{minute:02d}"], [False, True]
    if form == 3:
        return ["at", ("noon", "midnight", "night", "dawn")[int(rng.integers(4))]], [False, True]
    if form == 4:
        return [("tonight", "tomorrow", "today")[int(rng.integers(3))]], [True]
    if form == 5:
        part = ("morning", "afternoon", "evening", "night")[int(rng.integers(4))]
        return ["tomorrow", part], [True, True]
    if form == 6:
        hour = int(rng.integers(1, 13))
        return ["around", f"{hour}", ("am", "pm")[int(rng.integers(2))]], [False, True, True]
    return ["early", ("morning", "afternoon", "evening")[int(rng.integers(3))]], [True, True]


# The opening words that {want} and {please} stand for ("" = none).
WANTS: tuple[str, ...] = ("", "", "I would like to", "I want to", "I need to", "I'd like to",
                          "please let me", "can I", "I plan to", "we want to", "we need to")
PLEASES: tuple[str, ...] = ("", "", "please", "hi", "hello please", "could you", "um")

# Sentence templates. {dest} {origin}: a city; {adate} {ddate}: a date; {atime} {dtime}: a
# time of day (a* tagged arrive_time, d* depart_time); {want} {please}: optional openings.
TEMPLATES: tuple[str, ...] = (
    "{want} arrive {dest} on {adate}",
    "{want} leave {origin} on {ddate}",
    "{want} fly from {origin} to {dest} on {ddate}",
    "{want} fly to {dest} from {origin} {dtime}",
    "{want} travel from {origin} to {dest} on {ddate} {dtime}",
    "{please} book a ticket from {origin} to {dest}",
    "{please} book a flight to {dest} leaving {origin} on {ddate}",
    "{want} leave {origin} {dtime} and arrive {dest} {atime}",
    "{want} get to {dest} by {adate}",
    "{want} depart from {origin} on {ddate} {dtime}",
    "show me flights from {origin} to {dest} {please}",
    "{want} arrive in {dest} {atime} on {adate}",
    "{want} be in {dest} on {adate} {atime}",
    "{want} go to {dest} on {ddate}",
    "{want} go from {origin} to {dest} leaving on {ddate} and arriving on {adate}",
    "{please} find me a ticket to {dest} on {ddate}",
    "{want} leave {origin} on {ddate} and arrive in {dest} on {adate}",
    "{want} land in {dest} {atime}",
    "{want} take off from {origin} {dtime}",
    "{want} return to {dest} from {origin} on {ddate}",
    "{please} a one way ticket {origin} to {dest} {dtime}",
    "{want} depart {origin} on {ddate} arriving {dest} on {adate}",
    "{want} reach {dest} on {adate}",
    "{want} head out of {origin} on {ddate}",
    "{want} arrive at {dest} before {atime}",
    "leaving {origin} {dtime} going to {dest}",
    "my flight leaves {origin} on {ddate} {dtime}",
    "my flight arrives in {dest} on {adate} {atime}",
    "{want} fly out of {origin} {dtime} on {ddate}",
    "{want} leave from {origin} and land in {dest} on {adate}",
    "{please} tickets from {origin} to {dest} departing {ddate}",
    "{want} get out of {origin} on {ddate} and be in {dest} by {adate}",
    "{want} fly {origin} to {dest} on {ddate}",
    "I am leaving {origin} for {dest} on {ddate}",
    "we arrive {dest} {atime} {please}",
    "{want} start my trip in {origin} on {ddate}",
    "{want} end my trip in {dest} on {adate}",
    "{please} I must be in {dest} {atime} on {adate}",
    "{want} leave {origin} {dtime}",
    "{want} arrive {dest} {atime}",
)
# Templates held out from training (every fifth, counting from the fifth).
HELDOUT_TEMPLATES: tuple[int, ...] = tuple(range(4, len(TEMPLATES), 5))
SPLITS = ("train", "test")


@dataclass
class Sentence:
    """One tagged sentence of the corpus."""

    tokens: list[str]  # whitespace tokens, as written
    tags: list[str]  # one slot of SLOTS per token
    template: int  # index into TEMPLATES
    cities: list[str] = field(default_factory=list)  # the cities it names

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")


def template_ids(split: str) -> tuple[int, ...]:
    """Indices into TEMPLATES of "train" or "test" (HELDOUT_TEMPLATES)."""
    _check_split(split)
    held = set(HELDOUT_TEMPLATES)
    return tuple(i for i in range(len(TEMPLATES)) if (i in held) == (split == "test"))


@functools.cache
def city_split(split: str) -> tuple[str, ...]:
    """The cities of "train" or "test": a fixed seeded quarter of CITIES is held out."""
    _check_split(split)
    pool = sorted(c for c in set(CITIES) if c not in PINNED_TRAIN_CITIES)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(pool))
    n_test = int(round(HELDOUT_CITY_FRACTION * len(pool)))
    test = sorted(pool[i] for i in order[:n_test])
    if split == "test":
        return tuple(test)
    return tuple(sorted(set(CITIES) - set(test)))


def make_sentence(template: int, rng: np.random.Generator, cities: tuple[str, ...]) -> Sentence:
    """Fill TEMPLATES[template] with random cities (two different ones), dates and openings."""
    picked = [cities[int(i)] for i in rng.choice(len(cities), size=2, replace=False)]
    fillers = {"dest": picked[0], "origin": picked[1]}
    tokens: list[str] = []
    tags: list[str] = []
    used = []
    for word in TEMPLATES[template].split():
        if not (word.startswith("{") and word.endswith("}")):
            tokens.append(word)
            tags.append("other")
            continue
        slot = word[1:-1]
        if slot in ("dest", "origin"):
            parts = fillers[slot].split()
            tokens += parts
            tags += [slot] * len(parts)
            used.append(fillers[slot])
        elif slot in ("adate", "ddate", "atime", "dtime"):
            words, inside = (_date if slot.endswith("date") else _time_of_day)(rng)
            name = "arrive_time" if slot[0] == "a" else "depart_time"
            tokens += words
            tags += [name if k else "other" for k in inside]
        else:
            pool = WANTS if slot == "want" else PLEASES
            words = pool[int(rng.integers(len(pool)))].split()
            tokens += words
            tags += ["other"] * len(words)
    return Sentence(tokens=tokens, tags=tags, template=template, cities=used)


def make_corpus(n: int, seed: int, split: str = "train",
                city_part: str | None = None) -> list[Sentence]:
    """`n` sentences from the templates of `split` with the cities of `city_part` (default:
    the same split), from one seeded generator."""
    ids = template_ids(split)
    cities = city_split(city_part or split)
    rng = np.random.default_rng(seed)
    return [make_sentence(int(ids[int(rng.integers(len(ids)))]), rng, cities) for _ in range(n)]


def training_corpus() -> list[Sentence]:
    """The shipped taggers' training sentences (training templates and cities)."""
    return make_corpus(TRAIN_SIZE, TRAIN_SEED, "train")


def heldout_corpus() -> list[Sentence]:
    """The fixed held-out sentences: held-out templates filled with held-out cities only."""
    return make_corpus(HELDOUT_SIZE, HELDOUT_SEED, "test")


# --------------------------------------------------------------------------------------------
# Word encodings

_STRIP = string.punctuation.replace("'", "").replace(":", "")


def tokens(text: str) -> list[str]:
    """The whitespace tokens of `text` (one tag per token)."""
    return str(text).split()


def normalise(word: str) -> str:
    """A token as the encodings read it: lower case, outer punctuation removed."""
    return word.lower().strip(_STRIP)


def trigrams(word: str) -> list[str]:
    """The letter trigrams of a word with boundary marks: "tai" -> ["#ta", "tai", "ai#"]."""
    w = BOUNDARY + normalise(word) + BOUNDARY
    return [w[k: k + 3] for k in range(len(w) - 2)]


def build_vocabulary(corpus: list[Sentence], min_count: int = MIN_COUNT) -> tuple[str, ...]:
    """The 1-of-N words: normalised tokens seen at least `min_count` times, sorted."""
    counts = Counter(normalise(t) for s in corpus for t in s.tokens)
    return tuple(sorted(w for w, c in counts.items() if c >= min_count and w))


@dataclass
class SlotTaggerConfig:
    """Everything needed to rebuild a slot tagger (see `SlotTagger`)."""

    model: str  # one of MODELS
    encoding: str  # one of ENCODINGS
    hidden_size: int  # H, hidden units (per direction for the bidirectional LSTM)
    vocabulary: tuple[str, ...] = ()  # 1-of-N words (dimension k + 1; 0 is "other")
    hash_dim: int = HASH_DIM  # word hashing: number of trigram buckets

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown tagger {self.model!r}; valid: {', '.join(MODELS)}")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}; "
                             f"valid: {', '.join(ENCODINGS)}")
        self.vocabulary = tuple(self.vocabulary)
        if self.encoding == "onehot" and not self.vocabulary:
            raise ValueError("the 1-of-N encoding needs a vocabulary")

    @property
    def input_size(self) -> int:
        """I: 1 + len(vocabulary) for 1-of-N, hash_dim for word hashing."""
        return 1 + len(self.vocabulary) if self.encoding == "onehot" else self.hash_dim


class Encoder:
    """Turns words into input vectors for one configuration (1-of-N or word hashing)."""

    def __init__(self, config: SlotTaggerConfig):
        self.encoding = config.encoding
        self.size = config.input_size
        self.hash_dim = config.hash_dim
        self.vocabulary = config.vocabulary
        self.index = {w: k + 1 for k, w in enumerate(config.vocabulary)}

    def dims(self, word: str) -> list[tuple[int, str, float]]:
        """The dimensions `word` lights up: (index, name, value); names are the word itself
        (or "<other>") for 1-of-N and the trigrams that fall into each bucket for hashing."""
        if self.encoding == "onehot":
            k = self.index.get(normalise(word), 0)
            return [(k, self.vocabulary[k - 1] if k else OTHER_WORD, 1.0)]
        lit: dict[int, list[str]] = {}
        for tri in trigrams(word):
            lit.setdefault(trigram_bucket(tri, self.hash_dim), []).append(tri)
        return [(k, " ".join(tris), float(len(tris))) for k, tris in sorted(lit.items())]

    def encode_words(self, words: list[str]) -> Tensor:
        """words -> float tensor [T, I]."""
        x = torch.zeros(len(words), self.size)
        for t, word in enumerate(words):
            for k, _, value in self.dims(word):
                x[t, k] = value
        return x

    def is_unknown(self, word: str) -> bool:
        """True when 1-of-N maps `word` to the "other" dimension (never for hashing)."""
        return self.encoding == "onehot" and normalise(word) not in self.index


def trigram_bucket(trigram: str, hash_dim: int = HASH_DIM) -> int:
    """The hashing bucket (0..hash_dim-1) of one trigram; stable across runs (CRC-32)."""
    return zlib.crc32(trigram.encode("utf-8")) % hash_dim


# --------------------------------------------------------------------------------------------
# Taggers


class SlotTagger(nn.Module):
    """A word-by-word slot tagger over already-encoded words.

    `tagger(x)` with x [T, I] (or [T, B, I]) returns slot scores (logits) [T, S] ([T, B, S]).
    Feed-forward: scores_t = W_o tanh(W_h x_t + b_h) + b_o, each word alone. Recurrent: an
    engine.cells network (`self.rnn`) whose readout gives the scores (Jordan: its fed-back
    output y_t is the scores), so `engine.trace.trace(tagger.rnn, x).outputs` are the scores.
    """

    def __init__(self, config: SlotTaggerConfig, seed: int | None = None):
        super().__init__()
        self.config = config
        kind = MODELS[config.model]
        self.rnn = None
        if kind is None:
            gen = None if seed is None else torch.Generator().manual_seed(int(seed))
            self.hidden = nn.Linear(config.input_size, config.hidden_size)
            self.readout = nn.Linear(config.hidden_size, len(SLOTS))
            with torch.no_grad():
                for lin in (self.hidden, self.readout):
                    bound = 1.0 / lin.in_features ** 0.5
                    lin.weight.uniform_(-bound, bound, generator=gen)
                    lin.bias.uniform_(-bound, bound, generator=gen)
        else:
            self.rnn = build_model(self.cell_config(), seed=seed)

    def cell_config(self) -> CellConfig:
        """The engine.cells config of the recurrent part (ValueError for feed-forward)."""
        kind = MODELS[self.config.model]
        if kind is None:
            raise ValueError("the feed-forward tagger has no recurrent part")
        return CellConfig(kind=kind, input_size=self.config.input_size,
                          hidden_size=self.config.hidden_size,
                          bidirectional=self.config.model == "bilstm",
                          output_size=len(SLOTS))

    def features(self, x: Tensor) -> Tensor:
        """Feed-forward only: the hidden layer tanh(W_h x + b_h) [T, H]."""
        return torch.tanh(self.hidden(x))

    def forward(self, x: Tensor) -> Tensor:
        """x [T, I] or [T, B, I] -> slot scores [T, S] or [T, B, S]."""
        if self.rnn is None:
            return self.readout(self.features(x))
        return self.rnn(x)[0]


@functools.lru_cache(maxsize=16)
def load_tagger(model: str, encoding: str = DEFAULT_ENCODING) -> SlotTagger:
    """The shipped tagger (pretrained/slots/<model>_<encoding>), loaded once, in eval mode."""
    _check_choice(model, encoding)
    from engine import checkpoint  # imported here: engine.checkpoint registers SlotTagger

    tagger = checkpoint.load(checkpoint_path(model, encoding))
    if not isinstance(tagger, SlotTagger):
        raise checkpoint.CheckpointError(f"{checkpoint_path(model, encoding)} is not a tagger")
    return tagger


def checkpoint_path(model: str, encoding: str) -> Path:
    """Where the shipped tagger's files live (without suffix)."""
    return CHECKPOINTS / f"{model}_{encoding}"


def _check_choice(model: str, encoding: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown tagger {model!r}; choose one of {list(MODELS)}")
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; choose one of {list(ENCODINGS)}")


def check_sentence(sentence: str) -> list[str]:
    """The tokens of a sentence a tagger accepts; ValueError for an empty or too long one."""
    words = tokens(sentence)
    if not words:
        raise ValueError("The sentence is empty: type a few words, e.g. "
                         "“arrive Taipei on November 2nd”.")
    if len(words) > MAX_TOKENS:
        raise ValueError(f"The sentence has {len(words)} words; at most {MAX_TOKENS} "
                         "are tagged here.")
    return words


def encode_with(tagger: SlotTagger, sentence: str) -> Tensor:
    """`sentence` as `tagger`'s input [T, I]."""
    return Encoder(tagger.config).encode_words(check_sentence(sentence))


def tag(sentence: str, model: str, encoding: str = DEFAULT_ENCODING) -> list[str]:
    """One slot of SLOTS per whitespace token of `sentence`, by the shipped tagger `model`
    ("feedforward", "elman", "jordan", "lstm" or "bilstm") with `encoding`."""
    tagger = load_tagger(model, encoding)
    with torch.no_grad():
        scores = tagger(encode_with(tagger, sentence))
    return [SLOTS[k] for k in scores.argmax(-1).tolist()]


@dataclass
class Reading:
    """A tagger reading one sentence, step by step."""

    model: str  # one of MODELS
    encoding: str  # one of ENCODINGS
    tokens: list[str]  # [T] the words read
    inputs: np.ndarray  # [T, I] the encoded words
    active: list[list[tuple[int, str, float]]]  # per word: (dimension, name, value) lit
    unknown: list[bool]  # [T] the word maps to 1-of-N's "other" dimension
    hidden: np.ndarray  # [T, D*H] hidden state after each word (feed-forward: its hidden layer)
    directions: int  # D: 2 for the bidirectional LSTM (forward units first), else 1
    cell: np.ndarray | None  # [T, D*H] LSTM memory after each word, else None
    probs: np.ndarray  # [T, S] slot probabilities (softmax of the scores)
    tags: list[str]  # [T] the likeliest slot per word

    @property
    def steps(self) -> int:
        return len(self.tokens)


def read(sentence: str, model: str, encoding: str = DEFAULT_ENCODING) -> Reading:
    """Run the shipped tagger over `sentence` and record every step (see `Reading`).

    Recurrent taggers are recorded with `engine.trace.trace`; ValueError for a bad sentence,
    tagger or encoding.
    """
    tagger = load_tagger(model, encoding)
    words = check_sentence(sentence)
    enc = Encoder(tagger.config)
    x = enc.encode_words(words)
    cell = None
    directions = 1
    with torch.no_grad():
        if tagger.rnn is None:
            hidden = tagger.features(x)
            scores = tagger.readout(hidden)
        else:
            from engine.trace import trace

            rec = trace(tagger.rnn, x)
            hidden, scores = rec.hidden, rec.outputs
            cell = rec.cell.numpy() if rec.cell is not None else None
            directions = rec.num_directions
    probs = torch.softmax(scores, -1)
    return Reading(model=model, encoding=encoding, tokens=words, inputs=x.numpy(),
                   active=[enc.dims(w) for w in words],
                   unknown=[enc.is_unknown(w) for w in words], hidden=hidden.numpy(),
                   directions=directions, cell=cell, probs=probs.numpy(),
                   tags=[SLOTS[k] for k in probs.argmax(-1).tolist()])


def shared_words(a: Reading, b: Reading) -> list[tuple[str, str, str]]:
    """Words both sentences contain that either tags as a slot: (word, slot in a, slot in b),
    in a's order; each word of b is matched once (case and punctuation ignored)."""
    used: set[int] = set()
    out = []
    for word, tag_a in zip(a.tokens, a.tags, strict=True):
        j = next((j for j, w in enumerate(b.tokens)
                  if j not in used and normalise(w) == normalise(word)), None)
        if j is None:
            continue
        used.add(j)
        if tag_a != "other" or b.tags[j] != "other":
            out.append((word, tag_a, b.tags[j]))
    return out


# --------------------------------------------------------------------------------------------
# Scores


def chunks(tags: list[str]) -> set[tuple[int, int, str]]:
    """Slot spans (start, stop, slot) of runs of one non-"other" slot."""
    out, start = set(), None
    for t, tg in enumerate([*tags, "other"]):
        if start is not None and tg != tags[start]:
            out.add((start, t, tags[start]))
            start = None
        if start is None and tg != "other" and t < len(tags):
            start = t
    return out


@dataclass
class Score:
    """A tagger's scores on a corpus."""

    token_accuracy: float  # share of tokens tagged right
    slot_f1: float  # micro F1 of exact slot spans (chunks), "other" not counted
    city_accuracy: float  # share of city tokens (dest/origin) tagged right
    tokens: int  # tokens scored


def score_tags(gold: list[list[str]], predicted: list[list[str]]) -> Score:
    """Token accuracy, slot-span F1 and city accuracy of predicted against gold tags."""
    right = total = city_right = city_total = 0
    tp = n_pred = n_gold = 0
    for g, p in zip(gold, predicted, strict=True):
        right += sum(a == b for a, b in zip(g, p, strict=True))
        total += len(g)
        city = [(a, b) for a, b in zip(g, p, strict=True) if a in ("dest", "origin")]
        city_right += sum(a == b for a, b in city)
        city_total += len(city)
        cg, cp = chunks(g), chunks(p)
        tp += len(cg & cp)
        n_pred += len(cp)
        n_gold += len(cg)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(token_accuracy=right / total, slot_f1=f1,
                 city_accuracy=city_right / city_total if city_total else 0.0, tokens=total)


def predict(tagger: SlotTagger, corpus: list[Sentence]) -> list[list[str]]:
    """The tagger's slots for every sentence (batched by length)."""
    enc = Encoder(tagger.config)
    out: list[list[str] | None] = [None] * len(corpus)
    by_len: dict[int, list[int]] = {}
    for i, s in enumerate(corpus):
        by_len.setdefault(len(s.tokens), []).append(i)
    with torch.no_grad():
        for idx in by_len.values():
            x = torch.stack([enc.encode_words(corpus[i].tokens) for i in idx], 1)
            best = tagger(x).argmax(-1)  # [T, B]
            for b, i in enumerate(idx):
                out[i] = [SLOTS[k] for k in best[:, b].tolist()]
    return out  # type: ignore[return-value]


def evaluate(tagger: SlotTagger, corpus: list[Sentence]) -> Score:
    """The tagger's Score on `corpus`."""
    return score_tags([s.tags for s in corpus], predict(tagger, corpus))


# --------------------------------------------------------------------------------------------
# The stepper's view of the recurrent taggers (engine.zoo)


def _rnn(model: str) -> nn.Module:
    """The recurrent part of a shipped tagger (its readout gives the slot scores)."""
    return load_tagger(model, DEFAULT_ENCODING).rnn


def load_elman_rnn() -> nn.Module:
    """The shipped Elman tagger's network (1-of-N input, readout to the 5 slots)."""
    return _rnn("elman")


def load_jordan_rnn() -> nn.Module:
    """The shipped Jordan tagger's network (its fed-back output is the 5 slot scores)."""
    return _rnn("jordan")


def load_lstm_rnn() -> nn.Module:
    """The shipped LSTM tagger's network (1-of-N input, readout to the 5 slots)."""
    return _rnn("lstm")


def load_bilstm_rnn() -> nn.Module:
    """The shipped bidirectional LSTM tagger's network (1-of-N input, readout to 5 slots)."""
    return _rnn("bilstm")


def encode(text: str) -> Tensor:
    """`text` in the shipped taggers' default encoding (1-of-N + "other"): [T, I]."""
    return encode_with(load_tagger("lstm", DEFAULT_ENCODING), text)

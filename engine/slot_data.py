"""Slot filling's data: ticket-booking sentences from templates, real city names, calendar
dates and times of day, one slot per whitespace token (engine.slot_model.SLOTS).

Templates and cities are split once into training and held-out parts, so the held-out sentences
use templates *and* cities training never saw (`make_corpus`). The taggers that learn from them
are in engine.slot_model; the shipped ones are read through engine.slots.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

SPLIT_SEED = 2  # seed of the fixed held-out split of the cities
HELDOUT_CITY_FRACTION = 0.25  # share of the cities held out
TRAIN_SEED = 11  # seed of the shipped training corpus
TRAIN_SIZE = 6000  # sentences in the shipped training corpus
HELDOUT_SEED = 1001  # seed of the fixed held-out corpus
HELDOUT_SIZE = 1500  # sentences in the held-out corpus
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



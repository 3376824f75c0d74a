"""The shape of the synthetic catalogue, decided before any row is written.

Every choice comes from a `random.Random` seeded with the run's seed and the stage's name, so
a stage makes the same rows whether or not the stages before it ran in this process, and ids
are derived from (seed, kind, number): a re-run finds exactly the rows it wrote before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from . import text

SCHOLAR, SERIES, LECTURE, USER = 1, 2, 3, 4
DAY = 86_400
MAX_SEED = 2**24 - 1


def ident(seed: int, kind: int, n: int) -> str:
    """A UUID (version 4 layout) for row `n` of `kind`; ids of a kind sort by n."""
    return f"5d{seed:06x}-{kind:04x}-4000-8000-{n:012x}"


def id_range(seed: int, kind: int) -> tuple[str, str]:
    return ident(seed, kind, 0), ident(seed, kind, 2**48 - 1)


def rng_for(seed: int, stage: str) -> random.Random:
    return random.Random(f"{seed}:{stage}")  # noqa: S311 - made-up data, not a secret


@dataclass(frozen=True)
class Clock:
    """Timestamps as COPY text, counted in seconds before midnight UTC of `today`."""

    today: date

    @property
    def epoch(self) -> int:
        return int(datetime.combine(self.today, time(), UTC).timestamp())

    def stamp(self, seconds_ago: float) -> str:
        moment = self.epoch - int(seconds_ago)
        day, rest = divmod(moment, DAY)
        return f"{_day(day)} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}+00"

    def day(self, days_ago: int) -> str:
        return (self.today - timedelta(days=days_ago)).isoformat()


@cache
def _day(day_number: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=day_number)).isoformat()


@dataclass(frozen=True)
class SeriesPlan:
    scholar: int
    language: str
    marked: bool  # Arabic with diacritics
    words: str
    title: str
    published: bool
    published_ago: int  # seconds before today


@dataclass(frozen=True)
class LecturePlan:
    scholar: int
    series: int  # -1: not in a series
    position: int
    language: str
    state: str
    published_ago: int
    asset: int  # index into the shared audio assets; -1: none yet (a draft)


def plan_series(seed: int, scholars: int, count: int) -> list[SeriesPlan]:
    rng = rng_for(seed, "series-plan")
    # A few prolific scholars, many with a handful of series.
    weights = [1 / (rank + 1) ** 0.6 for rank in range(scholars)]
    owners = rng.choices(range(scholars), weights, k=count)
    plans = []
    for owner in owners:
        language = rng.choices(text.LANGUAGE_CODES, text.LANGUAGE_WEIGHTS)[0]
        marked = text.arabic_with_diacritics(rng, language)
        words, title = text.stem(rng, language, marked)
        published = rng.random() < 0.95
        plans.append(
            SeriesPlan(owner, language, marked, words, title, published, _ago(rng, 3 * 365))
        )
    return plans


def plan_lectures(
    seed: int, series: list[SeriesPlan], scholars: int, count: int, assets: int
) -> list[LecturePlan]:
    """85% of lectures in series (sizes skewed: a few long courses), the rest standalone."""
    rng = rng_for(seed, "lecture-plan")
    in_series = int(count * 0.85) if series else 0
    sizes = allocate(rng, in_series, len(series), cap=None) if series else []
    plans = []
    for number, (plan, size) in enumerate(zip(series, sizes, strict=True)):
        for position in range(1, size + 1):
            ago = max(DAY, plan.published_ago - position * 7 * DAY)
            plans.append(_lecture(rng, plan.scholar, number, position, plan.language, ago, assets))
    for _ in range(count - in_series):
        language = rng.choices(text.LANGUAGE_CODES, text.LANGUAGE_WEIGHTS)[0]
        plans.append(
            _lecture(rng, rng.randrange(scholars), -1, 0, language, _ago(rng, 3 * 365), assets)
        )
    return plans


def _lecture(
    rng: random.Random,
    scholar: int,
    series: int,
    position: int,
    language: str,
    ago: int,
    assets: int,
) -> LecturePlan:
    roll = rng.random()
    state = "published" if roll < 0.92 else "draft" if roll < 0.97 else "archived"
    has_audio = state != "draft" or rng.random() < 0.5
    asset = rng.randrange(assets) if has_audio else -1
    return LecturePlan(scholar, series, position, language, state, ago, asset)


def visible(lectures: list[LecturePlan], series: list[SeriesPlan]) -> list[int]:
    """Indices of the lectures a listener can play (published, in a published series)."""
    return [
        n
        for n, lecture in enumerate(lectures)
        if lecture.state == "published" and (lecture.series < 0 or series[lecture.series].published)
    ]


def allocate(rng: random.Random, total: int, n: int, cap: int | None) -> list[int]:
    """Split `total` into `n` skewed counts (most small, a few large), each at most `cap`."""
    if n == 0:
        return []
    weights = [0.2 + rng.random() ** 3 * 4 for _ in range(n)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    if cap is not None:
        counts = [min(cap, count) for count in counts]
    short = total - sum(counts)
    index = 0
    while short > 0:  # the rounding (and anything over the cap), one at a time
        if cap is None or counts[index % n] < cap:
            counts[index % n] += 1
            short -= 1
        index += 1
    return counts


def picks(rng: random.Random, k: int, popular: list[int]) -> list[int]:
    """k distinct lectures, the popular ones (front of `popular`) far more often."""
    if k * 4 > len(popular):
        return rng.sample(popular, k)
    chosen: dict[int, None] = {}
    size = len(popular)
    while len(chosen) < k:
        chosen[popular[int(size * rng.random() ** 2)]] = None
    return list(chosen)


def _ago(rng: random.Random, days: int) -> int:
    return DAY + int(rng.random() * days * DAY)

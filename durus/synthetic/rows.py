"""The rows of each stage as COPY text lines (tab-separated, \\N for NULL)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import text
from .plan import (
    DAY,
    LECTURE,
    SCHOLAR,
    SERIES,
    USER,
    Clock,
    LecturePlan,
    SeriesPlan,
    allocate,
    ident,
    picks,
    rng_for,
)

N = "\\N"
TIME_ZONES = ("UTC", "Asia/Riyadh", "Africa/Cairo", "Europe/London", "Asia/Karachi", "Asia/Jakarta")
EDITOR_SCHOLARS = 10  # scholars in one editor's scope


@dataclass(frozen=True)
class Asset:
    id: str
    duration: float


def _slug(words: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")


def tag(seed: int, default: int) -> str:
    """Slug suffix keeping another seed's rows apart in the same database."""
    return "" if seed == default else f"-s{seed}"


def scholars(seed: int, count: int, clock: Clock, suffix: str) -> Iterator[str]:
    rng = rng_for(seed, "scholars")
    for n in range(count):
        latin, arabic = text.person_name(rng)
        biography = text.description(rng, rng.choice(("en", "ar")), marked=False)
        ago = clock.stamp(400 * DAY + rng.random() * 900 * DAY)
        yield (
            f"{ident(seed, SCHOLAR, n)}\t{_slug(latin)}-{n}{suffix}\t{latin}\t{arabic}\tar\t"
            f"{biography}\tt\t{ago}\t{ago}\n"
        )


def series(seed: int, plans: list[SeriesPlan], clock: Clock, suffix: str) -> Iterator[str]:
    rng = rng_for(seed, "series")
    for n, plan in enumerate(plans):
        body = text.description(rng, plan.language, plan.marked)
        published = clock.stamp(plan.published_ago)
        created = clock.stamp(plan.published_ago + DAY)
        state, at = ("published", published) if plan.published else ("draft", N)
        yield (
            f"{ident(seed, SERIES, n)}\t{ident(seed, SCHOLAR, plan.scholar)}\t"
            f"{plan.words}-{n}{suffix}\t{plan.title}\t{body}\t{plan.language}\t{state}\t{at}\t"
            f"{created}\t{published}\n"
        )


def lectures(
    seed: int,
    plans: list[LecturePlan],
    series_plans: list[SeriesPlan],
    assets: list[Asset],
    clock: Clock,
    suffix: str,
) -> Iterator[str]:
    rng = rng_for(seed, "lectures")
    for n, plan in enumerate(plans):
        if plan.series >= 0:
            owner = series_plans[plan.series]
            marked = owner.marked
            words = owner.words
            title = text.lesson_title(rng, plan.language, marked, owner.title, plan.position)
            series_id, position = ident(seed, SERIES, plan.series), str(plan.position)
        else:
            marked = text.arabic_with_diacritics(rng, plan.language)
            words, title = text.stem(rng, plan.language, marked)
            series_id = position = N
        body = text.description(rng, plan.language, marked)
        published = clock.stamp(plan.published_ago)
        recorded = clock.day(plan.published_ago // DAY + rng.randrange(1, 60))
        at = published if plan.state == "published" else N
        asset = assets[plan.asset].id if plan.asset >= 0 else N
        yield (
            f"{ident(seed, LECTURE, n)}\t{ident(seed, SCHOLAR, plan.scholar)}\t{series_id}\t"
            f"{position}\t{words}-{n}{suffix}\t{title}\t{body}\t{plan.language}\t{plan.state}\t"
            f"{at}\t{recorded}\t{asset}\t{published}\t{published}\n"
        )


def users(seed: int, count: int, editors: int, clock: Clock, suffix: str) -> Iterator[str]:
    """User 0 is an administrator, users 1..editors are editors, the rest listeners."""
    rng = rng_for(seed, "users")
    for n in range(count):
        latin, arabic = text.person_name(rng)
        role = "admin" if n == 0 else "editor" if n <= editors else "listener"
        roll = rng.random()
        state = "suspended" if roll < 0.01 else "deactivated" if roll < 0.02 else "active"
        language = "ar" if rng.random() < 0.4 else "en"
        name = arabic if language == "ar" and rng.random() < 0.7 else latin
        created = clock.stamp(DAY + rng.random() * 730 * DAY)
        signed_in = clock.stamp(rng.random() * 60 * DAY) if rng.random() < 0.8 else N
        rate = rng.choice(("1.00", "1.00", "1.00", "1.25", "1.50", "0.75", "2.00"))
        yield (
            f"{ident(seed, USER, n)}\t{_slug(latin).replace('-', '.')}.{n}@example.org"
            f"{suffix.replace('-', '.')}\t{name}\t{role}\t{state}\t{language}\t"
            f"{rng.choice(TIME_ZONES)}\t{rate}\t{'t' if rng.random() < 0.8 else 'f'}\t"
            f"{signed_in}\t{created}\t{created}\n"
        )


def editor_scopes(seed: int, editors: int, scholars: int, clock: Clock) -> Iterator[str]:
    """Editor k manages scholars k*10 .. k*10+9 (wrapping round)."""
    created = clock.stamp(30 * DAY)
    for k in range(editors):
        first = k * EDITOR_SCHOLARS % max(scholars, 1)
        for scholar in sorted({(first + j) % scholars for j in range(EDITOR_SCHOLARS)}):
            yield f"{ident(seed, USER, k + 1)}\t{ident(seed, SCHOLAR, scholar)}\t{created}\n"


def credentials(seed: int, count: int, password_hash: str, clock: Clock) -> Iterator[str]:
    created = clock.stamp(DAY)
    for n in range(count):
        yield f"{ident(seed, USER, n)}\t{password_hash}\t{created}\t{created}\n"


def _listened(
    rng: random.Random, seed: int, total: int, users: int, popular: list[int]
) -> Iterator[tuple[str, int]]:
    """(user id, lecture number) pairs, `total` in all over `users` (a few each, some many),
    drawn from the popular lectures; lazily, so the caller's draws stay interleaved."""
    for user, count in enumerate(allocate(rng, total, users, cap=len(popular))):
        user_id = ident(seed, USER, user)
        for lecture in picks(rng, count, popular):
            yield user_id, lecture


def progress(
    seed: int,
    total: int,
    users: int,
    popular: list[int],
    durations: list[float],
    clock: Clock,
) -> Iterator[str]:
    """Most listeners a few lectures, some hundreds; a third finished; 3% dismissed."""
    rng = rng_for(seed, "progress")
    for user_id, lecture in _listened(rng, seed, total, users, popular):
        duration = durations[lecture]
        observed_ago = rng.random() ** 1.5 * 90 * DAY + 60
        observed = clock.stamp(observed_ago)
        if rng.random() < 0.35:
            position, completed = duration, observed
        else:
            position, completed = round(rng.random() * duration, 1), N
        dismissed = clock.stamp(observed_ago - 30) if rng.random() < 0.03 else N
        yield (
            f"{user_id}\t{ident(seed, LECTURE, lecture)}\t{position}\t{completed}\t"
            f"{observed}\t{dismissed}\t{observed}\n"
        )


def favourites(
    seed: int, total: int, users: int, popular: list[int], clock: Clock
) -> Iterator[str]:
    rng = rng_for(seed, "favourites")
    for user_id, lecture in _listened(rng, seed, total, users, popular):
        created = clock.stamp(rng.random() * 700 * DAY + 60)
        yield f"{user_id}\t{ident(seed, LECTURE, lecture)}\t{created}\n"

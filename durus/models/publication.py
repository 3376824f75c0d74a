"""The publication lifecycle: the one place that says which state changes are allowed."""

from __future__ import annotations

from .enums import PublicationState as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.ARCHIVED}),
    S.PUBLISHED: frozenset({S.DRAFT, S.ARCHIVED}),  # unpublish, archive
    S.ARCHIVED: frozenset({S.DRAFT}),  # restore as a draft, then publish again
}


def can_transition(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]

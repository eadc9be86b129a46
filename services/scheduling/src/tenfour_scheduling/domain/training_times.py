"""When most invitees can attend a training: candidate starts inside the facilitator's free
time, and for each the invitees whose own free time (off duty and rested under the agency's
rules, not in another session) holds the whole session."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour_shared.timeline import Interval

__all__ = ["TrainingTime", "best_times", "candidate_starts"]

STEP = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class TrainingTime:
    start: datetime
    attendees: tuple[str, ...]  # sorted ids of the invitees who can attend


def candidate_starts(free: Iterable[Interval], duration: timedelta, not_before: datetime) -> list[datetime]:
    """Starts on the half-hour grid (UTC) where the whole session fits in one free interval."""
    out: list[datetime] = []
    for interval in free:
        first = max(interval.start, not_before)
        offset = (first - first.replace(minute=0, second=0, microsecond=0)) % STEP
        start = first if not offset else first + (STEP - offset)
        while start + duration <= interval.end:
            out.append(start)
            start += STEP
    return sorted(set(out))


def _fits(free: Sequence[Interval], start: datetime, end: datetime) -> bool:
    return any(f.start <= start and end <= f.end for f in free)


def best_times(
    starts: Iterable[datetime],
    duration: timedelta,
    free_by_invitee: Mapping[str, Sequence[Interval]],
    limit: int,
) -> list[TrainingTime]:
    """The ``limit`` starts most invitees can attend, then the earliest."""
    scored = [
        TrainingTime(
            start,
            tuple(sorted(i for i, free in free_by_invitee.items() if _fits(free, start, start + duration))),
        )
        for start in starts
    ]
    scored.sort(key=lambda t: (-len(t.attendees), t.start))
    return scored[:limit]

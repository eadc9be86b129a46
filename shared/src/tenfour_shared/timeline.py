"""UTC interval algebra and local wall-time conversion shared by every calendar feature.

Instants are always timezone-aware UTC datetimes; local rules live in IANA zones and are
converted here, in one place, so DST handling cannot drift between services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tenfour_shared.text import excerpt

__all__ = [
    "Interval",
    "as_utc",
    "intersect",
    "load_zone",
    "local_to_utc",
    "merge",
    "subtract",
    "total",
]


def as_utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC; naive datetimes are a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: instants must carry a timezone")
    return moment.astimezone(UTC)


def load_zone(name: str) -> ZoneInfo:
    """Load an IANA zone, raising ValueError (not KeyError/OSError) for unknown names."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise ValueError(f"unknown IANA timezone {excerpt(name)}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown IANA timezone {excerpt(name)}") from exc


def local_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a given date.

    Ambiguous times (fall-back) take the first occurrence (fold=0): a 01:30 start on the
    fall-back night is the earlier 01:30. Non-existent times (spring-forward gap) move
    forward by the gap, like every calendar app: 02:30 on the spring-forward day is 03:30.
    """
    # PEP 495: fold=0 uses the offset in force before a transition. In a fall-back overlap that
    # is the first occurrence; in a spring-forward gap it maps the wall time forward by the gap.
    return datetime.combine(day, wall).replace(tzinfo=zone, fold=0).astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("interval bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("interval end is before its start")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def contains_instant(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def expand(self, before: timedelta, after: timedelta) -> Interval:
        return Interval(self.start - before, self.end + after)


_BOUNDS = attrgetter("start", "end")


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union; touching intervals are joined, empty ones dropped."""
    out: list[Interval] = []
    # By a key: the dataclass's own ordering builds two tuples per comparison.
    for iv in sorted((i for i in intervals if i.end > i.start), key=_BOUNDS):
        if out and iv.start <= out[-1].end:
            if iv.end > out[-1].end:
                out[-1] = Interval(out[-1].start, iv.end)
        else:
            out.append(iv)
    return out


def subtract(base: Iterable[Interval], remove: Iterable[Interval]) -> list[Interval]:
    """base minus remove, as a sorted disjoint list."""
    cuts = merge(remove)
    out: list[Interval] = []
    first = 0  # both lists are sorted: cuts before this index end before every later interval
    n = len(cuts)
    for iv in merge(base):
        while first < n and cuts[first].end <= iv.start:
            first += 1
        if first == n or cuts[first].start >= iv.end:  # no cut touches it: kept whole
            out.append(iv)
            continue
        cursor, end = iv.start, iv.end
        for k in range(first, n):  # no slicing: that would copy the tail per interval
            cut = cuts[k]
            if cut.start >= end:
                break
            if cut.end <= cursor:
                continue
            if cut.start > cursor:
                out.append(Interval(cursor, cut.start))
            if cut.end > cursor:
                cursor = cut.end
            if cursor >= end:
                break
        if cursor < end:
            out.append(Interval(cursor, end))
    return out


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Intersection of two interval sets, sorted and disjoint."""
    left, right = merge(a), merge(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            out.append(Interval(start, end))
        if left[i].end < right[j].end:
            i += 1
        else:
            j += 1
    return out


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((iv.duration for iv in merge(intervals)), timedelta())

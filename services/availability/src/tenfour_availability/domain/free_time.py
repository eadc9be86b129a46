"""Free time as a provider sees it: spans of UTC time, each with the session types free in it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval

__all__ = ["FreeSpan", "free_spans"]

_ORDER = tuple(SessionType)  # canonical order, iterated once per edge


@dataclass(frozen=True, slots=True)
class FreeSpan:
    interval: Interval
    session_types: tuple[SessionType, ...]  # canonical order, never empty


def free_spans(
    free: Mapping[SessionType, Iterable[Interval]], only: SessionType | None = None
) -> list[FreeSpan]:
    """Sorted, disjoint spans; a span ends wherever the set of free session types changes.

    With ``only``, the free time of that type alone (nothing when the provider does not offer it).
    """
    if only is not None:
        return [FreeSpan(iv, (only,)) for iv in free.get(only, ())]
    edges: defaultdict[datetime, list[tuple[SessionType, int]]] = defaultdict(list)
    for session_type, intervals in free.items():
        for iv in intervals:
            edges[iv.start].append((session_type, 1))
            edges[iv.end].append((session_type, -1))
    open_count: Counter[SessionType] = Counter()
    spans: list[FreeSpan] = []
    current: tuple[SessionType, ...] = ()
    since: datetime | None = None
    for moment in sorted(edges):
        for session_type, step in edges[moment]:
            open_count[session_type] += step
        types = tuple([t for t in _ORDER if open_count[t] > 0])
        if types == current:
            continue  # touching intervals of the same types stay one span
        if current and since is not None and since < moment:
            spans.append(FreeSpan(Interval(since, moment), current))
        current, since = types, moment
    return spans
